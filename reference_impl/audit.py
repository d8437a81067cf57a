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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reference_impl.conform.statement import schema_errors
from reference_impl.errors import InputError

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
    """The record, if it is a valid audit event; else AuditLogError listing every fault.

    The audit-event schema admits no score, template, embedding or image, no free text,
    and only short identifiers, so a record that passes carries no biometric data.
    """
    errors = schema_errors(record, SCHEMA)
    if errors:
        raise AuditLogError("not a valid audit event (an audit record carries no biometric "
                            "data and no free text):\n  " + "\n  ".join(errors))
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
        record = {"schema_version": "0.1", "sequence": sequence,
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


def verify_log(path: str | Path, anchor: Anchor | None = None) -> Verification:
    """Check the chain record by record; report the first fault with its line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the audit log ({exc.strerror})") from None
    lines = raw.decode("utf-8", errors="replace").split("\n")
    cut_short = lines[-1] != ""
    lines = lines[:-1] if not cut_short else lines
    records: list[dict | None] = []
    for text in lines:
        try:
            value = json.loads(text)
            records.append(value if isinstance(value, dict) else None)
        except json.JSONDecodeError:
            records.append(None)
    seen: dict[str, int] = {}
    previous = GENESIS
    head: Anchor | None = None

    def bad(number: int, message: str) -> Verification:
        return Verification(False, number - 1, f"{path}:{number}: {message}", number, head)

    for index, record in enumerate(records):
        number = index + 1
        if record is None:
            last = index == len(records) - 1
            return bad(number, "record is cut short (the log was truncated mid-write)"
                       if last and cut_short else "record is not a JSON object")
        errors = schema_errors(record, SCHEMA)
        if errors:
            return bad(number, "record is not a valid audit event: " + "; ".join(errors))
        if record_hash(record) != record["hash"]:
            return bad(number, f"record {record['sequence']} was altered: its hash does not "
                       "match its content")
        for key in (record["hash"], "id:" + record["event_id"]):
            if key in seen:
                return bad(number, f"record replays line {seen[key]} (event "
                           f"'{record['event_id']}' appears twice)")
        expected = index
        if record["sequence"] != expected:
            later = next((i + 1 for i, r in enumerate(records[index + 1:], start=index + 1)
                          if r and r.get("sequence") == expected), None)
            if later:
                return bad(number, f"records are out of order: sequence {record['sequence']} "
                           f"where {expected} was expected ({expected} is at line {later})")
            return bad(number, f"record(s) removed: sequence jumps from {expected - 1} to "
                       f"{record['sequence']}")
        if record["prev_hash"] != previous:
            return bad(number, f"chain broken: prev_hash of record {record['sequence']} is not "
                       "the hash of the record before it (a record was removed, inserted or "
                       "replaced)")
        seen[record["hash"]] = seen["id:" + record["event_id"]] = number
        previous = record["hash"]
        head = Anchor(record["sequence"], record["hash"])
    if cut_short and records and records[-1] is not None:
        return bad(len(records), "the last record has no line end (the log was truncated "
                   "mid-write)")
    if anchor is not None:
        if head is None or head.sequence < anchor.sequence:
            ends = "is empty" if head is None else f"ends at sequence {head.sequence}"
            return Verification(False, len(records), f"{path}: log was truncated: it {ends}, "
                                f"the anchor says {anchor.sequence}", len(records) + 1, head)
        if records[anchor.sequence]["hash"] != anchor.hash:
            return Verification(False, len(records), f"{path}:{anchor.sequence + 1}: record "
                                f"{anchor.sequence} differs from the anchor (the log was "
                                "rewritten)", anchor.sequence + 1, head)
    return Verification(True, len(records), anchor=head)


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
                          "head": f"{head.sequence}:{head.hash}" if head else None},
                         indent=2))
    elif not result.ok:
        print(result.problem)
    else:
        head = f"; head {result.anchor.sequence}:{result.anchor.hash}" if result.anchor else ""
        print(f"{args.log}: {result.records} records, chain intact{head}")
    return 0 if result.ok else 1
