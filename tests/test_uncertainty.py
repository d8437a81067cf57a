"""Uncertainty and test size (clause 6.5, Annex B.6)."""

import numpy as np
import pytest
from scipy.stats import beta

from reference_impl.errors import InputError
from reference_impl.metrics import uncertainty as u


@pytest.mark.requirement("FRS-ACC-016")
def test_clopper_pearson_known_values():
    # x = 0: lower 0, upper = 1 - 0.025^(1/n) (two-sided 95 %).
    low, high = u.clopper_pearson(0, 1000, 0.95)
    assert low == 0.0 and high == pytest.approx(1 - 0.025 ** (1 / 1000), rel=1e-12)
    # x = n: upper 1, lower = 0.025^(1/n).
    low, high = u.clopper_pearson(10, 10, 0.95)
    assert high == 1.0 and low == pytest.approx(0.025 ** (1 / 10), rel=1e-12)
    low, high = u.clopper_pearson(30, 5000, 0.95)
    assert low < 30 / 5000 < high
    with pytest.raises(InputError):
        u.clopper_pearson(3, 2, 0.95)
    with pytest.raises(InputError):
        u.clopper_pearson(1, 2, confidence=1.0)


@pytest.mark.requirement("FRS-ACC-016")
def test_every_bound_is_one_sided_at_95_percent():
    # The upper bound is the 95 % quantile B(0.95; x+1, n-x), not the 97.5 % one.
    assert u.upper_bound(2, 100_000) == pytest.approx(beta.ppf(0.95, 3, 99_998), rel=1e-12)
    assert u.upper_bound(2, 100_000) < u.clopper_pearson(2, 100_000, 0.95)[1]
    # With zero errors it is 1 - 0.05^(1/n), the exact bound the rule of 3 approximates.
    assert u.upper_bound(0, 30_000) == pytest.approx(1 - 0.05 ** (1 / 30_000), rel=1e-12)
    assert u.upper_bound(0, 30_000) < 3 / 30_000
    # The bounds a report states are the ends of the two-sided 90 % interval.
    assert u.bounds(7, 500) == pytest.approx(u.clopper_pearson(7, 500, 0.90), rel=1e-12)
    assert u.Rate(7, 500).interval == u.bounds(7, 500)
    assert u.Rate(7, 500).upper == u.upper_bound(7, 500)
    assert u.bounds(5, 5) == (pytest.approx(0.05 ** (1 / 5)), 1.0)
    with pytest.raises(InputError, match="one-sided"):
        u.upper_bound(1, 10, confidence=0.4)


@pytest.mark.requirement("FRS-ACC-016")
def test_the_beta_quantile_is_scipy_stats_beta_ppf_bit_for_bit():
    # bounds take scipy.special.betaincinv (a light import) for scipy.stats.beta.ppf:
    # the same float64, from single comparisons to 10^9 trials, at every quantile a
    # bound asks for and at random ones
    rng = np.random.default_rng(0)
    trials = np.floor(10 ** rng.uniform(0, 9, 3000)).astype(np.int64) + 1
    errors = np.minimum(np.floor(trials * rng.uniform(0, 1, 3000) ** 3), trials - 1)
    errors = errors.astype(np.int64)
    quantiles = np.r_[rng.uniform(0, 1, 2000), np.full(1000, 0.95)]
    quantiles[:500] = (1 - (2 * 0.95 - 1)) / 2  # the lower end of `bounds`
    for q, x, n in zip(quantiles.tolist(), errors.tolist(), trials.tolist(), strict=True):
        assert u.beta_quantile(q, x + 1, n - x) == float(beta.ppf(q, x + 1, n - x))
    assert u.upper_bound(2, 100_000) == float(beta.ppf(0.95, 3, 99_998))
    assert u.bounds(7, 500)[0] == float(beta.ppf(1 - 0.95, 7, 494))


@pytest.mark.requirement("FRS-ACC-017")
@pytest.mark.parametrize("limit", [1e-3, 1e-4, 3e-4, 1e-6, 0.01, 0.05, 0.07, 0.15])
def test_the_minimum_test_size_is_where_zero_errors_first_meet_the_limit(limit):
    n = u.minimum_trials(limit)
    assert u.upper_bound(0, n) <= limit < u.upper_bound(0, n - 1)
    # The closed form ln(0.05) / ln(1 - x), and the rule of 3 just above it.
    assert n == pytest.approx(np.log(0.05) / np.log1p(-limit), abs=1)
    assert n <= 3 / limit
    assert u.target_supported(limit, n) and not u.target_supported(limit, n - 1)


