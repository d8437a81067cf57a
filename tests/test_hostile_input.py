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

import numpy as np
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
                   time=f"2026-05-01T{9 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
                   subject_ref=f"acct-{i}", decision="accept")
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


def test_the_readme_states_the_budgets_the_code_applies():
    from reference_impl import documents, safeload
    from reference_impl.evaluate.dataset import MAX_IMAGE_PIXELS
    from reference_impl.metrics.scores import MAX_LINE_BYTES
    from reference_impl.model import safety
    from reference_impl.protect.command import MAX_DIMENSION, MAX_EMBEDDINGS

    readme = " ".join((ROOT / "README.md").read_text().split())
    budget = safeload.DEFAULT_LIMITS
    for stated in (
            f"a JSON document of at most {budget.max_document_bytes // 2**20} MiB",
            f"a JSON Lines record of at most {budget.max_record_bytes // 2**20} MiB",
            f"a YAML file of at most {budget.max_yaml_bytes // 2**20} MiB with at most "
            f"{budget.max_yaml_nodes} nodes (aliases expanded) and {budget.max_yaml_aliases} "
            f"alias uses, nesting at most {budget.max_depth} deep",
            f"A record keeps at most {documents.MAX_PER_RECORD} findings",
            f"a text score line is at most {MAX_LINE_BYTES} bytes",
            f"An image may have at most {MAX_IMAGE_PIXELS} pixels",
            f"local functions may expand to at most {safety.MAX_FUNCTION_NODES} nodes",
            f"(`--seconds-to-load`, {safety.Limits().seconds_to_load:g} s by default)",
            f"at most {MAX_EMBEDDINGS} embeddings of at most {MAX_DIMENSION} numbers"):
        assert stated in readme, stated


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


# ---- 2. bounded time and memory ---------------------------------------------------------

