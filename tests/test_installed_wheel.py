"""The wheel, installed into a clean venv with no repository around it, runs every
implementer command of the README ("For implementers"), and the working group's commands
say in one line what they need.

The wheel is built from this working tree.  Its dependencies are installed offline
(`pip install --no-index`) from wheels repacked from the distributions this venv already
holds (each one's files as its RECORD lists them), so the test downloads nothing and pip
still resolves exactly what the wheel declares: an undeclared import fails here.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from reference_impl.audit import AuditLog
from reference_impl.evaluate import synthetic
from reference_impl.limits import SCHEMA_VERSION
from reference_impl.protect.cost import synthetic_embeddings

ROOT = Path(__file__).resolve().parents[1]
# The repacked dependency wheels are kept between runs: a name-version pins their files.
WHEELHOUSE = ROOT / "build" / "wheelhouse"
SOURCES = ("pyproject.toml", "README.md", "reference_impl", "frs_tools")
# Files an installer writes for its own bookkeeping; a wheel does not carry them.
INSTALLER_FILES = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def build_frs_wheel(out: Path, scratch: Path) -> Path:
    """`pip wheel` of a copy of the sources (a build leaves no `build/` in the checkout)."""
    source = scratch / "frs-source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    (source / "schemas").mkdir(parents=True)
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    for schema in (ROOT / "schemas").glob("*.schema.json"):
        shutil.copy2(schema, source / "schemas" / schema.name)
    (source / "spec").mkdir()
    for page in (ROOT / "spec").glob("*.md"):  # frs conform reads the clauses from them
        shutil.copy2(page, source / "spec" / page.name)
    run_checked([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                 "--no-index", "--quiet", "--wheel-dir", str(out), str(source)])
    return next(out.glob("frs-*.whl"))


def requirements_of(metadata_text: str, extras: tuple[str, ...] = ()) -> list[str]:
    """The distributions a METADATA file's Requires-Dist names, for the given extras."""
    from packaging.requirements import Requirement

    names = []
    for line in metadata_text.splitlines():
        if line.startswith("Requires-Dist:"):
            requirement = Requirement(line.split(":", 1)[1].strip())
            if requirement.marker is None or any(
                    requirement.marker.evaluate({"extra": e}) for e in ("", *extras)):
                names.append(canonical(requirement.name))
    return names


