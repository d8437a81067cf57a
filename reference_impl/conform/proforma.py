"""The implementation conformance statement (ICS) proforma: a blank statement for one
class, generated from the conformance-statement schema and the rule registry, so it
lists every field the schema asks for and, beside each, the clauses that read it, and
one /evidence entry for each clause of the class that needs a document (`rules.EVIDENCE`).

Every placeholder is `null` (or an empty list), which the schema rejects, so a
proforma that was not filled in cannot pass `frs conform`.
"""

from __future__ import annotations

from reference_impl.conform.rules import RULES, accepted_evidence
from reference_impl.conform.statement import SCHEMA_NAME
from reference_impl.schemas import default_set


def clauses_reading(pointer: str, conformance_class: str) -> list[str]:
    return sorted(r.id for r in RULES.values()
                  if pointer in r.fields and r.applies_to(conformance_class))


def template(conformance_class: str) -> str:
    schema = default_set().get(SCHEMA_NAME).contents
    lines = [f"# FRS conformance statement proforma, class {conformance_class}.",
             "# Fill in every null and empty list, then run: frs conform THIS_FILE",
             f"# Schema: {schema['$id']}", ""]
    required = set(schema["required"])
    for name, node in schema["properties"].items():
        if name == "schema_version":
            lines.append(f'schema_version: "{node["const"]}"')
        elif name == "class":
            lines.append(f"class: {conformance_class}")
        else:
            _emit(lines, name, node, f"/{name}", 0, conformance_class,
                  optional=name not in required)
        if name == "evidence":
            lines.extend(_evidence_entries(conformance_class))
    return "\n".join(lines) + "\n"


def _evidence_entries(cls: str) -> list[str]:
    """One /evidence entry to fill in per clause of the class that needs a document, with
    the types that can support it (from the rules' EVIDENCE table, the one list)."""
    lines = []
    for clause_id in sorted(RULES):
        accepted = accepted_evidence(clause_id)
        if accepted and RULES[clause_id].applies_to(cls):
            lines += [f"  - id: null  # the document that shows {clause_id} is met",
                      f"    type: null  # one of: {', '.join(accepted)}",
                      "    url: null  # URL, or a path relative to this statement",
                      "    sha256: null  # of a local file; optional for a URL",
                      f"    supports: [{clause_id}]"]
    return lines


def _comment(node: dict, pointer: str, cls: str, optional: bool) -> str:
    parts = [node.get("description", "").rstrip(".")]
    if "enum" in node:
        parts.append("one of: " + ", ".join(str(v) for v in node["enum"]))
    ids = clauses_reading(pointer, cls)
    if ids:
        parts.append("answers " + ", ".join(ids))
    if optional and not ids:
        parts.append("optional")
    return "  # " + "; ".join(p for p in parts if p)


def _emit(lines: list[str], name: str, node: dict, pointer: str, depth: int, cls: str,
          optional: bool = False, prefix: str = "") -> None:
    pad = "  " * depth
    head = pad + prefix + f"{name}:"
    if node.get("type") == "object":
        lines.append(head + _comment(node, pointer, cls, optional))
        required = set(node.get("required", []))
        for child, sub in node["properties"].items():
            _emit(lines, child, sub, f"{pointer}/{child}", depth + 1, cls,
                  optional=child not in required)
    elif node.get("type") == "array" and node["items"].get("type") == "object":
        lines.append(head + _comment(node, pointer, cls, optional))
        item = node["items"]
        required = set(item.get("required", []))
        for index, (child, sub) in enumerate(item["properties"].items()):
            _emit(lines, child, sub, f"{pointer}/{child}", depth + 1, cls,
                  optional=child not in required, prefix="- " if index == 0 else "  ")
    elif node.get("type") == "array":
        items = node["items"]
        comment = _comment({**node, **({"enum": items["enum"]} if "enum" in items else {})},
                           pointer, cls, optional)
        lines.append(head + " []" + comment)
    else:
        lines.append(head + " null" + _comment(node, pointer, cls, optional))
