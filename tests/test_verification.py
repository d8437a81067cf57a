"""Verification error rates (clause 6, Annex B): known answers worked by hand."""

import numpy as np
import pytest

from reference_impl.errors import InputError
from reference_impl.metrics import verification as v

# The worked example of clause 6.2.
GENUINE = [0.2, 0.6, 0.7, 0.9]
IMPOSTOR = [0.1, 0.3, 0.4, 0.6, 0.8]


@pytest.mark.requirement("FRS-ACC-001")
def test_fmr_counts_impostor_scores_at_or_above_the_threshold():
    assert v.fmr(IMPOSTOR, 0.6) == 2 / 5  # 0.6 itself is accepted
    assert v.fmr(IMPOSTOR, 0.61) == 1 / 5
    assert v.fmr(IMPOSTOR, 0.1) == 1.0
    assert v.fmr(IMPOSTOR, 0.81) == 0.0


@pytest.mark.requirement("FRS-ACC-002")
def test_fnmr_counts_genuine_scores_below_the_threshold():
    assert v.fnmr(GENUINE, 0.6) == 1 / 4  # 0.6 itself is accepted
    assert v.fnmr(GENUINE, 0.61) == 2 / 4
    assert v.fnmr(GENUINE, 0.2) == 0.0
    assert v.fnmr(GENUINE, 1.0) == 1.0


@pytest.mark.requirement("FRS-ACC-003")
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_comparison_without_a_finite_score_is_refused_not_counted(bad):
    with pytest.raises(InputError, match="NaN or infinite"):
        v.as_scores([0.5, bad], "genuine")
    with pytest.raises(InputError, match="NaN or infinite"):
        v.fmr([0.5, bad], 0.4)


@pytest.mark.requirement("FRS-ACC-003")
def test_an_empty_score_set_has_no_error_rate():
    with pytest.raises(InputError, match="no scores"):
        v.fnmr([], 0.5)


@pytest.mark.requirement("FRS-ACC-004")
def test_fnmr_at_fmr_takes_the_least_threshold_meeting_the_target():
    point = v.fnmr_at_fmr(GENUINE, IMPOSTOR, 0.2)
    assert point.threshold == np.nextafter(0.6, 1)  # just above the 2nd highest impostor
    assert (point.fmr, point.fnmr) == (1 / 5, 2 / 4)
    # A target below 1/5 allows no false match: the threshold passes the top impostor.
    point = v.fnmr_at_fmr(GENUINE, IMPOSTOR, 0.1)
    assert point.threshold == np.nextafter(0.8, 1)
    assert (point.fmr, point.fnmr) == (0.0, 3 / 4)
    # A target of 1 allows every false match: every comparison is accepted.
    point = v.fnmr_at_fmr(GENUINE, IMPOSTOR, 1.0)
    assert point.threshold == -np.inf and (point.fmr, point.fnmr) == (1.0, 0.0)


@pytest.mark.requirement("FRS-ACC-004")
def test_fnmr_at_fmr_rejects_every_tied_impostor_score():
    # Three impostors tie at 0.5; a target of 1/4 allows one false match, but accepting
    # any of the tied scores accepts all three, so the threshold must pass them all.
    point = v.fnmr_at_fmr([0.5, 0.7], [0.5, 0.5, 0.5, 0.1], 0.25)
    assert point.threshold == np.nextafter(0.5, 1)
    assert (point.fmr, point.fnmr) == (0.0, 0.5)


@pytest.mark.requirement("FRS-ACC-004")
def test_allowed_false_matches_is_settled_on_the_quotient():
    # 0.0003 * 10000 is 2.9999999999999996 in floating point; 3 / 10000 <= 0.0003 holds.
    assert v.allowed_false_matches(0.0003, 10_000) == 3
    assert v.allowed_false_matches(1e-4, 30_000) == 3
    assert v.allowed_false_matches(0.1, 5) == 0


@pytest.mark.requirement("FRS-ACC-005")
def test_eer_on_the_step_curve():
    result = v.eer(GENUINE, IMPOSTOR)
    # Thresholds and rates by hand: at 0.6 FMR 2/5, FNMR 1/4 (gap .15); at 0.7 FMR 1/5,
    # FNMR 2/4 (gap .3); at 0.4 FMR 3/5, FNMR 1/4 (gap .35). The least gap is at 0.6.
    assert result.threshold == 0.6
    assert (result.fmr, result.fnmr) == (2 / 5, 1 / 4)
    assert result.eer == pytest.approx((2 / 5 + 1 / 4) / 2, abs=0)


@pytest.mark.requirement("FRS-ACC-005")
def test_eer_takes_the_least_threshold_among_ties_whatever_the_order():
    genuine, impostor = [0.6, 0.9], [0.1, 0.5]
    # FMR = FNMR = 0 for every threshold in (0.5, 0.6]: the least is 0.6.
    for order in (1, -1):
        result = v.eer(genuine[::order], impostor[::order])
        assert (result.eer, result.threshold) == (0.0, 0.6)
