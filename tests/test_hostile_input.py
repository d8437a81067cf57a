"""Hostile input, tried as an attacker would (issue 12): every case runs the real `frs`
command in a child process and asserts what the README promises — exit status 1 or 2, a
message that names the place, no traceback — and that the child stayed within generous
bounds of time and peak memory (measured here, from the child's resource usage).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "schemas/examples/conformance-statement/valid"
# Generous bounds: a hostile input must not make a command hang or balloon; a clean
# run of any command here takes a few seconds and a few hundred MiB.
SECONDS = 60
PEAK_MIB = 1024


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    seconds: float
    peak_mib: float

    @property
    def said(self) -> str:
        return self.out + self.err


# Runs `frs` and, as it exits, writes its own peak resident memory (VmHWM, KiB). Not
# wait4's ru_maxrss: that survives exec, so a child of a large test process would report
# the parent's peak.
LAUNCH = """
import atexit, re, sys
def peak(path=sys.argv[1]):
    status = open("/proc/self/status").read()
    open(path, "w").write(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
atexit.register(peak)
sys.argv = ["frs", *sys.argv[2:]]
from reference_impl.cli import main
sys.exit(main())
"""


def frs(*argv, cwd: Path | None = None, seconds: float = SECONDS) -> Run:
    """`frs ARGV` in a child process, with its exit status, output, time and peak memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        peak = Path(tempfile.mkstemp(suffix=".peak")[1])
        child = subprocess.Popen([sys.executable, "-c", LAUNCH, str(peak), *map(str, argv)],
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd)
        while True:
            pid, status, _ = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > seconds:
                child.send_signal(signal.SIGKILL)
                os.wait4(child.pid, 0)
                child.returncode = -9
                pytest.fail(f"frs {' '.join(map(str, argv))} ran past {seconds} s")
            time.sleep(0.02)
        child.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        peak_kib = int(peak.read_text() or 0)
        peak.unlink()
        return Run(child.returncode, out.read().decode(errors="replace"),
                   err.read().decode(errors="replace"), elapsed, peak_kib / 1024)


def refused(run: Run, *places: str, codes=(1, 2)) -> None:
    """The promise on hostile input: exit 1 or 2, every place named, no traceback, bounded."""
    assert run.code in codes, (run.code, run.said)
    assert "Traceback" not in run.said, run.said
    for place in places:
        assert place in run.said, (place, run.said)
    assert run.seconds < SECONDS and run.peak_mib < PEAK_MIB, (run.seconds, run.peak_mib)


def example(name: str = "remote-proofing-class-v-r") -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def statement_citing(folder: Path, url: str, sha256: str | None = None,
                     kind: str = "evaluation-report") -> Path:
    """A Class V-R statement in `folder` whose evidence of `kind` is the local file `url`."""
    data = example()
    entry = next(e for e in data["evidence"] if e["type"] == kind)
    entry["url"] = url
    if sha256:
        entry["sha256"] = sha256
    path = folder / "statement.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


# ---- 1. confined reads -------------------------------------------------------------------

@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, str]:
    """A file outside the statement's folder, and its SHA-256 (what an attacker would test)."""
    path = tmp_path / "secret.txt"
    path.write_text("not evidence anybody named\n")
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "statement").mkdir()
    return tmp_path / "statement"


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink"])
def test_evidence_outside_the_statements_folder_is_refused_never_read(folder, secret, how):
    path, digest = secret
    if how == "symlink":
        (folder / "eval.json").symlink_to(path)
    url = {"dotdot": "../secret.txt", "absolute": str(path), "symlink": "eval.json"}[how]
    run = frs("conform", statement_citing(folder, url, digest))
    refused(run, "statement.yaml", "/evidence/", url, codes=(2,))
    assert "PASS FRS-AUD-002" not in run.out  # the verdict reveals nothing about the file


def test_a_named_evidence_root_lets_evidence_beside_the_folder_be_read(folder, secret):
    path, digest = secret
    statement = statement_citing(folder, "../secret.txt", digest, kind="policy")
    run = frs("conform", statement, "--evidence-root", folder.parent)
    assert run.code in (0, 1) and "/evidence/" not in run.said, run.said
    assert "does not match its declared" not in run.out


@pytest.mark.parametrize("special", ["fifo", "dev-zero", "directory"])
def test_evidence_that_is_not_a_regular_file_is_refused_without_blocking(folder, special):
    target = folder / "eval.json"
    if special == "fifo":
        os.mkfifo(target)
    elif special == "dev-zero":
        target.symlink_to("/dev/zero")  # a link out of the folder: refused before opening
    else:
        target.mkdir()
    run = frs("conform", statement_citing(folder, "eval.json"), seconds=30)
    refused(run, "statement.yaml", "/evidence/", "eval.json", codes=(2,))


def test_dev_zero_inside_the_evidence_root_is_refused_as_not_a_regular_file(folder):
    run = frs("conform", statement_citing(folder, "/dev/zero"), "--evidence-root", "/",
              seconds=30)
    refused(run, "/evidence/", "/dev/zero", "not a regular file", codes=(2,))


