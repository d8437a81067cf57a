"""Validate FRS records against the published schemas: `frs validate` and its Python API.

    >>> from reference_impl.validate import validate
    >>> findings = validate(["scores.jsonl"], schema="comparison-result")

Records are read and judged by the front door (`reference_impl.documents`), and the run
keeps going: a record that breaks its schema, fits no schema (it is judged by the closest
one) or cannot be parsed (keyword `parse`) is a finding, and the next record and the next
file are still checked.  Only a file that cannot be opened, an unknown schema or format
raises InputError (the CLI prints it and exits 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reference_impl import documents, safeload
from reference_impl.documents import Finding
from reference_impl.schemas import BASE_URI, SchemaSet, default_set

__all__ = ["Finding", "Summary", "SchemaSet", "validate", "validate_data", "iter_findings",
           "is_frs_document"]

MARKER_BYTES = 64 * 1024  # how much of an unreadable file is searched for an FRS marker


@dataclass
class Summary:
    files: int = 0
    records: int = 0
    invalid: int = 0
    findings: int = 0
    skipped: int = 0          # records (or unreadable files) that are not FRS documents


def is_frs_document(data: object) -> bool:
    """A record that says it is an FRS document: a `schema_version` (every FRS schema
    requires one) or a `$schema` naming an FRS schema."""
    if not isinstance(data, dict):
        return False
    declared = data.get("$schema")
    return "schema_version" in data or (isinstance(declared, str)
                                        and declared.startswith(BASE_URI))


def _marked(file: str | Path) -> bool:
    """Whether a file the loader refused looks like an FRS document: its beginning names
    `schema_version` or an FRS schema.  Standard input is taken to be one."""
    if str(file) == "-":
        return True
    try:
        with open(file, "rb") as stream:
            head = stream.read(MARKER_BYTES)
    except OSError:
        return True
    return b"schema_version" in head or BASE_URI.encode() in head


def iter_findings(files: Iterable[str | Path], schema: str | None = None, *,
                  schemas: SchemaSet | None = None, input_format: str | None = None,
                  limits: safeload.Limits = safeload.DEFAULT_LIMITS,
                  summary: Summary | None = None, frs_only: bool = False
                  ) -> Iterator[Finding]:
    """Findings for every record of every file, streamed: one record in memory at a time.

    `schema` names the schema for every record; without it, each record declares its
    own (`$schema`), or its keys choose one, or it is judged by the closest.  With
    `frs_only`, records that are not FRS documents (`is_frs_document`) are skipped, and so
    are files that cannot be parsed unless their text names an FRS marker: a repository's
    own package.json or CI workflow is not checked.
    """
    schemas = schemas or default_set()
    summary = summary if summary is not None else Summary()
    for file in files:
        summary.files += 1
        marked = None  # whether an unparseable part of this file is an FRS document
        for record, found in documents.scan(file, schema, schemas=schemas,
                                            input_format=input_format, limits=limits):
            if frs_only and record is None and marked is None:
                marked = _marked(file)
            if frs_only and not (is_frs_document(record.data) if record else marked):
                summary.skipped += 1
                continue
            summary.records += 1
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
    """Findings for one in-memory JSON value (see `documents.findings_of`)."""
    return documents.findings_of(data, schema, source, schemas=schemas)
