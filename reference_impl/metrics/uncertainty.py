"""Confidence bounds for error rates and the test sizes they imply (FRS clause 6.5,
Annex B.6).

One convention, stated once: every limit of FRS is judged on the one-sided upper 95 %
Clopper-Pearson bound of the rate, and a test is large enough for a limit when zero
errors would meet it.  The interval a report states is [lower, upper] with each end a
one-sided 95 % bound: the two-sided 90 % Clopper-Pearson interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from reference_impl.errors import InputError
from reference_impl.limits import CONFIDENCE, MIN_BOOTSTRAP_RESAMPLES, RULE_OF_THIRTY

# CONFIDENCE is the one confidence level of FRS: each bound is one-sided at it (clause 6.5).


def beta_quantile(q: float, a: int, b: int) -> float:
    """B(q; a, b), the quantile of the Beta(a, b) distribution at q.

    scipy.special.betaincinv (Boost Math's ibeta_inv) gives the same float64 as
    scipy.stats.beta.ppf, whose Beta quantile is Boost's too (tests/test_uncertainty.py
    checks they agree bit for bit).  It is imported here, when a bound with errors is
    asked for: scipy.stats takes half a second to import, which every `frs metrics`
    run would otherwise pay before reading a score.
    """
    from scipy.special import betaincinv

    return float(betaincinv(a, b, q))


def clopper_pearson(errors: int, trials: int, confidence: float) -> tuple[float, float]:
    """The exact (Clopper-Pearson) two-sided interval for `errors` in `trials` at
    `confidence`; FRS states its one-sided bounds with `bounds`.

    [B(a/2; x, n-x+1), B(1-a/2; x+1, n-x)] with B the Beta quantile and a = 1 - confidence;
    the lower end is 0 when x = 0 and the upper end is 1 when x = n.
    """
    if trials <= 0 or not 0 <= errors <= trials:
        raise InputError(f"{errors} errors in {trials} trials: expected 0 <= errors <= trials "
                         "and trials > 0")
    if not 0 < confidence < 1:
        raise InputError(f"confidence {confidence} is not in (0, 1)")
    alpha = 1 - confidence
    lower = 0.0 if errors == 0 else beta_quantile(alpha / 2, errors, trials - errors + 1)
    upper = 1.0 if errors == trials else beta_quantile(1 - alpha / 2, errors + 1,
                                                       trials - errors)
    return lower, upper


def bounds(errors: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The lower and upper one-sided Clopper-Pearson bounds at `confidence` (Annex B.6):
    [B(1-c; x, n-x+1), B(c; x+1, n-x)], the ends of the two-sided interval at 2c - 1."""
    _check(errors, trials, confidence)
    return (clopper_pearson(errors, trials, 2 * confidence - 1)[0],
            upper_bound(errors, trials, confidence))


def upper_bound(errors: int, trials: int, confidence: float = CONFIDENCE) -> float:
    """The one-sided upper Clopper-Pearson bound B(c; x+1, n-x): the value every limit of
    FRS is judged on.  With zero errors it is 1 - (1 - c)^(1/n), computed in that closed
    form; with x = n it is 1."""
    _check(errors, trials, confidence)
    if errors == trials:
        return 1.0
    if errors == 0:
        return -math.expm1(math.log(1 - confidence) / trials)
    return beta_quantile(confidence, errors + 1, trials - errors)


def _check(errors: int, trials: int, confidence: float) -> None:
    if trials <= 0 or not 0 <= errors <= trials:
        raise InputError(f"{errors} errors in {trials} trials: expected 0 <= errors <= trials "
                         "and trials > 0")
    if not 0.5 < confidence < 1:
        raise InputError(f"one-sided confidence {confidence} is not in (0.5, 1)")