def test_evidence_above_the_size_cap_is_refused_before_it_is_read(folder):
    from reference_impl.confined import MAX_CITED_BYTES

    with open(folder / "eval.json", "wb") as big:  # sparse: costs no disk
        big.truncate(MAX_CITED_BYTES + 1)
    run = frs("conform", statement_citing(folder, "eval.json"), seconds=30)
    refused(run, "/evidence/", "eval.json", "larger than", codes=(2,))
    assert run.seconds < 20  # refused on its size, not after hashing half a gigabyte


@pytest.mark.parametrize("command", [["validate"], ["conform"], ["verify-log"]])
def test_a_fifo_named_as_the_document_is_refused_without_blocking(tmp_path, command):
    fifo = tmp_path / ("doc.jsonl" if command == ["verify-log"] else "doc.json")
    os.mkfifo(fifo)
    refused(frs(*command, fifo, seconds=30), str(fifo), "not a regular file", codes=(2,))


def test_evidence_inside_the_folder_is_still_read(folder):
    report = json.loads((ROOT / "schemas/examples/evaluation-report/valid/minimal.json")
                        .read_text())
    (folder / "reports").mkdir()
    (folder / "reports/eval.json").write_text(json.dumps(report))
    statement = statement_citing(folder, "reports/eval.json", "0" * 64)
    run = frs("conform", statement)
    assert run.code == 1 and "does not match its declared SHA-256" in run.out, run.said


# ---- 3. one value discipline -----------------------------------------------------------

@pytest.mark.parametrize("field, value, pointer", [
    ("template_protection", ".nan", "/template_protection/d_sys"),
    ("template_protection", ".inf", "/template_protection/d_sys"),
    ("throttling", ".nan", "/throttling/delay_seconds"),
    ("throttling", "-.inf", "/throttling/delay_seconds"),
])
def test_non_finite_numbers_in_a_statement_are_refused_with_the_place(tmp_path, field, value,
                                                                     pointer):
    data = example()
    key = pointer.rsplit("/", 1)[1]
    data[field][key] = "PLACEHOLDER"
    path = tmp_path / "statement.yaml"
    path.write_text(yaml.safe_dump(data).replace("PLACEHOLDER", value))
    assert value in path.read_text()
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if value in text)
    run = frs("conform", path)
    refused(run, f"statement.yaml:{line}", codes=(2,))
    assert "PASS FRS-DPR-009" not in run.out and "PASS FRS-PAD-011" not in run.out


def audit_log(path: Path, records: int = 3) -> Path:
    from reference_impl.audit import AuditLog

    log = AuditLog(path)
    for i in range(records):
        log.append("verification", {"kind": "system", "ref": "gate-1"},
                   time=f"2026-05-01T09:00:0{i}Z", subject_ref=f"acct-{i}", decision="accept")
    return path


def test_a_duplicate_key_in_an_audit_record_breaks_the_chain(tmp_path):
    path = audit_log(tmp_path / "audit.jsonl")
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"decision": "accept"', '"decision": "accept", '
                                '"decision": "reject"')
    assert lines[1].count('"decision"') == 2
    path.write_text("".join(lines))
    run = frs("verify-log", path)
    refused(run, "audit.jsonl:2", "decision")
    assert "intact" not in run.out


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0"])
def test_a_time_limit_that_is_no_limit_is_refused(tmp_path, value):
    run = frs("model", "check", tmp_path / "model.onnx", tmp_path / "manifest.json",
              f"--seconds-per-batch={value}")
    refused(run, "--seconds-per-batch", codes=(2,))


def test_a_species_given_twice_is_refused(tmp_path):
    scores = tmp_path / "scores.txt"
    scores.write_text("0.1\n0.2\n0.3\n")
    run = frs("metrics", "pad", "--bona-fide", scores, "--attack", f"print={scores}",
              "--attack", f"print={scores}")
    refused(run, "--attack", "print", "twice", codes=(2,))


@pytest.mark.parametrize("pointer, value", [
    ("/governance/threshold_reached_on", "9999-12-31"),
    ("/governance/authority_filing_on", "9999-12-31"),
])
def test_a_date_at_the_end_of_the_calendar_gives_a_finding_not_a_traceback(tmp_path, pointer,
                                                                          value):
    data = example()
    section, key = pointer.strip("/").split("/")
    data[section][key] = value
    path = tmp_path / "statement.json"
    path.write_text(json.dumps(data, indent=2))
    refused(frs("conform", path), codes=(1, 2))


def test_landmark_coordinates_of_1e308_give_a_finding_with_the_pointer(tmp_path):
    manifest = {"schema_version": "0.1", "dataset_id": "hostile", "sequestered": False,
                "samples": [{"sample_id": "a-1", "subject_id": "a", "role": "enrolment",
                             "file": "a-1.png", "faces": [[[1e308, 150], [200, 150],
                                                           [160, 195], [128, 240],
                                                           [192, 240]]]}]}
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(manifest))
    run = frs("validate", "--schema", "dataset-manifest", path)
    refused(run, "dataset.json", "/samples/0/faces/0/0/0", "65536", codes=(1,))


