"""Validate FRS records against the published schemas: `frs validate` and its Python API.

    >>> from reference_impl.validate import validate
    >>> findings = validate(["scores.jsonl"], schema="comparison-result")

Each record is first judged by a compiled validator (jsonschema-rs); only a record it
rejects is validated again by `jsonschema`, which gives the details of every error
(JSON pointer, keyword, what was expected, what was found).  Unreadable or hostile input
raises a `reference_impl.safeload.LoadError` (the CLI prints it and exits 2).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from reference_impl import safeload
from reference_impl.errors import InputError
from reference_impl.validate.schemas import Schema, SchemaSet

__all__ = ["Finding", "Summary", "SchemaSet", "validate", "validate_data", "iter_findings",
           "check_record"]


@dataclass(frozen=True)
class Finding:
    """One way a record breaks its schema."""

    file: str
    line: int | None       # line of the record (JSON Lines) or of the value (YAML)
    record: int            # 1-based index of the record in the file
    schema: str            # schema name
    pointer: str           # RFC 6901 JSON pointer to the offending value ('' = the record)
    keyword: str           # the schema keyword that failed (type, required, ...)
    expected: str
    found: str
    schema_path: str       # JSON pointer into the schema to the failing keyword

    @property
    def message(self) -> str:
        return f"expected {self.expected}, found {self.found}"

    def as_dict(self) -> dict:
        return asdict(self) | {"message": self.message}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.line is None and self.record > 1:
            where += f" (record {self.record})"
        return f"{where}: {self.pointer or '/'}: {self.message} [{self.schema}: {self.keyword}]"


@dataclass
class Summary:
    files: int = 0
    records: int = 0
    invalid: int = 0
    findings: int = 0


def pointer(path: Iterable) -> str:
    """RFC 6901 pointer from path steps."""
    return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in path)


def _compact(value: object, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_TYPE_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean",
               type(None): "null", int: "integer", float: "number"}


def _type_of(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _describe(error) -> tuple[str, str]:
    """(expected, found) for a jsonschema ValidationError."""
    keyword, want, value = error.validator, error.validator_value, error.instance
    found = f"{_type_of(value)} {_compact(value)}"
    if keyword == "type":
        types = [want] if isinstance(want, str) else list(want)
        return "type " + " or ".join(types), found
    if keyword == "required":
        missing = [k for k in want if isinstance(value, dict) and k not in value]
        return (("property " if len(missing) == 1 else "properties ")
                + ", ".join(json.dumps(k) for k in missing),
                "an object without it" if len(missing) == 1 else "an object without them")
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(value, dict):
        known = set(error.schema.get("properties", {}))
        extra = [k for k in value if k not in known]
        return ("no properties other than those the schema defines",
                "unexpected " + ", ".join(json.dumps(k) for k in extra))
    if keyword == "const":
        return _compact(want), found
    if keyword == "enum":
        return "one of " + ", ".join(_compact(v) for v in want), found
    bounds = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
    if keyword in bounds:
        return f"a number {bounds[keyword]} {want}", found
    if keyword in ("minLength", "maxLength"):
        side = "at least" if keyword == "minLength" else "at most"
        return (f"a string of {side} {want} characters",
                f"{len(value) if isinstance(value, str) else '?'} characters")
    if keyword in ("minItems", "maxItems", "minProperties", "maxProperties"):
        side = "at least" if keyword.startswith("min") else "at most"
        what = "items" if keyword.endswith("Items") else "properties"
        return f"{side} {want} {what}", f"{len(value)} {what}"
    if keyword == "pattern":
        return f"a string matching {want}", found
    if keyword == "not":
        return f"a value that does not match {_compact(want)}", found
    return error.message, found


def check_record(schema: Schema, record: safeload.Record) -> list[Finding]:
    """The findings for one record (empty when it is valid)."""
    data = record.data
    if schema.fast.is_valid(data):
        return []
    findings = []
    seen = set()
    for error in sorted(schema.slow.iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = pointer(error.absolute_path)
        key = (where, tuple(error.absolute_schema_path))
        if key in seen:  # jsonschema reports each missing property of one `required`
            continue
        seen.add(key)
        expected, found = _describe(error)
        findings.append(Finding(record.source, record.line_of(where), record.index,
                                schema.name, where, str(error.validator), expected, found,
                                pointer(error.absolute_schema_path)))
    if not findings:  # the two validators disagree: report what the compiled one saw
        for error in schema.fast.iter_errors(data):
            where = pointer(error.instance_path)
            findings.append(Finding(record.source, record.line_of(where), record.index,
                                    schema.name, where, str(error.schema_path[-1]) if
                                    error.schema_path else "", error.message,
                                    _compact(error.instance), pointer(error.schema_path)))
    return findings


def iter_findings(files: Iterable[str | Path], schema: str | None = None, *,
                  schemas: SchemaSet | None = None, input_format: str | None = None,
                  limits: safeload.Limits = safeload.DEFAULT_LIMITS,
                  summary: Summary | None = None) -> Iterator[Finding]:
    """Findings for every record of every file, streamed: one record in memory at a time.

    `schema` names the schema for every record; without it, each record declares its
    own (`$schema`) or is matched on its keys (see `SchemaSet.infer`).
    """
    schemas = schemas or SchemaSet()
    fixed = schemas.get(schema) if schema else None
    summary = summary if summary is not None else Summary()
    for file in files:
        summary.files += 1
        for record in safeload.iter_records(file, input_format, limits):
            summary.records += 1
            chosen = fixed or schemas.infer(record.data)
            if chosen is None:
                where = f"{record.source}:{record.line}" if record.line else record.source
                declared = record.data.get("$schema") if isinstance(record.data, dict) \
                    else None
                if declared is not None:
                    raise InputError(f"{where}: record {record.index} declares $schema "
                                     f"{json.dumps(declared)[:100]}, which is not one of the "
                                     f"schemas ({', '.join(schemas.names())}); pass --schema "
                                     "NAME")
                raise InputError(f"{where}: cannot tell which schema record {record.index} "
                                 "follows (no $schema, and its keys fit none or several "
                                 "schemas); pass --schema NAME")
            if chosen.fast.is_valid(record.data):
                continue
            found = check_record(chosen, record)
            if found:
                summary.invalid += 1
                summary.findings += len(found)
                yield from found


def validate(files: Iterable[str | Path], schema: str | None = None, **options
             ) -> list[Finding]:
    """Every finding for the files, as a list (see `iter_findings` for the options)."""
    return list(iter_findings(files, schema, **options))


def validate_data(data: object, schema: str, *, schemas: SchemaSet | None = None,
                  source: str = "<data>") -> list[Finding]:
    """Findings for one in-memory JSON value.

    The value is checked as JSON would carry it: a round trip turns float subclasses
    (numpy's float64) into floats, which the compiled validator insists on, and refuses
    what JSON cannot carry (NaN, infinities, objects) with an InputError.
    """
    schemas = schemas or SchemaSet()
    try:
        data = json.loads(json.dumps(data, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{source}: not a JSON value: {exc}") from None
    return check_record(schemas.get(schema), safeload.Record(source, 1, None, data))
