"""A tamper-evident audit log (FRS clause 11): append-only JSON Lines of audit events,
each chained to the one before by a SHA-256 hash.

Every record is an `audit-event` (schema): it has no field that can hold a score, a
template or an image, and `check_event` refuses any record the schema does not accept,
so the log cannot carry biometric data (FRS-AUD-007).  `verify_log` reads a log back
and names the first record that was altered, removed, reordered, replayed or cut
short; given the anchor (the last sequence and hash, kept apart from the log) it also
detects records removed from the end.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reference_impl import documents
from reference_impl.confined import open_regular
from reference_impl.errors import InputError
from reference_impl.limits import SCHEMA_VERSION
from reference_impl.safe_text import printable

SCHEMA = "audit-event"
GENESIS = "sha256:" + "0" * 64


class AuditLogError(InputError):
    """A record that cannot be written to the audit log."""


def record_hash(record: dict) -> str:
    """SHA-256 of the record's canonical JSON without its own `hash` field."""
    body = {k: v for k, v in record.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def check_event(record: dict) -> dict:
    """The record, if it is a valid audit event; else a DocumentError with every finding.

    The audit-event schema admits no score, template, embedding or image, no free text,
    and only short identifiers, so a record that passes carries no biometric data.
    """
    documents.check(record, SCHEMA, "audit event")
    return record


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Anchor:
    """The head of a log: kept apart from it (printed, signed, sent to an auditor)."""

    sequence: int
    hash: str


class AuditLog:
    """Append-only writer of one hash-chained audit log file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._sequence, self._hash = -1, GENESIS
        if self.path.exists():
            result = verify_log(self.path)
            if not result.ok:
                raise AuditLogError(f"{self.path}: refusing to append to a broken log: "
                                    f"{result.problem}")
            if result.anchor:
                self._sequence, self._hash = result.anchor.sequence, result.anchor.hash

    def append(self, type: str, actor: dict, time: str | None = None, **fields) -> dict:
        sequence = self._sequence + 1
        record = {"schema_version": SCHEMA_VERSION, "sequence": sequence,
                  "event_id": fields.pop("event_id", f"ev-{sequence:06d}"),
                  "time": time or now(), "type": type, "actor": actor, **fields,
                  "prev_hash": self._hash}
        record["hash"] = record_hash(record)
        check_event(record)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
        self._sequence, self._hash = sequence, record["hash"]
        return record

    @property
    def anchor(self) -> Anchor | None:
        return Anchor(self._sequence, self._hash) if self._sequence >= 0 else None


@dataclass(frozen=True)
class Verification:
    ok: bool
    records: int
    problem: str = ""
    line: int = 0             # 1-based line of the first bad record; 0 when ok
    anchor: Anchor | None = None
    findings: tuple[documents.Finding, ...] = ()  # when that record is not an audit event


def _ends_in_newline(path: Path) -> bool:
    try:
        with open_regular(path) as stream:  # a FIFO would block here
            if stream.seek(0, os.SEEK_END) == 0:
                return True
            stream.seek(-1, os.SEEK_END)
            return stream.read(1) == b"\n"
    except OSError as exc:
        raise InputError(f"{path}: cannot read the audit log ({exc.strerror})") from None


def _records(path: Path) -> Iterator[tuple[int, int, dict | None, list]]:
    """(index, line, record or None, findings) of each record of the log, streamed."""
    for index, (record, findings) in enumerate(documents.scan(path, SCHEMA,
                                                              input_format="jsonl")):
        yield (index, record.line if record else findings[0].line,
               record.data if record and not findings else None, findings)


def _first_line(path: Path, match, after: int = -1) -> int | None:
    """The line of the first valid record past index `after` for which `match` holds: a
    second pass, made only to name a fault, so the first needs no record in memory."""
    return next((line for index, line, record, _ in _records(path)
                 if index > after and record is not None and match(record)), None)


def verify_log(path: str | Path, anchor: Anchor | None = None) -> Verification:
    """Check the chain record by record; report the first fault with its line.

    The log is read through the front door (`documents.scan`), so a record that
    `frs validate` refuses is refused here with the same findings.  It is streamed:
    what is kept of each record is a hash of its `hash` and `event_id` (to see a replay),
    and a log of any length is verified in bounded memory.
    """
    path = Path(path)
    ends_in_newline = _ends_in_newline(path)
    seen: set[int] = set()
    previous = GENESIS
    head: Anchor | None = None
    at_anchor: tuple[int, str] | None = None  # (line, hash) of the anchor's record
    index, line, records = -1, 0, _records(path)
    following = next(records, None)

    def bad(message: str, findings=()) -> Verification:
        return Verification(False, index, f"{path}:{line}: {message}", line, head,
                            tuple(findings))

    while following is not None:
        index, line, record, findings = following
        following = next(records, None)
        if findings and findings[0].keyword == documents.PARSE:
            cut = following is None and not ends_in_newline
            return bad("record is cut short (the log was truncated mid-write)" if cut
                       else "record cannot be read as JSON", findings)
        if findings:
            return bad("record is not a valid audit event", findings)
        if record_hash(record) != record["hash"]:
            return bad(f"record {record['sequence']} was altered: its hash does not "
                       "match its content")
        digest, event = record["hash"], record["event_id"]
        if {hash(digest), hash("id:" + event)} & seen:
            earlier = _first_line(path, lambda r, d=digest, e=event: r["hash"] == d
                                  or r["event_id"] == e)
            if earlier is not None and earlier < line:
                return bad(f"record replays line {earlier} (event '{event}' appears twice)")
        if record["sequence"] != index:
            later = _first_line(path, lambda r, i=index: r["sequence"] == i, after=index)
            if later:
                return bad(f"records are out of order: sequence {record['sequence']} "
                           f"where {index} was expected ({index} is at line {later})")
            return bad(f"record(s) removed: sequence jumps from {index - 1} to "
                       f"{record['sequence']}")
        if record["prev_hash"] != previous:
            return bad(f"chain broken: prev_hash of record {record['sequence']} is not "
                       "the hash of the record before it (a record was removed, inserted or "
                       "replaced)")
        seen |= {hash(digest), hash("id:" + event)}
        previous = digest
        head = Anchor(record["sequence"], digest)
        if anchor is not None and record["sequence"] == anchor.sequence:
            at_anchor = (line, digest)
    count = index + 1
    if count and not ends_in_newline:
        return bad("the last record has no line end (the log was truncated mid-write)")
    if anchor is not None:
        if head is None or head.sequence < anchor.sequence:
            ends = "is empty" if head is None else f"ends at sequence {head.sequence}"
            return Verification(False, count, f"{path}: log was truncated: it {ends}, "
                                f"the anchor says {anchor.sequence}", count + 1, head)
        if at_anchor is not None and at_anchor[1] != anchor.hash:
            return Verification(False, count, f"{path}:{at_anchor[0]}: record "
                                f"{anchor.sequence} differs from the anchor (the log was "
                                "rewritten)", at_anchor[0], head)
    return Verification(True, count, anchor=head)


# ---- `frs verify-log LOG [--anchor SEQUENCE:HASH]` ---------------------------------------

def configure(name: str, parser) -> None:
    from reference_impl.cli_options import add_format

    parser.add_argument("log", help="the audit log (JSON Lines of audit events)")
    parser.add_argument("--anchor", help="the head recorded apart from the log, as "
                        "SEQUENCE:sha256:HEX, to detect records removed from the end")
    add_format(parser)
    parser.set_defaults(run=run_verify)


def parse_anchor(text: str) -> Anchor:
    sequence, _, digest = text.partition(":")
    if not sequence.isdigit() or not digest.startswith("sha256:") or len(digest) != 71:
        raise InputError(f"--anchor {text!r}: expected SEQUENCE:sha256:<64 hex digits>")
    return Anchor(int(sequence), digest)


def run_verify(args) -> int:
    anchor = parse_anchor(args.anchor) if args.anchor else None
    result = verify_log(args.log, anchor)
    if args.format == "json":
        head = result.anchor
        print(json.dumps({"log": str(args.log), "ok": result.ok, "records": result.records,
                          "problem": result.problem or None, "line": result.line or None,
                          "head": f"{head.sequence}:{head.hash}" if head else None,
                          "findings": [f.as_dict() for f in result.findings]},
                         indent=2))
    elif not result.ok:
        print("\n  ".join([printable(result.problem), *map(str, result.findings)]))
    else:
        head = f"; head {result.anchor.sequence}:{result.anchor.hash}" if result.anchor else ""
        print(f"{printable(args.log)}: {result.records} records, chain intact{head}")
    return 0 if result.ok else 1