@dataclass(frozen=True)
class Rate:
    """An error rate as FRS states it: `errors` in `trials`, with its lower and upper
    one-sided Clopper-Pearson bounds at `confidence` (Annex B.6).

    The one rate-with-interval of FRS: report sections, per-group rates and the
    harness's verdict measurements are all records of a Rate.
    """

    errors: int
    trials: int
    confidence: float = CONFIDENCE
    interval: tuple[float, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "errors", int(self.errors))
        object.__setattr__(self, "trials", int(self.trials))
        # bounds() refuses impossible counts and confidences.
        object.__setattr__(self, "interval", bounds(self.errors, self.trials,
                                                    self.confidence))

    @classmethod
    def of(cls, rate: float, trials: int, confidence: float = CONFIDENCE) -> Rate:
        """The Rate behind a share `rate` = errors / trials computed in float64: rounding
        rate * trials gives back the count exactly (its error is far below 1/2)."""
        return cls(round(rate * trials), trials, confidence)

    @property
    def rate(self) -> float:
        return self.errors / self.trials

    @property
    def lower(self) -> float:
        return self.interval[0]

    @property
    def upper(self) -> float:
        return self.interval[1]

    def record(self) -> dict:
        """The evaluation report's `rate_with_interval`."""
        return {"errors": self.errors, "trials": self.trials, "rate": self.rate,
                "interval": list(self.interval)}

    def measurement(self, name: str, limit: float | None = None) -> dict:
        """A measurement of a verdict in the evaluation report, with its limit if any."""
        record = {"name": name, "value": self.rate, "errors": self.errors,
                  "trials": self.trials, "interval": list(self.interval),
                  "confidence": self.confidence}
        if limit is not None:
            record["limit"] = limit
            record["minimum_trials"] = minimum_trials(limit, self.confidence)
        return record


def _limit(limit: float) -> float:
    if not 0 < limit <= 1:
        raise InputError(f"limit {limit} is not a rate in (0, 1]")
    return float(limit)


def minimum_trials(limit: float, confidence: float = CONFIDENCE) -> int:
    """The minimum test size for a limit: the least n whose upper bound with zero errors
    meets it, upper_bound(0, n) <= limit, i.e. n >= ln(1 - c) / ln(1 - limit) (Annex B.6).

    Fewer trials cannot show the limit is met whatever the outcome.  The rule of 3
    (n >= 3 / limit) approximates this count from above.
    """
    limit = _limit(limit)
    if limit == 1:
        return 1
    n = max(1, math.ceil(math.log(1 - confidence) / math.log1p(-limit)))
    # Settle the closed form on the bound itself, so that this count and the judgement
    # of `judge` can never disagree by a rounding.
    while n > 1 and upper_bound(0, n - 1, confidence) <= limit:
        n -= 1
    while upper_bound(0, n, confidence) > limit:
        n += 1
    return n


def trials_for(errors: int, limit: float, confidence: float = CONFIDENCE) -> int:
    """The least number of trials with which `errors` errors still meet `limit`: the
    least n with upper_bound(errors, n) <= limit (Annex F).  For 0 errors it is the
    minimum test size."""
    if errors < 0:
        raise InputError(f"{errors} errors: expected a count >= 0")
    limit = _limit(limit)
    if errors == 0:
        return minimum_trials(limit, confidence)
    if limit == 1:
        return errors
    low, high = errors + 1, max(errors + 2, minimum_trials(limit, confidence))
    while upper_bound(errors, high, confidence) > limit:  # the bound falls as n grows
        low, high = high, 2 * high
    while low < high:
        middle = (low + high) // 2
        if upper_bound(errors, middle, confidence) <= limit:
            high = middle
        else:
            low = middle + 1
    return high


def target_supported(target: float, trials: int, confidence: float = CONFIDENCE) -> bool:
    """Whether `trials` can support a claim at `target`: at least its minimum test size."""
    return trials >= minimum_trials(target, confidence)


@dataclass(frozen=True)
class Verdict:
    """Limits judged together (a class, a PAD level, the groups of a test): passed, with
    the reason of each limit when it passes and of each failing limit when it does not."""

    passed: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Judgement:
    """A rate judged against a limit on its upper bound, with the reason in words."""

    passed: bool
    too_small: bool  # fewer trials than the limit's minimum test size: no outcome passes
    reason: str


def judge(rate: Rate, limit: float, name: str) -> Judgement:
    """Judge `rate` (named `name`, e.g. FMR) on its upper bound against `limit`.

    A test below the limit's minimum size fails as too small, and says how large it must
    be; otherwise the bound is compared with the limit.
    """
    limit = _limit(limit)
    counts = (f"{rate.errors:,} error{'' if rate.errors == 1 else 's'} in {rate.trials:,} "
              f"trial{'' if rate.trials == 1 else 's'}")
    needed = minimum_trials(limit, rate.confidence)
    if rate.trials < needed:
        return Judgement(False, True, f"{counts}: too few to show {name} ≤ {limit:g}; "
                         f"needs ≥ {needed:,}")
    if rate.upper > limit:
        return Judgement(False, False, f"{name} upper bound {rate.upper:.3g} exceeds "
                         f"{limit:g} ({counts})")
    return Judgement(True, False, f"{name} upper bound {rate.upper:.3g} ≤ {limit:g} ({counts})")


