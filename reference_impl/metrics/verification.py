"""Verification (1:1) error rates, exactly as Annex B of FRS defines them.

Conventions (normative, Annex B):
- a comparison is accepted when its score is at least the threshold: score >= tau;
- FMR(tau) = |{s in impostor : s >= tau}| / |impostor|;
- FNMR(tau) = |{s in genuine : s < tau}| / |genuine|;
- a NaN or infinite score, or an empty score set, is an input error: a comparison that
  produced no score is a failure to acquire and is counted as such, never as a score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference_impl.errors import InputError


def as_scores(scores, name: str) -> np.ndarray:
    """Scores as a non-empty 1-D float64 array of finite values, or an InputError."""
    array = np.asarray(scores, dtype=np.float64).ravel()
    if array.size == 0:
        raise InputError(f"{name}: no scores (an error rate over an empty set is undefined)")
    bad = ~np.isfinite(array)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name}: {int(bad.sum())} scores are NaN or infinite (first at "
                         f"index {first}); a comparison without a score is a failure to "
                         "acquire, not a score")
    return array


def fmr(impostor, threshold: float) -> float:
    """False match rate: the share of impostor scores at or above the threshold."""
    scores = as_scores(impostor, "impostor")
    return np.count_nonzero(scores >= threshold) / scores.size


def fnmr(genuine, threshold: float) -> float:
    """False non-match rate: the share of genuine scores below the threshold."""
    scores = as_scores(genuine, "genuine")
    return np.count_nonzero(scores < threshold) / scores.size


def allowed_false_matches(target: float, impostors: int) -> int:
    """The largest count k of false matches with k / impostors <= target."""
    k = int(np.floor(target * impostors))
    # floor(target * n) can be off by one in floating point; settle it on k / n itself.
    while k + 1 <= impostors and (k + 1) / impostors <= target:
        k += 1
    while k > 0 and k / impostors > target:
        k -= 1
    return k


def threshold_at_fmr(impostor, target: float) -> float:
    """tau_x = min{tau : FMR(tau) <= x}, the minimum taken over float64 values.

    With acceptance at score >= tau, the thresholds meeting the target are those
    above the (k+1)-th highest impostor score, k the allowed false matches; the least
    of them is the next float64 above that score.
    """
    if not 0.0 <= target <= 1.0:
        raise InputError(f"target FMR {target} is not in [0, 1]")
    scores = as_scores(impostor, "impostor")
    k = allowed_false_matches(target, scores.size)
    if k >= scores.size:
        return float(-np.inf)
    # The (k+1)-th highest score: partition instead of a full sort.
    pivot = np.partition(scores, scores.size - k - 1)[scores.size - k - 1]
    return float(np.nextafter(pivot, np.inf))


@dataclass(frozen=True)
class OperatingPoint:
    fmr_target: float
    threshold: float
    fmr: float
    fnmr: float


def fnmr_at_fmr(genuine, impostor, target: float) -> OperatingPoint:
    """FNMR at the threshold tau_x of a target FMR x (Annex B)."""
    tau = threshold_at_fmr(impostor, target)
    return OperatingPoint(target, tau, fmr(impostor, tau), fnmr(genuine, tau))


@dataclass(frozen=True)
class EqualErrorRate:
    eer: float
    threshold: float
    fmr: float
    fnmr: float


def det_curve(genuine, impostor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(thresholds, FMR, FNMR) at every distinct score and at +inf, thresholds ascending.

    Between two consecutive distinct scores both rates are constant, so these points
    are the whole step curve.
    """
    gen = np.sort(as_scores(genuine, "genuine"))
    imp = np.sort(as_scores(impostor, "impostor"))
    thresholds = np.append(np.unique(np.concatenate([gen, imp])), np.inf)
    fmr_values = (imp.size - np.searchsorted(imp, thresholds, side="left")) / imp.size
    fnmr_values = np.searchsorted(gen, thresholds, side="left") / gen.size
    return thresholds, fmr_values, fnmr_values


def eer(genuine, impostor) -> EqualErrorRate:
    """Equal error rate on the step curve (Annex B).

    tau* is the least threshold minimising |FMR(tau) - FNMR(tau)|, and
    EER = (FMR(tau*) + FNMR(tau*)) / 2.
    """
    thresholds, fmr_values, fnmr_values = det_curve(genuine, impostor)
    best = int(np.argmin(np.abs(fmr_values - fnmr_values)))  # argmin takes the first
    return EqualErrorRate((fmr_values[best] + fnmr_values[best]) / 2, float(thresholds[best]),
                          float(fmr_values[best]), float(fnmr_values[best]))
