"""The Chinese edition's site text (frs_tools/languages.py): anchors by position, labels."""

from __future__ import annotations

from pathlib import Path

from frs_tools import languages, pages
from frs_tools.site import model

ROOT = Path(__file__).resolve().parents[1]


def test_a_translated_heading_gets_the_english_anchor_at_its_position():
    english = "# 6 Accuracy\n\n## 6.1 Verification\n\n```\n# not a heading\n```\n\n## 6.2 Other\n"
    chinese = "# 6 准确度\n\n## 6.1 验证\n\n```\n# 不是标题\n```\n\n## 6.2 其他 {#kept}\n"
    ids = languages.heading_ids(english)
    assert ids == ["6-accuracy", "61-verification", "62-other"]
    assert languages.with_heading_ids(chinese, ids).split("\n") == [
        "# 6 准确度 {#6-accuracy}", "", "## 6.1 验证 {#61-verification}", "", "```",
        "# 不是标题", "```", "", "## 6.2 其他 {#kept}", ""]


def test_fixed_text_column_heads_and_level_cells_are_localized():
    table = ("# Coverage by chapter\n\n| Requirement | Level | 3 errors |\n|---|---|--:|\n"
             "| [FRS-ACC-001](x.md) | shall not | 12 |\n")
    assert languages.localize(table, "zh") == (
        "# 各章覆盖情况\n\n| 要求 | 级别 | 3 个错误 |\n|---|---|--:|\n"
        "| [FRS-ACC-001](x.md) | 不应 | 12 |\n")
    assert languages.localize(table, "en") == table
    assert languages.localize("Retired in version 0.3.", "zh") == "于版本 0.3 废止。"


def test_every_generated_page_has_a_chinese_title_and_the_english_anchors():
    """A new generated page, or a changed English title, without its label shows here."""
    site = model(ROOT)
    english, chinese = site.generated_pages(), site.generated_pages(language="zh")
    assert english.keys() == chinese.keys()
    untranslated = []
    for path, text in chinese.items():
        assert languages.heading_ids(text) == languages.heading_ids(english[path]), path
        data_titled = path.startswith(f"{pages.GENERATED}/schemas/") and \
            path != pages.SCHEMAS_INDEX or path == pages.CHANGELOG
        title = next(line for line in text.split("\n") if line.startswith("# "))
        if not data_titled and title.isascii():
            untranslated.append(f"{path}: {title}")
    assert untranslated == []


def test_a_chinese_schema_page_says_once_that_the_schemas_own_text_is_english():
    """The descriptions come from the schema file (one truth) and stay English there."""
    site = model(ROOT)
    notice = "注：本页的标题和各项说明取自模式文件本身，为英文。"
    chinese = site.generated_pages(language="zh")
    schema_pages = [p for p in chinese if p.startswith(f"{pages.GENERATED}/schemas/")
                    and p != pages.SCHEMAS_INDEX]
    assert len(schema_pages) == len(site.schema_files())
    for path in schema_pages:
        assert chinese[path].count(notice) == 1, path
        assert notice not in site.generated_pages()[path]
    assert "<td>是</td>" in chinese[pages.schema_page_path("evaluation-report")]
    changelog = chinese[pages.CHANGELOG]
    assert changelog.startswith("# 变更记录 {#changelog}\n") and changelog.count("为英文。") == 1


def test_the_values_tables_take_from_data_are_in_chinese():
    """A kind of source, an ICS answer, a count of trials: whole cells of the label table."""
    from frs_tools import sources

    assert set(sources.KINDS) <= languages.CELLS.keys()
    site = model(ROOT)
    chinese = site.generated_pages(language="zh")
    assert ("| `pipl` | 《中华人民共和国个人信息保护法》 | 全国人民代表大会常务委员会 | "
            "2021-08-20 | 法律 |") in chinese["reference/bibliography.md"]
    assert "| evidence |" not in chinese["reference/ics-proforma.md"]
    sizes = site.translated_pages()["annex-f-test-sizes.md"]
    assert "| 冒名（异源）比对 |" in sizes and "| non-mated comparisons |" not in sizes


def test_the_chinese_navigation_labels_sections_and_the_home_page():
    """Pages keep their own (translated) titles, sections and the home page get labels: the
    home page's title is the site's name, which would otherwise show twice."""
    from frs_tools.site_hook import _translated_nav

    nav = [{"Home": "index.md"}, {"Foreword": "foreword.md"},
           {"Conformance classes": [{"Class V-L": "reference/classes/v-l.md"}]}]
    assert _translated_nav(nav) == [{"首页": "index.md"}, "foreword.md",
                                    {"符合性类别": ["reference/classes/v-l.md"]}]
