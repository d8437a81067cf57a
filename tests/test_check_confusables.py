"""Two parsers never disagree (issue 12, item 6): `frs check` refuses what Python-Markdown
would read otherwise than the checker, or a reader otherwise than both — fullwidth digits
in an ID, a zero-width space inside SHALL, a non-breaking space after `///`, look-alikes
in option keys and values, markup in a title, hidden or reordering characters and
executable markup anywhere — each at its file:line with what was expected.  Chinese prose,
titles and punctuation are text like any other and pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_diff import commit, git
from test_editor_slips import PYPROJECT
from test_sources import BIBLIOGRAPHY
from test_sources import project as sources_project

from frs_tools import site, sources
from reference_impl.cli import main

PAGE = """\
# Accuracy

/// requirement | FRS-ACC-001
    level: shall

A system SHALL do the first thing.
///

/// requirement | FRS-ACC-002
    level: shall
    title: Second
    classes: V-L

A system SHALL do the second thing.
///
"""
OPENER, TITLE = "/// requirement | FRS-ACC-002\n", "    title: Second\n"
CLASSES, HEADING = "    classes: V-L\n", "# Accuracy\n"
TEXT = "A system SHALL do the second thing.\n"

# case -> (replacements in PAGE, then the line, rule and words of the finding expected)
CASES = {
    "fullwidth digits in an ID": ([(OPENER, "/// requirement | FRS-ACC-\uff10\uff10\uff12\n")],
                                  9, "confusable", "U+FF10 FULLWIDTH DIGIT ZERO"),
    "zero-width space inside SHALL": ([(TEXT, "A system SHA\u200bLL do the second thing.\n")],
                                      14, "hidden-character", "U+200B ZERO WIDTH SPACE"),
    "zero-width space inside SHALL in prose": (
        [(TEXT + "///\n", TEXT + "///\n\nOperators SHA\u200bLL read this.\n")],
        17, "hidden-character", "U+200B ZERO WIDTH SPACE"),
    "word joiner in prose": ([("# Accuracy", "# Accu\u2060racy")], 1, "hidden-character",
                             "U+2060 WORD JOINER"),
    "byte-order mark inside a page": ([("# Accuracy\n\n", "# Accuracy\n\n\ufeff")], 3,
                                      "hidden-character", "U+FEFF"),
    "non-breaking space after ///": ([(OPENER, "///\u00a0requirement | FRS-ACC-002\n")], 9,
                                     "confusable", "U+00A0 NO-BREAK SPACE"),
    "tab after ///": ([(OPENER, "///\trequirement | FRS-ACC-002\n")], 9, "confusable",
                      "block opener holds a tab"),
    "opener indented by a space": ([(OPENER, " " + OPENER)], 9, "confusable",
                                   "block opener starts with a space"),
    "line separator inside a clause": ([(TEXT, "A system SHALL do\u2028the second thing.\n")],
                                       14, "hidden-character", "U+2028 LINE SEPARATOR"),
    "narrow no-break space before the ID": ([(OPENER, "/// requirement |\u202fFRS-ACC-002\n")],
                                            9, "confusable", "U+202F NARROW NO-BREAK SPACE"),
    "no-break space inside SHALL NOT": (
        [("    level: shall\n    title", "    level: shall not\n    title"),
         (TEXT, "A system SHALL\u00a0NOT do the second thing.\n")],
        14, "confusable", "U+00A0 NO-BREAK SPACE"),
    "fullwidth SHOULD in prose": ([(TEXT + "///\n", TEXT + "///\n\nOperators \uff33HOULD read.\n")],
                                  17, "confusable", "U+FF33 FULLWIDTH LATIN CAPITAL LETTER S"),
    "fullwidth letter in an option key": ([(CLASSES, "    \uff43lasses: V-L\n")], 12, "confusable",
                                          "U+FF43 FULLWIDTH LATIN SMALL LETTER C"),
    "no-break space in classes": ([(CLASSES, "    classes: V-L,\u00a0V-R\n")], 12, "confusable",
                                  "U+00A0 NO-BREAK SPACE at column 5 (expected ASCII)"),
    "fullwidth letter in impl": ([(TITLE, TITLE + "    impl: reference_impl.\uff4detrics:f\n")],
                                 12, "confusable", "U+FF4D FULLWIDTH LATIN SMALL LETTER M"),
    "fullwidth digit in a source locator": (
        [(TITLE, TITLE + "    sources: iso-19795-1 \uff15.2\n")], 12, "confusable",
        "U+FF15 FULLWIDTH DIGIT FIVE"),
    "script in a title": ([(TITLE, "    title: <script>alert(1)</script>\n")], 11,
                          "confusable", "markup '<script' (expected plain text, shown as written)"),
    "javascript link as a title": ([(TITLE, '    title: "[x](javascript:alert(1))"\n')], 11,
                                   "confusable", "markup ']('"),
    "image with onerror as a title": ([(TITLE, "    title: <img src=x onerror=alert(1)>\n")],
                                      11, "executable-markup", "onerror="),
    "right-to-left override through a YAML escape": (
        [(TITLE, '    title: "Sec\\u202eond"\n')], 11, "confusable", "U+202E RIGHT-TO-LEFT"),
    "right-to-left override in a clause": ([(TEXT, "A system SHALL do \u202eeht thing.\n")], 14,
                                           "hidden-character", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "event attribute in prose": ([(HEADING, HEADING + '\n<b onmouseover="alert(1)">x</b>\n')],
                                 3, "executable-markup", "a spec page holds no script"),
    "javascript link in prose": ([(HEADING, HEADING + "\nSee [this](javascript:alert(1)).\n")],
                                 3, "executable-markup", "javascript:"),
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "page.md").write_text(PAGE, encoding="utf-8")
    assert main(["lock", "--root", str(tmp_path)]) == 0
    return tmp_path


def _write(project: Path, replacements: list[tuple[str, str]]) -> None:
    page = PAGE
    for old, new in replacements:
        assert old in page
        page = page.replace(old, new, 1)
    (project / "spec" / "page.md").write_text(page, encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_check_refuses_what_two_parsers_or_a_reader_would_read_otherwise(project, capsys, case):
    replacements, line, rule, words = CASES[case]
    _write(project, replacements)
    capsys.readouterr()
    assert main(["check", "--root", str(project), "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)["problems"]
    assert any(p["file"] == "spec/page.md" and p["line"] == line and p["rule"] == rule
               and words in p["message"] for p in found), found


def test_a_finding_quotes_hidden_characters_as_escapes_never_raw(project, capsys):
    """A finding quoting the ID as written names the override and shows it as `\\u202e`:
    the report reads in the order it was printed."""
    _write(project, [(OPENER, "/// requirement | FRS-ACC-\u202e200\n")])
    capsys.readouterr()
    assert main(["check", "--root", str(project)]) == 1
    out = capsys.readouterr().out
    assert "spec/page.md:9: " in out and "FRS-ACC-\\u202e200" in out
    assert "\u202e" not in out


def test_the_site_refuses_the_same_page_with_the_same_finding(project):
    """The site reads clauses through the same parser: it fails on the very finding, so a
    page the checker refuses is never published as something else."""
    _write(project, CASES["non-breaking space after ///"][0])
    with pytest.raises(site.SiteError, match=r"spec/page\.md:9: .*U\+00A0 NO-BREAK SPACE"):
        site.model(project, refresh=True)


def test_chinese_prose_titles_and_punctuation_pass(project, capsys):
    """CJK ideographs, fullwidth CJK punctuation (，。：（）《》；！？) and the ideographic
    space are text: refused only where ASCII is expected."""
    _write(project, [
        (HEADING, HEADING + "\n本章规定：系统（见《个人信息保护法》）应当……，。；！？\u3000完。\n"),
        (TITLE, "    title: 第二项要求（错误匹配率，FMR）：《测试》\n"),
        (TEXT, "A system SHALL do the second thing（第二件事）……，并保存。\n")])
    capsys.readouterr()
    assert main(["lock", "--root", str(project)]) == 0
    assert main(["check", "--root", str(project)]) == 0, capsys.readouterr().out


def test_frs_diff_text_shows_a_bidi_override_in_a_clause_as_an_escape(project, capsys):
    """`frs diff` quotes the spec's words; a right-to-left override among them is printed
    as `\\u202e`, so the report reads in the order it was written."""
    git(project, "init", "-q")
    commit(project, "first")
    _write(project, [(TEXT, "A system SHALL do the \u202eeht thing.\n")])
    capsys.readouterr()
    assert main(["diff", "HEAD", "--root", str(project), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "FRS-ACC-002" in out and "\\u202eeht" in out and "\u202e" not in out


def test_check_refuses_an_ids_lock_whose_retired_fields_are_no_version_or_id(project, capsys):
    """What the retired-requirements page and the changelog quote of ids.lock is a version
    and an ID: anything else is a finding at the lock's line, and `frs retire` refuses it."""
    lock = json.loads((project / "ids.lock").read_text())
    lock["ids"]["FRS-ACC-009"] = {"status": "retired", "hash": "sha256:0",
                                  "retired_in": "<script>alert(1)</script>",
                                  "replaced_by": "[x](javascript:alert(1))"}
    (project / "ids.lock").write_text(json.dumps(lock, indent=1))
    capsys.readouterr()
    assert main(["check", "--root", str(project), "--format", "json"]) == 1
    found = {(p["file"], p["rule"], p["id"]) for p in
             json.loads(capsys.readouterr().out)["problems"]}
    assert {("ids.lock", "bad-retirement", "FRS-ACC-009"),
            ("ids.lock", "bad-replacement", "FRS-ACC-009")} <= found
    assert main(["retire", "FRS-ACC-001", "--in", "0.2<script>", "--root", str(project)]) == 2
    assert "--in: malformed version '0.2<script>'" in capsys.readouterr().err


def test_a_bibliography_url_that_is_no_web_address_is_a_finding(tmp_path):
    """The bibliography page links each source's url: a script URL is refused at its line."""
    hostile = BIBLIOGRAPHY.replace("  kind: law\n", "  kind: law\n  url: javascript:alert(1)\n", 1)
    found = [p for p in sources.load(sources_project(tmp_path, hostile)).problems
             if "url" in p.message]
    assert [(p.file, p.line, p.rule, p.message) for p in found] == [
        ("spec/bibliography.yaml", 1, "bad-bibliography",
         "'law-a': url must start with https:// or http://")]
