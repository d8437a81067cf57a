"""The front door: every document FRS reads from outside comes in through this module.

    >>> from reference_impl import documents
    >>> manifest = documents.read("manifest.json", "model-manifest")
    >>> manifest.data["similarity"], manifest.line_of("/similarity")

A file is read by the hostile-input-safe loader (`safeload`: duplicate keys, alias bombs
and size limits refused) and validated against the one schema set (`schemas`), so every
command reads one document the same way.  What comes out is a `Document`: a JSON value
that passed its schema, with its source and the line of every JSON pointer.  Whatever is
wrong comes out as one error, `DocumentError`, carrying every `Finding` (file, line,
pointer, keyword, expected, found) as jsonschema's errors carry theirs: a caller reads the
findings, never a message.

A value the loader refuses is a finding too, with the keyword `parse`.  `format` is an
assertion everywhere (see `schemas`): `2026-13-45` is not a date for any reader.
Domain modules receive documents from here; they never open or validate a file themselves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from reference_impl import safeload
from reference_impl.errors import InputError
from reference_impl.safe_text import printable
from reference_impl.schemas import Schema, SchemaSet, default_set

PARSE = "parse"          # the keyword of a finding the loader made
MAX_REPORTED = 100       # findings a DocumentError keeps (it counts them all)
MAX_PER_RECORD = 100     # findings kept for one record; a last one counts the rest


@dataclass(frozen=True)
class Finding:
    """One way a document breaks its schema (or the loader's rules, keyword `parse`)."""

    file: str
    line: int | None       # line of the value (YAML, JSON) or of the record (JSON Lines)
    record: int            # 1-based index of the record in the file
    schema: str            # schema name ('' when no schema could be chosen)
    pointer: str           # RFC 6901 JSON pointer to the offending value ('' = the record)
    keyword: str           # the schema keyword that failed (type, required, ..., parse)
    expected: str
    found: str
    schema_path: str = ""  # JSON pointer into the schema to the failing keyword
    detail: str = ""       # a whole sentence, for findings that are not "expected X"

    @property
    def message(self) -> str:
        return self.detail or f"expected {self.expected}, found {self.found}"

    def as_dict(self) -> dict:
        return asdict(self) | {"message": self.message}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.line is None and self.record > 1:
            where += f" (record {self.record})"
        tag = f"{self.schema}: {self.keyword}" if self.schema else self.keyword
        return printable(f"{where}: {self.pointer or '/'}: {self.message} [{tag}]")


class DocumentError(InputError):
    """A document that cannot be used: it breaks its schema or could not be read safely.

    `findings` holds every finding (up to `MAX_REPORTED`; `total` counts them all).
    """

    def __init__(self, findings: Sequence[Finding], total: int | None = None):
        self.findings = tuple(findings)
        self.total = len(self.findings) if total is None else total
        lines = [str(f) for f in self.findings]
        if self.total > len(lines):
            lines.append(f"... and {self.total - len(lines)} more findings")
        super().__init__("\n".join(lines))


@dataclass(slots=True)
class Document:
    """A JSON value that passed its schema, and where it came from (read-only by
    convention: not frozen, which would double the cost of reading a record)."""

    kind: str                  # schema name: "conformance-statement", "model-manifest", ...
    record: safeload.Record

    @property
    def data(self) -> Any:
        return self.record.data

    @property
    def source(self) -> str:
        return self.record.source

    def line_of(self, pointer: str) -> int | None:
        """The line of the value at `pointer` (or of its nearest ancestor we know)."""
        return self.record.line_of(pointer)

    def get(self, pointer: str, default: Any = None) -> Any:
        return resolve(self.data, pointer, default)

    def finding(self, pointer: str, keyword: str, expected: str, found: str,
                detail: str = "") -> Finding:
        """A finding about this document that its schema cannot express (a duplicate
        sample id, a contradiction between two fields, a missing file)."""
        return Finding(self.source, self.line_of(pointer), self.record.index, self.kind,
                       pointer, keyword, expected, found, detail=detail)


# ---- JSON pointers (RFC 6901) ---------------------------------------------------------

def pointer(path: Iterable) -> str:
    """The pointer of a path of keys and indices ('' is the whole document)."""
    return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in path)


