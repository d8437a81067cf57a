"""Editor slips name the slip: a clause that does not parse is reported as that one fault,
at its line, and its ID counts as still in the spec (never "deleted without retiring")."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reference_impl.cli import main

PYPROJECT = """\
[tool.frs]
results_dir = "results"
classes = ["V-L", "V-R"]
[tool.frs.areas]
ACC = "Accuracy"
"""


def clause(cid: str, text: str, options: str = "    level: shall\n") -> str:
    return f"/// requirement | {cid}\n{options}\n{text}\n///\n\n"


PAGE = ("# Accuracy\n\n"  # the second clause opens at line 9, its options at 10-12
        + clause("FRS-ACC-001", "A system SHALL do the first thing.")
        + clause("FRS-ACC-002", "A system SHALL do the second thing.",
                 "    level: shall\n    title: Second\n    classes: V-L\n")
        + "/// note\nA note after the clause.\n///\n\n"
        + clause("FRS-ACC-003", "A system SHALL do the third thing."))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A clean, locked project of three clauses."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "page.md").write_text(PAGE)
    assert main(["lock", "--root", str(tmp_path)]) == 0
    assert main(["check", "--root", str(tmp_path)]) == 0
    return tmp_path


def findings(root: Path, capsys, *extra: str) -> list[tuple[str, int, str, str]]:
    capsys.readouterr()
    assert main(["check", "--root", str(root), "--format", "json", *extra]) == 1
    return [(p["file"], p["line"], p["rule"], p["id"])
            for p in json.loads(capsys.readouterr().out)["problems"]]


SECOND = "/// requirement | FRS-ACC-002\n"
CLOSE_SECOND = "the second thing.\n///\n"

# slip name -> (the text replaced, its replacement, the line and rule of the one finding)
SLIPS = {
    "misspelt option": ("    level: shall\n    title: Second", "    levle: shall\n    title: "
                        "Second", 10, "bad-option"),
    "unknown level": ("    level: shall\n    title: Second", "    level: mandatory\n    title:"
                      " Second", 10, "bad-level"),
    "unknown class": ("classes: V-L", "classes: V-X", 12, "bad-option"),
    "malformed ID": (SECOND, "/// requirement | FRS-ACC-2\n", 9, "bad-id"),
    "tab indentation": ("    title: Second", "\ttitle: Second", 11, "bad-option"),
    "misspelt block type": (SECOND, "/// requirment | FRS-ACC-002\n", 9, "block-type"),
    "missing /// before a note": (CLOSE_SECOND, "the second thing.\n\n", 17, "nested-block"),
}


@pytest.mark.parametrize("slip", SLIPS)
def test_a_slip_is_one_finding_at_its_line(project, capsys, slip):
    old, new, line, rule = SLIPS[slip]
    page = project / "spec" / "page.md"
    assert old in page.read_text()
    page.write_text(page.read_text().replace(old, new))
    assert findings(project, capsys) == [("spec/page.md", line, rule, "FRS-ACC-002")]


def test_a_missing_close_before_the_next_clause_blames_the_open_one(project, capsys):
    page = project / "spec" / "page.md"
    text = PAGE.replace("/// note\nA note after the clause.\n///\n\n", "")
    page.write_text(text)
    assert main(["lock", "--root", str(project)]) == 0
    page.write_text(text.replace(CLOSE_SECOND, "the second thing.\n\n"))
    # FRS-ACC-003, which follows, is still read, and its hash is unchanged.
    assert findings(project, capsys) == [("spec/page.md", 9, "unclosed", "FRS-ACC-002")]
    capsys.readouterr()
    main(["check", "--root", str(project)])
    assert "not closed before the next one opens at line 17" in capsys.readouterr().out


def test_a_missing_close_at_the_end_of_the_page(project, capsys):
    page = project / "spec" / "page.md"
    page.write_text(PAGE.rstrip().removesuffix("///") + "\n")
    assert findings(project, capsys) == [("spec/page.md", 21, "unclosed", "FRS-ACC-003")]


def test_the_messages_suggest_the_fix(project, capsys):
    page = project / "spec" / "page.md"
    page.write_text(PAGE.replace("    level: shall\n    title", "    levle: shall\n    title")
                    .replace("| FRS-ACC-003", "| FRS-ACC-3"))
    capsys.readouterr()
    assert main(["check", "--root", str(project)]) == 1
    out = capsys.readouterr().out
    assert "unknown option 'levle' (expected one of: level, schema, impl, title, " in out
    assert "; did you mean 'level'?) [bad-option]" in out
    assert "malformed requirement ID 'FRS-ACC-3' (expected FRS-<AREA>-<NNN>: 2-4 capitals, " \
           "then 3 digits; is it FRS-ACC-003?) [bad-id]" in out
    assert "deleted" not in out


def test_every_fault_of_the_option_values_is_reported(project, capsys):
    page = project / "spec" / "page.md"
    page.write_text(PAGE.replace("    level: shall\n    title: Second\n    classes: V-L",
                                 "    level: shal\n    title: Second\n    classes: V-X, I"))
    assert findings(project, capsys) == [("spec/page.md", 10, "bad-level", "FRS-ACC-002"),
                                         ("spec/page.md", 12, "bad-option", "FRS-ACC-002")]


def test_new_id_skips_the_id_of_a_clause_that_does_not_parse(project, capsys):
    page = project / "spec" / "page.md"
    page.write_text(PAGE + clause("FRS-ACC-004", "A system SHALL do a fourth thing.",
                                  "    levle: shall\n"))
    capsys.readouterr()
    assert main(["new-id", "ACC", "--root", str(project)]) == 0
    assert capsys.readouterr().out == "FRS-ACC-005\n"


def test_retire_refuses_an_id_still_in_the_spec(project, capsys):
    capsys.readouterr()
    assert main(["retire", "FRS-ACC-002", "--in", "0.2", "--root", str(project)]) == 2
    err = capsys.readouterr().err
    assert "spec/page.md:9: FRS-ACC-002 is still in the spec (delete its clause first" in err
    # A clause that does not parse is still in the spec too.
    page = project / "spec" / "page.md"
    page.write_text(PAGE.replace("    level: shall\n    title", "    levle: shall\n    title"))
    assert main(["retire", "FRS-ACC-002", "--in", "0.2", "--root", str(project)]) == 2
    assert "FRS-ACC-002 is still in the spec" in capsys.readouterr().err
    assert json.loads((project / "ids.lock").read_text())["ids"]["FRS-ACC-002"][
        "status"] == "active"


def test_retire_refuses_a_replacement_never_issued(project, capsys):
    page = project / "spec" / "page.md"
    page.write_text(PAGE.replace(clause("FRS-ACC-001", "A system SHALL do the first thing."),
                                 ""))
    capsys.readouterr()
    root = ["--root", str(project)]
    assert main(["retire", "FRS-ACC-001", "--in", "0.2", "--replaced-by", "FRS-ACC-999",
                 *root]) == 2
    assert "the replacement FRS-ACC-999 was never issued" in capsys.readouterr().err
    # A replacement written in the spec but not yet locked is issued.
    page.write_text(page.read_text() + clause("FRS-ACC-004", "A system SHALL do it better."))
    assert main(["retire", "FRS-ACC-001", "--in", "0.2", "--replaced-by", "FRS-ACC-004",
                 *root]) == 0
    assert findings(project, capsys) == [("spec/page.md", 21, "not-locked", "FRS-ACC-004")]
    assert main(["lock", *root]) == 0
    assert main(["check", *root]) == 0


TESTS = """\
import pytest


