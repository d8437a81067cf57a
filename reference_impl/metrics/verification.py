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
from reference_impl.metrics import counts

DET_POINTS = 2000  # points a DET curve keeps: plenty for a plot (clause 6.2, NOTE 6)


def as_scores(scores, name: str) -> np.ndarray:
    """Scores as a non-empty 1-D float64 array of finite values, or an InputError."""
    array = np.asarray(scores, dtype=np.float64).ravel()
    if array.size == 0:
        raise InputError(f"{name}: no scores (an error rate over an empty set is undefined)")
    counts.refuse_unscored(array, name)
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
    `CountedScores.fmr`, which gives the same value.
    """
    scores, tau = as_scores(impostor, "impostor"), as_threshold(threshold)
    return np.count_nonzero(scores >= tau) / scores.size


def fnmr(genuine, threshold: float) -> float:
    """False non-match rate: the share of genuine scores below the threshold.

    A convenience for one threshold; evaluations and reports use `CountedScores.fnmr`.
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


def least_threshold(n: int, target: float, highest, rate: str = "FMR") -> float:
    """tau_x = min{tau : #{s >= tau} / n <= x} over n float64 scores (Annex B.2);
    `highest(r)` gives the r-th highest score.

    With acceptance at score >= tau, the thresholds meeting the target are those above
    the (k+1)-th highest score, k the allowed errors; the least of them is the next
    float64 above that score.  A score of -inf (a candidate list with no candidate,
    Annex B.7) is never accepted, so when it is that score, tau_x is -inf.  The one
    threshold rule of FMR, FPIR and APCER.
    """
    if not 0.0 <= target <= 1.0:
        raise InputError(f"target {rate} {target} is not in [0, 1]")
    k = allowed_false_matches(target, n)
    pivot = highest(k + 1) if k < n else -np.inf
    return float(np.nextafter(pivot, np.inf)) if pivot > -np.inf else float(-np.inf)


def nth_highest(scores: np.ndarray):
    """`highest` for `least_threshold` over an array of scores: the r-th highest, found
    by selection (numpy.partition), not a sort."""
    return lambda r: float(np.partition(scores, scores.size - r)[scores.size - r])


@dataclass(frozen=True)
class OperatingPoint:
    fmr_target: float
    threshold: float
    fmr: float
    fnmr: float


def fnmr_at_fmr(genuine, impostor, target: float) -> OperatingPoint:
    """FNMR at the threshold tau_x of a target FMR x (Annex B.2): a convenience over
    `CountedScores.fnmr_at_fmr`, the evaluation's path."""
    return CountedScores(genuine, impostor).fnmr_at_fmr(target)


@dataclass(frozen=True)
class EqualErrorRate:
    eer: float
    threshold: float
    fmr: float
    fnmr: float


def eer(genuine, impostor) -> EqualErrorRate:
    """Equal error rate on the step curve (Annex B.3): a convenience over
    `CountedScores.eer`, the evaluation's path."""
    return CountedScores(genuine, impostor).eer()


# ---------------------------------------------------------------------------
# The evaluation's path: every metric from counts over order-preserving bins.