@pytest.mark.requirement("FRS-ACC-017")
def test_minimum_test_sizes_by_hand():
    # ln(0.05) = -2.995732; / ln(1 - 1e-4) = -1.00005e-4 gives 29,955.8.
    assert u.minimum_trials(1e-4) == 29_956
    assert u.minimum_trials(1e-3) == 2_995
    assert u.minimum_trials(0.05) == 59
    assert u.minimum_trials(1.0) == 1
    with pytest.raises(InputError):
        u.minimum_trials(0)


@pytest.mark.requirement("FRS-ACC-016", "FRS-ACC-017")
def test_a_limit_is_judged_on_the_bound_and_a_small_test_says_how_large_it_must_be():
    ok = u.judge(u.Rate(0, 29_956), 1e-4, "FMR")
    assert ok.passed and not ok.too_small
    small = u.judge(u.Rate(0, 29_955), 1e-4, "FMR")
    assert not small.passed and small.too_small
    assert small.reason == ("0 errors in 29,955 trials: too few to show FMR ≤ 0.0001; "
                            "needs ≥ 29,956")
    # The newcomer's test: 0 false matches in 33,540 comparisons now passes.
    assert u.judge(u.Rate(0, 33_540), 1e-4, "FMR").passed
    high = u.judge(u.Rate(5, 30_000), 1e-4, "FMR")
    assert not high.passed and not high.too_small
    assert high.reason.startswith("FMR upper bound 0.00035 exceeds 0.0001 (5 errors")


@pytest.mark.requirement("FRS-ACC-018")
def test_rule_of_thirty():
    assert u.rule_of_thirty_trials(1e-4) == 300_000
    assert u.rule_of_thirty_trials(3e-4) == 100_000  # 30 / 3e-4 in floats is 100000.00000000001
    assert u.rule_of_thirty_trials(0.01) == 3000
    assert u.rule_of_thirty_holds(30) and not u.rule_of_thirty_holds(29)


@pytest.mark.requirement("FRS-ACC-019")
def test_minimum_subjects_by_hand():
    # 1e-4 needs 29,956 comparisons of ordered pairs N(N-1): 173 gives 29,756, 174 gives
    # 30,102 -- the 174 subjects of cPP issue 306 for ordered cross-comparisons.
    assert u.minimum_subjects(1e-4) == 174
    # two probes each: 2 N(N-1): 123 gives 30,012, 122 gives 29,524.
    assert u.minimum_subjects(1e-4, probes=2) == 123
    # a demographic group at 3 x 1e-4 needs 9,985: 100 gives 9,900, 101 gives 10,100.
    assert u.minimum_subjects(3e-4) == 101
    assert u.minimum_subjects(1.0) == 2  # 1 trial: 2 subjects give 2 ordered pairs
    with pytest.raises(InputError):
        u.minimum_subjects(1e-4, 0)


@pytest.mark.requirement("FRS-ACC-020")
def test_subject_bootstrap_keeps_subjects_together_and_is_reproducible():
    # Subject 0 always errs (10 comparisons), subject 1 never (10 comparisons).  Each
    # resample draws 2 subjects: {0,0} rate 1, {1,1} rate 0, {0,1} rate 1/2.  A
    # comparison-level bootstrap would give rates like 0.35 or 0.65; this one cannot.
    errors = np.r_[np.ones(10), np.zeros(10)]
    subjects = np.r_[np.zeros(10), np.ones(10)]
    low, high = u.subject_bootstrap(errors, subjects, resamples=1000, seed=3)
    assert (low, high) == (0.0, 1.0)
    rng = np.random.default_rng(0)
    errors = rng.random(3000) < 0.1
    subjects = np.arange(3000) // 10
    first = u.subject_bootstrap(errors, subjects, seed=42)
    assert first == u.subject_bootstrap(errors, subjects, seed=42)
    assert first != u.subject_bootstrap(errors, subjects, seed=43)
    assert first[0] < errors.mean() < first[1]
    # Every resample rate is a ratio of per-subject sums: with equal-sized subjects
    # the rate is a multiple of 1/(10 * 300).
    assert round(first[0] * 3000, 6) == round(first[0] * 3000)
    with pytest.raises(InputError):
        u.subject_bootstrap([0, 2], [1, 1])
    with pytest.raises(InputError):
        u.subject_bootstrap([0, 1], [1])
