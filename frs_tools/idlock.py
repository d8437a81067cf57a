"""ids.lock: every requirement ID ever issued, its status and the hash of its text.

The lock is append-only.  An ID is issued once (`frs new-id`), recorded when its
clause first appears (`frs lock`), and leaves the spec only by being retired
(`frs retire`), after which it is never used again.  The hashes let the checker
and `frs diff` see every change to normative text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from frs_tools.clauses import ID_PATTERN, Clause, Problem
from reference_impl import safeload
from reference_impl.errors import InputError

FORMAT = 1
# A version of the standard as pyproject.toml writes one (PEP 440: 0.2, 1.0rc1, 0.3.dev0):
# what `retired_in` holds, and all the site and the changelog quote of it.
VERSION = re.compile(r"[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.dev[0-9]+)?", re.ASCII)


class LockError(InputError):
    """ids.lock cannot be read; the message starts with file:line."""


@dataclass
class Entry:
    status: str  # "active" or "retired"
    hash: str
    retired_in: str = ""
    replaced_by: str = ""

    def as_json(self) -> dict[str, str]:
        data = {"status": self.status, "hash": self.hash}
        if self.status == "retired":
            data["retired_in"] = self.retired_in
            if self.replaced_by:
                data["replaced_by"] = self.replaced_by
        return data


@dataclass
class Lock:
    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, clause_id: str) -> int:
        return self.lines.get(clause_id, 1)

    def retired(self) -> dict[str, Entry]:
        return {i: e for i, e in self.entries.items() if e.status == "retired"}


def load(path: Path) -> Lock:
    """Read ids.lock; a missing file is an empty lock."""
    if not path.exists():
        return Lock(path)
    return loads(path.read_text(encoding="utf-8"), path)


def loads(text: str, path: Path) -> Lock:
    """Read the text of an ids.lock; `path` is where it lives (or lived, in git)."""
    try:  # the front door's rules: no duplicate key, NaN or nesting without bound
        data = safeload.loads(text, path.name)
    except safeload.LoadError as exc:
        raise LockError(f"{path.name}:{exc.line or 1}: not valid JSON: {exc.detail}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or not isinstance(data.get("ids"), dict):
        raise LockError(f"{path.name}:1: expected {{\"format\": {FORMAT}, \"ids\": {{...}}}}")
    lines = {m.group(1): number for number, line in enumerate(text.splitlines(), 1)
             for m in re.finditer(r'"(FRS-[A-Z]{2,4}-\d{3})"\s*:', line)}
    lock = Lock(path, lines=lines)
    for clause_id, raw in data["ids"].items():
        line = lines.get(clause_id, 1)
        if not ID_PATTERN.fullmatch(clause_id):
            raise LockError(f"{path.name}:{line}: malformed ID '{clause_id}'")
        if not isinstance(raw, dict) or raw.get("status") not in ("active", "retired") \
                or not isinstance(raw.get("hash"), str):
            raise LockError(f"{path.name}:{line}: {clause_id}: expected "
                            "{\"status\": \"active\"|\"retired\", \"hash\": \"sha256:...\"}")
        lock.entries[clause_id] = Entry(raw["status"], raw["hash"], raw.get("retired_in", ""),
                                        raw.get("replaced_by", ""))
    return lock


def dumps(lock: Lock) -> str:
    """One ID a line, sorted: diffs of the lock read as lists of IDs."""
    rows = [f'    {json.dumps(i)}: {json.dumps(lock.entries[i].as_json(), sort_keys=True)}'
            for i in sorted(lock.entries)]
    body = ",\n".join(rows)
    return f'{{\n  "format": {FORMAT},\n  "ids": {{\n{body}\n  }}\n}}\n'


def save(lock: Lock) -> None:
    lock.path.write_text(dumps(lock), encoding="utf-8")


def problems(lock: Lock, clauses: list[Clause], unparsed: set[str] = frozenset()
             ) -> list[Problem]:
    """Every way the spec and the lock disagree.  `unparsed` are the IDs whose blocks are
    in the spec but do not parse: still there, so neither deleted nor unissued."""
    found = []
    name = lock.path.name
    in_spec = {c.id for c in clauses} | unparsed
    for clause in clauses:
        entry = lock.entries.get(clause.id)
        if entry is None:
            found.append(Problem(clause.file, clause.line, "ID is not in ids.lock "
                                 "(record it with `frs lock`)", "not-locked", clause.id))
        elif entry.status == "retired":
            found.append(Problem(clause.file, clause.line, f"reuses an ID retired in "
                                 f"{entry.retired_in}; IDs are never reused (take a new one "
                                 "with `frs new-id`)", "retired-reused", clause.id))
        elif entry.hash != clause.normative_hash:
            found.append(Problem(clause.file, clause.line, "normative text or level changed "
                                 "since ids.lock was written (review it, then record it with "
                                 "`frs lock`)", "stale-hash", clause.id))
    for clause_id, entry in sorted(lock.entries.items()):
        line = lock.line_of(clause_id)
        if entry.status == "active" and clause_id not in in_spec:
            found.append(Problem(name, line, "clause deleted without retiring its ID (restore "
                                 "it, or `frs retire` it)", "deleted-unretired", clause_id))
        if entry.status == "retired" and not VERSION.fullmatch(entry.retired_in):
            found.append(Problem(name, line, f"retired_in '{entry.retired_in}' is not a "
                                 "version (expected one such as 0.2 or 1.0rc1)",
                                 "bad-retirement", clause_id))
        if entry.replaced_by and not ID_PATTERN.fullmatch(entry.replaced_by):
            found.append(Problem(name, line, f"replaced_by '{entry.replaced_by}' is not a "
                                 "requirement ID (expected FRS-<AREA>-<NNN>)", "bad-replacement",
                                 clause_id))
        elif entry.replaced_by and entry.replaced_by not in lock.entries \
                and entry.replaced_by not in in_spec:
            found.append(Problem(name, line, f"replaced_by names {entry.replaced_by}, which "
                                 "was never issued", "bad-replacement", clause_id))
    return found


def record(lock: Lock, clauses: list[Clause]) -> list[str]:
    """Add new clauses and refresh changed hashes; return what changed, as messages."""
    changes = []
    for clause in sorted(clauses, key=lambda c: c.id):
        entry = lock.entries.get(clause.id)
        if entry is None:
            lock.entries[clause.id] = Entry("active", clause.normative_hash)
            changes.append(f"{clause.id}: recorded")
        elif entry.status == "active" and entry.hash != clause.normative_hash:
            entry.hash = clause.normative_hash
            changes.append(f"{clause.id}: hash updated")
    return changes


def retire(lock: Lock, clause_id: str, retired_in: str, replaced_by: str = "",
           in_spec: dict[str, str] | None = None) -> None:
    """Mark an ID retired.  `in_spec` maps the IDs the spec still has to where: an ID in
    it cannot be retired, and a replacement must be in it or in the lock."""
    in_spec = in_spec or {}
    if clause_id in in_spec:
        raise LockError(f"{in_spec[clause_id]}: {clause_id} is still in the spec (delete its "
                        "clause first, then retire the ID)")
    entry = lock.entries.get(clause_id)
    if entry is None:
        raise LockError(f"{lock.path.name}:1: {clause_id} was never issued")
    if replaced_by and replaced_by not in lock.entries and replaced_by not in in_spec:
        raise LockError(f"{lock.path.name}:1: the replacement {replaced_by} was never issued: "
                        "it is neither in ids.lock nor in the spec (write its clause first)")
    if entry.status == "retired":
        raise LockError(f"{lock.path.name}:{lock.line_of(clause_id)}: {clause_id} is already "
                        f"retired (in {entry.retired_in})")
    entry.status, entry.retired_in, entry.replaced_by = "retired", retired_in, replaced_by


def next_id(area: str, lock: Lock, written: Iterable[str]) -> str:
    """The next number in an area after every ID issued or `written` in the spec so far."""
    used = [int(m.group(2)) for i in (*lock.entries, *written)
            if (m := ID_PATTERN.fullmatch(i)) and m.group(1) == area]
    number = max(used, default=0) + 1
    if number > 999:
        raise LockError(f"area {area} has used all 999 numbers")
    return f"FRS-{area}-{number:03d}"