def _target_fraction(target: float) -> Fraction:
    """The target as the decimal the user wrote (1e-4 is exactly 1/10000 here)."""
    if not 0 < target <= 1:
        raise InputError(f"target rate {target} is not in (0, 1]")
    return Fraction(repr(float(target)))


def rule_of_thirty_trials(target: float) -> int:
    """Least number of trials in which a process at the target rate is expected to
    make 30 errors: 30 / target (Annex B.6)."""
    return math.ceil(Fraction(RULE_OF_THIRTY) / _target_fraction(target))


def rule_of_thirty_holds(errors: int) -> bool:
    """With at least 30 errors observed, the true rate lies within +-30 % of the
    observed one at 90 % confidence (Doddington's rule of 30)."""
    return errors >= RULE_OF_THIRTY


def minimum_subjects(limit: float, enrolment: int = 1, probes: int = 1,
                     confidence: float = CONFIDENCE) -> int:
    """Least number of subjects whose cross-comparisons reach the minimum test size.

    The comparison plan (FRS-SUB-018) compares every enrolment sample of a subject with
    every probe of every other subject, so N subjects with e enrolment samples and p
    probes each give e * p * N * (N - 1) non-mated comparisons: the least N with
    e * p * N (N - 1) >= minimum_trials(limit) (Annex B.6).
    """
    if enrolment < 1 or probes < 1:
        raise InputError(f"{enrolment} enrolment samples and {probes} probes per subject: "
                         "expected at least one of each")
    needed = minimum_trials(limit, confidence)
    per_pair = enrolment * probes
    subjects = max(2, math.isqrt(needed // per_pair))
    while per_pair * subjects * (subjects - 1) < needed:
        subjects += 1
    while subjects > 2 and per_pair * (subjects - 1) * (subjects - 2) >= needed:
        subjects -= 1
    return subjects


def subject_bootstrap(errors, subjects, resamples: int = MIN_BOOTSTRAP_RESAMPLES,
                      seed: int = 0, confidence: float = CONFIDENCE, chunk: int = 64
                      ) -> tuple[float, float]:
    """Percentile interval of an error rate from a subject-level bootstrap (Annex B.6).

    `errors` holds one 0/1 outcome per comparison and `subjects` the subject each
    comparison belongs to.  Each resample draws subjects with replacement and keeps
    every comparison of a drawn subject together; the rate of a resample is its
    errors over its comparisons.  The result is the [1 - c, c] percentiles of the
    `resamples` rates (numpy's default linear interpolation), each end a one-sided bound
    at `confidence` c as for `bounds`, reproducible from `seed`.
    """
    outcome = np.asarray(errors)
    owner = np.asarray(subjects)
    if outcome.ndim != 1 or outcome.shape != owner.shape or outcome.size == 0:
        raise InputError("errors and subjects must be 1-D, non-empty and of equal length")
    if not np.isin(outcome, (0, 1)).all():
        raise InputError("errors must be 0 or 1 for each comparison")
    if resamples < 1:
        raise InputError(f"resamples {resamples}: expected >= 1")
    if not 0.5 < confidence < 1:
        raise InputError(f"one-sided confidence {confidence} is not in (0.5, 1)")
    _, index = np.unique(owner, return_inverse=True)
    count = int(index.max()) + 1
    per_subject_errors = np.bincount(index, weights=outcome.astype(np.float64),
                                     minlength=count)
    per_subject_trials = np.bincount(index, minlength=count).astype(np.float64)
    rng = np.random.default_rng(seed)
    rates = np.empty(resamples)
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        draws = rng.integers(0, count, size=(size, count))
        weights = np.zeros((size, count))
        np.add.at(weights, (np.arange(size)[:, None], draws), 1.0)
        rates[start:start + size] = (weights @ per_subject_errors) / (weights @
                                                                     per_subject_trials)
    low, high = np.quantile(rates, [1 - confidence, confidence])
    return float(low), float(high)
