"""How `frs validate` prints findings: text (one line each), JSON, or SARIF 2.1.0."""

from __future__ import annotations

import json
from pathlib import PurePath

from reference_impl import __version__
from reference_impl.documents import PARSE, Finding
from reference_impl.validate import Summary

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://frs-standard.org/"


def text_line(finding: Finding) -> str:
    return str(finding)


def json_report(findings: list[Finding], summary: Summary, truncated: bool) -> dict:
    return {"valid": summary.findings == 0, "files": summary.files, "records": summary.records,
            "invalid_records": summary.invalid, "skipped": summary.skipped,
            "findings_total": summary.findings,
            "findings_truncated": truncated,
            "findings": [f.as_dict() for f in findings]}


# Rules that are not JSON Schema keywords: what the loader refused, a record that names no
# FRS schema.
OTHER_RULES = {PARSE: "The document cannot be read safely: malformed, hostile (duplicate "
                      "keys, alias bombs) or beyond a size limit (FRS-DAT-001)",
               "$schema": "The record names a $schema that is not an FRS schema"}


def _rule(rule: str) -> dict:
    return {"id": rule, "name": rule,
            "shortDescription": {"text": OTHER_RULES.get(rule,
                                                         f"JSON Schema keyword '{rule}'")},
            "helpUri": "https://json-schema.org/draft/2020-12/json-schema-validation"}


def sarif_report(findings: list[Finding], summary: Summary, truncated: bool) -> dict:
    """A SARIF 2.1.0 log, so code-scanning tools show each finding on its line."""
    rules = sorted({f.keyword for f in findings})
    index = {rule: i for i, rule in enumerate(rules)}
    results = []
    for f in findings:
        location = {"physicalLocation": {"artifactLocation": {
            "uri": PurePath(f.file).as_posix()}}}
        if f.line:
            location["physicalLocation"]["region"] = {"startLine": f.line}
        location["logicalLocations"] = [{"fullyQualifiedName": f.pointer or "/",
                                         "kind": "member"}]
        results.append({
            "ruleId": f.keyword, "ruleIndex": index[f.keyword], "level": "error",
            "message": {"text": f"{f.pointer or '/'}: {f.message} (schema "
                                f"{f.schema or 'none'}, record {f.record})"},
            "locations": [location],
            "properties": {"schema": f.schema, "schemaPath": f.schema_path,
                           "record": f.record, "expected": f.expected, "found": f.found},
        })
    return {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "frs validate", "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rules]}},
            "results": results,
            "properties": {"records": summary.records, "invalidRecords": summary.invalid,
                           "skipped": summary.skipped,
                           "findingsTotal": summary.findings, "findingsTruncated": truncated},
        }],
    }


def dumps(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)
