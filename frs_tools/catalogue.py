"""The requirements catalogue: every clause with its links, tests and status.

`frs export` prints it; the site's traceability matrix is built from it.  Output is
deterministic: the same spec and results give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json

from frs_tools.check import Report

FIELDS = ("id", "level", "title", "text", "file", "line", "schema", "impl", "classes",
          "tests", "status")


def entries(report: Report) -> list[dict]:
    statuses = report.trace.statuses if report.trace else {}
    rows = []
    for clause in sorted({c.id: c for c in reversed(report.spec.clauses)}.values(),
                         key=lambda c: c.id):
        status = statuses.get(clause.id)
        rows.append({
            "id": clause.id, "level": clause.level, "title": clause.title,
            "text": clause.text, "file": clause.file, "line": clause.line,
            "schema": clause.schema, "impl": clause.impl, "classes": list(clause.classes),
            "tests": status.tests if status else [],
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
        writer.writerow({**row, "tests": " ".join(row["tests"]),
                         "classes": " ".join(row["classes"])})
    return out.getvalue()