# ---- 5. output that cannot be forged and leaks nothing ---------------------------------

FORGED = "PASS FRS-CNF-001  forged: all good"


@pytest.mark.parametrize("form", ["text", "markdown"])
def test_a_newline_in_a_statement_cannot_forge_a_report_line(tmp_path, form):
    url = f"reports/missing.json\n{FORGED}\r\u202egnp.exe"
    run = frs("conform", statement_citing(tmp_path, url), "--format", form)
    assert run.code == 1 and "Traceback" not in run.said, run.said
    lines = run.out.splitlines()
    assert not any(line.startswith(("PASS FRS-CNF-001  forged", "| FRS-CNF-001 |  forged"))
                   for line in lines)
    assert "\u202e" not in run.out and "\r" not in run.out
    assert "reports/missing.json\\nPASS FRS-CNF-001  forged" in run.out  # shown, escaped


def test_control_and_bidi_characters_in_a_finding_are_escaped(tmp_path):
    path = tmp_path / "statement.json"
    data = example()
    data["class"] = "V-R\n/class: valid\u202e"
    path.write_text(json.dumps(data))
    run = frs("validate", path)
    refused(run, "statement.json", "/class", codes=(1,))
    assert "\u202e" not in run.said and "\\u202e" in run.said
    assert not any(line.startswith("/class: valid") for line in run.said.splitlines())


TEMPLATE = "AACAPwAAgD8AAIA/AACAPwAAgD8AAIA/"  # base64 of eight float32 ones


@pytest.mark.parametrize("command", ["validate", "verify-log"])
def test_a_template_in_a_record_is_never_printed(tmp_path, command):
    path = audit_log(tmp_path / "audit.jsonl")
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"subject_ref": "acct-1"', f'"subject_ref": "{TEMPLATE}"')
    lines.append(json.dumps({**json.loads(lines[0]), "embedding": [0.125] * 128}) + "\n")
    path.write_text("".join(lines))
    run = frs(command, path) if command == "verify-log" else frs(
        "validate", "--schema", "audit-event", path)
    refused(run, "audit.jsonl:2", "/subject_ref", codes=(1,))
    assert TEMPLATE not in run.said and TEMPLATE[:16] not in run.said
    assert "0.125, 0.125" not in run.said


# ---- 4. integrity ---------------------------------------------------------------------

def test_changed_images_are_never_read_from_the_embedding_cache(tmp_path):
    import numpy as np

    from reference_impl.evaluate import dataset as datasets
    from reference_impl.evaluate import harness, synthetic
    from reference_impl.model.contract import check_model
    from reference_impl.model.manifest import load_manifest

    latent = synthetic.LatentModel(dimension=16, sigma=0.6, size=112, seed=7)
    (tmp_path / "sub").mkdir()
    model = synthetic.onnx_linear_model(tmp_path / "sub/model.onnx", latent)
    (tmp_path / "sub/manifest.json").write_text(
        json.dumps(synthetic.model_manifest(latent, {"V-L": 0.5})))
    manifest = load_manifest(tmp_path / "sub/manifest.json")
    path = synthetic.write_dataset(tmp_path / "data", latent, subjects=6)
    checks, session = check_model(model, manifest)

    def run():
        return harness.evaluate(model, manifest, datasets.load_dataset(path), session,
                                checks, tmp_path / "out", batch_size=8, progress=False)

    first = run()
    crops = np.load(tmp_path / "data/crops.npy")
    np.save(tmp_path / "data/crops.npy", crops[::-1].copy())  # same ids, other pixels
    second = run()
    assert second.embeddings.cached_batches == 0
    assert second.embeddings.computed_batches == first.embeddings.computed_batches
    assert not np.array_equal(second.embeddings.vectors, first.embeddings.vectors)
    assert run().embeddings.computed_batches == 0  # unchanged: the cache is used


def test_the_readme_states_the_limits_the_code_applies():
    from reference_impl import documents
    from reference_impl.confined import MAX_CITED_BYTES

    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"a regular file of at most {MAX_CITED_BYTES // 2**20} MiB" in readme
    assert f"a string longer than {documents._MAX_SHOWN_CHARS} characters" in readme
    assert f"a vector of more than {documents._MAX_SHOWN_NUMBERS} numbers" in readme


def test_a_duplicate_key_in_a_statement_is_refused_with_its_line(tmp_path):
    path = tmp_path / "statement.yaml"
    text = yaml.safe_dump(example())
    path.write_text(text.replace("class: V-R\n", "class: V-R\nclass: V-L\n", 1))
    line = path.read_text().splitlines().index("class: V-L") + 1
    refused(frs("conform", path), f"statement.yaml:{line}", "class", codes=(2,))


def test_a_yaml_alias_bomb_as_a_statement_is_refused_quickly(tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = tmp_path / "statement.yaml"
    path.write_text("\n".join(levels) + "\n")
    run = frs("conform", path, seconds=30)
    refused(run, "statement.yaml", codes=(2,))
    assert run.seconds < 20
