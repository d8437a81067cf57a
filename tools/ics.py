"""The implementation conformance statement (ICS) proforma page, generated from the spec.

One row per requirement, as ETSI and 3GPP proformas have: its status in each
conformance class (m = mandatory, r = recommended, o = optional, n/a = does not apply),
the conformance-statement fields its `frs conform` rule reads, and a blank support
column for the operator.  Requirements without a statement rule are judged from the
evidence their schema names (an evaluation report, for instance).
"""

from __future__ import annotations

import html

from reference_impl.conform.rules import RULES
from tools import links, pages
from tools.clauses import Clause
from tools.project import Project

ICS = f"{pages.GENERATED}/ics-proforma.md"
STATUS = {"shall": "m", "shall not": "m", "should": "r", "should not": "r", "may": "o"}


def status(clause: Clause, conformance_class: str) -> str:
    return STATUS[clause.level] if clause.applies_to(conformance_class) else "n/a"


def ics_page(clauses: list[Clause], project: Project) -> str:
    classes = project.classes or ()
    head = ["Requirement", "Title", *classes, "Answered by", "Support (yes / no / n/a)"]
    rows = []
    for clause in sorted(clauses, key=lambda c: c.id):
        link = f'<a href="{pages.href(ICS, pages.spec_path(clause, project), clause.id)}">' \
               f"{clause.id}</a>"
        rule = RULES.get(clause.id)
        if rule:
            answered = "<br>".join(f"<code>{html.escape(f)}</code>" for f in rule.fields)
        elif clause.schema:
            name = links.split_schema_link(clause.schema)[0]
            answered = f"evidence: <code>{html.escape(name)}</code>"
        else:
            answered = "evidence"
        cells = [link, html.escape(clause.title), *(status(clause, c) for c in classes),
                 answered, ""]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (pages.NOT_SEARCHED + "# ICS proforma\n\n"
            "The implementation conformance statement proforma: every requirement of FRS, its "
            "status in each conformance class (m mandatory, r recommended, o optional, n/a not "
            "applicable), and what answers it — the fields of a "
            f'<a href="{pages.href(ICS, pages.schema_page_path("conformance-statement"))}">'
            "conformance statement</a> that `frs conform` reads, or the evidence it is judged "
            "from. Generated from the spec at build time, so it never falls behind it.\n\n"
            "`frs conform --template CLASS` prints a blank statement for one class with the "
            "requirements each field answers; `frs conform STATEMENT` judges a filled one.\n\n"
            '<table class="frs-matrix">\n<thead><tr>'
            + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>\n<tbody>\n"
            + "\n".join(rows) + "\n</tbody>\n</table>\n")
