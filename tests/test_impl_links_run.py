"""Every `impl:` link cites code the product runs.

A clause's badge proves that a passing test executed its `impl:` code; that proof is
worth something only if the cited code is what an implementer's `frs metrics`,
`frs evaluate`, `frs conform` or `frs validate` runs, not a twin.  Here those four
commands run in this process on small fixtures under a profile hook that records every
Python function and method entered, and every link is checked against the record.

A few clauses cite code that only another command runs, or that runs in the operator's
own system: each is listed below with its reason, and the test checks the reason too
(the other command does enter it; the four do not, so a stale entry fails).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_audit_retention import write_log
from test_conform import PAD_REPORTS
from test_evaluate import NOISY, THRESHOLD, submission

from frs_tools import links
from frs_tools.clauses import parse_spec
from frs_tools.project import Project
from reference_impl.cli import main
from reference_impl.evaluate import synthetic
from reference_impl.preprocess import TEMPLATE_112
from reference_impl.protect import cost

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "schemas/examples"

# Clauses whose impl only another `frs` command runs: that command, and why.
OTHER_COMMAND = {
    "FRS-AUD-006": ("verify-log", "verifying an audit log is its own command"),
    "FRS-DPR-008": ("protection-cost", "template protection is measured by its own command"),
    "FRS-DPR-009": ("protection-cost", "D<->sys is part of the protection-cost measurement"),
    "FRS-DPR-010": ("protection-cost", "the protection-cost measurement itself"),
    "FRS-DPR-020": ("protection-cost", "the stolen-key attack is part of the protection-cost "
                    "measurement"),
}
# Clauses whose impl no command runs: the implementer's own system calls it.
LIBRARY_ONLY = {
    "FRS-AUD-007": "AuditLog.append checks each event before the operator's system writes it",
    "FRS-TPL-001": "template storage happens in the operator's system (encrypt_template)",
    "FRS-DPR-006": "the operator's system encrypts its templates; no command holds templates",
    "FRS-DPR-011": "the operator's capture pipeline derives a template and zeroises the image",
    "FRS-RET-002": "the operator's deletion job plans deletions (frs conform judges only the "
                   "declared schedule)",
    "FRS-RET-003": "the operator's deletion job plans deletions",
    "FRS-RET-004": "the operator's deletion job executes them",
    "FRS-RET-007": "the operator's deletion job plans the deletions a withdrawal asks for",
    "FRS-ACC-019": "a test-design calculator for the evaluator; frs evaluate does not yet "
                   "check its dataset's subject count against it",
    "FRS-ACC-020": "an interval an evaluator may add; frs evaluate reports Clopper-Pearson "
                   "intervals (FRS-ACC-016), not a bootstrap",
    "FRS-PAD-007": "PAD test design; frs metrics pad reports each target's rule-of-3 "
                   "support instead, and no command judges the 60 presentations yet",
    "FRS-DEM-002": "test design: frs evaluate does not yet check its dataset's group labels",
    "FRS-DEM-003": "test design: frs evaluate does not yet pair impostors by group",
    "FRS-DEM-004": "frs evaluate gives no per-group verdict yet (frs metrics demographics "
                   "reports the per-group bounds it would judge)",
    "FRS-DEM-009": "a recommendation read from the FDR and GARBE frs metrics demographics "
                   "reports; no command judges it",
}


class Calls:
    """(file, qualified name) of every Python function or method entered, per command."""

    def __init__(self):
        self.by_command: dict[str, set[tuple[str, str]]] = {}
        self._current: set[tuple[str, str]] = set()

    def _hook(self, frame, event, arg):
        if event == "call":
            code = frame.f_code
            self._current.add((code.co_filename, code.co_qualname))

    def run(self, *argv) -> int:
        self._current = self.by_command.setdefault(argv[0], set())
        sys.setprofile(self._hook)
        threading.setprofile(self._hook)
        try:
            return main([str(a) for a in argv])
        finally:
            sys.setprofile(None)
            threading.setprofile(None)

    def entered(self, target: links.Target, qualname: str, commands) -> bool:
        return any((target.file, qualname) in self._resolved(command) for command in commands)

    @functools.cache  # noqa: B019 - one Calls per module, kept for the module's tests
    def _resolved(self, command: str) -> set[tuple[Path, str]]:
        files = {file: Path(file).resolve() for file, _ in self.by_command.get(command, ())}
        return {(files[file], name) for file, name in self.by_command.get(command, ())}


def scores_fixture(folder: Path) -> dict[str, Path]:
    rng = np.random.default_rng(0)
    files = {"genuine": folder / "g.npy", "impostor": folder / "i.npy",
             "bona": folder / "bf.npy", "attack": folder / "print.npy",
             "accepted": folder / "accepted.txt", "comparisons": folder / "c.jsonl",
             "searches": folder / "s.jsonl", "morphs": folder / "morphs.npy"}
    np.save(files["genuine"], rng.normal(3, 1, 300))
    np.save(files["morphs"], rng.uniform(0, 1, (20, 2, 3, 2)))
    np.save(files["impostor"], rng.normal(0, 1, 3000))
    np.save(files["bona"], rng.normal(1, 1, 300))
    np.save(files["attack"], rng.normal(-2, 1, 100))
    files["accepted"].write_text("1\n" + "0\n" * 59)
    files["comparisons"].write_text("".join(json.dumps(
        {"schema_version": "0.1", "comparison_id": f"c{n}", "probe_id": "p",
         "reference_id": "r", "mated": n % 4 == 0, "score": None if n == 3 else n / 100,
         "algorithm_id": "a", "groups": {"sex": "FM"[n // 4 % 2]}}) + "\n" for n in range(100)))
    files["searches"].write_text("".join(
        json.dumps({"schema_version": "0.1", "search_id": f"s{n}", **s}) + "\n"
        for n, s in enumerate([
            {"mated": True, "mate_id": "a", "candidates": [{"reference_id": "b", "score": 0.8},
                                                           {"reference_id": "a", "score": 0.6}]},
            *({"mated": False, "candidates": [{"reference_id": "a", "score": k / 10}]}
              for k in range(4))])))
    return files


def evaluation_fixture(folder: Path) -> list[str]:
    """A V-L and an I claim on a synthetic dataset whose first sample is a capture with
    landmarks (so alignment runs), the rest aligned crops."""
    submission(folder / "sub", NOISY, {"V-L": THRESHOLD, "I": 0.6},
               operational_gallery_size=40)
    path = synthetic.write_dataset(folder / "data", NOISY, subjects=40)
    crops = np.load(folder / "data" / "crops.npy")
    Image.fromarray(np.repeat(np.repeat(crops[0], 3, 0), 3, 1)).save(folder / "data" / "0.png")
    manifest = json.loads(path.read_text())
    manifest["samples"][0].update(file="0.png", aligned=False,
                                  faces=[(TEMPLATE_112 * 3 + 1).tolist()])
    del manifest["samples"][0]["index"]
    path.write_text(json.dumps(manifest))
    return ["evaluate", folder / "sub" / "model.onnx", folder / "sub" / "manifest.json", path,
            "--out", folder / "out",
            "--no-progress"]


def statement_with_local_pad_report(folder: Path) -> Path:
    data = json.loads((EXAMPLES / "conformance-statement/valid/remote-proofing-class-v-r.json"
                       ).read_text())
    data["pad"] = {"level": "A", "evidence": "pad-local"}
    # Evidence is read only inside the statement's folder: the report goes beside it.
    shutil.copy(PAD_REPORTS / "level-a.json", folder / "pad-level-a.json")
    data["evidence"].append({"id": "pad-local", "type": "pad-report",
                             "url": "pad-level-a.json"})
    path = folder / "statement.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture(scope="module")
def calls(tmp_path_factory) -> Calls:
    folder = tmp_path_factory.mktemp("commands")
    recorded = Calls()
    f = scores_fixture(folder)
    metrics = [
        ["verification", "--genuine", f["genuine"], "--impostor", f["impostor"],
         "--det-svg", folder / "det.svg"],
        ["verification", "--genuine", f["genuine"], "--impostor", f["impostor"], "--stream"],
        ["verification", f["comparisons"], "--fmr", "0.1"],
        ["pad", "--bona-fide", f["bona"], "--attack", f"print={f['attack']}", "--threshold",
         "0", "--accepted", f"print={f['accepted']}"],
        ["identification", f["searches"], "--gallery-size", "2", "--fpir", "1"],
        ["demographics", f["comparisons"], "--group", "sex", "--threshold",
         "0.5"],
        ["morphing", f["morphs"], "--threshold", "0.5", "--threshold", "0.6"],
    ]
    for argv in metrics:
        assert recorded.run("metrics", *argv) == 0, argv
    assert recorded.run(*evaluation_fixture(folder / "evaluation")) in (0, 1)
    statements = sorted((EXAMPLES / "conformance-statement/valid").glob("*.json"))
    for statement in [*statements, statement_with_local_pad_report(folder)]:
        assert recorded.run("conform", statement) in (0, 1), statement
    assert recorded.run("validate", *sorted(EXAMPLES.glob("*/valid/*"))) == 0
    # The other commands, for the clauses justified by them.
    embeddings, labels = cost.synthetic_embeddings(40, 3, dimension=32, seed=1)
    np.savez(folder / "embeddings.npz", embeddings=embeddings, labels=labels)
    assert recorded.run("protection-cost", folder / "embeddings.npz", "--fmr", "0.01",
                        "--seed", "x") in (0, 1)
    write_log(folder / "audit.jsonl")
    assert recorded.run("verify-log", folder / "audit.jsonl") == 0
    return recorded


MAIN = ("metrics", "evaluate", "conform", "validate")


def cited() -> list:
    project = Project.load(ROOT)
    return [c for c in parse_spec(project).clauses if c.impl]


def test_every_impl_link_is_code_that_frs_metrics_evaluate_conform_or_validate_runs(calls):
    faults = []
    for clause in cited():
        target = links.resolve_impl(clause.impl)
        qualname = clause.impl.partition(":")[2]
        by_main = calls.entered(target, qualname, MAIN)
        if clause.id in OTHER_COMMAND:
            command, _ = OTHER_COMMAND[clause.id]
            if by_main:
                faults.append(f"{clause.id}: {clause.impl} runs in the main commands: drop it "
                              "from OTHER_COMMAND")
            elif not calls.entered(target, qualname, [command]):
                faults.append(f"{clause.id}: frs {command} does not run {clause.impl}")
        elif clause.id in LIBRARY_ONLY:
            if by_main:
                faults.append(f"{clause.id}: {clause.impl} runs in the main commands: drop it "
                              "from LIBRARY_ONLY")
        elif not by_main:
            faults.append(f"{clause.id}: no frs metrics, evaluate, conform or validate run "
                          f"enters {clause.impl}")
    assert faults == []


def test_the_justified_exceptions_name_live_clauses_that_cite_code():
    ids = {c.id for c in cited()}
    assert set(OTHER_COMMAND) <= ids and set(LIBRARY_ONLY) <= ids
    assert not set(OTHER_COMMAND) & set(LIBRARY_ONLY)


def test_the_hook_sees_a_method_the_commands_run_and_misses_one_they_do_not(calls):
    # The check can fail: CountedScores.fnmr_at_fmr runs in frs metrics verification, while
    # the free-function convenience fnmr_at_fmr never does.
    ran = links.resolve_impl("reference_impl.metrics.verification:CountedScores.fnmr_at_fmr")
    twin = links.resolve_impl("reference_impl.metrics.verification:fnmr_at_fmr")
    assert calls.entered(ran, "CountedScores.fnmr_at_fmr", ["metrics"])
    assert not calls.entered(twin, "fnmr_at_fmr", MAIN)
    assert os.path.samefile(ran.file, twin.file)
