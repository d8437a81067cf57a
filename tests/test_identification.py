"""Identification (clause 6.4, Annex B.7): known answers worked by hand."""

import numpy as np
import pytest

from reference_impl.errors import InputError
from reference_impl.metrics import identification as ident

# Three mated searches: the mate is at rank 1 (0.9), rank 2 (0.6) and absent; two
# non-mated searches whose top scores are 0.65 and none (empty list).
RANKS, MATE_SCORES = [1, 2, 0], [0.9, 0.6, np.nan]
NONMATED_TOP = [0.65, -np.inf]


@pytest.mark.requirement("FRS-ACC-010")
def test_fpir_counts_non_mated_searches_with_a_candidate_at_or_above_tau():
    assert ident.fpir(NONMATED_TOP, 0.65) == 1 / 2  # 0.65 itself is a false positive
    assert ident.fpir(NONMATED_TOP, 0.66) == 0.0
    assert ident.fpir(NONMATED_TOP, -1e300) == 1 / 2  # an empty list never is
    with pytest.raises(InputError):
        ident.fpir([], 0.5)
    with pytest.raises(InputError):
        ident.fpir([np.nan], 0.5)


@pytest.mark.requirement("FRS-ACC-010", "FRS-ACC-013")
def test_an_empty_candidate_list_is_no_false_positive_even_at_minus_infinity():
    # Worked by hand (Annex B.7): lists [empty, top score 0.5].  Only the second list has
    # a candidate, so FPIR(tau) = 1/2 for every tau <= 0.5, tau = -inf included (counting
    # the empty list as a false positive there gave 1).
    top = [-np.inf, 0.5]
    assert ident.fpir(top, -np.inf) == 1 / 2
    assert ident.fpir(top, 0.5) == 1 / 2 and ident.fpir(top, 0.51) == 0.0
    # Target 1/2 allows one false positive of two: -inf already meets it.
    assert ident.threshold_at_fpir(top, 0.5) == -np.inf
    assert ident.fnir_at_fpir([1], [0.7], top, 0.5, 1).fpir == 1 / 2
    # Target 0 allows none: the threshold must pass 0.5.
    assert ident.threshold_at_fpir(top, 0.0) == np.nextafter(0.5, 1)
    # Every list empty: no search can be a false positive at any threshold.
    assert ident.fpir([-np.inf, -np.inf], -np.inf) == 0.0
    assert ident.threshold_at_fpir([-np.inf, -np.inf], 0.0) == -np.inf


@pytest.mark.requirement("FRS-ACC-010", "FRS-ACC-011")
def test_a_nan_threshold_is_unusable_input_not_a_rate_of_zero():
    # No score is >= NaN: FPIR and the found mates would all read 0.
    with pytest.raises(InputError, match="threshold is NaN"):
        ident.fpir(NONMATED_TOP, np.nan)
    with pytest.raises(InputError, match="threshold is NaN"):
        ident.fnir(RANKS, MATE_SCORES, 1, np.nan)


@pytest.mark.requirement("FRS-ACC-011")
def test_fnir_counts_mates_outside_the_top_r_or_below_tau():
    assert ident.fnir(RANKS, MATE_SCORES, 1, -np.inf) == 2 / 3  # rank 2 and absent
    assert ident.fnir(RANKS, MATE_SCORES, 2, -np.inf) == 1 / 3  # only the absent mate
    assert ident.fnir(RANKS, MATE_SCORES, 2, 0.6) == 1 / 3      # 0.6 >= 0.6 is found
    assert ident.fnir(RANKS, MATE_SCORES, 2, 0.61) == 2 / 3
    assert ident.fnir(RANKS, MATE_SCORES, 1, 0.95) == 1.0
    with pytest.raises(InputError):
        ident.fnir(RANKS, MATE_SCORES, 0, 0.5)
    with pytest.raises(InputError):
        ident.fnir([1], [np.nan], 1, 0.5)


@pytest.mark.requirement("FRS-ACC-012")
def test_mate_rank_counts_ties_against_the_mate_whatever_the_order():
    assert ident.mate_rank(["a", "b", "c"], [0.9, 0.8, 0.7], "b") == (2, 0.8)
    # b ties with c: both orders give rank 3 (a and the tied c are at least as high)
    assert ident.mate_rank(["a", "b", "c"], [0.9, 0.8, 0.8], "b") == (3, 0.8)
    assert ident.mate_rank(["a", "c", "b"], [0.9, 0.8, 0.8], "b") == (3, 0.8)
    rank, score = ident.mate_rank(["a"], [0.9], "z")
    assert rank == ident.NO_RANK and np.isnan(score)
    # Listed twice, the mate counts at its best score; alone in its list, it is first.
    assert ident.mate_rank(["b", "a", "b"], [0.5, 0.7, 0.8], "b") == (1, 0.8)
    assert ident.mate_rank(["b"], [0.1], "b") == (1, 0.1)
    # The same rule, vectorised, for the searches `frs evaluate` makes (-inf: no candidate).
    others = [[0.9, 0.8, -np.inf], [0.1, 0.2, 0.3], [0.5, 0.5, 0.5]]
    assert ident.ranks_of_mates([0.8, 0.4, 0.5], others).tolist() == [3, 1, 4]


@pytest.mark.requirement("FRS-ACC-013")
def test_fnir_at_fpir_uses_the_least_threshold_meeting_the_target():
    top = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
    # Target 0.1 of 10 searches allows one false positive: tau just above 0.9.
    point = ident.fnir_at_fpir([1, 1, 2], [0.97, 0.92, 0.99], top, 0.1, 1)
    assert point.threshold == np.nextafter(0.9, 1)
    assert point.fpir == 0.1
    assert point.fnir == 1 / 3  # the rank-2 mate; 0.92 and 0.97 are above tau
    assert ident.threshold_at_fpir(top, 1.0) == -np.inf


@pytest.mark.requirement("FRS-ACC-014")
def test_cmc_is_the_cumulative_rank_k_identification_rate():
    rates = ident.cmc([1, 2, 0, 3, 1], 4)
    assert rates.tolist() == [2 / 5, 3 / 5, 4 / 5, 4 / 5]
    for k, rate in enumerate(rates, start=1):
        assert rate == pytest.approx(1 - ident.fnir([1, 2, 0, 3, 1], [1] * 5, k, -np.inf))
