"""`frs check` on a tree of broken specs: every fault, with file and line, and exit 1."""

import json
from pathlib import Path

import pytest

from reference_impl.cli import main

BROKEN = Path(__file__).parent / "fixtures" / "broken"

# (file, line, rule, ID) for every fault planted in tests/fixtures/broken.
EXPECTED = {
    ("ids.lock", 7, "deleted-unretired", "FRS-ACC-020"),
    ("ids.lock", 8, "bad-replacement", "FRS-ACC-021"),
    ("spec/a-ids.md", 3, "bad-id", ""),
    ("spec/a-ids.md", 9, "bad-id", "FRS-XYZ-001"),
    ("spec/a-ids.md", 15, "stale-hash", "FRS-ACC-001"),
    ("spec/a-ids.md", 21, "bad-id", ""),
    ("spec/a-ids.md", 27, "block-type", "FRS-ACC-002"),
    ("spec/b-options.md", 3, "duplicate-id", "FRS-ACC-001"),
    ("spec/b-options.md", 10, "bad-option", "FRS-ACC-003"),
    ("spec/b-options.md", 16, "bad-level", "FRS-ACC-004"),
    ("spec/b-options.md", 22, "bad-level", "FRS-ACC-005"),
    ("spec/b-options.md", 27, "not-locked", "FRS-ACC-006"),
    # New ACC IDs off spec/c-links.md, the page with most ACC clauses.
    ("spec/b-options.md", 27, "wrong-area", "FRS-ACC-006"),
    ("spec/b-options.md", 33, "wrong-area", "FRS-ACC-007"),
    ("spec/b-options.md", 48, "wrong-area", "FRS-ACC-009"),
    ("spec/b-options.md", 30, "level-mismatch", "FRS-ACC-006"),
    ("spec/b-options.md", 33, "no-keyword", "FRS-ACC-007"),
    ("spec/b-options.md", 33, "not-locked", "FRS-ACC-007"),
    ("spec/b-options.md", 41, "bad-option", "FRS-ACC-008"),  # the classes line
    ("spec/b-options.md", 46, "keyword-outside", ""),
    ("spec/b-options.md", 48, "not-locked", "FRS-ACC-009"),
    ("spec/b-options.md", 51, "level-mismatch", "FRS-ACC-009"),
    ("spec/c-links.md", 3, "bad-schema", "FRS-ACC-010"),
    ("spec/c-links.md", 3, "not-locked", "FRS-ACC-010"),
    ("spec/c-links.md", 10, "bad-schema", "FRS-ACC-011"),
    ("spec/c-links.md", 10, "not-locked", "FRS-ACC-011"),
    ("spec/c-links.md", 17, "bad-impl", "FRS-ACC-012"),
    ("spec/c-links.md", 17, "not-locked", "FRS-ACC-012"),
    ("spec/c-links.md", 24, "bad-impl", "FRS-ACC-013"),
    ("spec/c-links.md", 24, "not-locked", "FRS-ACC-013"),
    ("spec/c-links.md", 31, "stale-hash", "FRS-ACC-014"),
    ("spec/c-links.md", 38, "retired-reused", "FRS-ACC-015"),
    ("spec/c-links.md", 49, "nested-block", "FRS-ACC-016"),  # the one fault of ACC-016
    ("spec/c-links.md", 54, "unclosed", "FRS-ACC-017"),
}


def test_every_planted_fault_is_reported_with_file_and_line(capsys):
    assert main(["check", "--root", str(BROKEN), "--format", "json"]) == 1
    found = {(p["file"], p["line"], p["rule"], p["id"])
             for p in json.loads(capsys.readouterr().out)["problems"]}
    assert found == EXPECTED


def test_text_findings_read_file_line_id_message(capsys):
    assert main(["check", "--root", str(BROKEN)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert ("spec/b-options.md:3: FRS-ACC-001: duplicate ID (first defined at "
            "spec/a-ids.md:15) [duplicate-id]") in lines
    assert len(lines) == len(EXPECTED)


def test_the_repository_itself_is_clean(capsys):
    assert main(["check"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("argv", [["check", "--format", "xml"], ["check", "--no-such"],
                                  ["new-id"], []])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        code = main(argv)
        raise SystemExit(code)
    assert stop.value.code == 2


def test_a_folder_that_is_no_frs_project_is_a_clear_error(tmp_path, capsys):
    assert main(["check", "--root", str(tmp_path)]) == 2
    assert "pyproject.toml: not found" in capsys.readouterr().err


def test_a_malformed_lock_names_its_line(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text("[tool.frs]\n")
    (tmp_path / "spec").mkdir()
    (tmp_path / "ids.lock").write_text('{\n  "format": 1,\n  "ids": {,}\n}\n')
    assert main(["check", "--root", str(tmp_path)]) == 2
    assert "ids.lock:3: not valid JSON" in capsys.readouterr().err
