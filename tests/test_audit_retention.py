"""The tamper-evident audit log (clause 11) and retention and deletion (clause 10),
with a scan of everything the reference code writes for biometric data."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from reference_impl import audit, retention
from reference_impl.audit import Anchor, AuditLog, AuditLogError, verify_log
from reference_impl.documents import DocumentError
from reference_impl.errors import InputError
from reference_impl.protect import cancelable, cost, encryption

ROOT = Path(__file__).resolve().parents[1]
SYSTEM = {"kind": "system", "ref": "gate-07"}


def consent(subject: str, days: int = 365, withdrawn: str | None = None) -> dict:
    record = json.loads((ROOT / "schemas/examples/consent-record/valid/adult.json").read_text())
    record.update(subject_ref=subject, consent_id=f"c-{subject}")
    record["retention"]["max_days_after_last_use"] = days
    if withdrawn:
        record["withdrawal"]["withdrawn_at"] = withdrawn
    return record


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def write_log(path: Path, n: int = 5) -> AuditLog:
    log = AuditLog(path)
    for i in range(n):
        log.append("verification", SYSTEM, time=f"2026-05-01T09:00:0{i}Z",
                   subject_ref=f"acct-{i}", decision="accept" if i % 2 else "reject")
    return log


def leaves(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from leaves(value)
    else:
        yield node


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


# ---- the audit log -----------------------------------------------------------------------

@pytest.mark.requirement("FRS-AUD-006")
def test_an_intact_log_verifies_and_reopening_continues_the_chain(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = write_log(path)
    result = verify_log(path, log.anchor)
    assert result.ok and result.records == 5 and result.anchor == log.anchor
    records = [json.loads(line) for line in lines(path)]
    assert records[0]["prev_hash"] == audit.GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(records, records[1:], strict=False))
    assert all(audit.record_hash(r) == r["hash"] for r in records)
    again = AuditLog(path)
    event = again.append("access", {"kind": "auditor", "ref": "aud-1"})
    assert event["sequence"] == 5 and event["prev_hash"] == records[-1]["hash"]
    assert verify_log(path).ok


@pytest.mark.requirement("FRS-AUD-006")
def test_an_altered_record_is_pinpointed(tmp_path):
    path = tmp_path / "audit.jsonl"
    write_log(path)
    text = lines(path)
    text[2] = text[2].replace('"decision": "reject"', '"decision": "accept"')
    path.write_text("".join(text))
    result = verify_log(path)
    assert not result.ok and result.line == 3
    assert "audit.jsonl:3: record 2 was altered" in result.problem


@pytest.mark.requirement("FRS-AUD-006")
def test_a_removed_record_is_pinpointed(tmp_path):
    path = tmp_path / "audit.jsonl"
    write_log(path)
    text = lines(path)
    del text[1]
    path.write_text("".join(text))
    result = verify_log(path)
    assert not result.ok and result.line == 2
    assert "removed: sequence jumps from 0 to 2" in result.problem


@pytest.mark.requirement("FRS-AUD-006")
def test_reordered_records_are_pinpointed(tmp_path):
    path = tmp_path / "audit.jsonl"
    write_log(path)
    text = lines(path)
    text[2], text[3] = text[3], text[2]
    path.write_text("".join(text))
    result = verify_log(path)
    assert not result.ok and result.line == 3
    assert "out of order: sequence 3 where 2 was expected (2 is at line 4)" in result.problem


@pytest.mark.requirement("FRS-AUD-006")
def test_a_replayed_record_is_pinpointed(tmp_path):
    path = tmp_path / "audit.jsonl"
    write_log(path)
    text = lines(path)
    path.write_text("".join(text) + text[1])
    result = verify_log(path)
    assert not result.ok and result.line == 6
    assert "replays line 2" in result.problem
    with pytest.raises(AuditLogError, match="refusing to append to a broken log"):
        AuditLog(path)


@pytest.mark.requirement("FRS-AUD-006")
def test_a_truncated_log_is_detected(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = write_log(path)
    anchor = log.anchor
    text = lines(path)
    path.write_text("".join(text[:3]))  # whole records cut from the end
    assert verify_log(path).ok, "without the anchor a clean cut is invisible"
    result = verify_log(path, anchor)
    assert not result.ok and "truncated: it ends at sequence 2, the anchor says 4" in result.problem
    path.write_text("".join(text[:4]) + text[4][:40])  # cut mid-write
    result = verify_log(path)
    assert not result.ok and result.line == 5 and "cut short" in result.problem
    path.write_text("".join(text))
    rewritten = verify_log(path, Anchor(4, "sha256:" + "e" * 64))
    assert not rewritten.ok and "differs from the anchor" in rewritten.problem


@pytest.mark.requirement("FRS-AUD-006")
def test_a_forged_chain_with_recomputed_hashes_fails_against_the_anchor(tmp_path):
    path = tmp_path / "audit.jsonl"
    anchor = write_log(path).anchor
    records = [json.loads(line) for line in lines(path)]
    records[1]["decision"] = "reject"
    previous = audit.GENESIS
    for record in records:  # an attacker who rewrites every later hash
        record["prev_hash"] = previous
        record["hash"] = previous = audit.record_hash(record)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert verify_log(path).ok
    assert not verify_log(path, anchor).ok


@pytest.mark.requirement("FRS-AUD-007")
@pytest.mark.parametrize("fields, pointer, keyword, found", [
    ({"score": 0.83}, "", "additionalProperties", 'unexpected "score"'),
    ({"template": "AAAAP4GRxz4="}, "", "additionalProperties", 'unexpected "template"'),
    ({"subject_ref": base64.b64encode(np.ones(4, np.float32).tobytes()).decode()},
     "/subject_ref", "pattern", 'string "AACAPwAAgD8AAIA/AACAPw=="'),
    ({"subject_ref": "x" * 65}, "/subject_ref", "pattern", 'string "' + "x" * 65 + '"'),
    ({"decision": 0.91}, "/decision", "enum", "number 0.91"),
    ({"actor": {"kind": "system", "ref": "gate", "image": "..."}}, "/actor",
     "additionalProperties", 'unexpected "image"'),
])
def test_an_audit_event_cannot_carry_biometric_data(tmp_path, fields, pointer, keyword,
                                                    found):
    log = AuditLog(tmp_path / "audit.jsonl")
    event = {"subject_ref": "acct-1", "decision": "accept", **fields}
    actor = event.pop("actor", SYSTEM)
    with pytest.raises(DocumentError) as caught:
        log.append("verification", actor, **event)
    assert [(f.pointer, f.keyword, f.found) for f in caught.value.findings] == [
        (pointer, keyword, found)]
    assert not (tmp_path / "audit.jsonl").exists() or not lines(tmp_path / "audit.jsonl")


@pytest.mark.requirement("FRS-AUD-007")
def test_valid_audit_events_pass_the_check():
    for path in sorted((ROOT / "schemas/examples/audit-event/valid").glob("*.json")):
        record = json.loads(path.read_text())
        assert audit.check_event(record) is record


# ---- retention and deletion --------------------------------------------------------------

@pytest.mark.requirement("FRS-RET-002")
def test_deletion_due_is_the_earliest_deadline():
    last = utc("2026-03-01T10:00:00")
    due = retention.deletion_due(consent("a", 365), last)
    assert due.due_by == utc("2027-03-01T10:00:00") and due.reason == "retention-expired"
    due = retention.deletion_due(consent("a", 1095), last, purpose_met_at=utc("2026-06-30"))
    assert due.due_by == utc("2026-06-30") and due.reason == "purpose-met"
    due = retention.deletion_due(consent("a", 1095), last)
    assert due.due_by == utc("2029-02-28T10:00:00")  # 1095 days, across no leap day
    with pytest.raises(InputError, match="exceeds 1095"):
        retention.deletion_due(consent("a", 1096), last)


@pytest.mark.requirement("FRS-RET-003", "FRS-RET-007")
def test_requests_and_withdrawals_are_due_within_15_working_days():
    # Friday 14 August 2026 + 15 working days = Friday 4 September 2026.
    plan = retention.plan_deletions(
        [consent("a"), consent("b", withdrawn="2026-08-14T17:05:00Z"), consent("c")],
        {s: utc("2026-08-01T00:00:00") for s in "abc"},
        requests={"a": utc("2026-08-14T09:00:00")})
    by_subject = {p.subject_ref: p for p in plan}
    assert by_subject["a"].due_by == utc("2026-09-04T09:00:00")
    assert by_subject["a"].reason == "subject-request"
    assert by_subject["b"].due_by == utc("2026-09-04T17:05:00")
    assert (by_subject["b"].reason, by_subject["b"].request_ref) == ("consent-withdrawn", "c-b")
    assert by_subject["c"].reason == "retention-expired"
    assert [p.subject_ref for p in plan] == ["a", "b", "c"]
    assert by_subject["a"].overdue(utc("2026-09-04T09:00:01"))
    with pytest.raises(InputError, match="no last interaction"):
        retention.plan_deletions([consent("d")], {})


@pytest.mark.requirement("FRS-RET-002")
def test_the_operator_policy_shortens_retention_and_due_by_selects_the_work():
    last = {"a": utc("2026-01-10T00:00:00"), "b": utc("2026-06-01T00:00:00")}
    plan = retention.plan_deletions([consent("a", 365), consent("b", 365)], last,
                                    policy_days=180)
    assert [p.due_by for p in plan] == [utc("2026-07-09T00:00:00"), utc("2026-11-28T00:00:00")]
    assert [p.subject_ref for p in retention.due_by(plan, utc("2026-08-01T00:00:00"))] == ["a"]
    assert retention.plan_deletions([consent("a", 30)], last, policy_days=180)[0].due_by == \
        utc("2026-02-09T00:00:00")


def stores(tmp_path: Path) -> list[retention.DirectoryStore]:
    made = []
    for kind in ("templates", "images", "caches", "backups"):
        folder = tmp_path / kind
        (folder / "2026").mkdir(parents=True)
        for subject in ("acct-a", "acct-b"):
            (folder / f"{subject}.bin").write_bytes(b"\x01\x02")
            (folder / "2026" / f"{subject}.old.bin").write_bytes(b"\x03")
        made.append(retention.DirectoryStore(kind, folder))
    return made


@pytest.mark.requirement("FRS-RET-004", "FRS-RET-003")
def test_deletion_reaches_every_copy_and_writes_an_audit_event(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    places = stores(tmp_path)
    planned = retention.PlannedDeletion("acct-a", utc("2026-09-04T09:00:00"), "subject-request",
                                        "req-acct-a")
    event = retention.execute_deletion(planned, places, log, time="2026-08-20T10:00:00Z")
    assert not any(s.holds("acct-a") for s in places)
    assert all(s.holds("acct-b") for s in places)
    assert event["type"] == "deletion" and event["subject_ref"] == "acct-a"
    assert event["deletion"] == {"reason": "subject-request", "request_ref": "req-acct-a",
                                 "locations": ["backups", "caches", "images", "templates"],
                                 "due_by": "2026-09-04T09:00:00Z"}
    assert verify_log(tmp_path / "audit.jsonl").ok


@pytest.mark.requirement("FRS-RET-003")
def test_a_deletion_that_misses_a_store_kind_or_leaves_a_copy_fails(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    places = stores(tmp_path)
    planned = retention.PlannedDeletion("acct-a", utc("2026-09-04"), "subject-request")
    with pytest.raises(retention.DeletionError, match="no store given for: backups"):
        retention.execute_deletion(planned, places[:3], log)

    class Stubborn(retention.DirectoryStore):
        def delete(self, subject_ref):
            return 0
    stubborn = Stubborn("backups", tmp_path / "backups")
    with pytest.raises(retention.DeletionError, match="remains in: backups"):
        retention.execute_deletion(planned, [*places[:3], stubborn], log)
    assert not (tmp_path / "audit.jsonl").exists(), "no deletion event for a failed deletion"


# ---- nothing biometric in anything the reference code writes ------------------------------

@pytest.mark.requirement("FRS-AUD-007", "FRS-AUD-006", "FRS-RET-004")
def test_nothing_the_reference_code_writes_contains_biometric_data(tmp_path):
    """Run enrolment, verification, renewal, rotation and deletion; scan every file."""
    x, labels = cost.synthetic_embeddings(6, 2, dimension=32, seed=5)
    ring = encryption.KeyRing()
    ring.add("k2026")
    log = AuditLog(tmp_path / "audit.jsonl")
    secrets: list[bytes] = []
    scores: list[float] = []
    for subject in range(6):
        ref = f"acct-{subject}"
        bits = cancelable.protect(x[2 * subject], b"T" * 32, f"{ref}-1")
        packed = np.packbits(bits)
        meta = {"template_id": f"{ref}-t1", "algorithm_id": "synthetic", "algorithm_version": "1",
                "dimension": bits.size, "dtype": "uint8-bits", "normalisation": "l2",
                "protected": True, "transform_id": f"{ref}-1"}
        envelope = encryption.encrypt_template(packed, meta, ring)
        folder = tmp_path / "templates"
        folder.mkdir(exist_ok=True)
        (folder / f"{ref}.json").write_text(json.dumps(envelope))
        log.append("enrolment", SYSTEM, subject_ref=ref, key_id="k2026",
                   algorithm_id="synthetic")
        probe = cancelable.protect(x[2 * subject + 1], b"T" * 32, f"{ref}-1")
        score = float(cancelable.bit_similarity(bits, probe)[0, 0])
        log.append("verification", SYSTEM, subject_ref=ref,
                   decision="accept" if score >= 0.6 else "reject")
        secrets += [x[2 * subject].tobytes(), bits.tobytes(), packed.tobytes()]
        scores.append(score)
    ring.add("k2027")
    for path in (tmp_path / "templates").glob("*.json"):
        path.write_text(json.dumps(encryption.rotate(json.loads(path.read_text()), ring)))
    log.append("key-rotation", {"kind": "operator", "ref": "sec-ops"}, key_id="k2027")
    planned = retention.PlannedDeletion("acct-0", utc("2026-09-04"), "consent-withdrawn", "c-0")
    for kind in ("caches", "backups"):
        (tmp_path / kind).mkdir()
    retention.execute_deletion(planned, [retention.DirectoryStore(k, tmp_path / k) for k in
                                         ("templates", "caches", "backups")], log)

    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent == tmp_path]
    assert [p.name for p in written] == ["audit.jsonl"]
    text = (tmp_path / "audit.jsonl").read_text()
    raw = text.encode()
    for secret in secrets:  # raw bytes, hex and base64 of every embedding and template
        assert secret not in raw
        assert secret.hex() not in text
        assert base64.b64encode(secret).decode()[:16] not in text
    for score in scores:
        assert repr(score) not in text and f"{score:.3f}" not in text
    for record in map(json.loads, text.splitlines()):
        audit.check_event(record)
        for value in leaves({k: v for k, v in record.items() if k != "schema_version"}):
            assert not isinstance(value, float), "no number that could be a score"
            assert not re.fullmatch(r"-?\d*\.\d+(e-?\d+)?", str(value)), value
        assert not {"score", "template", "embedding", "image"} & set(json.dumps(record).split('"'))
    assert verify_log(tmp_path / "audit.jsonl").ok
    # The stored templates themselves are encrypted: no plain template bytes on disk.
    for path in (tmp_path / "templates").glob("*.json"):
        stored = path.read_bytes()
        assert not any(s in stored or base64.b64encode(s) in stored for s in secrets)


@pytest.mark.requirement("FRS-AUD-006")
def test_verify_log_command(tmp_path, capsys):
    from reference_impl.cli import main

    path = tmp_path / "audit.jsonl"
    anchor = write_log(path).anchor
    assert main(["verify-log", str(path), "--anchor", f"{anchor.sequence}:{anchor.hash}"]) == 0
    assert f"5 records, chain intact; head 4:{anchor.hash}" in capsys.readouterr().out
    path.write_text("".join(lines(path)[:4]))
    assert main(["verify-log", str(path), "--anchor", f"{anchor.sequence}:{anchor.hash}"]) == 1
    assert "truncated" in capsys.readouterr().out
    assert main(["verify-log", str(path), "--anchor", "4:abc"]) == 2
    assert "expected SEQUENCE:sha256" in capsys.readouterr().err
    assert main(["verify-log", str(tmp_path / "none.jsonl")]) == 2