@pytest.mark.requirement("FRS-ACC-001", "FRS-ACC-002", "FRS-ACC-003")
def test_names_all_three():
    pass


@pytest.mark.requirement("FRS-ACC-27")
def test_names_a_malformed_id():
    pass


def test_names_nothing():
    pass
"""


def run_tests(project: Path) -> subprocess.CompletedProcess:
    """A real pytest run of the project's tests, with the plugin and a JUnit report."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "frs_tools.pytest_plugin", "-p",
         "no:cacheprovider", "--junitxml=results/junit.xml", "tests"],
        cwd=project, capture_output=True, text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"})


def test_a_malformed_marker_fails_its_test_only(project, capsys):
    """A real pytest run: the test with the malformed mark fails with its file:line, the
    others run; a test naming a clause that does not parse is not called unknown."""
    (project / "tests").mkdir()
    (project / "tests" / "test_marks.py").write_text(TESTS)
    run = run_tests(project)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "tests/test_marks.py:9: malformed requirement ID 'FRS-ACC-27'" in run.stdout
    assert "1 failed, 2 passed" in run.stdout
    page = project / "spec" / "page.md"
    page.write_text(PAGE.replace("    level: shall\n    title", "    levle: shall\n    title"))
    assert findings(project, capsys, "--results") == [
        ("spec/page.md", 10, "bad-option", "FRS-ACC-002"),
        ("tests/test_marks.py", 9, "unknown-test-id", "FRS-ACC-27")]
    capsys.readouterr()
    main(["check", "--root", str(project), "--results"])
    assert "names a malformed ID 'FRS-ACC-27'" in capsys.readouterr().out



