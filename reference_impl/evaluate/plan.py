"""The comparison plan (clause 12.6): mated and non-mated pairs, all or a justified sample.

A plan is described by who is compared with whom, never by a list of every pair: at
NIST scale the pairs of an all-pairs plan (10^6 images: 5 x 10^11) do not fit in any
memory.  The mated pairs (a few per subject) are listed; the non-mated pairs of an
all-pairs plan are every other pair, produced in runs of reference rows when asked
(`pairs`), and those of a sample are drawn by rank among the non-mated pairs, so neither
ever needs the reference x probe matrix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from reference_impl.errors import InputError
from reference_impl.metrics.uncertainty import minimum_trials, rule_of_thirty_trials

ROWS = 1 << 22  # pairs `Plan.pairs` yields at once (about): bounds its memory


@dataclass(frozen=True)
class Plan:
    kind: str                 # "all" or "sampled"
    ref_subjects: np.ndarray  # subject code of each reference row
    probe_subjects: np.ndarray
    mated: np.ndarray         # (m, 2) indices: reference row, probe row, row-major order
    non_mated_available: int
    fmr_target: float
    seed: int
    sample: np.ndarray | None = None  # (k, 2) the sampled non-mated pairs

    @property
    def n_non_mated(self) -> int:
        return self.non_mated_available if self.sample is None else len(self.sample)

    @property
    def size(self) -> int:
        """Comparisons the plan makes."""
        return len(self.mated) + self.n_non_mated

    @cached_property
    def non_mated(self) -> np.ndarray:
        """(k, 2) every planned non-mated pair, row-major: the whole list, so only for a
        plan small enough to keep its scores (`pairs` gives them in runs)."""
        if self.sample is not None:
            return self.sample
        parts = list(self.pairs(mated=False))
        return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)

    def pairs(self, mated: bool, size: int = ROWS) -> Iterator[np.ndarray]:
        """The planned pairs of one kind in row-major runs of about `size` pairs."""
        if mated or self.sample is not None:
            listed = self.mated if mated else self.sample
            for start in range(0, len(listed), size):
                yield listed[start:start + size]
            return
        step = max(1, size // max(1, self.probe_subjects.size))
        for start in range(0, self.ref_subjects.size, step):
            rows = self.ref_subjects[start:start + step]
            pairs = np.argwhere(rows[:, None] != self.probe_subjects[None, :])
            pairs[:, 0] += start
            yield pairs

    def record(self) -> dict:
        return {"kind": self.kind, "mated": int(len(self.mated)),
                "non_mated": int(self.n_non_mated),
                "non_mated_available": int(self.non_mated_available),
                "fmr_target": self.fmr_target,
                "minimum_non_mated": minimum_trials(self.fmr_target),
                "rule_of_30": rule_of_thirty_trials(self.fmr_target), "seed": self.seed}


def _codes(refs: np.ndarray, probes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Subject codes (0, 1, ...) of the references and the probes."""
    _, inverse = np.unique(np.concatenate([refs, probes]), return_inverse=True)
    inverse = inverse.ravel().astype(np.int64)
    return inverse[:refs.size], inverse[refs.size:]


def _mated_pairs(ref_codes: np.ndarray, probe_codes: np.ndarray) -> np.ndarray:
    """Every (reference row, probe row) of one subject, row-major, from the rows of each
    subject: linear in the pairs, not in references x probes."""
    by_subject = np.argsort(probe_codes, kind="stable")
    sorted_codes = probe_codes[by_subject]
    first = np.searchsorted(sorted_codes, ref_codes, side="left")
    last = np.searchsorted(sorted_codes, ref_codes, side="right")
    per_row = last - first
    rows = np.repeat(np.arange(ref_codes.size), per_row)
    within = np.arange(rows.size) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return np.stack([rows, by_subject[np.repeat(first, per_row) + within]], axis=1)


def _non_mated_at(ranks: np.ndarray, ref_codes: np.ndarray, probe_codes: np.ndarray,
                  mated: np.ndarray) -> np.ndarray:
    """The non-mated pairs of the given ranks (0-based, row-major among the non-mated
    pairs), as flat indices row * probes + column, without listing the other pairs."""
    probes = probe_codes.size
    mated_in_row = np.bincount(mated[:, 0], minlength=ref_codes.size)
    ends = np.cumsum(probes - mated_in_row)  # non-mated pairs up to each row's end
    rows = np.searchsorted(ends, ranks, side="right")
    within = ranks - (ends[rows] - (probes - mated_in_row[rows]))
    columns = np.empty_like(ranks)
    order = np.argsort(probe_codes, kind="stable")  # each subject's probe columns, sorted
    codes = int(max(ref_codes.max(), probe_codes.max())) + 1
    starts = np.searchsorted(probe_codes[order], np.arange(codes + 1))
    for code in np.unique(ref_codes[rows]).tolist():
        mine = ref_codes[rows] == code
        taken = order[starts[code]:starts[code + 1]]  # the row's mated columns
        # the j-th free column is j plus the mated columns at or before it
        columns[mine] = within[mine] + np.searchsorted(taken - np.arange(taken.size),
                                                       within[mine], side="right")
    return rows * probes + columns


def comparison_plan(reference_subjects, probe_subjects, fmr_target: float,
                    max_non_mated: int | None = None, seed: int = 0) -> Plan:
    """Every mated pair; every non-mated pair, or a uniform sample of `max_non_mated`.

    A sample is allowed only when it is at least the minimum test size for fmr_target
    (clause 6.5): fewer impostor comparisons cannot support the target even with no false
    match.  The sample is the one numpy's `Generator.choice` draws from the non-mated
    pairs in row-major order with `seed`.
    """
    refs = np.asarray(reference_subjects)
    probes = np.asarray(probe_subjects)
    if refs.size == 0 or probes.size == 0:
        raise InputError("comparison plan: the dataset needs enrolment and probe samples")
    ref_codes, probe_codes = _codes(refs, probes)
    mated = _mated_pairs(ref_codes, probe_codes)
    if len(mated) == 0:
        raise InputError("comparison plan: no probe shares a subject with a reference")
    available = int(refs.size * probes.size - len(mated))
    if available == 0:
        raise InputError("comparison plan: no non-mated pair (one subject only)")
    if max_non_mated is None or available <= max_non_mated:
        return Plan("all", ref_codes, probe_codes, mated, available, fmr_target, seed)
    needed = minimum_trials(fmr_target)
    if max_non_mated < needed:
        raise InputError(f"comparison plan: a sample of {max_non_mated:,} non-mated pairs is "
                         f"too few to show FMR ≤ {fmr_target:g}; needs ≥ {needed:,}")
    rng = np.random.default_rng(seed)
    ranks = rng.choice(available, size=max_non_mated, replace=False)
    chosen = np.sort(_non_mated_at(ranks, ref_codes, probe_codes, mated))
    pairs = np.stack(np.divmod(chosen, probes.size), axis=1)
    return Plan("sampled", ref_codes, probe_codes, mated, available, fmr_target, seed, pairs)
