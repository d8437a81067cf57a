"""The Chinese edition under `frs check`: verbal forms, options, drift, pages, headings.

Every test builds a small project in a temporary folder (two English pages, their
translations, a lock), breaks one thing and reads `frs check --format json`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from frs_tools import idlock
from frs_tools.clauses import parse_spec
from frs_tools.project import Project
from frs_tools.translations import parse_translations, verbal_forms
from reference_impl.cli import main

PYPROJECT = """[tool.frs]
languages = ["zh"]
[tool.frs.areas]
ACC = "Accuracy"
"""

ENGLISH = """# 6 Accuracy

Informative text.

## 6.1 Verification

/// requirement | FRS-ACC-001
    level: shall
    title: False match rate

An evaluation SHALL compute the FMR as Annex B states.
///

/// requirement | FRS-ACC-002
    level: should not
    title: Tuning

A vendor SHOULD NOT tune its system on the test set.
///

## 6.2 Identification

/// requirement | FRS-ACC-003
    level: may

A report MAY include a DET curve.
///
"""

CHINESE = """# 6 准确度

资料性文字。

## 6.1 验证

/// requirement | FRS-ACC-001
    translates: {FRS-ACC-001}
    title: 错误匹配率

评估应按附录 B 计算相应的 FMR。
///

/// requirement | FRS-ACC-002
    translates: {FRS-ACC-002}
    title: 调优

供应方不宜在测试集上调优其系统。
///

## 6.2 辨识

/// requirement | FRS-ACC-003
    translates: {FRS-ACC-003}

