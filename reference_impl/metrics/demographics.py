"""Demographic differentials (FRS clause 7, Annex B.9).

Every group's rates are measured at one global threshold.  For groups g = 1..n with
FMR_g and FNMR_g:

- R_FMR = max FMR_g / min FMR_g and R_FNMR likewise, after flooring each zero rate at
  1 / (2 N_g), N_g the group's number of comparisons (a zero rate is "less than one
  error in N_g", so half an error stands in for it and the ratio stays finite);
- IR = R_FMR^alpha * R_FNMR^(1 - alpha) (the NIST inequity rate);
- FDR = 1 - (alpha * A + (1 - alpha) * B), A = max |FMR_i - FMR_j|, B likewise for
  FNMR (de Freitas Pereira and Marcel);
- GARBE = alpha * G(FMR) + (1 - alpha) * G(FNMR), with the Gini coefficient
  G(x) = n / (n - 1) * sum_i sum_j |x_i - x_j| / (2 n^2 mean(x)), and G = 0 when every
  x_i is 0 (Howard et al. 2022).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from reference_impl.errors import InputError
from reference_impl.limits import (
    CONFIDENCE,
    FAIRNESS_ALPHA,
    FDR_TARGET,
    FMR_GROUP_FACTOR,
    GARBE_TARGET,
    MIN_GROUPS,
)
from reference_impl.metrics.uncertainty import Rate, Verdict, judge
from reference_impl.metrics.verification import as_scores, as_threshold


@dataclass(frozen=True)
class GroupRates:
    threshold: float
    fmr: dict[str, Rate] = field(default_factory=dict)
    fnmr: dict[str, Rate] = field(default_factory=dict)


def per_group_rates(genuine_by_group: dict, impostor_by_group: dict, threshold: float,
                    confidence: float = CONFIDENCE) -> GroupRates:
    """FMR and FNMR of every group at one global threshold, with Clopper-Pearson
    intervals."""
    if not genuine_by_group and not impostor_by_group:
        raise InputError("no demographic group given")
    tau = as_threshold(threshold)
    result = GroupRates(tau)
    for name, scores in sorted(impostor_by_group.items()):
        s = as_scores(scores, f"impostor scores of group '{name}'")
        result.fmr[str(name)] = Rate(np.count_nonzero(s >= tau), s.size, confidence)
    for name, scores in sorted(genuine_by_group.items()):
        s = as_scores(scores, f"genuine scores of group '{name}'")
        result.fnmr[str(name)] = Rate(np.count_nonzero(s < tau), s.size, confidence)
    return result


def _rates(values, name: str) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size < 2:
        raise InputError(f"{name}: a differential needs at least two groups")
    if not np.isfinite(x).all() or (x < 0).any() or (x > 1).any():
        raise InputError(f"{name}: every rate must be a fraction in [0, 1]")
    return x


def floored(rates, trials) -> np.ndarray:
    """Each zero rate replaced by 1 / (2 N_g); other rates unchanged."""
    x = _rates(rates, "rates")
    n = np.asarray(trials, dtype=np.float64).ravel()
    if n.shape != x.shape or (n < 1).any():
        raise InputError("one number of comparisons (>= 1) is needed per group")
    return np.where(x == 0, 1 / (2 * n), x)


def max_min_ratio(rates, trials) -> float:
    """max_g / min_g of the rates after the zero floor (Annex B.9)."""
    x = floored(rates, trials)
    return float(x.max() / x.min())


def inequity_rate(fmrs, fmr_trials, fnmrs, fnmr_trials, alpha: float = FAIRNESS_ALPHA) -> float:
    """IR = R_FMR^alpha * R_FNMR^(1 - alpha), ratios taken after the zero floor."""
    _alpha(alpha)
    return (max_min_ratio(fmrs, fmr_trials) ** alpha
            * max_min_ratio(fnmrs, fnmr_trials) ** (1 - alpha))


def fairness_discrepancy_rate(fmrs, fnmrs, alpha: float = FAIRNESS_ALPHA) -> float:
    """FDR = 1 - (alpha * A + (1 - alpha) * B), A and B the largest pairwise gaps."""
    _alpha(alpha)
    a, b = _rates(fmrs, "FMR"), _rates(fnmrs, "FNMR")
    return 1 - (alpha * float(a.max() - a.min()) + (1 - alpha) * float(b.max() - b.min()))


def gini(values) -> float:
    """Gini coefficient with the small-sample factor n / (n - 1) (Annex B.9)."""
    x = _rates(values, "rates")
    n = x.size
    mean = x.mean()
    if mean == 0:
        return 0.0
    # sum_i sum_j |x_i - x_j| = 2 * sum_k (2k - n - 1) x_(k), x sorted, k = 1..n
    s = np.sort(x)
    pair_sum = 2 * float(np.dot(2 * np.arange(1, n + 1) - n - 1, s))
    # Equal rates give a pair sum of 0 up to rounding, which must not fall below parity.
    return max(0.0, n / (n - 1) * pair_sum / (2 * n * n * mean))


def garbe(fmrs, fnmrs, alpha: float = FAIRNESS_ALPHA) -> float:
    """GARBE = alpha * G(FMR_g) + (1 - alpha) * G(FNMR_g)."""
    _alpha(alpha)
    return alpha * gini(fmrs) + (1 - alpha) * gini(fnmrs)


def _alpha(alpha: float) -> None:
    if not 0 <= alpha <= 1:
        raise InputError(f"alpha {alpha} is not in [0, 1]")


@dataclass(frozen=True)
class Differentials:
    fmr_ratio: float
    fnmr_ratio: float
    inequity_rate: float
    fdr: float
    garbe: float
    alpha: float


def differentials(rates: GroupRates, alpha: float = FAIRNESS_ALPHA) -> Differentials:
    """Every summary of clause 7 from per-group rates at one threshold.  Groups are
    those with both an FMR and an FNMR."""
    groups = sorted(set(rates.fmr) & set(rates.fnmr))
    if len(groups) < 2:
        raise InputError("differentials need at least two groups with both genuine and "
                         "impostor comparisons")
    fmr = [rates.fmr[g].rate for g in groups]
    fmr_n = [rates.fmr[g].trials for g in groups]
    fnmr = [rates.fnmr[g].rate for g in groups]
    fnmr_n = [rates.fnmr[g].trials for g in groups]
    return Differentials(max_min_ratio(fmr, fmr_n), max_min_ratio(fnmr, fnmr_n),
                         inequity_rate(fmr, fmr_n, fnmr, fnmr_n, alpha),
                         fairness_discrepancy_rate(fmr, fnmr, alpha),
                         garbe(fmr, fnmr, alpha), alpha)


# ---------------------------------------------------------------------------
# Test design and limits of clause 7

def group_design_gaps(labels) -> list[str]:
    """What a test population lacks against clause 7.2: at least 3 age bands, 2 sexes
    and 5 skin-tone (or race/ethnicity) groups among its subjects' labels.

    `labels` is one dict per subject with the keys `age_band`, `sex`, `skin_tone`.
    An empty list means the design is met.
    """
    seen: dict[str, set] = {key: set() for key in MIN_GROUPS}
    for n, label in enumerate(labels):
        if not isinstance(label, dict):
            raise InputError(f"subject {n}: labels must be an object of group names")
        for key in MIN_GROUPS:
            if label.get(key) not in (None, ""):
                seen[key].add(str(label[key]))
    return [f"{key}: {len(seen[key])} groups, at least {minimum} needed"
            for key, minimum in MIN_GROUPS.items() if len(seen[key]) < minimum]


MATCH_KEYS = ("sex", "age_band", "region")


def unmatched_impostors(probe_labels, reference_labels, keys=MATCH_KEYS) -> list[int]:
    """Indices of impostor comparisons whose two subjects differ in sex, age band or
    region (clause 7.3 asks for none); a missing label counts as a difference."""
    probes, refs = list(probe_labels), list(reference_labels)
    if len(probes) != len(refs):
        raise InputError("probe and reference labels differ in length")
    return [n for n, (p, r) in enumerate(zip(probes, refs, strict=True))
            if any(p.get(k) is None or p.get(k) != r.get(k) for k in keys)]


def group_limits_verdict(rates: GroupRates, class_fmr: float, class_fnmr: float
                         ) -> Verdict:
    """Clause 7.2: in every group, the upper 95 % bound of FMR is at most 3 x the class
    FMR limit and the upper bound of FNMR at most the class FNMR limit; a group with
    fewer comparisons than a limit's minimum test size fails as too small."""
    judged = [(g, judge(r, FMR_GROUP_FACTOR * class_fmr, "FMR"))
              for g, r in sorted(rates.fmr.items())]
    judged += [(g, judge(r, class_fnmr, "FNMR")) for g, r in sorted(rates.fnmr.items())]
    failures = tuple(f"group '{g}': {j.reason}" for g, j in judged if not j.passed)
    return Verdict(not failures, failures or (f"{len(rates.fmr)} groups within "
                                              f"{FMR_GROUP_FACTOR} x FMR {class_fmr:g} and "
                                              f"FNMR {class_fnmr:g}",))


