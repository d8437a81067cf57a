"""The comparison plan (clause 12.6): mated and non-mated pairs, all or a justified sample."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference_impl.errors import InputError
from reference_impl.metrics.uncertainty import minimum_trials, rule_of_thirty_trials


@dataclass(frozen=True)
class Plan:
    kind: str                 # "all" or "sampled"
    mated: np.ndarray         # (m, 2) indices: reference row, probe row
    non_mated: np.ndarray     # (k, 2)
    non_mated_available: int
    fmr_target: float
    seed: int

    def record(self) -> dict:
        return {"kind": self.kind, "mated": int(len(self.mated)),
                "non_mated": int(len(self.non_mated)),
                "non_mated_available": int(self.non_mated_available),
                "fmr_target": self.fmr_target,
                "minimum_non_mated": minimum_trials(self.fmr_target),
                "rule_of_30": rule_of_thirty_trials(self.fmr_target), "seed": self.seed}


def comparison_plan(reference_subjects, probe_subjects, fmr_target: float,
                    max_non_mated: int | None = None, seed: int = 0) -> Plan:
    """Every mated pair; every non-mated pair, or a uniform sample of `max_non_mated`.

    A sample is allowed only when it is at least the minimum test size for fmr_target
    (clause 6.5): fewer impostor comparisons cannot support the target even with no false
    match.
    """
    refs = np.asarray(reference_subjects)
    probes = np.asarray(probe_subjects)
    if refs.size == 0 or probes.size == 0:
        raise InputError("comparison plan: the dataset needs enrolment and probe samples")
    same = refs[:, None] == probes[None, :]
    mated = np.argwhere(same)
    if len(mated) == 0:
        raise InputError("comparison plan: no probe shares a subject with a reference")
    available = int(same.size - len(mated))
    if available == 0:
        raise InputError("comparison plan: no non-mated pair (one subject only)")
    if max_non_mated is None or available <= max_non_mated:
        return Plan("all", mated, np.argwhere(~same), available, fmr_target, seed)
    needed = minimum_trials(fmr_target)
    if max_non_mated < needed:
        raise InputError(f"comparison plan: a sample of {max_non_mated:,} non-mated pairs is "
                         f"too few to show FMR ≤ {fmr_target:g}; needs ≥ {needed:,}")
    rng = np.random.default_rng(seed)
    flat = np.flatnonzero(~same.ravel())
    chosen = np.sort(rng.choice(flat, size=max_non_mated, replace=False))
    pairs = np.stack(np.unravel_index(chosen, same.shape), axis=1)
    return Plan("sampled", mated, pairs, available, fmr_target, seed)