def dependency_closure(wheel: Path) -> list[importlib.metadata.Distribution]:
    """The installed distributions the wheel needs, directly or through another."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        todo = requirements_of(archive.read(metadata).decode())
    found: dict[str, importlib.metadata.Distribution] = {}
    while todo:
        name = todo.pop()
        if name not in found:
            found[name] = importlib.metadata.distribution(name)
            todo += requirements_of(found[name].read_text("METADATA") or "")
    return list(found.values())


def repack(dist: importlib.metadata.Distribution, out: Path) -> Path:
    """A wheel of an installed distribution: its files as RECORD lists them (scripts are
    made again by the installer from entry_points.txt; data outside site-packages goes
    to `.data/data`), with a fresh RECORD."""
    tags = [line.split(":", 1)[1].strip().split("-") for line in
            (dist.read_text("WHEEL") or "Tag: py3-none-any").splitlines()
            if line.startswith("Tag:")]
    # The compressed tag set of the file name: py2.py3-none-any.
    tag = "-".join(".".join(dict.fromkeys(parts)) for parts in zip(*tags, strict=True))
    name, version = re.sub(r"[-.]+", "_", dist.metadata["Name"]), dist.version
    target = out / f"{name}-{version}-{tag}.whl"
    if target.exists():
        return target
    site = Path(dist.locate_file(""))
    prefix = Path(sys.prefix)
    records = []
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive:
        dist_info = None
        for entry in dist.files or []:
            path = Path(os.path.normpath(site / entry))
            parts = Path(entry).parts
            if "__pycache__" in parts or not path.is_file():
                continue
            if parts[0].endswith(".dist-info"):
                dist_info = parts[0]
                if parts[-1] in INSTALLER_FILES:
                    continue
            if parts[0] == "..":  # outside site-packages: a script or a data file
                relative = path.relative_to(prefix)
                if relative.parts[0] == "bin":
                    continue
                arcname = f"{name}-{version}.data/data/{relative.as_posix()}"
            else:
                arcname = Path(entry).as_posix()
            data = path.read_bytes()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            archive.writestr(arcname, data)
            records.append((arcname, f"sha256={digest.decode()}", str(len(data))))
        record = f"{dist_info}/RECORD"
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows([*records, (record, "", "")])
        archive.writestr(record, text.getvalue())
    partial.rename(target)
    return target


def run_checked(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done


class Installed:
    """The clean venv: `frs` and its Python, run in an empty folder outside the checkout."""

    def __init__(self, wheel: Path, venv: Path, work: Path):
        self.wheel, self.venv, self.work = wheel, venv, work
        self.env = {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
                    "HOME": str(work), "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
                    "PYTHONNOUSERSITE": "1"}

    def frs(self, *argv) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.venv / "bin" / "frs"), *map(str, argv)],
                              capture_output=True, text=True, cwd=self.work, env=self.env,
                              timeout=300)

    def python(self, code: str) -> str:
        return run_checked([str(self.venv / "bin" / "python"), "-c", code], cwd=self.work,
                           env=self.env).stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    scratch = tmp_path_factory.mktemp("wheel")
    dist = scratch / "dist"
    wheel = build_frs_wheel(dist, scratch)
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    for dependency in dependency_closure(wheel):
        repack(dependency, WHEELHOUSE)
    venv = scratch / "venv"
    run_checked([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    # pip is this venv's, run for the clean one; no index, no configuration, no cache.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_CACHE_DIR": "1"}
    run_checked([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                 "install", "--quiet", "--no-compile", "--no-index", "--find-links", str(dist),
                 "--find-links", str(WHEELHOUSE), str(wheel)], env=env)
    work = scratch / "work"
    work.mkdir()
    return Installed(wheel, venv, work)


def test_the_wheel_holds_the_two_packages_and_the_schemas(installed):
    with zipfile.ZipFile(installed.wheel) as archive:
        names = archive.namelist()
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.startswith("frs-0")} == {"reference_impl", "frs_tools"}
    schemas = {Path(n).name for n in names if "/data/share/frs/schemas/" in n}
    assert schemas == {p.name for p in (ROOT / "schemas").glob("*.schema.json")}


def test_the_installed_package_comes_from_the_venv_not_the_checkout(installed):
    where = json.loads(installed.python(
        "import json, reference_impl, frs_tools, sys; print(json.dumps("
        "[reference_impl.__file__, frs_tools.__file__, sys.path]))"))
    for path in where[:2]:
        assert Path(path).is_relative_to(installed.venv), path
    assert not any(Path(p).resolve().is_relative_to(ROOT) for p in where[2] if p), where[2]
    help_text = installed.frs("--help")
    assert help_text.returncode == 0
    assert help_text.stdout.index("commands for implementers:") < \
        help_text.stdout.index("commands for the working group")
    assert installed.frs("--version").stdout.strip().startswith("frs ")


def test_frs_validate_finds_the_installed_schemas(installed):
    record = {"schema_version": "0.1", "comparison_id": "c1", "probe_id": "p1",
              "reference_id": "r1", "mated": True, "score": 0.8, "algorithm_id": "a/1"}
    good = installed.work / "scores.jsonl"
    good.write_text(json.dumps(record) + "\n")
    done = installed.frs("validate", "--schema", "comparison-result", good)
    assert done.returncode == 0, done.stderr
    bad = installed.work / "bad.jsonl"
    bad.write_text(json.dumps(record) + "\n" + json.dumps({**record, "score": "high"}) + "\n")
    done = installed.frs("validate", "--schema", "comparison-result", bad)
    assert done.returncode == 1
    assert "bad.jsonl:2" in done.stdout + done.stderr


def test_frs_metrics_prints_every_family(installed):
    work = installed.work
    (work / "g.txt").write_text("0.2\n0.6\n0.7\n0.9\n")
    (work / "i.csv").write_text("score\n0.1\n0.3\n0.4\n0.6\n0.8\n")
    done = installed.frs("metrics", "verification", "--genuine", work / "g.txt", "--impostor",
                         work / "i.csv", "--fmr", "0.6", "--format", "json")
    assert done.returncode == 0, done.stderr
    section = json.loads(done.stdout)
    assert section["eer"] == pytest.approx((2 / 5 + 1 / 4) / 2)  # clause 6.2's example

    (work / "bona.txt").write_text("0.9\n0.8\n0.2\n0.7\n")
    (work / "print.txt").write_text("0.1\n0.3\n0.85\n")
    done = installed.frs("metrics", "pad", "--bona-fide", work / "bona.txt", "--attack",
                         f"print={work / 'print.txt'}", "--threshold", "0.5", "--format",
                         "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["at_threshold"]["apcer_ap"] == pytest.approx(1 / 3)

    searches = [{"schema_version": SCHEMA_VERSION, "search_id": "m1", "mated": True,
                 "mate_id": "a", "candidates": [{"reference_id": "a", "score": 0.9}]},
                {"schema_version": SCHEMA_VERSION, "search_id": "n1", "mated": False,
                 "candidates": [{"reference_id": "b", "score": 0.4}]}]
    (work / "searches.jsonl").write_text("".join(json.dumps(s) + "\n" for s in searches))
    done = installed.frs("metrics", "identification", work / "searches.jsonl",
                         "--gallery-size", "2", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fnir_at_rank"][0]["fnir"] == 0

    rows = [(g, m, s) for g, m, s in (("F", True, 0.9), ("F", False, 0.2), ("M", True, 0.4),
                                      ("M", False, 0.6))]
    (work / "groups.jsonl").write_text("".join(json.dumps(
        {"schema_version": "0.1", "comparison_id": f"c{n}", "probe_id": f"p{n}",
         "reference_id": f"r{n}", "mated": m, "score": s, "algorithm_id": "a/1",
         "groups": {"sex": g}}) + "\n" for n, (g, m, s) in enumerate(rows)))
    done = installed.frs("metrics", "demographics", work / "groups.jsonl",
                         "--group", "sex", "--threshold", "0.5", "--format", "json")
    assert done.returncode == 0, done.stderr
    groups = json.loads(done.stdout)["groups"]
    assert groups["F"]["fnmr"]["errors"] == 0 and groups["M"]["fnmr"]["errors"] == 1
    assert groups["M"]["fmr"]["errors"] == 1


def test_frs_model_check_and_evaluate_run_a_model(installed, tmp_path):
    latent = synthetic.LatentModel(dimension=16, sigma=0.6, size=112, seed=7)
    synthetic.onnx_linear_model(tmp_path / "model.onnx", latent)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(synthetic.model_manifest(latent, {"V-R": 0.5})))
    dataset = synthetic.write_dataset(tmp_path / "data", latent, subjects=12)
    done = installed.frs("model", "check", tmp_path / "model.onnx", manifest)
    assert done.returncode == 0, done.stdout + done.stderr
    out = installed.work / "evaluation"
    done = installed.frs("evaluate", tmp_path / "model.onnx", manifest, dataset, "--out", out)
    report = json.loads((out / "report.json").read_text())
    verdict = next(v for v in report["verdicts"] if v["requirement"] == "FRS-CNF-002")
    # 12 subjects give too few impostor comparisons to bound FMR under 10⁻⁴: a fail, exit 1.
    assert verdict["verdict"] == "fail" and "too few to show FMR ≤ 0.0001" in verdict["reason"]
    assert done.returncode == 1, done.stderr
    assert (out / "det.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    done = installed.frs("validate", "--schema", "evaluation-report", out / "report.json")
    assert done.returncode == 0, done.stdout + done.stderr


def test_frs_conform_judges_a_statement_and_prints_a_template(installed):
    done = installed.frs("conform", "--template", "V-L")
    assert done.returncode == 0, done.stderr
    assert 'schema_version: "0.1"' in done.stdout and "\nclass: V-L\n" in done.stdout
    examples = ROOT / "schemas/examples/conformance-statement/valid"
    for name, code in (("phone-unlock-class-v-l.json", 0), ("park-gate-nonconforming.json", 1)):
        done = installed.frs("conform", examples / name, "--format", "json")
        assert done.returncode == code, done.stderr
        verdicts = [c["verdict"] for c in json.loads(done.stdout)["clauses"]]
        assert ("fail" in verdicts) == bool(code), name


def test_frs_protection_cost_measures_the_reference_protection(installed):
    embeddings, labels = synthetic_embeddings(40, 2, dimension=64, seed=3)
    np.savez(installed.work / "emb.npz", embeddings=embeddings, labels=labels)
    done = installed.frs("protection-cost", installed.work / "emb.npz", "--seed", "s",
                         "--fmr", "0.01", "--bits", "256", "--format", "json")
    report = json.loads(done.stdout)
    assert report["bits"] == 256 and 0 <= report["d_sys"] <= 1
    assert done.returncode == (0 if report["meets_limits"] else 1)


def test_frs_verify_log_checks_a_chain(installed):
    log_path = installed.work / "audit.jsonl"
    log = AuditLog(log_path)
    for n in range(3):
        log.append("verification", {"kind": "system", "ref": "gate-1"},
                   subject_ref=f"acct-{n}", decision="accept")
    done = installed.frs("verify-log", log_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = log_path.read_text().splitlines()
    lines[1] = lines[1].replace("acct-1", "acct-9")
    log_path.write_text("\n".join(lines) + "\n")
    done = installed.frs("verify-log", log_path)
    assert done.returncode == 1
    assert "record 1 was altered" in done.stdout + done.stderr


def test_working_group_commands_say_what_they_need_in_one_line(installed):
    done = installed.frs("check")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("frs check: error: needs a checkout of the FRS repository")
    assert done.stderr.count("\n") == 1
    # In a checkout, without the wg extra: the package that is missing, and the extra.
    done = installed.frs("export", "--format", "reqif", "--root", ROOT)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("frs export: error: needs the Python package 'reqif', which is "
                           "not installed: install frs[wg]\n")
