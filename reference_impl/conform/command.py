"""`frs conform STATEMENT`: a verdict for every clause the statement's class must meet.

Exit status: 0 when no clause fails, 1 when one does, 2 when the statement cannot be
read, does not match the conformance-statement schema or contradicts itself.
With `--template`, print a statement proforma for a class instead.
"""

from __future__ import annotations

import argparse
import json

from reference_impl.cli_options import add_format
from reference_impl.conform import engine, proforma
from reference_impl.conform.statement import read_statement
from reference_impl.limits import CLASSES
from reference_impl.safe_text import printable

MARKS = {"pass": "PASS", "fail": "FAIL", "not-applicable": "N/A ", "needs-evidence": "EVID",
         "not-judged": "----"}


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("statement", nargs="?", help="the conformance statement (YAML or JSON)")
    what.add_argument("--template", metavar="CLASS", choices=CLASSES,
                      help="print a statement proforma for CLASS, with the clauses each "
                      "field answers, instead of judging a statement")
    parser.add_argument("--evidence-root", metavar="DIR",
                        help="the folder evidence files may be read from (default: the "
                        "statement's folder); a path outside it is refused, never read")
    add_format(parser, "markdown")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.template:
        print(proforma.template(args.template), end="")
        return 0
    report = engine.evaluate(read_statement(args.statement, args.evidence_root))
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(markdown(report), end="")
    else:
        print(text(report), end="")
    return 1 if report.failed else 0


def summary(report: engine.Report) -> str:
    """'116 clauses of class V-L: 40 pass, ...': every clause of the class accounted for."""
    counts = report.counts()
    return (f"{len(report.results)} clauses of class {report.conformance_class}: "
            + ", ".join(f"{counts.get(v, 0)} {v}" for v in MARKS))


def text(report: engine.Report) -> str:
    lines = [f"{printable(report.source)}: class {report.conformance_class}"]
    for r in report.results:  # a reason quotes the statement: escaped, it stays one line
        lines.append(f"{MARKS[r.verdict]} {r.id}  {printable(r.title)}: {printable(r.reason)}")
    lines.append(summary(report) + (" — does not conform" if report.failed else ""))
    return "\n".join(lines) + "\n"


def markdown(report: engine.Report) -> str:
    lines = [f"# Conformance report: class {report.conformance_class}", "",
             f"Statement: `{printable(report.source)}`. {summary(report)}.", "",
             "| Requirement | Title | Level | Verdict | Reason |", "|---|---|---|---|---|"]
    for r in report.results:
        reason = printable(r.reason).replace("|", "\\|")
        title = printable(r.title).replace("|", "\\|")
        lines.append(f"| {r.id} | {title} | {r.level} | **{r.verdict}** | {reason} |")
    return "\n".join(lines) + "\n"