# ---------------------------------------------------------------------------
# Summary measures judged with their uncertainty (clause 7.3, Annex B.9)

def _bounds(rates: list[Rate]) -> tuple[np.ndarray, np.ndarray]:
    if len(rates) < 2:
        raise InputError("a differential needs at least two groups")
    return (np.array([r.lower for r in rates]), np.array([r.upper for r in rates]))


def favourable_gap(rates: list[Rate]) -> float:
    """The least largest-minus-smallest gap that the groups' 95 % bounds allow:
    max(0, max_g L_g - min_g U_g) (Annex B.9)."""
    low, high = _bounds(rates)
    return max(0.0, float(low.max() - high.min()))


def favourable_ratio(rates: list[Rate]) -> float:
    """The least max/min ratio the groups' 95 % bounds allow: max(1, max L_g / min U_g)."""
    low, high = _bounds(rates)
    return max(1.0, float(low.max() / high.min()))


def favourable_gini(rates: list[Rate]) -> float:
    """The least Gini coefficient of rates x_g = clip(c, L_g, U_g) over a common value c
    (Annex B.9).

    On each interval between two consecutive bounds the clipped rates move linearly in
    c, so G, a ratio of two functions linear in c, is monotone there: the least value
    is at one of the bounds, and only those are tried.
    """
    low, high = _bounds(rates)
    return min(gini(np.clip(c, low, high)) for c in np.unique(np.r_[low, high]))


