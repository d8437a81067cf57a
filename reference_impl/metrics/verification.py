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


def as_threshold(threshold, name: str = "threshold"):
    """A threshold (or an array of them) as float64; NaN is unusable input.

    No score is at or above NaN and none is below it, so at a NaN threshold every rate
    of Annex B would read 0: a silent pass.  +-inf are thresholds (accept all, none).
    """
    value = np.asarray(threshold, dtype=np.float64)
    if np.isnan(value).any():
        raise InputError(f"{name} is NaN: an error rate needs a threshold that is a number "
                         "(-inf and inf are allowed)")
    return float(value) if value.ndim == 0 else value


def fmr(impostor, threshold: float) -> float:
    """False match rate: the share of impostor scores at or above the threshold.

    A convenience for one threshold over unsorted scores; evaluations and reports use
    `SortedScores.fmr`, which gives the same value.
    """
    scores, tau = as_scores(impostor, "impostor"), as_threshold(threshold)
    return np.count_nonzero(scores >= tau) / scores.size


def fnmr(genuine, threshold: float) -> float:
    """False non-match rate: the share of genuine scores below the threshold.

    A convenience for one threshold; evaluations and reports use `SortedScores.fnmr`.
    """
    scores, tau = as_scores(genuine, "genuine"), as_threshold(threshold)
    return np.count_nonzero(scores < tau) / scores.size


def allowed_false_matches(target: float, impostors: int) -> int:
    """The largest count k of false matches with k / impostors <= target."""
    k = int(np.floor(target * impostors))
    # floor(target * n) can be off by one in floating point; settle it on k / n itself.
    while k + 1 <= impostors and (k + 1) / impostors <= target:
        k += 1
    while k > 0 and k / impostors > target:
        k -= 1
    return k


def least_threshold(ascending: np.ndarray, target: float, rate: str = "FMR") -> float:
    """tau_x = min{tau : #{s >= tau} / n <= x} over float64 values (Annex B.2), for
    scores sorted ascending.

    With acceptance at score >= tau, the thresholds meeting the target are those above
    the (k+1)-th highest score, k the allowed errors; the least of them is the next
    float64 above that score.  A score of -inf (a candidate list with no candidate,
    Annex B.7) is never accepted, so when it is that score, tau_x is -inf.  The one
    threshold rule of FMR, FPIR and APCER.
    """
    if not 0.0 <= target <= 1.0:
        raise InputError(f"target {rate} {target} is not in [0, 1]")
    n = ascending.size
    k = allowed_false_matches(target, n)
    pivot = ascending[n - k - 1] if k < n else -np.inf
    return float(np.nextafter(pivot, np.inf)) if pivot > -np.inf else float(-np.inf)


@dataclass(frozen=True)
class OperatingPoint:
    fmr_target: float
    threshold: float
    fmr: float
    fnmr: float


def fnmr_at_fmr(genuine, impostor, target: float) -> OperatingPoint:
    """FNMR at the threshold tau_x of a target FMR x (Annex B.2): a convenience over
    `SortedScores.fnmr_at_fmr`, the evaluation's path."""
    return SortedScores(genuine, impostor).fnmr_at_fmr(target)


@dataclass(frozen=True)
class EqualErrorRate:
    eer: float
    threshold: float
    fmr: float
    fnmr: float


def eer(genuine, impostor) -> EqualErrorRate:
    """Equal error rate on the step curve (Annex B.3): a convenience over
    `SortedScores.eer`, the evaluation's path."""
    return SortedScores(genuine, impostor).eer()


# ---------------------------------------------------------------------------
# The fast path: every metric from two sorted arrays and cumulative counts.