def resolve(value: Any, ptr: str, default: Any = None) -> Any:
    """The value at `ptr`, or `default` when there is none."""
    if not ptr:
        return value
    for token in ptr[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return default
    return value


# ---- judging one record ---------------------------------------------------------------

def _compact(value: object, limit: int = 80) -> str:
    text = json.dumps(_withheld(value), ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_TYPE_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean",
               type(None): "null", int: "integer", float: "number"}

# What a finding never shows of a value, because it could be biometric data (FRS-AUD-007:
# no template, embedding or image in a log, and so in no message about one): a string
# longer than a name or an id, an encoded blob (base64 or hex), a vector of numbers.
_MAX_SHOWN_CHARS = 64
_MAX_SHOWN_NUMBERS = 8
_BLOB = re.compile(r"(?=[^=]*[0-9+/=])[A-Za-z0-9+/]{16,}={0,2}")


def _withheld(value: object, depth: int = 0) -> object:
    """`value` with every part that could be biometric data replaced by what it is."""
    if isinstance(value, str):
        if len(value) > _MAX_SHOWN_CHARS or _BLOB.fullmatch(value):
            return f"<{len(value)} characters, not shown>"
        return value
    if isinstance(value, list) and len(value) > _MAX_SHOWN_NUMBERS and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return f"<{len(value)} numbers, not shown>"
    if isinstance(value, dict | list) and depth > 3:
        return "<…>"
    if isinstance(value, dict):
        return {k: _withheld(v, depth + 1) for k, v in islice(value.items(), 20)}
    if isinstance(value, list):
        return [_withheld(v, depth + 1) for v in value[:20]]
    return value


def _type_of(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def describe(value: object) -> str:
    """A value as a finding's `found` shows it: its JSON type and its JSON, shortened,
    with anything that could be biometric data withheld (`_withheld`)."""
    return f"{_type_of(value)} {_compact(value)}"


def _describe(error) -> tuple[str, str]:
    """(expected, found) for a jsonschema ValidationError."""
    keyword, want, value = error.validator, error.validator_value, error.instance
    found = describe(value)
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
    if keyword == "format":
        return f"a valid {want} (RFC 3339)" if want in ("date", "date-time") else \
            f"a valid {want}", found
    if keyword == "not":
        return f"a value that does not match {_compact(want)}", found
    # jsonschema's own message quotes the whole value: say only which keyword failed
    return f"a value that satisfies the schema's {keyword}", found


def _path_key(ptr: str) -> list:
    """A pointer's order: by its steps, array indices as numbers (as jsonschema's paths)."""
    return [(0, int(step), "") if step.isdigit() else (1, 0, step)
            for step in ptr.split("/")[1:]]


def check_record(schema: Schema, record: safeload.Record) -> list[Finding]:
    """The findings for one record against one schema (empty when it is valid).

    The compiled validator (jsonschema-rs) gives the verdict; only a record it rejects
    is validated again by `jsonschema`, for the details of every error.
    """
    data = record.data
    if schema.fast.is_valid(data):
        return []
    findings = []
    seen = set()
    errors = schema.slow.iter_errors(data)
    for error in errors:
        where = pointer(error.absolute_path)
        key = (where, tuple(error.absolute_schema_path))
        if key in seen:  # jsonschema reports each missing property of one `required`
            continue
        seen.add(key)
        expected, found = _describe(error)
        findings.append(Finding(record.source, record.line_of(where), record.index,
                                schema.name, where, str(error.validator), expected, found,
                                pointer(error.absolute_schema_path)))
        if len(findings) == MAX_PER_RECORD:  # the rest are counted, not kept
            break
    findings.sort(key=lambda f: _path_key(f.pointer))
    if len(findings) == MAX_PER_RECORD and (more := sum(1 for _ in errors)):
        findings.append(Finding(record.source, record.line, record.index, schema.name, "",
                                "max-findings", "", "", detail=f"{more} more findings not "
                                f"shown (at most {MAX_PER_RECORD} a record)"))
    if not findings:  # the two validators disagree: report what the compiled one saw
        for error in schema.fast.iter_errors(data):
            where = pointer(error.instance_path)
            findings.append(Finding(record.source, record.line_of(where), record.index,
                                    schema.name, where, str(error.schema_path[-1]) if
                                    error.schema_path else "", "a value the schema accepts",
                                    describe(error.instance), pointer(error.schema_path)))
    return findings


def parse_finding(error: safeload.LoadError, index: int = 1, kind: str = "") -> Finding:
    """The finding for what the loader refused (keyword `parse`)."""
    return Finding(error.source, error.line, index, kind, "", PARSE,
                   "a document the safe loader accepts", type(error).__name__,
                   detail=error.detail)


# ---- which schema ----------------------------------------------------------------------

def closest(schemas: SchemaSet, data: dict) -> Schema | None:
    """The schema a record that fits none comes nearest to: the most of its keys that the
    schema requires or defines, the fewest it does not know, then the fewest findings.
    None when the record has no key of any schema."""
    keys = frozenset(data)

    def nearness(schema: Schema) -> int:
        required, allowed = schema.signature
        known = frozenset(schema.contents.get("properties", {}))
        unknown = len(keys - known) if allowed is not None else 0
        return len(keys & required) + len(keys & known) - unknown

    shared = [s for s in schemas.by_name.values() if keys & set(s.contents.get("properties",
                                                                                 {}))]
    if not shared:
        return None
    best = max(map(nearness, shared))
    record = safeload.Record("", 1, None, data)
    return min((s for s in shared if nearness(s) == best),
               key=lambda s: (len(check_record(s, record)), s.name))


def choose(schemas: SchemaSet, record: safeload.Record) -> Schema | Finding:
    """The schema a record declares or its keys fit, else the closest; or a finding that
    says why no schema can judge it (not an object, an unknown `$schema`, no FRS key)."""
    data = record.data
    chosen = schemas.infer(data)
    if chosen is not None:
        return chosen

    def none_fits(where: str, expected: str, found: object) -> Finding:
        return Finding(record.source, record.line_of(where), record.index, "", where,
                       "$schema", expected, describe(found))

    if not isinstance(data, dict):
        return none_fits("", "an object (every FRS document is one)", data)
    if "$schema" in data:
        return none_fits("/$schema", "the $id or name of an FRS schema ("
                         + ", ".join(schemas.names()) + ")", data["$schema"])
    return closest(schemas, data) or none_fits(
        "", "a $schema, or the keys of an FRS schema (none of its keys is one)", sorted(data))


# ---- reading --------------------------------------------------------------------------

def scan(source: str | Path, kind: str | None = None, *, schemas: SchemaSet | None = None,
         input_format: str | None = None, limits: safeload.Limits = safeload.DEFAULT_LIMITS
         ) -> Iterator[tuple[safeload.Record | None, list[Finding]]]:
    """(record, findings) for every record of a file, streamed, going on after a finding.

    `kind` names the schema of every record; without it each record declares its own
    (`$schema`), or its keys choose one, or it is judged by the closest (`choose`).  A JSON
    Lines line the loader refuses gives (None, [its `parse` finding]) and the next line is
    read; a JSON or YAML document the loader refuses ends its file the same way.  A file
    that cannot be opened at all raises InputError.
    """
    schemas = schemas or default_set()
    fixed = schemas.get(kind) if kind else None
    index = 0
    try:
        for record in safeload.iter_records(source, input_format, limits, keep_going=True):
            index = record.index
            if record.error is not None:
                yield None, [parse_finding(record.error, index, kind or "")]
                continue
            schema = fixed or choose(schemas, record)
            if isinstance(schema, Finding):
                yield record, [schema]
            elif schema.fast.is_valid(record.data):
                yield record, _VALID
            else:
                yield record, check_record(schema, record)
    except safeload.LoadError as error:  # a JSON or YAML document: nothing after it to read
        yield None, [parse_finding(error, index + 1, kind or "")]


_VALID: tuple[Finding, ...] = ()  # the findings of every valid record


def read_records(source: str | Path, kind: str, **options) -> Iterator[Document]:
    """The valid records of a file, streamed; at its end, a DocumentError with every
    finding if any record was not valid (so a reader never uses a half-valid file)."""
    kept: list[Finding] = []
    total = 0
    for record, findings in scan(source, kind, **options):
        if findings:
            total += len(findings)
            kept.extend(findings[: MAX_REPORTED - len(kept)])
        elif not total:
            yield Document(kind, record)
    if total:
        raise DocumentError(kept, total)


def read(source: str | Path, kind: str, **options) -> Document:
    """The one document of a file, validated against `kind`."""
    found = list(read_records(source, kind, **options))
    if len(found) != 1:
        raise DocumentError([_not_one(source, kind, len(found))])
    return found[0]


def parse(source: str | Path, *, input_format: str | None = None,
          limits: safeload.Limits = safeload.DEFAULT_LIMITS) -> Document:
    """The one value of a file that has no FRS schema (a protection report), read by the
    safe loader only; its kind is ''."""
    try:
        records = list(islice(safeload.iter_records(source, input_format, limits), 2))
    except safeload.LoadError as error:
        raise DocumentError([parse_finding(error)]) from None
    if len(records) != 1:
        raise DocumentError([_not_one(source, "", len(records))])
    return Document("", records[0])


def _not_one(source: str | Path, kind: str, count: int) -> Finding:
    return Finding(str(source), None, count, kind, "", PARSE, "one document",
                   f"{count} documents", detail=f"expected one document, found {count}")


def findings_of(value: object, kind: str, source: str = "<data>", *,
                schemas: SchemaSet | None = None) -> list[Finding]:
    """The findings for an in-memory value, checked as JSON would carry it: a round trip
    turns float subclasses (numpy's float64) into floats, which the compiled validator
    insists on, and refuses what JSON cannot carry (NaN, infinities, objects)."""
    schemas = schemas or default_set()
    try:
        value = json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{source}: not a JSON value: {exc}") from None
    return check_record(schemas.get(kind), safeload.Record(source, 1, None, value))


def check(value: object, kind: str, source: str = "<data>", *,
          schemas: SchemaSet | None = None) -> Document:
    """An in-memory value (an audit event to write, a report made here) as a Document;
    DocumentError if it breaks its schema."""
    findings = findings_of(value, kind, source, schemas=schemas)
    if findings:
        raise DocumentError(findings)
    return Document(kind, safeload.Record(source, 1, None, value))
