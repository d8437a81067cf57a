"""What template protection costs (FRS-DPR-009, FRS-DPR-010): FNMR and FMR at the class
FMR before and after protection, for a 1:N class FNIR at rank 1 at the class FPIR, and
D↔sys between two applications' keys; and what it withstands with a stolen key
(FRS-DPR-020, `attack.stolen_key`).

`synthetic_embeddings` makes a reproducible stand-in for a face model's embeddings
(identity centres on the unit sphere plus per-capture noise), so the measurement runs
anywhere; an implementer passes their own model's embeddings instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from reference_impl.errors import InputError
from reference_impl.limits import FMR_LIMITS, MAX_D_SYS, MAX_FNMR_INCREASE
from reference_impl.metrics.identification import (
    IdentificationPoint,
    fnir_at_fpir,
    ranks_of_mates,
)
from reference_impl.metrics.verification import OperatingPoint, fnmr_at_fmr
from reference_impl.model.similarity import score_matrix
from reference_impl.protect.attack import StolenKey, stolen_key
from reference_impl.protect.cancelable import bit_similarity, protect
from reference_impl.protect.unlinkability import d_sys


def synthetic_embeddings(subjects: int, captures: int = 2, dimension: int = 128,
                         noise: float = 0.55, seed: int = 0, spread: float = 0.0
                         ) -> tuple[np.ndarray, np.ndarray]:
    """(embeddings, subject labels): `captures` unit vectors around each subject's centre.

    Each capture's noise is `noise` times a log-normal factor exp(spread · N(0, 1)), so a
    positive spread gives a tail of poor captures, as real acquisitions have.
    """
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((subjects, dimension))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    labels = np.repeat(np.arange(subjects), captures)
    scale = noise * np.exp(spread * rng.standard_normal((labels.size, 1)))
    x = centres[labels] + scale * rng.standard_normal((labels.size, dimension)) \
        / np.sqrt(dimension)
    return x / np.linalg.norm(x, axis=1, keepdims=True), labels


def split_scores(similarity: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(genuine, impostor) scores of every unordered pair of distinct captures."""
    upper = np.triu_indices(labels.size, k=1)
    same = labels[upper[0]] == labels[upper[1]]
    scores = similarity[upper]
    return scores[same], scores[~same]


def cross_scores(a: np.ndarray, b: np.ndarray, labels: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(mated, non-mated) scores between application A's and B's templates."""
    similarity = bit_similarity(a, b)
    same = labels[:, None] == labels[None, :]
    return similarity[same], similarity[~same]


def searches(similarity: np.ndarray, labels: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mate ranks, mate scores, non-mated top scores) of a 1:N test on one score matrix.

    The gallery holds the first capture of each subject; every other capture is a probe
    that makes a mated search against the whole gallery and a non-mated search against
    the gallery without its own subject (the plan of FRS-SUB-022).
    """
    first = np.unique(labels, return_index=True)[1]
    probes = np.setdiff1d(np.arange(labels.size), first)
    scores = similarity[np.ix_(probes, first)]
    own = labels[probes][:, None] == labels[first][None, :]
    mates = scores[own]  # one gallery entry per subject, so one mate per probe
    others = np.where(own, -np.inf, scores)
    return ranks_of_mates(mates, others), mates, others.max(axis=1)


def _identification(similarity: np.ndarray, labels: np.ndarray, target: float
                    ) -> IdentificationPoint:
    ranks, mates, top = searches(similarity, labels)
    point = fnir_at_fpir(ranks, mates, top, target, 1)
    return IdentificationPoint(*(float(v) for v in (point.fpir_target, point.threshold,
                                                    point.fpir, point.fnir)), point.rank)


@dataclass(frozen=True)
class ProtectionCost:
    fmr_target: float
    before: OperatingPoint
    after: OperatingPoint
    fnmr_increase: float   # after − before, a fraction
    d_sys: float           # between two applications' keys
    genuine: int
    impostor: int
    # For a 1:N class (FRS-DPR-010): FNIR at rank 1 at the FPIR target, before and after.
    fpir_target: float | None = None
    identification_before: IdentificationPoint | None = None
    identification_after: IdentificationPoint | None = None
    fnir_increase: float | None = None
    # ISO/IEC 30136 with key A stolen (FRS-DPR-020): success rates of the inversion attack.
    stolen_key: StolenKey | None = None

    @property
    def meets_limits(self) -> bool:
        accuracy = self.fnmr_increase if self.fnir_increase is None else self.fnir_increase
        return accuracy <= MAX_FNMR_INCREASE and self.d_sys <= MAX_D_SYS

    def to_json(self) -> dict:
        record = {k: v for k, v in asdict(self).items() if v is not None}
        return {**record, "meets_limits": bool(self.meets_limits)}


def protection_cost(embeddings: np.ndarray, labels: np.ndarray, key_a: bytes, key_b: bytes,
                    fmr_target: float = FMR_LIMITS["V-R"], output_bits: int | None = None,
                    transform_id: str = "app", fpir_target: float | None = None
                    ) -> ProtectionCost:
    """FNMR at `fmr_target` before and after protection under key A, D↔sys between keys A
    and B (the same faces enrolled by two applications, or re-enrolled under a new key),
    and the stolen-key attack on key A with B as the renewal key; with `fpir_target`, also
    the rank-1 FNIR at that FPIR before and after, for Classes I and P."""
    labels = np.asarray(labels)
    if labels.size != len(embeddings):
        raise InputError(f"{len(embeddings)} embeddings but {labels.size} labels")
    if key_a == key_b:
        raise InputError("keys A and B are equal: unlinkability is measured between two "
                         "applications' keys")
    plain = score_matrix(embeddings, embeddings, "cosine")
    genuine, impostor = split_scores(plain, labels)
    if genuine.size == 0 or impostor.size == 0:
        raise InputError("need at least two captures of a subject and two subjects")
    before = fnmr_at_fmr(genuine, impostor, fmr_target)
    protected_a = protect(embeddings, key_a, transform_id, output_bits)
    protected = bit_similarity(protected_a, protected_a)
    p_genuine, p_impostor = split_scores(protected, labels)
    after = fnmr_at_fmr(p_genuine, p_impostor, fmr_target)
    protected_b = protect(embeddings, key_b, transform_id, output_bits)
    mated, non_mated = cross_scores(protected_a, protected_b, labels)
    identification = {}
    if fpir_target is not None:
        one, two = _identification(plain, labels, fpir_target), \
            _identification(protected, labels, fpir_target)
        identification = {"fpir_target": fpir_target, "identification_before": one,
                          "identification_after": two, "fnir_increase": two.fnir - one.fnir}
    attack = stolen_key(embeddings, labels, key_a, key_b, float(before.threshold),
                        float(after.threshold), output_bits, transform_id)
    return ProtectionCost(fmr_target, _plain(before), _plain(after),
                          float(after.fnmr - before.fnmr), d_sys(mated, non_mated),
                          int(genuine.size), int(impostor.size), **identification,
                          stolen_key=attack)


def _plain(point: OperatingPoint) -> OperatingPoint:
    """The operating point with Python floats, ready for JSON."""
    return OperatingPoint(*(float(v) for v in (point.fmr_target, point.threshold, point.fmr,
                                               point.fnmr)))