def png_header(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` pixels and holds almost none of them: what
    a decompression bomb looks like to a reader of its header."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.fixture
def synthetic_model(tmp_path: Path) -> tuple[Path, Path, object]:
    from reference_impl.evaluate import synthetic

    latent = synthetic.LatentModel(dimension=16, sigma=0.6, size=112, seed=7)
    model = synthetic.onnx_linear_model(tmp_path / "model.onnx", latent)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(synthetic.model_manifest(latent, {"V-L": 0.5})))
    return model, manifest, latent


def test_an_image_declaring_13000_by_13000_pixels_is_refused_before_decoding(
        tmp_path, synthetic_model):
    from reference_impl.evaluate import synthetic
    from reference_impl.evaluate.dataset import MAX_IMAGE_PIXELS

    model, manifest, latent = synthetic_model
    path = synthetic.write_dataset(tmp_path / "data", latent, subjects=4)
    (tmp_path / "data/bomb.png").write_bytes(png_header(13000, 13000))
    assert (tmp_path / "data/bomb.png").stat().st_size < 200_000
    data = json.loads(path.read_text())
    data["samples"][0].update(file="bomb.png", aligned=False)
    data["samples"][0].pop("index")
    path.write_text(json.dumps(data))
    run = frs("evaluate", model, manifest, path, "--out", tmp_path / "out", "--no-progress")
    refused(run, "/samples/0/file", "bomb.png", "13000 x 13000", str(MAX_IMAGE_PIXELS),
            codes=(2,))
    assert run.peak_mib < 600  # refused from its header: 13000² RGB floats are 2 GB


def nested_functions_model(path: Path, depth: int) -> Path:
    """A model whose one node calls a local function that calls one three times, and so
    on `depth` deep: 3^(depth-1) nodes once onnxruntime has inlined them while loading."""
    import onnx
    from onnx import TensorProto, helper

    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("local", 1)]
    functions = [helper.make_function("local", "F0", ["x"], ["y"],
                                      [helper.make_node("Identity", ["x"], ["y"])], opsets)]
    for i in range(1, depth):
        calls = [helper.make_node(f"F{i - 1}", [a], [b], domain="local")
                 for a, b in (("x", "a"), ("a", "b"), ("b", "y"))]
        functions.append(helper.make_function("local", f"F{i}", ["x"], ["y"], calls, opsets))
    shape = ["N", 3, 112, 112]
    graph = helper.make_graph(
        [helper.make_node(f"F{depth - 1}", ["input"], ["output"], domain="local")], "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, shape)])
    model = helper.make_model(graph, opset_imports=opsets, functions=functions)
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


@pytest.fixture
def local_domain_manifest(tmp_path, synthetic_model) -> Path:
    _, manifest, _ = synthetic_model
    data = json.loads(manifest.read_text())
    data["custom_op_domains"] = ["local"]
    manifest.write_text(json.dumps(data))
    return manifest


def test_nested_local_functions_are_refused_before_loading(tmp_path, local_domain_manifest):
    from reference_impl.model.safety import MAX_FUNCTION_NODES

    model = nested_functions_model(tmp_path / "nested.onnx", depth=12)  # 177,147 nodes
    run = frs("model", "check", model, local_domain_manifest, seconds=30)
    refused(run, "nested.onnx", "function-size", str(MAX_FUNCTION_NODES), codes=(1,))
    assert run.seconds < 20  # it took minutes to load


def test_loading_a_model_is_bounded_in_time(tmp_path, local_domain_manifest):
    model = nested_functions_model(tmp_path / "slow.onnx", depth=9)  # loads in seconds
    run = frs("model", "check", model, local_domain_manifest, "--seconds-to-load", "0.2",
              seconds=30)
    refused(run, "slow.onnx", "time-to-load", "0.2 s", codes=(1,))


def npz_declaring(path: Path, rows: int, dimension: int) -> Path:
    """An .npz whose 'embeddings' inflate to rows x dimension float64 zeros (compressed:
    a few MB for a GiB), written a piece at a time."""
    import zipfile

    header = io_header(np.float64, (rows, dimension))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("embeddings.npy", "w", force_zip64=True) as member:
            member.write(header)
            zeros = bytes(1 << 24)
            for _ in range(rows * dimension * 8 // len(zeros)):
                member.write(zeros)
        archive.writestr("labels.npy", npy_bytes(np.zeros(rows, dtype=np.int32)))
    return path


def io_header(dtype, shape) -> bytes:
    import io

    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": np.dtype(dtype).str,
                                               "fortran_order": False, "shape": shape})
    return out.getvalue()


def npy_bytes(array) -> bytes:
    import io

    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def test_an_npz_inflating_to_a_gibibyte_is_refused_by_its_declared_size(tmp_path):
    path = npz_declaring(tmp_path / "bomb.npz", 32768, 4096)  # 1 GiB inflated
    assert path.stat().st_size < 8 * 2**20
    run = frs("protection-cost", path, seconds=30)
    refused(run, "bomb.npz", "embeddings", "declares", codes=(2,))
    assert run.peak_mib < 400


def test_a_hundred_thousand_embeddings_are_refused_before_scoring(tmp_path):
    from reference_impl.protect.command import MAX_EMBEDDINGS

    path = tmp_path / "many.npz"
    rng = np.random.default_rng(0)
    np.savez(path, embeddings=rng.normal(size=(100_000, 8)).astype(np.float32),
             labels=np.arange(100_000) // 2)
    run = frs("protection-cost", path, seconds=30)
    refused(run, "many.npz", "100000 x 8", str(MAX_EMBEDDINGS), codes=(2,))


def test_an_audit_log_is_verified_in_memory_that_does_not_grow_with_it(tmp_path):
    small = frs("verify-log", audit_log(tmp_path / "small.jsonl", 10))
    large = frs("verify-log", audit_log(tmp_path / "large.jsonl", 20_000))
    assert small.code == large.code == 0 and "20000 records, chain intact" in large.out
    assert large.peak_mib - small.peak_mib < 30, (small.peak_mib, large.peak_mib)


@pytest.mark.parametrize("newlines", [True, False])
def test_a_large_score_file_is_read_in_bounded_memory(tmp_path, newlines):
    path = tmp_path / "scores.txt"
    with open(path, "w") as out:  # 12 MB of scores (several chunks), or one 40 MB line
        piece = "0.5\n" * 250_000 if newlines else "0.5 " * 250_000
        for _ in range(12 if newlines else 40):
            out.write(piece)
    impostor = tmp_path / "impostor.txt"
    impostor.write_text("0.1\n0.2\n")
    run = frs("metrics", "verification", "--genuine", path, "--impostor", impostor,
              "--stream")
    if newlines:
        assert run.code == 0 and "genuine comparisons   3000000" in run.out, run.said
    else:
        refused(run, "scores.txt:1", "longer than", codes=(2,))
    assert run.peak_mib < 400, run.peak_mib


def test_a_record_with_many_findings_ends_in_one_that_counts_the_rest(tmp_path):
    from reference_impl.documents import MAX_PER_RECORD

    record = json.loads((ROOT / "schemas/examples/search-result/valid/"
                         "mated-mate-at-rank-2.json").read_text())
    record["candidates"] = [{"reference_id": 1, "score": "x"}] * 5000
    path = tmp_path / "search.json"
    path.write_text(json.dumps(record))
    run = frs("validate", path)
    refused(run, "search.json", f"more findings not shown (at most {MAX_PER_RECORD}",
            codes=(1,))
    assert run.out.count("search.json") == MAX_PER_RECORD + 1


# ---- 3 (leftovers). tracebacks on odd input -----------------------------------------------

def test_an_npy_header_claiming_8_tib_is_refused_from_the_header(tmp_path):
    path = tmp_path / "genuine.npy"
    path.write_bytes(io_header(np.float64, (2**40,)) + bytes(64))
    impostor = tmp_path / "impostor.txt"
    impostor.write_text("0.1\n")
    for extra in ([], ["--stream"]):
        run = frs("metrics", "verification", "--genuine", path, "--impostor", impostor,
                  *extra)
        refused(run, "genuine.npy", "claims 1099511627776 scores", codes=(2,))


@pytest.mark.parametrize("kind", ["scores", "searches", "comparisons", "manifest", "pad"])
def test_invalid_utf8_in_an_input_file_is_named_with_its_line(tmp_path, kind):
    bad = tmp_path / {"scores": "g.txt", "searches": "s.jsonl", "comparisons": "c.jsonl",
                      "manifest": "manifest.json", "pad": "bona-fide.txt"}[kind]
    bad.write_bytes(b"0.5\n\xff\xfe0.1\n" if kind in ("scores", "pad")
                    else b'{"schema_version": "0.1", "x": "\xff"}\n')
    other = tmp_path / "i.txt"
    other.write_text("0.1\n")
    argv = {"scores": ["metrics", "verification", "--genuine", bad, "--impostor", other],
            "searches": ["metrics", "identification", bad, "--gallery-size", "10"],
            "comparisons": ["metrics", "verification", bad],
            "manifest": ["model", "check", tmp_path / "model.onnx", bad],
            "pad": ["metrics", "pad", "--bona-fide", bad, "--attack", f"print={other}"]}[kind]
    line = 2 if kind in ("scores", "pad") else 1
    refused(frs(*argv), f"{bad.name}:{line}", "UTF-8", codes=(2,))


def test_invalid_utf8_in_a_spec_page_is_a_problem_for_check_and_diff(tmp_path):
    repo = tmp_path / "repo"
    (repo / "spec").mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[tool.frs]\nclasses = ["V-L"]\n'
                                         '[tool.frs.areas]\nACC = "Accuracy"\n')
    (repo / "spec/a.md").write_bytes(b"# A\n\n/// requirement | FRS-ACC-001\n    level: shall"
                                     b"\n\nA system SHALL be \xff good.\n///\n")
    refused(frs("check", "--root", repo), "spec/a.md:6", "invalid UTF-8 byte 0xff",
            codes=(1,))
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "PATH": os.environ["PATH"]}
    for step in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "a page"]):
        subprocess.run(["git", *step], cwd=repo, env=env, check=True)
    run = frs("diff", "--root", repo, "HEAD", "HEAD")
    assert run.code == 0 and "Traceback" not in run.said, run.said


def deep(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


@pytest.mark.parametrize("command", ["conform", "model-check", "verify-log", "evaluate"])
def test_deep_nesting_is_refused_with_the_place(tmp_path, command):
    name = "log.jsonl" if command == "verify-log" else "doc.json"
    path = tmp_path / name
    path.write_text(deep(100_000) + "\n")
    argv = {"conform": ["conform", path],
            "model-check": ["model", "check", tmp_path / "model.onnx", path],
            "verify-log": ["verify-log", path],
            "evaluate": ["evaluate", tmp_path / "m.onnx", tmp_path / "m.json", path]}[command]
    if command == "evaluate":
        (tmp_path / "m.json").write_text(deep(100_000))
        path = tmp_path / "m.json"
    refused(frs(*argv), path.name, "nesting", codes=(1, 2))


@pytest.mark.parametrize("argv, option", [
    (["metrics", "identification", "S", "--gallery-size", "10", "--max-rank", str(10**11)],
     "--max-rank"),
    (["metrics", "identification", "S", "--gallery-size", "0"], "--gallery-size"),
    (["metrics", "verification", "S", "--fmr", "nan"], "--fmr"),
    (["metrics", "verification", "S", "--fmr", "inf"], "--fmr"),
    (["metrics", "pad", "--bona-fide", "S", "--attack", "p=S", "--threshold", "inf"],
     "--threshold"),
    (["metrics", "demographics", "S", "--group", "sex", "--threshold", "nan"], "--threshold"),
    (["model", "check", "M", "S", "--seconds-per-batch", "inf"], "--seconds-per-batch"),
    (["model", "check", "M", "S", "--seconds-to-load", "nan"], "--seconds-to-load"),
    (["model", "check", "M", "S", "--memory-mb", str(10**15)], "--memory-mb"),
    (["model", "check", "M", "S", "--threads", "64"], "--threads"),
    (["evaluate", "M", "S", "S", "--batch-size", "0"], "--batch-size"),
    (["evaluate", "M", "S", "S", "--max-non-mated", "-5"], "--max-non-mated"),
    (["evaluate", "M", "S", "S", "--seed", "-1"], "--seed"),
    (["protection-cost", "S", "--bits", "-3"], "--bits"),
    (["protection-cost", "S", "--fpir", "1e308"], "--fpir"),
    (["validate", "S", "--max-findings", "-1"], "--max-findings"),
])
def test_every_numeric_option_refuses_what_is_no_number_of_its_kind(tmp_path, argv, option):
    argv = [tmp_path / "input.json" if a in ("S", "M") else a for a in argv]
    refused(frs(*argv), option, codes=(2,))


@pytest.mark.parametrize("argv, option", [
    (["metrics", "verification", "--genuine", "S", "--impostor", "S",
      "--det-svg", "MISSING/det.svg"], "--det-svg"),
    (["metrics", "verification", "--genuine", "S", "--impostor", "S",
      "--det-svg", "FOLDER.svg"], "--det-svg"),
    (["evaluate", "S", "S", "S", "--out", "S"], "--out"),
    (["export", "--output", "MISSING/catalogue.json"], "--output"),
])
def test_an_output_path_that_cannot_be_written_is_refused_before_any_work(tmp_path, argv,
                                                                         option):
    scores = tmp_path / "scores.txt"
    scores.write_text("0.1\n0.2\n")
    (tmp_path / "FOLDER.svg").mkdir()
    argv = [str(tmp_path / a) if a.startswith(("MISSING", "FOLDER")) else
            (scores if a == "S" else a) for a in argv]
    refused(frs(*argv), option, codes=(2,))


def test_a_long_heading_line_is_parsed_in_linear_time(tmp_path):
    repo = tmp_path / "repo"
    (repo / "spec").mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[tool.frs]\nclasses = ["V-L"]\n'
                                         '[tool.frs.areas]\nACC = "Accuracy"\n')
    spaces = " " * 200_000  # backtracked for minutes at 2,000
    (repo / "spec/a.md").write_text(f"# A{spaces}#{spaces}y\n\nNo clauses.\n")
    run = frs("check", "--root", repo, seconds=30)
    assert run.code in (0, 1) and "Traceback" not in run.said, run.said
    assert run.seconds < 20


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_a_30_mb_statement_is_refused_in_bounded_time(tmp_path, suffix):
    data = example()
    data["notes"] = ["x" * 1000] * 30_000
    path = tmp_path / f"statement.{suffix}"
    path.write_text(json.dumps(data))  # JSON is YAML too
    assert path.stat().st_size > 30 * 10**6
    run = frs("conform", path, seconds=30)
    refused(run, path.name, codes=(2,))
    assert run.seconds < 20 and run.peak_mib < 600


def test_deeply_nested_evidence_is_a_finding_naming_it(folder):
    (folder / "eval.json").write_text(deep(100_000))
    run = frs("conform", statement_citing(folder, "eval.json"))
    refused(run, "/evidence", "eval.json", "nested deeper than", codes=(1, 2))


def test_a_yaml_alias_bomb_as_the_bibliography_is_a_problem_found_quickly(tmp_path):
    repo = tmp_path / "repo"
    (repo / "spec").mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[tool.frs]\nclasses = ["V-L"]\n'
                                         '[tool.frs.areas]\nACC = "Accuracy"\n')
    (repo / "spec/a.md").write_text("# A\n\nNo clauses.\n")
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (repo / "spec/bibliography.yaml").write_text("\n".join(levels) + "\n")
    run = frs("check", "--root", repo, seconds=30)
    refused(run, "spec/bibliography.yaml", "not valid YAML", "alias", codes=(1,))
    assert run.seconds < 20
