"""Annexes generated from data, never typed: the bibliography (normative references and
informative sources), the China profile (which clauses implement each provision of the
Chinese sources), the index of requirements and the test method of each requirement.

Plain functions of the clauses and the bibliography (`frs_tools.sources`), returning
Markdown; the site model adds them to the build (`frs_tools.site`).
"""

from __future__ import annotations

from frs_tools import links, pages, sources
from frs_tools.clauses import Clause
from frs_tools.escape import code, text, url
from frs_tools.project import Project
from reference_impl.conform.rules import RULES, accepted_evidence

BIBLIOGRAPHY = f"{pages.GENERATED}/bibliography.md"
CHINA_PROFILE = f"{pages.GENERATED}/china-profile.md"
INDEX = f"{pages.GENERATED}/requirements-index.md"
TEST_METHODS = f"{pages.GENERATED}/test-methods.md"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _link(page: str, clause: Clause, project: Project) -> str:
    return f"[{clause.id}]({pages.href(page, pages.spec_path(clause, project), clause.id)})"


def bibliography_page(bibliography: sources.Bibliography, clauses: list[Clause],
                      project: Project) -> str:
    """Normative references first (dated), then the informative bibliography, each entry
    with the clauses that cite it."""
    citing: dict[str, list[Clause]] = {}
    for clause in sorted(clauses, key=lambda c: c.id):
        for key in dict.fromkeys(k for k, _ in clause.sources):
            citing.setdefault(key, []).append(clause)
    lines = [pages.NOT_SEARCHED + "# Bibliography", "",
             f"Every source FRS cites, from `{bibliography.file}`, with the requirements that "
             "cite it (their `sources:` option). Normative references are those whose "
             "content FRS requires; for a dated reference only the edition cited applies. "
             "Secondary reporting (trade press, web pages) is informative only. Generated at "
             "build time."]
    for role, heading in (("normative", "Normative references"),
                          ("informative", "Informative bibliography")):
        lines += ["", f"## {heading}", "",
                  "| Key | Document | Issuer | Date | Kind | Cited by |",
                  "|---|---|---|---|---|---|"]
        for source in sorted(bibliography.sources.values(), key=lambda s: s.key):
            if source.role != role:
                continue
            title = (f"[{text(source.title)}]({url(source.url)})" if url(source.url)
                     else text(source.title))
            if source.read_via:
                title += f" (read via: {text(source.read_via)})"
            cited = ", ".join(_link(BIBLIOGRAPHY, c, project) for c in citing.get(source.key, []))
            lines.append(_row([code(source.key), title, text(source.issuer), text(source.date),
                               text(source.kind), cited or "—"]))
    return "\n".join(lines) + "\n"


def china_profile_page(bibliography: sources.Bibliography, clauses: list[Clause],
                       project: Project, language: str = "en") -> str:
    """One row per provision of each China-profile source and the clauses implementing it;
    a gap is an empty row (and a finding of `frs check`).  In Chinese the sentences about a
    source are punctuated as Chinese (its texts come in Chinese, `Source.in_chinese`)."""
    comma, stop, space = ("，", "。", "") if language == "zh" else (", ", ".", " ")
    cited = sources.implementing(bibliography, clauses)
    lines = [pages.NOT_SEARCHED + "# Annex D (informative) — China profile", "",
             "Which FRS requirements implement each provision of the Chinese sources: CAC/MPS "
             "Order No. 19, the CAC filing notice, PIPL, GB/T 41819-2022, GB/T 35273-2020 and "
             "GB/T 38671-2020. Generated from the requirements' `sources:` option at build "
             "time, never typed: a provision no requirement implements shows as an empty row, "
             "and `frs check` reports it unless the bibliography says why it is out of scope. "
             "A system deployed in China that conforms to its FRS class meets each mapped "
             "provision as far as the requirement states it; the provisions' own text governs."]
    for source in sorted(bibliography.sources.values(), key=lambda s: s.key):
        if source.profile != "china":
            continue
        about = [f"{text(source.issuer)}{comma}{text(source.date)}{stop}",
                 f"Read via {text(source.read_via)}{stop}" if source.read_via else "",
                 text(source.note)]
        lines += ["", f"## {text(source.title)}", "", space.join(filter(None, about)), "",
                  "| Provision | In FRS's words | Implemented by |", "|---|---|---|"]
        for provision in source.provisions.values():
            implementers = cited.get((source.key, provision.locator), [])
            where = ", ".join(f"{_link(CHINA_PROFILE, c, project)} {text(c.title)}"
                              for c in implementers)
            if not where:
                where = f"out of scope: {text(provision.out_of_scope)}" \
                    if provision.out_of_scope else "**no requirement**"
            lines.append(_row([text(provision.locator), text(provision.summary), where]))
    return "\n".join(lines) + "\n"


