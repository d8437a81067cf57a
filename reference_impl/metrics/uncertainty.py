"""Confidence intervals for error rates (FRS clause 6, Annex B)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy.stats import beta

from reference_impl.errors import InputError
from reference_impl.limits import (
    CONFIDENCE,
    MIN_BOOTSTRAP_RESAMPLES,
    RULE_OF_THIRTY,
    RULE_OF_THREE,
)


def clopper_pearson(errors: int, trials: int, confidence: float = CONFIDENCE
                    ) -> tuple[float, float]:
    """The exact (Clopper-Pearson) two-sided interval for `errors` in `trials`.

    [B(a/2; x, n-x+1), B(1-a/2; x+1, n-x)] with B the Beta quantile and a = 1 - confidence;
    the lower end is 0 when x = 0 and the upper end is 1 when x = n.
    """
    if trials <= 0 or not 0 <= errors <= trials:
        raise InputError(f"{errors} errors in {trials} trials: expected 0 <= errors <= trials "
                         "and trials > 0")
    if not 0 < confidence < 1:
        raise InputError(f"confidence {confidence} is not in (0, 1)")
    alpha = 1 - confidence
    lower = 0.0 if errors == 0 else float(beta.ppf(alpha / 2, errors, trials - errors + 1))
    upper = 1.0 if errors == trials else float(beta.ppf(1 - alpha / 2, errors + 1,
                                                        trials - errors))
    return lower, upper


@dataclass(frozen=True)
class Rate:
    """An error rate as FRS states it: `errors` in `trials`, with its two-sided
    Clopper-Pearson interval at `confidence` (Annex B.6).

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
        # clopper_pearson refuses impossible counts and confidences.
        object.__setattr__(self, "interval", clopper_pearson(self.errors, self.trials,
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
        return record


def _target_fraction(target: float) -> Fraction:
    """The target as the decimal the user wrote (1e-4 is exactly 1/10000 here)."""
    if not 0 < target <= 1:
        raise InputError(f"target rate {target} is not in (0, 1]")
    return Fraction(repr(float(target)))


def rule_of_three(trials: int) -> float:
    """Upper 95 % bound on a rate with zero errors in `trials` trials: 3 / n.

    The exact one-sided bound is 1 - 0.05^(1/n) (clopper_pearson gives the two-sided
    one); since -ln(0.05) = 2.996, 3/n lies just above it for large n.
    """
    if trials <= 0:
        raise InputError(f"{trials} trials: expected at least one")
    return min(1.0, RULE_OF_THREE / trials)


def rule_of_three_trials(target: float) -> int:
    """Least number of trials n with 3 / n <= target: zero errors in n trials then
    bound the rate at or below the target with 95 % confidence (Annex B.6)."""
    return math.ceil(Fraction(RULE_OF_THREE) / _target_fraction(target))


def rule_of_thirty_trials(target: float) -> int:
    """Least number of trials in which a process at the target rate is expected to
    make 30 errors: 30 / target (Annex B.6)."""
    return math.ceil(Fraction(RULE_OF_THIRTY) / _target_fraction(target))


def rule_of_thirty_holds(errors: int) -> bool:
    """With at least 30 errors observed, the true rate lies within +-30 % of the
    observed one at 90 % confidence (Doddington's rule of 30)."""
    return errors >= RULE_OF_THIRTY


def target_supported(target: float, trials: int) -> bool:
    """Whether `trials` comparisons can support a claim at `target` (rule of 3)."""
    return trials >= rule_of_three_trials(target)


def minimum_subjects(target: float, samples_per_subject: int = 1) -> int:
    """Least number of subjects whose cross-comparisons reach the rule of 3.

    Each unordered pair of distinct subjects gives samples_per_subject^2 impostor
    comparisons, one per pair of their samples: the least N with
    s^2 * N (N - 1) / 2 >= rule_of_three_trials(target) (Annex B.6).
    """
    if samples_per_subject < 1:
        raise InputError(f"samples per subject {samples_per_subject}: expected >= 1")
    needed = rule_of_three_trials(target)
    per_pair = samples_per_subject ** 2
    subjects = max(2, math.isqrt(2 * needed // per_pair))
    while per_pair * subjects * (subjects - 1) // 2 < needed:
        subjects += 1
    while subjects > 2 and per_pair * (subjects - 1) * (subjects - 2) // 2 >= needed:
        subjects -= 1
    return subjects


def subject_bootstrap(errors, subjects, resamples: int = MIN_BOOTSTRAP_RESAMPLES, seed: int = 0,
                      confidence: float = CONFIDENCE, chunk: int = 64) -> tuple[float, float]:
    """Percentile interval of an error rate from a subject-level bootstrap (Annex B.6).

    `errors` holds one 0/1 outcome per comparison and `subjects` the subject each
    comparison belongs to.  Each resample draws subjects with replacement and keeps
    every comparison of a drawn subject together; the rate of a resample is its
    errors over its comparisons.  The result is the [a/2, 1 - a/2] percentiles of
    the `resamples` rates (numpy's default linear interpolation), reproducible from
    `seed`.
    """
    outcome = np.asarray(errors)
    owner = np.asarray(subjects)
    if outcome.ndim != 1 or outcome.shape != owner.shape or outcome.size == 0:
        raise InputError("errors and subjects must be 1-D, non-empty and of equal length")
    if not np.isin(outcome, (0, 1)).all():
        raise InputError("errors must be 0 or 1 for each comparison")
    if resamples < 1:
        raise InputError(f"resamples {resamples}: expected >= 1")
    if not 0 < confidence < 1:
        raise InputError(f"confidence {confidence} is not in (0, 1)")
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
    alpha = 1 - confidence
    low, high = np.quantile(rates, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)
