"""Sources as data: `sources:` keys must be in the bibliography, locators among a
source's provisions, and every provision of a profile source implemented or excused."""

from __future__ import annotations

from pathlib import Path

from frs_tools import sources
from frs_tools.check import check
from frs_tools.clauses import parse_spec, parse_text, split_sources
from frs_tools.project import Project

ROOT = Path(__file__).resolve().parents[1]

BIBLIOGRAPHY = """\
law-a:
  title: A law
  issuer: A parliament
  date: 2025-01-01
  kind: law
  role: normative
  profile: china
  provisions:
    Art. 1: Do one thing.
    Art. 2:
      summary: Duties of the authority.
      out_of_scope: binds the authority, not an operator.
    Art. 3: Do another thing.
news-b:
  title: A report
  issuer: A newspaper
  date: 2025-02-01
  kind: trade-press
  role: normative
"""

PAGE = """\
# 3 Test

/// requirement | FRS-CAP-001
    level: shall
    title: One
    sources: law-a Art. 1; nowhere §2; law-a Art. 9

An operator SHALL do one thing.
///
"""


def project(tmp_path: Path, bibliography: str = BIBLIOGRAPHY, page: str = PAGE) -> Project:
    (tmp_path / "spec").mkdir(parents=True)
    (tmp_path / "spec/03-test.md").write_text(page)
    (tmp_path / "spec/bibliography.yaml").write_text(bibliography)
    (tmp_path / "pyproject.toml").write_text('[tool.frs]\nspec_dir = "spec"\n'
                                             '[tool.frs.areas]\nCAP = "Capture"\n')
    return Project.load(tmp_path)


def test_the_sources_option_is_parsed_into_key_and_locator():
    assert split_sources("pipl Art. 29; cac-order-19 Art. 7 ;gdpr") == (
        ("pipl", "Art. 29"), ("cac-order-19", "Art. 7"), ("gdpr", ""))
    (clause,), problems = parse_text(PAGE, "p.md", {"CAP": "Capture"})
    assert problems == [] and clause.sources[0] == ("law-a", "Art. 1")


def test_unknown_keys_and_locators_and_uncovered_provisions_are_each_reported(tmp_path):
    found = check(project(tmp_path)).problems
    messages = [(p.rule, p.message) for p in found]
    assert ("unknown-source", "source 'nowhere' is not in spec/bibliography.yaml") in messages
    assert any(rule == "unknown-source" and "no provision 'Art. 9'" in m
               for rule, m in messages)
    # Art. 1 is cited and Art. 2 excused; Art. 3 is a gap.
    uncovered = [m for rule, m in messages if rule == "uncovered-provision"]
    assert len(uncovered) == 1 and "law-a Art. 3" in uncovered[0]
    # Trade press cannot be normative.
    assert any("trade-press source can only be informative" in m for _, m in messages)
    assert all(p.file in ("spec/03-test.md", "spec/bibliography.yaml") and p.line > 0
               for p in found)


def test_a_malformed_bibliography_is_reported_with_its_line(tmp_path):
    broken = "law-a:\n  title: A law\n  kind: law\n  role: binding\n  colour: red\n"
    found = sources.load(project(tmp_path, broken)).problems
    assert [p.line for p in found] == [1, 1]
    assert "unknown field 'colour'" in found[0].message
    assert "missing issuer, date" in found[1].message
    found = sources.load(project(tmp_path / "b", "law-a: [unclosed\n")).problems
    assert found[0].rule == "bad-bibliography" and "not valid YAML" in found[0].message


def test_the_repository_cites_only_known_sources_and_covers_every_profile_provision():
    proj = Project.load(ROOT)
    spec = parse_spec(proj)
    assert sources.problems(proj, spec.clauses) == []
    bibliography = sources.load(proj)
    cited = sources.implementing(bibliography, spec.clauses)
    china = [s for s in bibliography.sources.values() if s.profile == "china"]
    assert {s.key for s in china} >= {"cac-order-19", "gbt-41819", "gbt-35273", "gbt-38671"}
    for source in china:
        for provision in source.provisions.values():
            assert provision.out_of_scope or cited[(source.key, provision.locator)]


