"""Reading a conformance statement: through the front door (`reference_impl.documents`),
then checked for declarations that contradict each other, with the local evidence files
it cites read once.

A statement that cannot be read, breaks its schema or contradicts itself cannot be
judged: each of these raises `DocumentError` (an `InputError`, exit status 2) with a
finding for every problem, each with its JSON pointer and line.  The rules then judge
the statement as data: they never open a file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reference_impl import confined, documents
from reference_impl.documents import Document, DocumentError, Finding
from reference_impl.errors import InputError
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
    refused: str = ""                  # why the file was not read at all (confined)


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


def read_evidence(entry: dict, base: Path | None, root: Path | None = None
                  ) -> Evidence | None:
    """Hash a local evidence file and, for a report the rules read, read it through the
    front door (an evaluation or PAD report against its schema).

    The file is confined (`reference_impl.confined`): inside `root` (default: the
    statement's folder `base`), regular and size-capped; a path that is not is `refused`
    and never read.  None for a URL (not fetched).
    """
    url = entry["url"]
    if "://" in url:
        return None
    try:
        path = confined.locate(url, base or Path.cwd(), root)
        digest = confined.sha256(path, url)
    except confined.Refused as refusal:
        return Evidence(Path(url), None, refused=refusal.reason)
    except InputError:  # no such file (or unreadable): the rules say it is missing
        return Evidence(Path(url), None)
    if entry["type"] not in JSON_REPORTS:
        return Evidence(path, digest)
    try:
        if entry["type"] in REPORT_SCHEMAS:
            report = documents.read(path, REPORT_SCHEMAS[entry["type"]], input_format="json")
        else:  # a protection report (`frs protection-cost --format json`) has no schema
            report = documents.parse(path, input_format="json")
    except DocumentError as error:
        return Evidence(path, digest, findings=error.findings)
    return Evidence(path, digest, report)


def read_statement(path: str | Path, evidence_root: str | Path | None = None) -> Statement:
    """The statement of a JSON or YAML file (YAML unless its suffix says JSON), with its
    evidence read inside `evidence_root` (default: the statement's folder); DocumentError
    if it cannot be judged."""
    path = Path(path)
    document = documents.read(path, SCHEMA_NAME, input_format=format_of(path, "yaml"))
    return judgeable(document, path.parent, Path(evidence_root) if evidence_root else None)


def check_statement(data: Any, source: str = "<statement>", base: Path | None = None,
                    root: Path | None = None) -> Statement:
    """A `Statement` from in-memory data that matches the schema and is consistent.

    In-memory data comes from a program, not from a file with a folder: its evidence is
    confined to `root` when the program names one (default: `base`, else the whole file
    system), and is still only read when it is a regular file within the cap."""
    root = root or base or Path(os.sep)
    return judgeable(documents.check(data, SCHEMA_NAME, source), base, root)


def judgeable(document: Document, base: Path | None, root: Path | None = None) -> Statement:
    """The statement, when it cites no file it may not read and its declarations do not
    contradict each other."""
    files = {e["id"]: found for e in document.data.get("evidence", [])
             if (found := read_evidence(e, base, root)) is not None}
    statement = Statement(document, base, files)
    found = [document.finding(f"/evidence/{i}/url", "confined-read",
                              "a regular file inside the statement's folder (or the "
                              "named evidence root), within the size cap",
                              documents.describe(e["url"]),
                              detail=f"evidence '{e['id']}' is not read: {e['url']}: "
                              f"{files[e['id']].refused}")
             for i, e in enumerate(document.data.get("evidence", []))
             if e["id"] in files and files[e["id"]].refused]
    found += late_dates(document)
    found += [document.finding(field, "contradiction",
                               f"a declaration consistent with {other}",
                               documents.describe(statement.get(field)), detail=sentence)
              for field, other, sentence in contradictions(statement)]
    if found:
        raise DocumentError(found)
    return statement


# The latest date a statement may give: the rules count deadlines of up to a few years
# from its dates, and the calendar (Python's, and the Gregorian one in RFC 3339) stops
# at 9999-12-31, so a later date would leave a deadline nowhere to fall.
LATEST_DATE = date(9899, 12, 31)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def late_dates(document: Document) -> list[Finding]:
    """A finding for every date (or date-time) in the statement after `LATEST_DATE`."""
    found, stack = [], [("", document.data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict | list):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack += [(where + documents.pointer([key]), item) for key, item in items]
        elif isinstance(value, str) and _DATE.match(value) and value[:10] > str(LATEST_DATE):
            found.append(document.finding(where, "date-range", f"a date no later than "
                                          f"{LATEST_DATE}", documents.describe(value)))
    return sorted(found, key=lambda f: f.pointer)


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
