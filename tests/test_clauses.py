"""The one clause parser: what is a clause, what is not, and what its hash covers."""

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from frs_tools.clauses import _plain_options, parse_text
from reference_impl.cli import main

CLAUSE = """\
/// requirement | FRS-ACC-001
    level: shall
    title: A title
    classes: V-L, V-R
    schema: report#/properties/eer
    impl: reference_impl.metrics.verification:eer

A system SHALL do one thing.
///
"""


def parse(text):
    return parse_text(text, "page.md", {"ACC": "Accuracy"}, ("V-L", "V-R"))


def test_a_clause_carries_every_option_and_its_line():
    (clause,), problems = parse("# Title\n\n" + CLAUSE)
    assert problems == []
    assert (clause.id, clause.level, clause.title, clause.line) == \
        ("FRS-ACC-001", "shall", "A title", 3)
    assert clause.classes == ("V-L", "V-R") and clause.applies_to("V-R")
    assert not clause.applies_to("I")
    assert (clause.schema, clause.impl) == ("report#/properties/eer",
                                           "reference_impl.metrics.verification:eer")
    assert clause.text == "A system SHALL do one thing." and clause.section == "Title"


def test_fenced_code_and_inline_code_are_neither_clauses_nor_keywords():
    text = "Write `SHALL` only in clauses.\n\n```markdown\n" + CLAUSE + "MUST\n```\n"
    assert parse(text) == ([], [])


def test_a_tilde_fence_is_closed_only_by_a_tilde_fence():
    text = "~~~\n```\nSHALL\n~~~\nSHALL\n"
    clauses, problems = parse(text)
    assert [(p.line, p.rule) for p in problems] == [(5, "keyword-outside")]


def test_broken_option_yaml_names_the_line():
    clauses, problems = parse(CLAUSE.replace("title: A title", "title: [unclosed"))
    assert clauses == [] and problems[0].rule == "bad-option" and problems[0].line == 4


def test_the_hash_ignores_layout_but_not_level_classes_or_words():
    (base,), _ = parse(CLAUSE)
    (reflowed,), _ = parse(CLAUSE.replace("do one thing.", "do\n   one   thing."))
    (reworded,), _ = parse(CLAUSE.replace("one thing", "two things"))
    (reclassed,), _ = parse(CLAUSE.replace("V-L, V-R", "V-L"))
    (relevelled,), _ = parse(CLAUSE.replace("shall", "should").replace("SHALL", "SHOULD"))
    assert base.normative_hash == reflowed.normative_hash
    assert len({base.normative_hash, reworded.normative_hash, reclassed.normative_hash,
                relevelled.normative_hash}) == 4


@pytest.mark.parametrize("level,keyword", [("shall not", "SHALL NOT"), ("should", "SHOULD"),
                                           ("should not", "SHOULD NOT"), ("may", "MAY")])
def test_each_level_takes_its_own_keyword(level, keyword):
    text = CLAUSE.replace("level: shall", f"level: {level}").replace("SHALL", keyword)
    (clause,), problems = parse(text)
    assert problems == [] and clause.level == level
    (clause,), problems = parse(CLAUSE.replace("level: shall", f"level: {level}"))
    assert [p.rule for p in problems] == ["level-mismatch"]


def test_new_id_lock_and_retire_work_on_a_project(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text('[tool.frs]\n[tool.frs.areas]\nACC = "A"\n')
    (tmp_path / "spec").mkdir()
    page = tmp_path / "spec" / "page.md"
    page.write_text(CLAUSE.replace("    schema: report#/properties/eer\n", ""))
    root = ["--root", str(tmp_path)]
    assert main(["new-id", "ACC", *root]) == 0
    assert capsys.readouterr().out == "FRS-ACC-002\n"
    assert main(["lock", *root]) == 0
    assert main(["check", *root]) == 0
    page.write_text("# Empty\n")
    assert main(["check", *root]) == 1
    assert "deleted without retiring" in capsys.readouterr().out
    assert main(["retire", "FRS-ACC-001", "--in", "0.2", *root]) == 0
    assert main(["check", *root]) == 0
    assert main(["new-id", "ACC", *root]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "FRS-ACC-002"
    assert main(["retire", "FRS-ACC-001", "--in", "0.3", *root]) == 2
    assert "already retired" in capsys.readouterr().err
    page.write_text(CLAUSE.replace("    schema: report#/properties/eer\n", ""))
    assert main(["lock", *root]) == 2
    assert "retired and cannot be reused" in capsys.readouterr().err


YAMLISH = st.text(alphabet="aZ09 .,:#'\"-?[]{}&*!|>%@`~+_/\te", max_size=12)
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                   max_size=30)


@given(st.lists(st.tuples(st.sampled_from(["level", "title", "schema", "impl", "classes"]),
                          YAMLISH | ANY_TEXT), min_size=1, max_size=4))
@settings(max_examples=600, deadline=None)
def test_the_plain_option_path_reads_exactly_what_yaml_reads(pairs):
    lines = [f"{key}: {value}" for key, value in pairs]
    fast = _plain_options(lines)
    if fast is None:
        return
    assert fast == yaml.safe_load("\n".join(lines))


def test_a_lone_equals_sign_goes_to_the_yaml_loader():
    # Hypothesis found it: YAML reads "=" as its value key and refuses it.
    assert _plain_options(["level: ="]) is None


def test_json_pointers_resolve_as_rfc_6901_says():
    from frs_tools.links import resolve_pointer

    document = {"": {"a/b": [10, {"~x": 3}]}, "p": 1}
    assert resolve_pointer(document, "") is document
    assert resolve_pointer(document, "/p") == 1
    assert resolve_pointer(document, "//a~1b/1/~0x") == 3  # empty key, escaped / and ~
    for missing in ("p", "/q", "//a~1b/2", "/p/0"):
        with pytest.raises(KeyError):
            resolve_pointer(document, missing)
