"""`frs diff` on a fixture history built in a temporary git repository, and on this one."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from frs_tools import diff
from frs_tools.project import Project
from reference_impl.cli import main

ROOT = Path(__file__).resolve().parents[1]
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

PYPROJECT = """[tool.frs]
classes = ["V-L", "V-R", "I"]
[tool.frs.areas]
ACC = "Accuracy"
"""


def clause(cid: str, text: str, level: str = "shall", classes: str = "") -> str:
    options = f"    level: {level}\n" + (f"    classes: {classes}\n" if classes else "")
    return f"/// requirement | {cid}\n{options}\n{text}\n///\n\n"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, check=True)
    return done.stdout.strip()


def commit(repo: Path, message: str) -> str:
    assert main(["lock", "--root", str(repo)]) == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def write(repo: Path, path: str, text: str) -> None:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text, encoding="utf-8")


A_BASE = {
    "FRS-ACC-001": ("A verification system SHALL have an FNMR of at most 5 % at its "
                    "threshold.", "shall", ""),
    "FRS-ACC-002": ("A report SHALL state the FMR.", "shall", ""),
    "FRS-ACC-003": ("A report SHALL state the EER.", "shall", ""),
    "FRS-ACC-004": ("A report SHOULD state the DET curve.", "should", ""),
    "FRS-ACC-006": ("A report SHALL state the FTA.", "shall", ""),
    "FRS-ACC-007": ("A system SHALL log every decision.", "shall", "V-L"),
}
TEST_FNMR = """import pytest


@pytest.mark.requirement("FRS-ACC-001", "FRS-ACC-006")
def test_fnmr_limit():
    pass
"""
TEST_DET = """import pytest


@pytest.mark.requirement(
    "FRS-ACC-004",
)
def test_det_curve():
    pass
