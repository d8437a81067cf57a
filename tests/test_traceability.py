"""Coverage means passing evidence: a real pytest run on a small project, then the gate."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from reference_impl.cli import main

SPEC = """\
# Page

/// requirement | FRS-ACC-001
    level: shall
    impl: reference_impl.metrics.verification:fmr

Verified: a passing test names it and runs its code; it SHALL pass.
///

/// requirement | FRS-ACC-002
    level: shall
    impl: reference_impl.metrics.verification:fnmr

Claimed but never run: the test names it and does not call fnmr; the gate SHALL flag it.
///

/// requirement | FRS-ACC-003
    level: should

Failing: its test fails; it SHOULD be reported.
///

/// requirement | FRS-ACC-004
    level: shall not

Untested: no test names it; it SHALL NOT pass.
///

/// requirement | FRS-ACC-005
    level: may

A permission MAY go untested.
///

/// requirement | FRS-ACC-007
    level: shall
    impl: reference_impl.metrics.verification:CountedScores.fmr

A method cited and run by its test SHALL be verified.
///

/// requirement | FRS-ACC-008
    level: shall
    impl: reference_impl.metrics.verification:CountedScores.eer

A method of a class its test uses but never calls SHALL count as not run.
///
"""

TESTS = """\
import pytest
from reference_impl.metrics import verification


@pytest.mark.requirement("FRS-ACC-001")
def test_runs_fmr():
    assert verification.fmr([0.1, 0.9], 0.5) == 0.5


@pytest.mark.requirement("FRS-ACC-002")
def test_claims_fnmr_without_calling_it():
    assert True


@pytest.mark.requirement("FRS-ACC-003")
def test_fails():
    assert False


@pytest.mark.requirement("FRS-ACC-006", "FRS-ACC-099")
def test_names_a_retired_and_an_unknown_id():
    assert True


@pytest.mark.requirement("FRS-ACC-007", "FRS-ACC-008")
def test_runs_one_method_of_the_class():
    assert verification.CountedScores([0.9], [0.1, 0.7]).fmr(0.5) == 0.5
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text(textwrap.dedent("""\
        [tool.frs]
        results_dir = "results"
        [tool.frs.areas]
        ACC = "Accuracy"
        """))
    (root / "spec").mkdir()
    (root / "spec" / "page.md").write_text(SPEC)
    (root / "tests").mkdir()
    (root / "tests" / "test_claims.py").write_text(TESTS)
    (root / "ids.lock").write_text('{"format": 1, "ids": {"FRS-ACC-006": {"status": "retired",'
                                   ' "hash": "sha256:0", "retired_in": "0.1"}}}')
    assert main(["lock", "--root", str(root)]) == 0
    (root / "results").mkdir()
    env = {**os.environ, "COVERAGE_FILE": str(root / "results" / ".coverage")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "frs_tools.pytest_plugin", "-o",
         "junit_family=xunit1", "--junitxml=results/junit.xml", "--cov=reference_impl",
         "--cov-context=test", "--cov-report=", "tests"],
        cwd=root, env=env, capture_output=True, text=True)
    assert run.returncode == 1, run.stdout + run.stderr  # test_fails fails, on purpose
    return root


def test_each_clause_gets_the_status_its_evidence_supports(project, capsys):
    # The catalogue is printed, and the exit status says the gate found problems.
    assert main(["export", "--root", str(project)]) == 1
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)["requirements"]}
    assert {i: r["status"] for i, r in rows.items()} == {
        "FRS-ACC-001": "verified", "FRS-ACC-002": "untested", "FRS-ACC-003": "failing",
        "FRS-ACC-004": "untested", "FRS-ACC-005": "not-gated", "FRS-ACC-007": "verified",
        "FRS-ACC-008": "untested"}
    assert rows["FRS-ACC-001"]["tests"] == ["tests/test_claims.py::test_runs_fmr"]


def test_the_gate_names_every_unverified_clause_and_every_bad_test_id(project, capsys):
    assert main(["check", "--root", str(project), "--results"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert ("spec/page.md:10: FRS-ACC-002: no passing test that names it executes "
            "reference_impl.metrics.verification:fnmr [untested]") in out
    assert ("spec/page.md:17: FRS-ACC-003: failing test: tests/test_claims.py::test_fails "
            "[failing]") in out
    assert "spec/page.md:23: FRS-ACC-004: no test names this clause [untested]" in out
    # The proof follows the cited method's own lines, not its class's.
    assert ("spec/page.md:42: FRS-ACC-008: no passing test that names it executes "
            "reference_impl.metrics.verification:CountedScores.eer [untested]") in out
    assert any(line.startswith("tests/test_claims.py:20: FRS-ACC-006: test ") and
               "retired in 0.1" in line for line in out)
    assert any(line.startswith("tests/test_claims.py:20: FRS-ACC-099: test ") and
               "no clause defines" in line for line in out)
    assert not any("FRS-ACC-005" in line or "FRS-ACC-001" in line for line in out)


def test_export_is_deterministic(project, capsys):
    outputs = []
    for fmt in ("json", "json", "csv", "csv"):
        assert main(["export", "--root", str(project), "--format", fmt]) == 1  # see above
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] and outputs[2] == outputs[3]
    header = outputs[2].splitlines()[0]
    assert header == "id,level,title,text,file,line,schema,impl,classes,tests,status"
