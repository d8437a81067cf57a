"""Retention and deletion (FRS clause 10): from consent records, activity and requests
to a deletion plan with deadlines, and a deletion that reaches every copy and writes a
deletion audit event.

A person's face data is due for deletion at the earliest of:

- the day the purpose is met (FRS-RET-002);
- the retention period after their last interaction: the consent record's period,
  never more than 3 years (1095 days) (FRS-RET-002);
- 15 working days after they asked for deletion or withdrew consent (FRS-RET-003,
  FRS-RET-007).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from reference_impl.audit import AuditLog
from reference_impl.errors import InputError
from reference_impl.limits import (
    ALWAYS_PRESENT_STORES,
    MAX_DELETION_WORKING_DAYS,
    MAX_RETENTION_DAYS,
    STORE_KINDS,
)
from reference_impl.workdays import add_working_days


def parse_time(value: str, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise InputError(f"{where}: {value!r} is not an RFC 3339 date-time") from None
    if parsed.tzinfo is None:
        raise InputError(f"{where}: {value!r} has no time zone")
    return parsed


@dataclass(frozen=True)
class PlannedDeletion:
    subject_ref: str
    due_by: datetime
    reason: str          # an audit-event deletion reason
    request_ref: str = ""

    def overdue(self, at: datetime) -> bool:
        return at > self.due_by


def deletion_due(consent: dict, last_interaction: datetime,
                 purpose_met_at: datetime | None = None,
                 requested_at: datetime | None = None,
                 policy_days: int | None = None) -> PlannedDeletion:
    """When one person's face data must be gone, and why (the earliest deadline).

    The retention period is the shortest of the consent record's, the operator's policy
    (`policy_days`, e.g. the statement's /retention/max_days_after_last_use) and 3 years.
    """
    days = consent["retention"]["max_days_after_last_use"]
    if days > MAX_RETENTION_DAYS:
        raise InputError(f"consent {consent['consent_id']}: retention of {days} days exceeds "
                         f"{MAX_RETENTION_DAYS}")
    if policy_days is not None:
        days = min(days, policy_days)
    candidates = [(last_interaction + timedelta(days=days), "retention-expired", "")]
    if purpose_met_at is not None:
        candidates.append((purpose_met_at, "purpose-met", ""))
    withdrawn = consent.get("withdrawal", {}).get("withdrawn_at")
    if withdrawn:
        at = parse_time(withdrawn, f"consent {consent['consent_id']} /withdrawal/withdrawn_at")
        candidates.append((add_working_days(at, MAX_DELETION_WORKING_DAYS),
                           "consent-withdrawn", consent["consent_id"]))
    if requested_at is not None:
        candidates.append((add_working_days(requested_at, MAX_DELETION_WORKING_DAYS),
                           "subject-request", f"req-{consent['subject_ref']}"))
    due, reason, request = min(candidates, key=lambda c: c[0])
    return PlannedDeletion(consent["subject_ref"], due, reason, request)


def plan_deletions(consents: list[dict], last_interactions: dict[str, datetime],
                   purposes_met: dict[str, datetime] | None = None,
                   requests: dict[str, datetime] | None = None,
                   policy_days: int | None = None) -> list[PlannedDeletion]:
    """Every person's deletion deadline, soonest first."""
    purposes_met, requests = purposes_met or {}, requests or {}
    plan = []
    for consent in consents:
        subject = consent["subject_ref"]
        if subject not in last_interactions:
            raise InputError(f"consent {consent['consent_id']}: no last interaction for "
                             f"'{subject}' (use the consent time if there was none)")
        plan.append(deletion_due(consent, last_interactions[subject], purposes_met.get(subject),
                                 requests.get(subject), policy_days))
    return sorted(plan, key=lambda p: (p.due_by, p.subject_ref))


def due_by(plan: list[PlannedDeletion], at: datetime) -> list[PlannedDeletion]:
    """The deletions that must be done by `at` (their deadline is at or before it)."""
    return [p for p in plan if p.due_by <= at]


class Store(Protocol):
    """A place that may hold copies of a person's face data."""

    kind: str  # one of STORE_KINDS

    def holds(self, subject_ref: str) -> bool: ...

    def delete(self, subject_ref: str) -> int: ...


class DirectoryStore:
    """Files named `<subject_ref>.<anything>` in one folder (and its subfolders)."""

    def __init__(self, kind: str, folder: str | Path):
        if kind not in STORE_KINDS:
            raise InputError(f"unknown store kind '{kind}' (expected one of "
                             f"{', '.join(STORE_KINDS)})")
        self.kind, self.folder = kind, Path(folder)

    def _files(self, subject_ref: str) -> list[Path]:
        return [p for p in self.folder.rglob("*") if p.is_file()
                and p.name.split(".", 1)[0] == subject_ref]

    def holds(self, subject_ref: str) -> bool:
        return bool(self._files(subject_ref))

    def delete(self, subject_ref: str) -> int:
        files = self._files(subject_ref)
        for path in files:
            path.unlink()
        return len(files)


class DeletionError(InputError):
    """A deletion that did not reach every copy."""


def execute_deletion(planned: PlannedDeletion, stores: list[Store], log: AuditLog,
                     actor: str = "retention-planner", time: str | None = None) -> dict:
    """Delete the person's data from every store, check no copy remains, write the
    deletion audit event and return it."""
    kinds = {s.kind for s in stores}
    missing = [k for k in ALWAYS_PRESENT_STORES if k not in kinds]
    if missing:
        raise DeletionError(f"deletion of {planned.subject_ref} must reach every copy; no "
                            f"store given for: {', '.join(missing)}")
    reached = []
    for store in stores:
        if store.holds(planned.subject_ref):
            store.delete(planned.subject_ref)
            reached.append(store.kind)
    remaining = [s.kind for s in stores if s.holds(planned.subject_ref)]
    if remaining:
        raise DeletionError(f"a copy of {planned.subject_ref}'s data remains in: "
                            f"{', '.join(remaining)}")
    deletion = {"reason": planned.reason,
                "locations": sorted(set(reached)) or sorted(kinds),
                "due_by": planned.due_by.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    if planned.request_ref:
        deletion["request_ref"] = planned.request_ref
    return log.append("deletion", {"kind": "system", "ref": actor}, time=time,
                      subject_ref=planned.subject_ref, deletion=deletion)