"""


def page(clauses: dict) -> str:
    return "# A\n\n" + "".join(clause(i, t, lv, c) for i, (t, lv, c) in clauses.items())


@pytest.fixture
def history(tmp_path: Path) -> dict:
    """main: six clauses; feature: one of each kind of change, then a later test edit."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "pyproject.toml", PYPROJECT)
    write(repo, "spec/a.md", page(A_BASE))
    write(repo, "spec/b.md", "# B\n\nNo clauses yet.\n")
    write(repo, "tests/test_fnmr.py", TEST_FNMR)
    write(repo, "tests/test_det.py", TEST_DET)
    base = commit(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    changed = dict(A_BASE)
    changed["FRS-ACC-001"] = ("A verification system SHALL have an FNMR of at most 3 % at "
                              "its declared threshold.", "shall", "")
    changed["FRS-ACC-004"] = ("A report SHALL state the DET curve.", "shall", "")
    changed["FRS-ACC-007"] = ("A system SHALL log every decision.", "shall", "V-L, V-R")
    del changed["FRS-ACC-002"], changed["FRS-ACC-003"]
    moved = changed.pop("FRS-ACC-006")
    changed["FRS-ACC-005"] = ("A report SHALL state the FTE.", "shall", "")
    write(repo, "spec/a.md", page(changed))
    write(repo, "spec/b.md", "# B\n\n" + clause("FRS-ACC-006", *moved[:2]))
    assert main(["retire", "--root", str(repo), "FRS-ACC-002", "--in", "0.2",
                 "--replaced-by", "FRS-ACC-005"]) == 0
    lock = json.loads((repo / "ids.lock").read_text())
    assert lock["ids"]["FRS-ACC-003"]["status"] == "active"  # removed without retiring
    change = commit(repo, "feature: every kind of change")
    # A later commit touches only the test file of FRS-ACC-004: it is no longer suspect.
    write(repo, "tests/test_det.py", TEST_DET.replace("pass", "pass  # reviewed"))
    later = commit(repo, "review the DET test")
    return {"repo": repo, "base": base, "change": change, "later": later}


def by_kind(result: diff.Diff) -> dict[str, list[str]]:
    return {kind: [c.id for c in result.of(kind)] for kind in diff.KINDS}


def test_every_kind_of_change_between_two_refs(history):
    result = diff.diff(Project.load(history["repo"]), "main", "feature")
    assert by_kind(result) == {
        "added": ["FRS-ACC-005"], "removed": ["FRS-ACC-003"], "retired": ["FRS-ACC-002"],
        "changed": ["FRS-ACC-001", "FRS-ACC-004", "FRS-ACC-007"], "moved": ["FRS-ACC-006"]}
    changes = {c.id: c for c in result.of("changed")}
    assert changes["FRS-ACC-004"].details["level"] == ["should", "shall"]
    assert changes["FRS-ACC-007"].details["classes"] == [["V-L"], ["V-L", "V-R"]]
    assert "words" not in changes["FRS-ACC-007"].details  # the text did not change
    assert diff.words_text(changes["FRS-ACC-001"].details["words"]) == (
        "A verification system SHALL have an FNMR of at most [-5-] {+3+} % at its "
        "{+declared+} threshold.")
    retired = result.of("retired")[0]
    assert retired.details == {"retired_in": "0.2", "replaced_by": "FRS-ACC-005"}
    moved = result.of("moved")[0]
    assert moved.details == {"from": "spec/a.md", "to": "spec/b.md"}
    # FRS-ACC-001 changed after its test was last touched; FRS-ACC-004's test was reviewed
    # in a later commit; FRS-ACC-006 only moved (same normative text).
    assert [(s.test, s.id) for s in result.suspects] == [
        ("tests/test_fnmr.py::test_fnmr_limit", "FRS-ACC-001")]
    assert result.suspects[0].test_commit == history["base"]
    assert result.suspects[0].clause_commit == history["change"]


def test_word_diff_marks_only_the_changed_words():
    runs = diff.word_diff("FNMR of at most 5 % at its threshold.",
                          "FNMR of at most 3 % at its declared threshold.")
    assert runs == [["=", "FNMR of at most"], ["-", "5"], ["+", "3"], ["=", "% at its"],
                    ["+", "declared"], ["=", "threshold."]]
    assert diff.words_text(runs) == ("FNMR of at most [-5-] {+3+} % at its {+declared+} "
                                     "threshold.")
    assert diff.words_markdown(runs) == "FNMR of at most ~~5~~ **3** % at its **declared** " \
                                        "threshold."


def test_suspect_until_the_test_is_touched(history):
    """Between main and the change commit, both tests of changed clauses are suspect."""
    result = diff.diff(Project.load(history["repo"]), "main", history["change"])
    assert sorted((s.test, s.id) for s in result.suspects) == [
        ("tests/test_det.py::test_det_curve", "FRS-ACC-004"),
        ("tests/test_fnmr.py::test_fnmr_limit", "FRS-ACC-001")]


def test_working_tree_is_the_default_second_side(history):
    repo = history["repo"]
    text = (repo / "spec/a.md").read_text().replace("log every decision", "log every match")
    (repo / "spec/a.md").write_text(text)
    result = diff.diff(Project.load(repo), history["later"])
    assert by_kind(result)["changed"] == ["FRS-ACC-007"]
    change = result.of("changed")[0]
    assert change.details["locked"] is False  # `frs lock` not run yet
    assert result.b.commit is None


def test_default_first_side_is_the_merge_base_with_main(history, capsys):
    repo = history["repo"]
    assert main(["diff", "--root", str(repo), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["from"]["commit"] == history["base"]
    assert data["to"]["commit"] is None
    assert [c["id"] for c in data["changed"]] == ["FRS-ACC-001", "FRS-ACC-004", "FRS-ACC-007"]
    assert [s["id"] for s in data["suspect_tests"]] == ["FRS-ACC-001"]


def test_text_and_markdown_reports(history, capsys):
    repo = history["repo"]
    assert main(["diff", "--root", str(repo), "main", "feature"]) == 0
    text = capsys.readouterr().out
    for expected in ("Added (1):", "+ FRS-ACC-005", "text: A report SHALL state the FTE.",
                     "Removed without retiring (1):", "text: A report SHALL state the EER.",
                     "Retired (1):", "retired in 0.2, replaced by FRS-ACC-005",
                     "level: should -> shall", "classes: V-L -> V-L, V-R", "[-5-] {+3+}",
                     "spec/a.md -> spec/b.md", "Suspect tests (1):"):
        assert expected in text
    assert main(["diff", "--root", str(repo), "main", "feature", "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("## Normative changes")
    assert "~~5~~ **3**" in markdown and "- [ ] `tests/test_fnmr.py::test_fnmr_limit`" in markdown


def test_unknown_ref_is_an_input_error(history, capsys):
    assert main(["diff", "--root", str(history["repo"]), "no-such-ref"]) == 2
    assert "'no-such-ref' is not a commit" in capsys.readouterr().err


def test_no_change_is_said(history):
    result = diff.diff(Project.load(history["repo"]), "feature", "feature")
    assert result.changes == [] and "No normative change." in diff.to_text(result)


def test_this_repository_history():
    """The real history: from the first commit to HEAD, and the default invocation."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    project = Project.load(ROOT)
    first = subprocess.run(["git", "rev-list", "--max-parents=0", "HEAD"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()[-1]
    result = diff.diff(project, first, "HEAD")
    assert {c.id for c in result.changes} <= set(result.b.clauses) | set(result.a.clauses) \
        | set(result.b.lock)
    # Everything the first commit defined is still defined or accounted for.
    for clause_id in result.a.clauses:
        assert clause_id in result.b.clauses or clause_id in {
            c.id for c in result.of("removed") + result.of("retired")}
    assert diff.to_text(result).startswith("Normative changes from")


def test_a_known_change_in_this_repository_history():
    """Commit 0773cb5 gave the four class clauses their `classes:`; their tests were older."""
    known = "0773cb5926d5c68bc7a4696aa4fe7f8c15e21fff"
    if subprocess.run(["git", "cat-file", "-e", f"{known}^{{commit}}"], cwd=ROOT,
                      capture_output=True).returncode != 0:
        pytest.skip("the history of this repository is not available")
    result = diff.diff(Project.load(ROOT), f"{known}^", known)
    changed = {c.id: c.details.get("classes") for c in result.of("changed")}
    assert changed == {"FRS-CNF-001": [[], ["V-L"]], "FRS-CNF-002": [[], ["V-R"]],
                       "FRS-CNF-003": [[], ["V-H"]], "FRS-CNF-004": [[], ["I", "P"]]}
    assert all(kind == "changed" for kind in (c.kind for c in result.changes))
    suspects = {(s.test.split("::")[1], s.id) for s in result.suspects}
    assert ("test_class_v_l_limits", "FRS-CNF-001") in suspects
    assert {s.clause_commit for s in result.suspects} == {known}
    assert all(s.file == "tests/test_classes.py" for s in result.suspects)


INDIRECT_TESTS = {
    # The ID is computed, and the mark sits in the module's `pytestmark`.
    "tests/test_module_mark.py": """import pytest

pytestmark = pytest.mark.requirement("FRS-" + "ACC-001")


def test_fnmr_limit():
    pass
""",
    # One parameter set carries the mark; a second test repeats one mark over two cases.
    # The string that looks like a mark is no mark.
    "tests/test_params.py": """import pytest

NAMED = ["FRS-ACC-002"]
NOT_A_MARK = 'pytest.mark.requirement("FRS-ACC-001")'


@pytest.mark.parametrize("clause_id", [pytest.param(i, marks=pytest.mark.requirement(i))
                                       for i in NAMED])
def test_each_clause(clause_id):
    pass


@pytest.mark.requirement(*NAMED)
@pytest.mark.parametrize("case", [1, 2])
def test_two_cases(case):
    pass
""",
    # A class-level mark.
    "tests/test_class_mark.py": """import pytest

CLAUSE = "FRS-ACC-003"


class TestDecisions:
    pytestmark = [pytest.mark.requirement(CLAUSE)]

    def test_logged(self):
        pass
""",
}


def test_tests_named_by_any_kind_of_mark_become_suspect(tmp_path):
    """Suspects come from the marks pytest collects, however they are attached."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "pyproject.toml", PYPROJECT)
    base = {f"FRS-ACC-00{n}": (f"A report SHALL state rate {n}.", "shall", "")
            for n in (1, 2, 3)}
    write(repo, "spec/a.md", page(base))
    for path, text in INDIRECT_TESTS.items():
        write(repo, path, text)
    commit(repo, "base")
    write(repo, "spec/a.md", page({i: (t.replace("SHALL", "SHALL always"), lv, c)
                                   for i, (t, lv, c) in base.items()}))
    result = diff.diff(Project.load(repo), "main")
    assert [c.id for c in result.of("changed")] == ["FRS-ACC-001", "FRS-ACC-002",
                                                    "FRS-ACC-003"]
    assert sorted((s.test, s.id, s.line) for s in result.suspects) == [
        ("tests/test_class_mark.py::TestDecisions::test_logged", "FRS-ACC-003", 9),
        ("tests/test_module_mark.py::test_fnmr_limit", "FRS-ACC-001", 6),
        ("tests/test_params.py::test_each_clause[FRS-ACC-002]", "FRS-ACC-002", 7),
        ("tests/test_params.py::test_two_cases", "FRS-ACC-002", 13)]


def test_tests_that_cannot_be_collected_are_named(history, capsys):
    repo = history["repo"]
    text = (repo / "spec/a.md").read_text().replace("log every decision", "log every match")
    (repo / "spec/a.md").write_text(text)
    write(repo, "tests/test_broken.py", "def test_(:\n")
    assert main(["diff", "--root", str(repo)]) == 2
    err = capsys.readouterr().err
    assert "the working tree: pytest cannot collect the tests" in err
    assert "tests/test_broken.py" in err


def test_a_clause_that_does_not_parse_is_named_not_called_removed(history, capsys):
    repo = history["repo"]
    page = repo / "spec/a.md"
    page.write_text(page.read_text().replace("| FRS-ACC-007\n    level:",
                                             "| FRS-ACC-007\n    levle:"))
    assert main(["diff", "--root", str(repo)]) == 2
    captured = capsys.readouterr()
    assert "the working tree: clauses that do not parse" in captured.err
    assert "FRS-ACC-007: unknown option 'levle'" in captured.err
    assert "Removed" not in captured.out


def zh_clause(cid: str, text: str, translates: str) -> str:
    return f"/// requirement | {cid}\n    translates: {translates}\n\n{text}\n///\n\n"


def zh_page(repo: Path, texts: dict[str, str]) -> str:
    lock = json.loads((repo / "ids.lock").read_text())["ids"]
    return "# 甲\n\n" + "".join(zh_clause(i, t, lock[i]["hash"]) for i, t in texts.items())


ZH_BASE = {"FRS-ACC-002": "报告应说明 FMR。", "FRS-ACC-003": "报告应说明 EER。",
           "FRS-ACC-006": "报告应说明 FTA。"}


def test_both_languages_in_the_diff(tmp_path, capsys):
    """An English change with its translation untouched (now stale), one with its
    translation updated (changed too), and a translation changed on its own."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "pyproject.toml", PYPROJECT.replace("[tool.frs]\n",
                                                    '[tool.frs]\nlanguages = ["zh"]\n'))
    english = {i: A_BASE[i] for i in ZH_BASE}
    write(repo, "spec/a.md", page(english))
    assert main(["lock", "--root", str(repo)]) == 0
    write(repo, "spec/zh/a.md", zh_page(repo, ZH_BASE))
    commit(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    english["FRS-ACC-002"] = ("A report SHALL state the FMR and its interval.", "shall", "")
    english["FRS-ACC-003"] = ("A report SHALL state the EER and its interval.", "shall", "")
    write(repo, "spec/a.md", page(english))
    assert main(["lock", "--root", str(repo)]) == 0
    old_hash = json.loads(git(repo, "show", "main:ids.lock"))["ids"]["FRS-ACC-002"]["hash"]
    texts = {**ZH_BASE, "FRS-ACC-003": "报告应说明 EER 及其区间。",
             "FRS-ACC-006": "报告宜说明 FTA。"}
    zh = zh_page(repo, texts).replace(  # FRS-ACC-002 still translates the old text
        json.loads((repo / "ids.lock").read_text())["ids"]["FRS-ACC-002"]["hash"], old_hash)
    write(repo, "spec/zh/a.md", zh)
    commit(repo, "feature")
    capsys.readouterr()
    result = diff.diff(Project.load(repo), "main", "feature", with_suspects=False)
    states = {c.id: c.details["translations"]["zh"]["state"] for c in result.of("changed")}
    assert states == {"FRS-ACC-002": "now stale", "FRS-ACC-003": "changed too"}
    assert [(t.id, t.state) for t in result.translated] == [("FRS-ACC-003", "current"),
                                                            ("FRS-ACC-006", "current")]
    assert diff.words_text(result.translated[1].chars, "") == "报告[-应-]{+宜+}说明 FTA。"
    assert main(["diff", "--root", str(repo), "main", "feature"]) == 0
    text = capsys.readouterr().out
    for expected in ("zh: now stale (spec/zh/a.md:3)", "zh: changed too (spec/zh/a.md:9)",
                     "Translations changed (2):", "~ FRS-ACC-006 [zh, current] (spec/zh/a.md:15)",
                     "text: 报告应说明 EER{+ 及其区间+}。"):
        assert expected in text
    assert main(["diff", "--root", str(repo), "main", "feature", "--format", "markdown"]) == 0
    assert "text: 报告~~应~~**宜**说明 FTA。" in capsys.readouterr().out
    # The translated pages are never read as English pages of either side.
    assert set(result.b.clauses) == set(ZH_BASE)


def test_a_link_out_of_the_tree_in_history_is_skipped_with_a_message(history, capsys):
    """An absolute symbolic link committed at some point: tarfile's data filter refuses it
    when the commit is unpacked to collect its tests; the diff goes on and says so."""
    repo = history["repo"]
    (repo / "escape").symlink_to("/etc/passwd")
    (repo / "tests/test_det.py").write_text(TEST_DET.replace("pass", "pass  # again"))
    hostile = commit(repo, "an absolute link")
    assert main(["diff", "--root", str(repo), "main", hostile]) == 0
    captured = capsys.readouterr()
    assert f"frs diff: {hostile}: 'escape' not unpacked" in captured.err
    assert "Traceback" not in captured.err and "FRS-ACC-001" in captured.out