报告可包含 DET 曲线。
///
"""

FOREWORD = "# Foreword\n\n## Why this standard exists\n\nBecause.\n"
FOREWORD_ZH = "# 前言\n\n## 为什么需要本标准\n\n因为。\n"
PAGE, PAGE_ZH = "spec/06-accuracy.md", "spec/zh/06-accuracy.md"


def write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")


def hashes(root: Path) -> dict[str, str]:
    return {c.id: c.normative_hash for c in parse_spec(Project.load(root)).clauses}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "pyproject.toml", PYPROJECT)
    write(tmp_path, PAGE, ENGLISH)
    write(tmp_path, "spec/foreword.md", FOREWORD)
    write(tmp_path, "spec/zh/foreword.md", FOREWORD_ZH)
    assert main(["lock", "--root", str(tmp_path)]) == 0
    write(tmp_path, PAGE_ZH, translated(tmp_path))
    return tmp_path


def translated(root: Path, text: str = CHINESE) -> str:
    for clause_id, value in hashes(root).items():
        text = text.replace("{" + clause_id + "}", value)
    return text


def edit(root: Path, path: str, old: str, new: str) -> None:
    text = (root / path).read_text(encoding="utf-8")
    assert old in text, old
    write(root, path, text.replace(old, new))


def line(root: Path, path: str, needle: str) -> int:
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if needle in text)


def findings(root: Path, capsys) -> set[tuple[str, int, str, str]]:
    code = main(["check", "--root", str(root), "--format", "json"])
    found = {(p["file"], p["line"], p["rule"], p["id"])
             for p in json.loads(capsys.readouterr().out)["problems"]}
    assert code == (1 if found else 0)
    return found


def test_complete_current_translations_are_clean(project, capsys):
    assert findings(project, capsys) == set()
    # The translated pages are not read as English pages.
    assert len(parse_spec(Project.load(project)).clauses) == 3


def test_a_changed_english_clause_makes_exactly_its_translation_stale(project, capsys):
    edit(project, PAGE, "compute the FMR", "compute the FMR and its confidence interval")
    assert main(["lock", "--root", str(project)]) == 0  # the editor records the change
    capsys.readouterr()
    assert findings(project, capsys) == {
        (PAGE_ZH, line(project, PAGE_ZH, "FRS-ACC-001"), "stale-translation", "FRS-ACC-001")}
    translations = parse_translations(Project.load(project))
    spec = parse_spec(Project.load(project))
    assert set(translations.stale(spec)) == {"FRS-ACC-001"}
    assert [translations.state(c) for c in spec.clauses] == ["stale", "current", "current"]


def test_a_level_change_makes_the_translation_stale_too(project, capsys):
    edit(project, PAGE, "level: may", "level: should")
    edit(project, PAGE, "MAY include", "SHOULD include")
    assert main(["lock", "--root", str(project)]) == 0
    capsys.readouterr()
    at = line(project, PAGE_ZH, "FRS-ACC-003")
    # Stale, and its verbal form 可 is now that of another level.
    assert findings(project, capsys) == {
        (PAGE_ZH, at, "stale-translation", "FRS-ACC-003"),
        (PAGE_ZH, line(project, PAGE_ZH, "报告可包含"), "level-mismatch", "FRS-ACC-003")}


@pytest.mark.parametrize(("old", "new", "rule"), [
    ("评估应按", "评估宜按", "level-mismatch"),  # should, in a shall clause
    ("评估应按", "评估应按附录，宜", "mixed-forms"),  # shall and should
    ("评估应按", "评估必须按", "forbidden-form"),
    ("供应方不宜", "供应方不可", "forbidden-form"),
    ("供应方不宜", "供应方不必", "level-mismatch"),  # need not: a GB/T form, no FRS level
    ("评估应按", "评估 SHALL 按", "level-mismatch"),  # an English keyword
])
def test_a_wrong_verbal_form_is_reported_at_its_line(project, capsys, old, new, rule):
    edit(project, PAGE_ZH, old, new)
    clause_id = "FRS-ACC-002" if "不" in old else "FRS-ACC-001"
    assert findings(project, capsys) == {
        (PAGE_ZH, line(project, PAGE_ZH, new), rule, clause_id)}


def test_a_clause_with_no_verbal_form_is_reported_at_its_opening_line(project, capsys):
    # 相应 and 可靠 merely contain 应 and 可: they are not verbal forms.
    edit(project, PAGE_ZH, "评估应按附录 B 计算相应的 FMR。",
         "评估按附录 B 计算相应的、可靠的 FMR。")
    assert findings(project, capsys) == {
        (PAGE_ZH, line(project, PAGE_ZH, "FRS-ACC-001"), "no-keyword", "FRS-ACC-001")}


@pytest.mark.parametrize(("text", "forms"), [
    ("评估方应对每个样本计算相应的得分", [("应", "shall")]),  # 应 + 对 (for), not 应对
    ("系统不应该存储模板", [("不应该", "shall not")]),
    ("不可逆的模板不可能还原", []),
    ("不得记录；不宜保存；可以不提供", [("不得", "shall not"), ("不宜", "should not"),
                               ("可以不", "need not")]),
    ("供应方的响应应用于适宜的事宜，即可", []),
    ("代码 `应` 与公式 $应$ 不是文字，可", [("可", "may")]),
])
def test_verbal_forms_and_the_compounds_that_merely_contain_them(text, forms):
    assert verbal_forms(text) == forms


@pytest.mark.parametrize("option", ["level: shall", "impl: reference_impl.x:y",
                                    "schema: template", "classes: V-L", "sources: a b"])
def test_metadata_in_a_translated_block_is_refused_at_its_line(project, capsys, option):
    edit(project, PAGE_ZH, "    title: 错误匹配率\n", f"    title: 错误匹配率\n    {option}\n")
    assert findings(project, capsys) == {
        (PAGE_ZH, line(project, PAGE_ZH, option), "translation-option", "FRS-ACC-001")}


@pytest.mark.parametrize(("old", "new"), [
    ("    translates: {FRS-ACC-002}\n", ""),  # missing
    ("    translates: {FRS-ACC-002}\n", "    translates: sha256:1234\n"),  # malformed
])
def test_a_missing_or_malformed_translates_is_reported(project, capsys, old, new):
    write(project, PAGE_ZH, translated(project, CHINESE.replace(old, new)))
    at = line(project, PAGE_ZH, new.strip() or "FRS-ACC-002")
    # One finding: the block that does not parse is not also called missing.
    assert findings(project, capsys) == {(PAGE_ZH, at, "translation-option", "FRS-ACC-002")}


def test_requirement_verbs_in_informative_text_are_reported(project, capsys):
    # Not 相应 (a compound), not “宜” (a form named, not used), not 推荐 (which reports
    # what a source recommends).
    edit(project, PAGE_ZH, "资料性文字。", "运营者应当告知个人；相应的说明见附录。\n\n"
         "“宜”是推荐的助动词，NIST 推荐本地比对。")
    assert findings(project, capsys) == {
        (PAGE_ZH, line(project, PAGE_ZH, "运营者应当"), "keyword-outside", "")}


def test_an_english_clause_without_translation_is_reported(project, capsys):
    text = (project / PAGE_ZH).read_text(encoding="utf-8")
    start = text.index("/// requirement | FRS-ACC-003")
    write(project, PAGE_ZH, text[:start] + text[text.index("///\n", start + 4) + 4:])
    assert findings(project, capsys) == {(PAGE_ZH, 1, "untranslated", "FRS-ACC-003")}


def test_a_translation_of_no_english_clause_or_of_a_retired_id_is_reported(project, capsys):
    text = (project / PAGE).read_text(encoding="utf-8")
    start = text.index("/// requirement | FRS-ACC-003")
    write(project, PAGE, text[:start])
    assert main(["retire", "FRS-ACC-003", "--in", "0.3", "--root", str(project)]) == 0
    extra = ("\n/// requirement | FRS-ACC-009\n    translates: sha256:0123456789abcdef\n\n"
             "报告应说明。\n///\n")
    edit(project, PAGE_ZH, "报告可包含 DET 曲线。\n///\n", "报告可包含 DET 曲线。\n///\n" + extra)
    capsys.readouterr()
    found = findings(project, capsys)
    assert found == {
        (PAGE_ZH, line(project, PAGE_ZH, "FRS-ACC-003"), "translation-orphan", "FRS-ACC-003"),
        (PAGE_ZH, line(project, PAGE_ZH, "FRS-ACC-009"), "translation-orphan", "FRS-ACC-009")}


def test_duplicate_and_misplaced_translations_are_reported(project, capsys):
    text = (project / PAGE_ZH).read_text(encoding="utf-8")
    first = text[text.index("/// requirement | FRS-ACC-001"):text.index("/// requirement | "
                                                                          "FRS-ACC-002")]
    second = text[text.index("/// requirement | FRS-ACC-002"):text.index("## 6.2")]
    # FRS-ACC-002 before FRS-ACC-001, and FRS-ACC-001 a second time after them.
    write(project, PAGE_ZH, text.replace(first + second, second + first + first))
    lines = [n for n, t in enumerate((project / PAGE_ZH).read_text().splitlines(), 1)
             if t.startswith("/// requirement")]
    assert findings(project, capsys) == {
        (PAGE_ZH, lines[0], "translation-place", "FRS-ACC-002"),
        (PAGE_ZH, lines[2], "duplicate-id", "FRS-ACC-001")}


def test_a_translation_on_another_page_is_reported(project, capsys):
    text = (project / PAGE_ZH).read_text(encoding="utf-8")
    start = text.index("/// requirement | FRS-ACC-003")
    block = text[start:text.index("///\n", start + 4) + 4]
    write(project, PAGE_ZH, text.replace(block, ""))
    write(project, "spec/zh/foreword.md", FOREWORD_ZH + "\n" + block)
    assert findings(project, capsys) == {
        ("spec/zh/foreword.md", line(project, "spec/zh/foreword.md", "FRS-ACC-003"),
         "translation-place", "FRS-ACC-003")}


def test_a_page_in_one_language_only_is_reported(project, capsys):
    (project / "spec/zh/foreword.md").rename(project / "spec/zh/annex-z.md")
    assert findings(project, capsys) == {
        ("spec/foreword.md", 1, "untranslated-page", ""),
        ("spec/zh/annex-z.md", 1, "translation-page", "")}


@pytest.mark.parametrize(("old", "new", "at"), [
    ("## 6.2 辨识", "### 6.2 辨识", "### 6.2 辨识"),  # another level
    ("## 6.2 辨识", "## 6.3 辨识", "## 6.3 辨识"),  # another number
    ("## 6.1 验证\n", "## 6.1 验证\n\n## 6.1.1 补充\n", "## 6.1.1 补充"),  # one more
    ("## 6.2 辨识\n", "辨识\n", "## 6.1 验证"),  # one fewer: reported at the last one
])
def test_a_heading_structure_mismatch_is_reported(project, capsys, old, new, at):
    edit(project, PAGE_ZH, old, new)
    assert findings(project, capsys) == {
        (PAGE_ZH, line(project, PAGE_ZH, at), "heading-mismatch", "")}


def test_the_api_gives_pages_headings_and_clauses(project):
    translations = parse_translations(Project.load(project))
    page = translations.page_for(PAGE)
    assert (page.file, page.title) == (PAGE_ZH, "6 准确度")
    assert [(h.level, h.number) for h in page.headings] == [(1, "6"), (2, "6.1"), (2, "6.2")]
    spec = parse_spec(Project.load(project))
    assert [(h.level, h.number) for h in spec.headings[PAGE]] == [(1, "6"), (2, "6.1"),
                                                                  (2, "6.2")]
    clause = translations.clauses["FRS-ACC-001"]
    assert (clause.title, clause.file) == ("错误匹配率", PAGE_ZH)
    assert clause.text == "评估应按附录 B 计算相应的 FMR。"
    assert clause.translates == idlock.load(project / "ids.lock").entries["FRS-ACC-001"].hash


def test_without_languages_the_translations_are_neither_checked_nor_read_as_english(
        project, capsys):
    write(project, "pyproject.toml", PYPROJECT.replace('languages = ["zh"]\n', ""))
    edit(project, PAGE_ZH, "评估应按", "评估宜按")
    assert findings(project, capsys) == set()


def test_the_summary_counts_current_stale_and_missing_translations(project, capsys):
    edit(project, PAGE, "compute the FMR", "compute the FMR and its interval")
    assert main(["lock", "--root", str(project)]) == 0
    capsys.readouterr()
    assert main(["check", "--root", str(project), "--format", "json"]) == 1
    summary = json.loads(capsys.readouterr().out)["translations"]
    assert summary == {"zh": {"current": 2, "stale": 1, "missing": 0}}
    assert main(["check", "--root", str(project)]) == 1
    assert "zh: 2 current, 1 stale, 0 missing" in capsys.readouterr().err


ROOT = Path(__file__).resolve().parents[1]


def test_in_a_copy_of_this_repository_an_english_change_stales_exactly_its_translation(
        tmp_path, capsys):
    """The issue's gate on the real standard: once `languages` lists zh (at integration),
    a change to one English clause adds exactly one finding, its translation's."""
    if not Project.load(ROOT).languages:
        pytest.skip("this repository does not check a translation yet (no `languages`)")
    for name in ("pyproject.toml", "ids.lock"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    for folder in ("spec", "schemas"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    copy = Project.load(tmp_path)
    translations = parse_translations(copy, copy.languages[0])
    clause = next(c for c in parse_spec(copy).clauses if c.id in translations.clauses)
    before = findings(tmp_path, capsys)
    page = clause.file
    text = (tmp_path / page).read_text(encoding="utf-8")
    end = text.index("\n///", text.index(f"| {clause.id}"))
    write(tmp_path, page, text[:end] + " (A changed sentence.)" + text[end:])
    assert main(["lock", "--root", str(tmp_path)]) == 0
    capsys.readouterr()
    translated = translations.clauses[clause.id]
    assert findings(tmp_path, capsys) - before == {
        (translated.file, translated.line, "stale-translation", clause.id)}