def test_the_generated_annexes_come_from_the_sources_option(tmp_path):
    from frs_tools import annexes

    proj = project(tmp_path)
    spec = parse_spec(proj)
    pages = annexes.generated(spec.clauses, spec.titles, proj)
    profile = pages[annexes.CHINA_PROFILE]
    assert "| Art. 1 | Do one thing. | [FRS-CAP-001](../03-test.md#FRS-CAP-001) One |" in profile
    assert "| Art. 2 | Duties of the authority. | out of scope: binds the authority" in profile
    assert "| Art. 3 | Do another thing. | **no requirement** |" in profile
    bibliography = pages[annexes.BIBLIOGRAPHY]
    normative, _ = bibliography.split("## Informative bibliography")
    assert "`law-a`" in normative and "[FRS-CAP-001]" in normative
    assert "| [FRS-CAP-001](../03-test.md#FRS-CAP-001) | One | shall | all |" in \
        pages[annexes.INDEX]


# law-a with its Chinese title, issuer and provisions.
CHINESE = BIBLIOGRAPHY.partition("news-b:")[0].replace("""  profile: china
""", """  title_zh: 《一部法律》
  issuer_zh: 一个议会
  profile: china
""") + """  provisions_zh:
    Art. 1: 做一件事。
    Art. 2:
      summary: 主管部门的职责。
      out_of_scope: 约束主管部门，而非运营者。
    Art. 3: 做另一件事。
"""


def test_a_chinese_source_gives_each_provision_in_chinese_or_check_reports_it(tmp_path):
    assert sources.load(project(tmp_path, CHINESE)).problems == []
    # One summary left out, one reason out of scope left out, one locator that is not listed.
    broken = (CHINESE.replace("    Art. 3: 做另一件事。\n", "    Art. 4: 做第四件事。\n")
              .replace("      out_of_scope: 约束主管部门，而非运营者。\n", "")
              .replace("  issuer_zh: 一个议会\n", ""))
    found = sources.load(project(tmp_path / "b", broken)).problems
    lines = broken.splitlines()
    by_rule = sorted((p.rule, lines[p.line - 1].strip(), p.message) for p in found)
    assert [(rule, line) for rule, line, _ in by_rule] == [
        ("bad-bibliography", "Art. 4: 做第四件事。"),
        ("untranslated-source", "Art. 2:"),
        ("untranslated-source", "Art. 3: Do another thing."),
        ("untranslated-source", "law-a:")]
    assert "no such provision" in by_rule[0][2] and "reason out of scope" in by_rule[1][2]
    assert "no Chinese summary" in by_rule[2][2] and "no issuer_zh" in by_rule[3][2]
    # A source without a Chinese title needs no Chinese text.
    untitled = broken.replace("  title_zh: 《一部法律》\n", "")
    assert [p.rule for p in sources.load(project(tmp_path / "c", untitled)).problems] == [
        "bad-bibliography"]


def test_the_chinese_china_profile_shows_the_chinese_summaries(tmp_path):
    from frs_tools import annexes

    proj = project(tmp_path, CHINESE)
    spec = parse_spec(proj)
    profile = annexes.generated(spec.clauses, spec.titles, proj, "zh")[annexes.CHINA_PROFILE]
    assert "## 《一部法律》" in profile and "一个议会，2025-01-01。" in profile
    assert "| Art. 1 | 做一件事。 | [FRS-CAP-001](../03-test.md#FRS-CAP-001) One |" in profile
    assert "| Art. 2 | 主管部门的职责。 | out of scope: 约束主管部门，而非运营者。 |" in profile
    assert "| Art. 3 | 做另一件事。 | **no requirement** |" in profile
    english = annexes.generated(spec.clauses, spec.titles, proj)[annexes.CHINA_PROFILE]
    assert "| Art. 1 | Do one thing. |" in english and "做" not in english


def test_every_chinese_source_of_the_repository_is_in_chinese_on_the_chinese_edition():
    from frs_tools import site

    profile = site.model(ROOT).generated_pages(language="zh")["reference/china-profile.md"]
    bibliography = sources.load(Project.load(ROOT))
    for source in bibliography.sources.values():
        if source.title_zh:
            for locator, provision in source.provisions_zh.items():
                assert f"| {locator} | {provision.summary} |" in profile
            for name in ("issuer", "note"):  # escaped as the page writes them
                english = getattr(source, name).replace("'", "&#39;")
                assert not english or english not in profile and getattr(
                    source, f"{name}_zh") in profile