def index_page(clauses: list[Clause], titles: dict[str, str], project: Project) -> str:
    """Every requirement by identifier: title, level, classes, clause and page."""
    lines = [pages.NOT_SEARCHED + "# Index of requirements", "",
             "Every requirement of FRS in identifier order, with its level, the classes it "
             "applies to and the clause that states it. Generated at build time.", "",
             "| Requirement | Title | Level | Classes | Clause |", "|---|---|---|---|---|"]
    for clause in sorted(clauses, key=lambda c: c.id):
        lines.append(_row([_link(INDEX, clause, project), text(clause.title), clause.level,
                           text(", ".join(clause.classes)) or "all",
                           text(clause.section or titles.get(clause.file, ""))]))
    return "\n".join(lines) + "\n"


def test_methods_page(clauses: list[Clause], project: Project) -> str:
    """For each requirement: how it is tested, from what, and what passes."""
    lines = [pages.NOT_SEARCHED + "# Annex C.2 — Test method of each requirement", "",
             "How each requirement is verified: by a measurement the reference implementation "
             "computes from test data, by a rule applied to a conformance statement and the "
             "evidence it cites, or by a schema. The criterion is the requirement itself; the "
             "report field is where the verdict appears. The general test conditions are in "
             "[Annex C](../annex-c-test-methods.md). Generated at build time from the "
             "requirements, the rules of `frs conform` and the schemas.", "",
             "| Requirement | Method | Inputs | Evidence | Verdict reported in |",
             "|---|---|---|---|---|"]
    for clause in sorted(clauses, key=lambda c: c.id):
        rule = RULES.get(clause.id)
        evidence = ", ".join(f"`{t}`" for t in accepted_evidence(clause.id)) or "—"
        if rule:
            method = "rule on the conformance statement (`frs conform`)"
            inputs = "<br>".join(f"`{f}`" for f in rule.fields)
            report = f"`frs conform` line {clause.id}"
        elif clause.impl:
            method = f"measured by {code(clause.impl)}"
            inputs = "test data" + (f"; {code(clause.schema)}" if clause.schema else "")
            report = (code(links.split_schema_link(clause.schema)[0]) if clause.schema
                      else "the test report")
        else:
            method, inputs, report = "schema", code(clause.schema), "`frs validate`"
        lines.append(_row([_link(TEST_METHODS, clause, project), method, inputs, evidence,
                           report]))
    return "\n".join(lines) + "\n"


def generated(clauses: list[Clause], titles: dict[str, str], project: Project,
              language: str = "en") -> dict[str, str]:
    bibliography = sources.load(project)
    if language == "zh":  # Chinese sources in their own words (titles, provisions, notes)
        bibliography.sources = {k: s.in_chinese() for k, s in bibliography.sources.items()}
    return {BIBLIOGRAPHY: bibliography_page(bibliography, clauses, project),
            CHINA_PROFILE: china_profile_page(bibliography, clauses, project, language),
            INDEX: index_page(clauses, titles, project),
            TEST_METHODS: test_methods_page(clauses, project)}
