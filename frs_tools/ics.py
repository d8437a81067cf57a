"""The implementation conformance statement (ICS) proforma page, generated from the spec.

One row per requirement, as ETSI and 3GPP proformas have: its status in each
conformance class (m = mandatory, r = recommended, o = optional, n/a = does not apply),
the conformance-statement fields its `frs conform` rule reads and the evidence its
schema names (an evaluation report, for instance), and a blank support column for the
operator.
"""

from __future__ import annotations

from frs_tools import links, pages
from frs_tools.clauses import Clause
from frs_tools.escape import text
from frs_tools.project import Project
from reference_impl.conform.rules import RULES, accepted_evidence

ICS = f"{pages.GENERATED}/ics-proforma.md"
STATUS = {"shall": "m", "shall not": "m", "should": "r", "should not": "r", "may": "o"}


def status(clause: Clause, conformance_class: str) -> str:
    return STATUS[clause.level] if clause.applies_to(conformance_class) else "n/a"


def ics_page(clauses: list[Clause], project: Project) -> str:
    classes = project.classes or ()
    head = ["Requirement", "Title", *classes, "Answered by", "Support (yes / no / n/a)"]
    rows = []
    for clause in sorted(clauses, key=lambda c: c.id):
        link = f"[{clause.id}]({pages.href(ICS, pages.spec_path(clause, project), clause.id)})"
        rule = RULES.get(clause.id)
        fields = [f"`{f}`" for f in rule.fields] if rule else []
        if documents := accepted_evidence(clause.id):  # what a declaration must cite
            fields.append("cites: " + " or ".join(f"`{t}`" for t in documents))
        if clause.schema:  # the records or report its schema names are evidence too
            fields.append(f"evidence: `{links.split_schema_link(clause.schema)[0]}`")
        answered = "<br>".join(fields) or "evidence"
        cells = [link, text(clause.title), *(status(clause, c) for c in classes), answered, ""]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    statement = pages.href(ICS, pages.schema_page_path("conformance-statement"))
    # A Markdown table, not raw HTML: MkDocs rewrites (and checks) only Markdown links.
    return (pages.front_matter(search=False, toc=False) + "# ICS proforma\n\n"
            "The implementation conformance statement proforma: every requirement of FRS, its "
            "status in each conformance class (m mandatory, r recommended, o optional, n/a not "
            f"applicable), and what answers it — the fields of a [conformance statement]"
            f"({statement}) that `frs conform` reads, the documents the statement must cite "
            "for it (an entry of `evidence` whose `supports` names the requirement), or the "
            "evidence it is judged from. Generated from the spec at build time, so it never "
            "falls behind it.\n\n"
            "`frs conform --template CLASS` prints a blank statement for one class with the "
            "requirements each field answers; `frs conform STATEMENT` judges a filled one.\n\n"
            '<div class="frs-ics frs-compact" markdown="1">\n\n'
            "| " + " | ".join(head) + " |\n|" + "---|" * len(head) + "\n"
            + "\n".join(rows) + "\n\n</div>\n")
