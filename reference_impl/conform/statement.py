"""Reading a conformance statement: through the front door (`reference_impl.documents`),
then checked for declarations that contradict each other, with the local evidence files
it cites read once.

A statement that cannot be read, breaks its schema or contradicts itself cannot be
judged: each of these raises `DocumentError` (an `InputError`, exit status 2) with a
finding for every problem, each with its JSON pointer and line.  The rules then judge
the statement as data: they never open a file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reference_impl import documents
from reference_impl.documents import Document, DocumentError, Finding
from reference_impl.safeload import format_of

SCHEMA_NAME = "conformance-statement"
REPORT_SCHEMAS = {"evaluation-report": "evaluation-report", "pad-report": "evaluation-report"}
JSON_REPORTS = (*REPORT_SCHEMAS, "protection-report")  # evidence the rules read the content of
_MISSING = object()


@dataclass(frozen=True)
class Evidence:
    """A local file a statement lists as evidence, read when the statement is read."""

    path: Path
    sha256: str | None                 # None: there is no such file
    report: Document | None = None     # its content, for the reports the rules read
    findings: tuple[Finding, ...] = ()  # why a report cannot be used (not valid, not JSON)


@dataclass(frozen=True)
class Statement:
    """A schema-valid, consistent statement, read by JSON pointer."""

    document: Document
    base: Path | None = None  # the folder relative evidence paths start from
    files: Mapping[str, Evidence] = field(default_factory=dict)  # by evidence id

    @property
    def data(self) -> dict:
        return self.document.data

    @property
    def source(self) -> str:
        return self.document.source

    @property
    def conformance_class(self) -> str:
        return self.data["class"]

    def get(self, ptr: str, default: Any = None) -> Any:
        return self.document.get(ptr, default)

    def has(self, ptr: str) -> bool:
        return self.get(ptr, _MISSING) is not _MISSING

    def evidence(self, evidence_id: str | None) -> dict | None:
        """The evidence entry a field cites, or None when it cites nothing listed."""
        return next((e for e in self.data.get("evidence", []) if e["id"] == evidence_id), None)

    def local(self, entry: dict) -> Evidence | None:
        """The local file of an evidence entry, as read; None for a URL (not fetched)."""
        return self.files.get(entry["id"])


def _local_path(entry: dict, base: Path | None) -> Path | None:
    url = entry["url"]
    if "://" in url:
        return None
    path = Path(url)
    return path if path.is_absolute() or base is None else base / path


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def read_evidence(entry: dict, base: Path | None) -> Evidence | None:
    """Hash a local evidence file and, for a report the rules read, read it through the
    front door (an evaluation or PAD report against its schema)."""
    path = _local_path(entry, base)
    if path is None:
        return None
    digest = _sha256(path)
    if digest is None or entry["type"] not in JSON_REPORTS:
        return Evidence(path, digest)
    try:
        if entry["type"] in REPORT_SCHEMAS:
            report = documents.read(path, REPORT_SCHEMAS[entry["type"]], input_format="json")
        else:  # a protection report (`frs protection-cost --format json`) has no schema
            report = documents.parse(path, input_format="json")
    except DocumentError as error:
        return Evidence(path, digest, findings=error.findings)
    return Evidence(path, digest, report)


def read_statement(path: str | Path) -> Statement:
    """The statement of a JSON or YAML file (YAML unless its suffix says JSON), with its
    evidence read; DocumentError if it cannot be judged."""
    path = Path(path)
    document = documents.read(path, SCHEMA_NAME, input_format=format_of(path, "yaml"))
    return judgeable(document, path.parent)


def check_statement(data: Any, source: str = "<statement>", base: Path | None = None
                    ) -> Statement:
    """A `Statement` from in-memory data that matches the schema and is consistent."""
    return judgeable(documents.check(data, SCHEMA_NAME, source), base)


def judgeable(document: Document, base: Path | None) -> Statement:
    """The statement, when its declarations do not contradict each other."""
    files = {e["id"]: found for e in document.data.get("evidence", [])
             if (found := read_evidence(e, base)) is not None}
    statement = Statement(document, base, files)
    found = [document.finding(field, "contradiction",
                              f"a declaration consistent with {other}",
                              documents.describe(statement.get(field)), detail=sentence)
             for field, other, sentence in contradictions(statement)]
    if found:
        raise DocumentError(found)
    return statement


def contradictions(s: Statement) -> list[tuple[str, str, str]]:
    """Declarations that cannot all be true at once: (field, the field it contradicts,
    a sentence naming both)."""
    found = []
    cls = s.conformance_class
    if cls == "P" and not s.get("/deployment/public_space"):
        found.append(("/deployment/public_space", "/class",
                      "/class is P (identification in public spaces) but "
                      "/deployment/public_space is false"))
    if cls == "I" and s.get("/deployment/public_space"):
        found.append(("/deployment/public_space", "/class",
                      "/class is I (consensual identification) but /deployment/public_space "
                      "is true: identification in a public space is Class P"))
    remote = [f for f in ("templates", "comparison") if s.get(f"/storage/{f}") != "device"]
    if remote and s.get("/storage/transmitted") is False:
        found.append(("/storage/transmitted", f"/storage/{remote[0]}",
                      f"/storage/transmitted is false but /storage/{remote[0]} is "
                      f"'{s.get(f'/storage/{remote[0]}')}' (face data must travel to get "
                      "there)"))
    if s.get("/storage/transmitted") is False and s.get("/storage/transfer_basis") != "none":
        found.append(("/storage/transfer_basis", "/storage/transmitted",
                      "/storage/transmitted is false but /storage/transfer_basis is "
                      f"'{s.get('/storage/transfer_basis')}' (a basis for a transfer that "
                      "does not happen)"))
    if s.get("/raw_images/retained_after_comparison") is False \
            and s.get("/retention/probe_images") == "kept":
        found.append(("/retention/probe_images", "/raw_images/retained_after_comparison",
                      "/raw_images/retained_after_comparison is false but "
                      "/retention/probe_images is 'kept'"))
    return found
