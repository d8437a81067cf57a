"""Confidence intervals for error rates (FRS clause 6, Annex B)."""

from __future__ import annotations

from scipy.stats import beta

from reference_impl.errors import InputError


def clopper_pearson(errors: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
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