def _sorted_scores(scores, name: str, copy: bool, presorted: bool) -> np.ndarray:
    """Sorted float64 scores, checked as `as_scores` checks them.

    Sorting puts NaN last and -inf/+inf at the ends, so a sorted array is all finite
    exactly when its two ends are: no pass over the data, no mask in memory.  Only a
    failing input is scanned again, by `as_scores`, for its message.
    """
    array = np.asarray(scores, dtype=np.float64).ravel()
    if presorted:
        result = array
    elif copy:
        result = np.sort(array)
    else:
        array.sort()
        result = array
    if result.size == 0 or not (np.isfinite(result[0]) and np.isfinite(result[-1])):
        as_scores(scores, name)  # raises with the count and the first index
    if presorted and result.size > 1 and (result[1:] < result[:-1]).any():
        raise InputError(f"{name}: scores said to be sorted are not")
    return result


class SortedScores:
    """Genuine and impostor scores, each sorted once; every rate is then a count.

    With G and I sorted ascending, #{g < tau} = searchsorted(G, tau, 'left') and
    #{i >= tau} = |I| - searchsorted(I, tau, 'left'): FMR and FNMR at any threshold
    cost two binary searches.  `copy=False` sorts the given float64 arrays in place.
    """

    def __init__(self, genuine, impostor, *, copy: bool = True, presorted: bool = False):
        self.genuine = _sorted_scores(genuine, "genuine", copy, presorted)
        self.impostor = _sorted_scores(impostor, "impostor", copy, presorted)

    @property
    def n_genuine(self) -> int:
        return self.genuine.size

    @property
    def n_impostor(self) -> int:
        return self.impostor.size

    def false_matches(self, threshold: float) -> int:
        """Impostor scores at or above the threshold."""
        return int(self.impostor.size - np.searchsorted(self.impostor, threshold, "left"))

    def false_non_matches(self, threshold: float) -> int:
        """Genuine scores below the threshold."""
        return int(np.searchsorted(self.genuine, threshold, side="left"))

    def fmr(self, thresholds):
        """FMR(tau) = #{impostor >= tau} / |impostor| at one threshold or an array of
        them (Annex B.1)."""
        below = np.searchsorted(self.impostor, as_threshold(thresholds), side="left")
        return (self.impostor.size - below) / self.impostor.size

    def fnmr(self, thresholds):
        """FNMR(tau) = #{genuine < tau} / |genuine| at one threshold or an array of
        them (Annex B.1)."""
        below = np.searchsorted(self.genuine, as_threshold(thresholds), side="left")
        return below / self.genuine.size

    def threshold_at_fmr(self, target: float) -> float:
        """tau_x = min{tau : FMR(tau) <= x} (Annex B.2)."""
        return least_threshold(self.impostor, target)

    def fnmr_at_fmr(self, target: float) -> OperatingPoint:
        """The operating point of a target FMR x: tau_x, FMR(tau_x) <= x and FNMR(tau_x)
        (Annex B.2)."""
        tau = self.threshold_at_fmr(target)
        return OperatingPoint(target, tau, float(self.fmr(tau)), float(self.fnmr(tau)))

    def _gap(self, tau: float) -> float:
        return float(self.fmr(tau)) - float(self.fnmr(tau))

    def _crossing(self) -> tuple[float, float]:
        """(tau_a, tau_b): the greatest point of T where FMR - FNMR >= 0 and the least
        where it is < 0.  The gap is non-increasing in tau, so each sorted array is
        bisected; T is never materialised."""
        below, above = -np.inf, np.inf
        for values in (self.genuine, self.impostor):
            lo, hi = 0, values.size  # first index whose gap is negative lies in [lo, hi]
            while lo < hi:
                mid = (lo + hi) // 2
                if self._gap(values[mid]) < 0:
                    hi = mid
                else:
                    lo = mid + 1
            if lo > 0:
                below = max(below, float(values[lo - 1]))
            if lo < values.size:
                above = min(above, float(values[lo]))
        return below, above

    def eer(self) -> EqualErrorRate:
        """EER on the step curve (Annex B.3), from the crossing alone.

        tau* is the least threshold of T minimising |FMR(tau) - FNMR(tau)|, and
        EER = (FMR(tau*) + FNMR(tau*)) / 2.  The minimum of |FMR - FNMR| over T is at
        tau_a or tau_b; each pair of rates is reached at exactly one point of T (the
        rates are constant only between consecutive points), so the least minimiser is
        tau_a on a tie.
        """
        tau_a, tau_b = self._crossing()
        best = tau_a
        if abs(self._gap(tau_b)) < abs(self._gap(tau_a)):
            best = tau_b
        f, g = float(self.fmr(best)), float(self.fnmr(best))
        return EqualErrorRate((f + g) / 2, best, f, g)

    def eer_interpolated(self) -> float:
        """EER where the straight segment between the two points of the step curve
        that bracket the crossing meets FMR = FNMR (Annex B.3)."""
        tau_a, tau_b = self._crossing()
        return crossing_of_segment((float(self.fmr(tau_a)), float(self.fnmr(tau_a))),
                                   (float(self.fmr(tau_b)), float(self.fnmr(tau_b))))

    def det_points(self, points: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """At most `points` exact points of the step curve, for plots (Annex B.4).

        Half are impostor scores at ranks whose FMR is spaced evenly in log10 from
        1/|S_imp| to 1, half genuine scores likewise for FNMR: the tails a DET plot
        shows on its normal-deviate axes keep their resolution.  Every point is a
        threshold of T with its exact rates.
        """
        if points < 2:
            raise InputError(f"a DET curve needs at least 2 points, not {points}")
        chosen = [np.array([np.inf])]
        for values in (self.impostor, self.genuine):
            n = values.size
            count = min(n, points // 2)
            ranks = np.unique(np.geomspace(1, n, num=count).round().astype(np.int64))
            if values is self.impostor:  # the r-th highest impostor gives FMR r/n
                chosen.append(values[n - ranks])
            else:  # the r-th lowest genuine score gives FNMR (r-1)/n; r/n just above it
                chosen.append(values[ranks - 1])
        thresholds = np.unique(np.concatenate(chosen))
        if thresholds.size > points:
            keep = np.unique(np.linspace(0, thresholds.size - 1, points).round().astype(int))
            thresholds = thresholds[keep]
        return thresholds, self.fmr(thresholds), self.fnmr(thresholds)


def crossing_of_segment(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Where the segment from a = (FMR, FNMR) with FMR >= FNMR to b with FMR < FNMR
    meets the line FMR = FNMR: the interpolated EER of Annex B.3."""
    (fa, ga), (fb, gb) = a, b
    da, db = fa - ga, fb - gb
    if da == 0:
        return fa
    t = da / (da - db)
    return fa + t * (fb - fa)


def eer_interpolated(genuine, impostor) -> float:
    """The interpolated EER (Annex B.3): a convenience over
    `SortedScores.eer_interpolated`."""
    return SortedScores(genuine, impostor).eer_interpolated()


def det_points(genuine, impostor, points: int = 2000):
    """(thresholds, FMR, FNMR) at no more than `points` exact points of the curve: a
    convenience over `SortedScores.det_points`."""
    return SortedScores(genuine, impostor).det_points(points)


@dataclass(frozen=True)
class TransactionRates:
    far: float
    frr: float


def far_frr(fmr_value: float, fnmr_value: float, fta: float) -> TransactionRates:
    """FAR and FRR of single-attempt transactions (ISO/IEC 19795-1, Annex B.5).

    FAR = FMR * (1 - FTA); FRR = FTA + FNMR * (1 - FTA): a failure to acquire
    rejects the transaction before any comparison.
    """
    for name, value in (("FMR", fmr_value), ("FNMR", fnmr_value), ("FTA", fta)):
        if not 0.0 <= value <= 1.0:
            raise InputError(f"{name} {value} is not a fraction in [0, 1]")
    return TransactionRates(fmr_value * (1 - fta), fta + fnmr_value * (1 - fta))


def failure_to_acquire(attempts: int, failures: int) -> float:
    """FTA: the share of acquisition attempts that produced no usable sample."""
    if attempts <= 0 or not 0 <= failures <= attempts:
        raise InputError(f"{failures} failures in {attempts} attempts: expected "
                         "0 <= failures <= attempts and attempts > 0")
    return failures / attempts