def test_a_new_id_of_another_chapter_s_area_is_named(project, capsys):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(PYPROJECT + 'AUD = "Audit"\n')
    (project / "spec" / "audit.md").write_text(
        "# Audit\n\n" + clause("FRS-AUD-001", "A system SHALL log.")
        + clause("FRS-AUD-002", "A system SHALL keep the log."))
    assert main(["lock", "--root", str(project)]) == 0
    page = project / "spec" / "page.md"
    page.write_text(PAGE + clause("FRS-AUD-003", "A system SHALL log a match."))
    assert findings(project, capsys) == [("spec/page.md", 27, "not-locked", "FRS-AUD-003"),
                                         ("spec/page.md", 27, "wrong-area", "FRS-AUD-003")]
    assert main(["lock", "--root", str(project)]) == 2  # it cannot be recorded there
    assert "a new ID of area AUD (Audit), whose clauses are on spec/audit.md (2 of them)" \
        in capsys.readouterr().out
    # A recorded clause moved to another chapter keeps its ID: no finding.
    page.write_text(PAGE + clause("FRS-AUD-002", "A system SHALL keep the log."))
    (project / "spec" / "audit.md").write_text(
        "# Audit\n\n" + clause("FRS-AUD-001", "A system SHALL log."))
    assert main(["check", "--root", str(project)]) == 0


UNRUN_TESTS = """\
import pytest


@pytest.mark.requirement("FRS-ACC-001")
def test_names_a_clause():
    assert False, "check --tests never runs a test"


@pytest.mark.requirement("FRS-ACC-999")
def test_names_no_clause():
    pass
"""


def test_check_tests_reads_the_marks_without_running_a_test(project, capsys):
    (project / "tests").mkdir()
    (project / "tests" / "test_unrun.py").write_text(UNRUN_TESTS)
    assert main(["check", "--root", str(project)]) == 0  # the spec alone is clean
    assert findings(project, capsys, "--tests") == [
        ("tests/test_unrun.py", 9, "unknown-test-id", "FRS-ACC-999")]
    (project / "tests" / "test_broken.py").write_text("def test_(:\n")
    capsys.readouterr()
    assert main(["check", "--root", str(project), "--tests"]) == 2
    err = capsys.readouterr().err
    assert "--tests: pytest cannot collect the tests" in err and "test_broken.py" in err


def test_check_results_only_for_the_clauses_a_few_tests_ran(project, capsys):
    (project / "tests").mkdir()
    (project / "tests" / "test_first.py").write_text(
        'import pytest\n\n\n@pytest.mark.requirement("FRS-ACC-001")\ndef test_first():\n'
        '    pass\n')
    run = run_tests(project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert {f[3] for f in findings(project, capsys, "--results")} == {"FRS-ACC-002",
                                                                     "FRS-ACC-003"}
    capsys.readouterr()
    assert main(["check", "--root", str(project), "--results", "--only", "FRS-ACC-001"]) == 0
    assert capsys.readouterr().err == "0 problems; 3 clauses in 1 page: 1 verified\n"
    assert main(["check", "--root", str(project), "--results", "--only", "FRS-ACC-009"]) == 2
    assert "--only: FRS-ACC-009 is not a clause of the spec" in capsys.readouterr().err
