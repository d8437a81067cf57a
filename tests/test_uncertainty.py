"""Uncertainty and test size (clause 6.5, Annex B.6)."""

import numpy as np
import pytest
from scipy.stats import beta

from reference_impl.errors import InputError
from reference_impl.metrics import uncertainty as u


@pytest.mark.requirement("FRS-ACC-016")
def test_clopper_pearson_known_values():
    # x = 0: lower 0, upper = 1 - 0.025^(1/n) (the two-sided 97.5 % one-sided bound).
    low, high = u.clopper_pearson(0, 1000)
    assert low == 0.0 and high == pytest.approx(1 - 0.025 ** (1 / 1000), rel=1e-12)
    # x = n: upper 1, lower = 0.025^(1/n).
    low, high = u.clopper_pearson(10, 10)
    assert high == 1.0 and low == pytest.approx(0.025 ** (1 / 10), rel=1e-12)
    # 2 false matches in 100,000 (the worked example of clause 2).
    assert u.clopper_pearson(2, 100_000)[1] == pytest.approx(beta.ppf(0.975, 3, 99_998))
    low, high = u.clopper_pearson(30, 5000)
    assert low < 30 / 5000 < high
    with pytest.raises(InputError):
        u.clopper_pearson(3, 2)
    with pytest.raises(InputError):
        u.clopper_pearson(1, 2, confidence=1.0)


@pytest.mark.requirement("FRS-ACC-017")
def test_rule_of_three_supports_a_target_from_three_over_x_trials():
    assert u.rule_of_three_trials(1e-4) == 30_000  # exactly, not 30,001 from rounding
    assert u.rule_of_three_trials(0.05) == 60
    assert u.rule_of_three_trials(1e-6) == 3_000_000
    assert u.target_supported(1e-4, 30_000) and not u.target_supported(1e-4, 29_999)
    assert u.rule_of_three(30_000) == 1e-4 and u.rule_of_three(1) == 1.0
    # 3/n sits just above the exact zero-error 95 % bound 1 - 0.05^(1/n)
    assert 1 - 0.05 ** (1 / 30_000) < u.rule_of_three(30_000) < 1.002 * (1 - 0.05 ** (1 / 30_000))
    with pytest.raises(InputError):
        u.rule_of_three_trials(0)


@pytest.mark.requirement("FRS-ACC-018")
def test_rule_of_thirty():
    assert u.rule_of_thirty_trials(1e-4) == 300_000
    assert u.rule_of_thirty_trials(3e-4) == 100_000  # 30 / 3e-4 in floats is 100000.00000000001
    assert u.rule_of_thirty_trials(0.01) == 3000
    assert u.rule_of_thirty_holds(30) and not u.rule_of_thirty_holds(29)


@pytest.mark.requirement("FRS-ACC-019")
def test_minimum_subjects_by_hand():
    # 1e-4 needs 30,000 comparisons; N(N-1)/2: 245 gives 29,890, 246 gives 30,135.
    assert u.minimum_subjects(1e-4) == 246
    # two samples each: 4 N(N-1)/2 = 2 N(N-1): 123 gives 30,012, 122 gives 29,524.
    assert u.minimum_subjects(1e-4, 2) == 123
    # 1:25,000 needs 75,000: 388 gives 75,078, 387 gives 74,691.
    assert u.minimum_subjects(1 / 25_000) == 388
    assert u.minimum_subjects(1.0) == 3  # 3 comparisons: 3 subjects give 3 pairs
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