@dataclass(frozen=True)
class Favourable:
    """Each summary measure at its most favourable value within the groups' bounds."""

    inequity_rate: float
    fdr: float
    garbe: float

    def record(self) -> dict:
        return asdict(self)


def favourable(rates: GroupRates, alpha: float = FAIRNESS_ALPHA) -> Favourable:
    """IR, FDR and GARBE at the values most favourable to the system that every group's
    one-sided 95 % bounds allow: a differential they still show is not chance."""
    _alpha(alpha)
    groups = sorted(set(rates.fmr) & set(rates.fnmr))
    fmr = [rates.fmr[g] for g in groups]
    fnmr = [rates.fnmr[g] for g in groups]
    return Favourable(
        favourable_ratio(fmr) ** alpha * favourable_ratio(fnmr) ** (1 - alpha),
        1 - (alpha * favourable_gap(fmr) + (1 - alpha) * favourable_gap(fnmr)),
        alpha * favourable_gini(fmr) + (1 - alpha) * favourable_gini(fnmr))


def fairness_targets_verdict(rates: GroupRates, alpha: float = FAIRNESS_ALPHA) -> Verdict:
    """Clause 7.3 recommendation: FDR >= 0.99 and GARBE <= 0.25, each judged at its most
    favourable value within the groups' bounds, so that chance alone never misses it."""
    best = favourable(rates, alpha)
    failures = []
    if best.fdr < FDR_TARGET:
        failures.append(f"FDR is at most {best.fdr:.4g} within the groups' 95 % bounds, "
                        f"below {FDR_TARGET:g}")
    if best.garbe > GARBE_TARGET:
        failures.append(f"GARBE is at least {best.garbe:.3g} within the groups' 95 % "
                        f"bounds, above {GARBE_TARGET:g}")
    return Verdict(not failures, tuple(failures) or (
        f"within the groups' 95 % bounds FDR can be {best.fdr:.4g} (≥ {FDR_TARGET:g}) and "
        f"GARBE {best.garbe:.3g} (≤ {GARBE_TARGET:g})",))
