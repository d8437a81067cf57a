"""`frs validate [--schema NAME] FILE...`: check records against the FRS schemas.

Exit status: 0 every record is valid; 1 some record is not, or cannot be parsed (a
`parse` finding: malformed, hostile or too large); 2 a file cannot be opened, or a usage
error (unknown schema or input format).
"""

from __future__ import annotations

import argparse
import sys

from reference_impl import safeload
from reference_impl.cli_options import add_format, whole_number
from reference_impl.schemas import SchemaSet
from reference_impl.validate import Summary, iter_findings
from reference_impl.validate.output import dumps, json_report, sarif_report


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="JSON (.json), JSON Lines (.jsonl, .ndjson: one record a line, "
                             "streamed) or YAML (.yaml, .yml) files; - reads standard input "
                             "(JSON Lines unless --input-format says otherwise)")
    parser.add_argument("--schema", metavar="NAME",
                        help="schema every record must follow: a name (comparison-result), "
                             "its $id or a schema file; default: each record's $schema, or "
                             "the one schema its keys fit")
    add_format(parser, "sarif")  # SARIF 2.1.0, for code-scanning tools
    parser.add_argument("--input-format", choices=safeload.FORMATS,
                        help="read every FILE as this format instead of guessing from its "
                             "name")
    parser.add_argument("--schemas-dir", metavar="DIR",
                        help="folder of *.schema.json (default: $FRS_SCHEMAS or the FRS "
                             "checkout's schemas/)")
    parser.add_argument("--frs-only", action="store_true",
                        help="check only FRS documents: skip records with neither "
                             "schema_version nor an FRS $schema, and files that cannot be "
                             "parsed unless they name one (for pre-commit, which passes "
                             "every JSON and YAML file of a repository)")
    parser.add_argument("--max-findings", type=whole_number(0), default=1000, metavar="N",
                        help="json/sarif: report at most N findings (all are counted; "
                             "default 1000)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    schemas = SchemaSet(args.schemas_dir)
    summary = Summary()
    findings = iter_findings(args.files, args.schema, schemas=schemas,
                             input_format=args.input_format, summary=summary,
                             frs_only=args.frs_only)
    if args.format == "text":
        out = sys.stdout
        for finding in findings:
            out.write(f"{finding}\n")
        state = "valid" if not summary.findings else f"{summary.invalid} invalid"
        print(f"frs validate: {summary.records} records in {summary.files} files, {state}"
              + (f", {summary.findings} findings" if summary.findings else "")
              + (f", {summary.skipped} skipped (not FRS documents)" if summary.skipped
                 else ""), file=sys.stderr)
    else:
        kept = []
        for finding in findings:
            if len(kept) < args.max_findings:
                kept.append(finding)
        truncated = summary.findings > len(kept)
        make = json_report if args.format == "json" else sarif_report
        print(dumps(make(kept, summary, truncated)))
    return 1 if summary.findings else 0
