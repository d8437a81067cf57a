"""The requirements catalogue: every clause with its links, tests and status.

`frs export` prints it; the site's traceability matrix is built from it.  Output is
deterministic: the same spec and results give the same bytes.  Every text is written out
as `reference_impl.safe_text.printable` makes it (controls XML 1.0 forbids, lone
surrogates and bidi controls escaped, line breaks kept), so JSON, CSV and ReqIF are always
well-formed, and a CSV cell a spreadsheet would evaluate starts with a quote.
"""

from __future__ import annotations

import csv
import io
import json

from frs_tools.check import Report
from reference_impl.safe_text import printable

FIELDS = ("id", "level", "title", "text", "file", "line", "schema", "impl", "classes",
          "tests", "status")
# What makes a spreadsheet read a cell as a formula: written after a single quote, the
# cell is text (OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def writable(text: str) -> str:
    """A text of the spec as an export writes it."""
    return printable(text, lines=True)


def entries(report: Report) -> list[dict]:
    statuses = report.trace.statuses if report.trace else {}
    rows = []
    for clause in sorted({c.id: c for c in reversed(report.spec.clauses)}.values(),
                         key=lambda c: c.id):
        status = statuses.get(clause.id)
        rows.append({
            "id": clause.id, "level": clause.level, "title": writable(clause.title),
            "text": writable(clause.text), "file": writable(clause.file), "line": clause.line,
            "schema": writable(clause.schema), "impl": clause.impl,
            "classes": [writable(c) for c in clause.classes],
            "tests": [writable(t) for t in status.tests] if status else [],
            "status": status.status if status else ("untested" if clause.gated
                                                    else "not-gated"),
        })
    return rows


def to_json(report: Report) -> str:
    return json.dumps({"requirements": entries(report)}, indent=2, ensure_ascii=False) + "\n"


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in entries(report):
        writer.writerow({key: _cell(value) for key, value in
                         {**row, "tests": " ".join(row["tests"]),
                          "classes": " ".join(row["classes"])}.items()})
    return out.getvalue()


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text