class CountedScores:
    """Genuine and impostor scores, known through counts over order-preserving bins
    (`reference_impl.metrics.counts`, Annex B.10); every rate is then a count.

    FMR and FNMR at any threshold, the threshold of a target FMR, the EER and the DET
    points are exact, with no sort: the scores are counted in one pass, and the few bins
    an answer falls in are refined in another.  `prepare` asks every question of a report
    at once, so the whole report costs two passes; a question asked later that needs a
    bin not yet refined costs one more pass.  The scores are given as two arrays, or as
    `passes`, a function that feeds every score to a `counts.Pass` (read from files, or
    run on shards and merged).  Arrays are read, never copied, sorted or changed.

    `sample`, (a function like `passes` that feeds a part of the scores, the share of
    the scores it feeds), lets the first pass wait for `prepare`: the sample answers the
    same questions first, and the first pass over every score tries to keep the bins
    its answers fell in (`OrderCounts.forecast`); when the sample was right, as it is
    for scores in no particular order, that pass settles the whole report.  A wrong
    sample costs the passes it would have saved, never a wrong answer.  Large arrays
    take a sample of their own.
    """

    def __init__(self, genuine=None, impostor=None, *, passes=None, keep: int = counts.KEEP,
                 sample=None):
        if passes is None:
            genuine, impostor = (np.asarray(s, dtype=np.float64).ravel()
                                 for s in (genuine, impostor))
            parts = counts.array_chunks(genuine, 0), counts.array_chunks(impostor, 1)

            def passes(empty: counts.Pass, picks=None) -> counts.Pass:
                return counts.count_chunks(empty, counts.picked(parts, picks))
            sample = sample or counts.sampled(passes, (len(parts[0]), len(parts[1])))
        self._passes, self._keep, self._sample = passes, keep, sample
        self._counts: counts.OrderCounts | None = None
        self._asking = False
        if sample is None:
            self._start(())

    @property
    def counts(self) -> counts.OrderCounts:
        """What the passes so far know (the first pass runs when this is first asked)."""
        if self._counts is None:
            self._start(())
        return self._counts

    def _start(self, forecast) -> None:
        self._counts = counts.OrderCounts(self._passes, self._keep, forecast)
        for name, n in zip(counts.CLASSES, self._counts.n, strict=True):
            if n == 0:
                raise InputError(f"{name}: no scores (an error rate over an empty set is "
                                 "undefined)")

    def _forecast(self, targets, det_points, thresholds) -> set:
        feed, share = self._sample
        try:
            seen = CountedScores(passes=feed, keep=self._keep)
            seen.prepare(targets, det_points, thresholds)
        except InputError:  # e.g. a class the sample missed: the first pass will tell
            return set()
        return seen.counts.forecast(share)

    @property
    def n_genuine(self) -> int:
        return self.counts.n[0]

    @property
    def n_impostor(self) -> int:
        return self.counts.n[1]

    def _answer(self, question):
        """The answer from what the counts know, refining (one pass each time) until
        they settle it; inside `prepare`, the need is passed up instead."""
        while True:
            try:
                return question()
            except counts.Unsettled as unsettled:
                if self._asking:
                    raise
                self.counts.refine(unsettled.needs)

    def prepare(self, targets=(), det_points: int | None = None,
                thresholds=()) -> CountedScores:
        """Refine, in as few passes as the scores allow, every bin that the EERs, the
        operating point of each target FMR, (if asked) the DET points and the rates at
        the given thresholds need."""
        if self._counts is None:
            self._start(self._forecast(targets, det_points, thresholds))
        questions = [self.eer, self.eer_interpolated]
        questions += [lambda t=t: self.fnmr_at_fmr(t) for t in targets]
        questions += [lambda t=t: self.fmr(t) for t in thresholds]
        if det_points:
            questions.append(lambda: self.det_points(det_points))
        while True:
            needs: dict = {}
            self._asking = True
            try:
                for question in questions:
                    try:
                        question()
                    except counts.Unsettled as unsettled:
                        needs.update(unsettled.needs)
            finally:
                self._asking = False
            if not needs:
                return self
            self.counts.refine(needs)

    def _below(self, thresholds) -> np.ndarray:
        """(genuine, impostor) scores below each threshold: shape (2,) + thresholds'."""
        taus = np.asarray(as_threshold(thresholds), dtype=np.float64)
        below = self.counts.count_below_each(counts.order_keys(taus.ravel()))
        return below.reshape((2,) + taus.shape)

    def false_matches(self, threshold: float) -> int:
        """Impostor scores at or above the threshold."""
        return self.n_impostor - int(self._answer(lambda: self._below(threshold))[1])

    def false_non_matches(self, threshold: float) -> int:
        """Genuine scores below the threshold."""
        return int(self._answer(lambda: self._below(threshold))[0])

    def fmr(self, thresholds):
        """FMR(tau) = #{impostor >= tau} / |impostor| at one threshold or an array of
        them (Annex B.1)."""
        below = self._answer(lambda: self._below(thresholds))[1]
        rates = (self.n_impostor - below) / self.n_impostor
        return float(rates) if rates.ndim == 0 else rates

    def fnmr(self, thresholds):
        """FNMR(tau) = #{genuine < tau} / |genuine| at one threshold or an array of
        them (Annex B.1)."""
        rates = self._answer(lambda: self._below(thresholds))[0] / self.n_genuine
        return float(rates) if rates.ndim == 0 else rates

    def _highest_impostor(self, r: int) -> float:
        """The r-th highest impostor score."""
        return counts.score_of(self._answer(
            lambda: self.counts.rank(1, self.n_impostor - r + 1)))

    def threshold_at_fmr(self, target: float) -> float:
        """tau_x = min{tau : FMR(tau) <= x} (Annex B.2)."""
        return least_threshold(self.n_impostor, target, self._highest_impostor)

    def fnmr_at_fmr(self, target: float) -> OperatingPoint:
        """The operating point of a target FMR x: tau_x, FMR(tau_x) <= x and FNMR(tau_x)
        (Annex B.2)."""
        tau = self.threshold_at_fmr(target)
        return OperatingPoint(target, tau, self.fmr(tau), self.fnmr(tau))

    def _crossing(self) -> tuple[float, float]:
        """(tau_a, tau_b): the greatest point of T where FMR - FNMR >= 0 and the least
        where it is < 0 (Annex B.3), found by walking down the bins where the sign of
        the gap changes; T is never materialised."""
        n_g, n_i = self.counts.n

        def gap_holds(genuine_below, impostor_below):
            return (n_i - impostor_below) / n_i - genuine_below / n_g >= 0

        a, b = self._answer(lambda: self.counts.crossing(gap_holds))
        return counts.score_of(a), np.inf if b is None else counts.score_of(b)

    def _gap(self, tau: float) -> float:
        return self.fmr(tau) - self.fnmr(tau)

    def eer(self) -> EqualErrorRate:
        """EER on the step curve (Annex B.3), from the crossing alone.

        tau* is the least threshold of T minimising |FMR(tau) - FNMR(tau)|, and
        EER = (FMR(tau*) + FNMR(tau*)) / 2.  The minimum of |FMR - FNMR| over T is at
        tau_a or tau_b; each pair of rates is reached at exactly one point of T (the
        rates are constant only between consecutive points), so the least minimiser is
        tau_a on a tie.
        """
        tau_a, tau_b = self._crossing()
        best = tau_b if abs(self._gap(tau_b)) < abs(self._gap(tau_a)) else tau_a
        f, g = self.fmr(best), self.fnmr(best)
        return EqualErrorRate((f + g) / 2, best, f, g)

    def eer_interpolated(self) -> float:
        """EER where the straight segment between the two points of the step curve
        that bracket the crossing meets FMR = FNMR (Annex B.3)."""
        tau_a, tau_b = self._crossing()
        return crossing_of_segment((self.fmr(tau_a), self.fnmr(tau_a)),
                                   (self.fmr(tau_b), self.fnmr(tau_b)))

    def det_points(self, points: int = DET_POINTS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """At most `points` exact points of the step curve, for plots (Annex B.4).

        About half lie where the FMR is spaced evenly in log10 from 1/|S_imp| to 1, half
        where the FNMR is, so the tails a DET plot shows on its normal-deviate axes keep
        their resolution; plus the highest impostor score (FMR's last step) and +inf.
        Each point sits at the lower edge of a bin of the first pass: every score of
        that bin is at or above the edge and every other score below it or above the
        bin, so the rates there are the bin counts, exactly the rates at the least score
        at or above the edge, a threshold of T.  No bin is refined for them.
        """
        if points < 2:
            raise InputError(f"a DET curve needs at least 2 points, not {points}")
        root = self.counts.splits[counts.ROOT]  # the occupied bins, scores below each
        ranks_i, ranks_g = (np.unique(np.geomspace(1, n, num=min(n, points // 2))
                                      .round().astype(np.int64)) for n in
                            (self.n_impostor, self.n_genuine))
        # (positions among the occupied bins) the bin of the r-th highest impostor score,
        # where FMR at the edge is at least r/n, and the bin after the one of the r-th
        # lowest genuine score, where FNMR at the edge is at least r/n
        impostor_bins = np.searchsorted(root.below[1], self.n_impostor - ranks_i + 1) - 1
        genuine_bins = np.searchsorted(root.below[0], ranks_g)
        chosen = np.concatenate([impostor_bins, genuine_bins[genuine_bins < root.index.size]])
        edges = root.index[np.unique(chosen)].astype(np.uint64)
        thresholds = np.unique(np.concatenate([
            [np.inf, self._highest_impostor(1)],
            counts.scores_of(edges << np.uint64(64 - counts.WIDTH))]))
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
    `CountedScores.eer_interpolated`."""
    return CountedScores(genuine, impostor).eer_interpolated()


def det_points(genuine, impostor, points: int = DET_POINTS):
    """(thresholds, FMR, FNMR) at no more than `points` exact points of the curve: a
    convenience over `CountedScores.det_points`."""
    return CountedScores(genuine, impostor).det_points(points)


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
