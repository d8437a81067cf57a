"""Verification error rates (clause 6, Annex B): known answers worked by hand."""

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from reference_impl.errors import InputError
from reference_impl.metrics import verification as v


def step_curve(genuine, impostor):
    """(thresholds, FMR, FNMR) at every distinct score and at +inf, by counting: the whole
    step curve (the set T of Annex B.3), as a reference independent of CountedScores."""
    gen, imp = np.sort(genuine), np.sort(impostor)
    thresholds = np.append(np.unique(np.concatenate([gen, imp])), np.inf)
    fmr_values = (imp.size - np.searchsorted(imp, thresholds, side="left")) / imp.size
    fnmr_values = np.searchsorted(gen, thresholds, side="left") / gen.size
    return thresholds, fmr_values, fnmr_values


# The worked example of clause 6.2.
GENUINE = [0.2, 0.6, 0.7, 0.9]
IMPOSTOR = [0.1, 0.3, 0.4, 0.6, 0.8]


@pytest.mark.requirement("FRS-ACC-001")
def test_fmr_counts_impostor_scores_at_or_above_the_threshold():
    scores = v.CountedScores(GENUINE, IMPOSTOR)
    for tau, expected in ((0.6, 2 / 5), (0.61, 1 / 5), (0.1, 1.0), (0.81, 0.0)):
        assert scores.fmr(tau) == expected == v.fmr(IMPOSTOR, tau)  # 0.6 itself is accepted
    assert scores.fmr([-np.inf, np.inf]).tolist() == [1.0, 0.0]


@pytest.mark.requirement("FRS-ACC-002")
def test_fnmr_counts_genuine_scores_below_the_threshold():
    scores = v.CountedScores(GENUINE, IMPOSTOR)
    for tau, expected in ((0.6, 1 / 4), (0.61, 2 / 4), (0.2, 0.0), (1.0, 1.0)):
        assert scores.fnmr(tau) == expected == v.fnmr(GENUINE, tau)  # 0.6 itself is accepted
    assert scores.fnmr([-np.inf, np.inf]).tolist() == [0.0, 1.0]


@pytest.mark.requirement("FRS-ACC-001", "FRS-ACC-002")
def test_a_nan_threshold_is_unusable_input_not_a_rate_of_zero():
    # No score is >= NaN and none is < NaN: FMR and FNMR would both read 0, a silent pass.
    scores = v.CountedScores(GENUINE, IMPOSTOR)
    for rate in (lambda t: v.fmr(IMPOSTOR, t), lambda t: v.fnmr(GENUINE, t), scores.fmr,
                 scores.fnmr, lambda t: scores.fmr([0.5, t])):
        with pytest.raises(InputError, match="threshold is NaN"):
            rate(np.nan)
    with pytest.raises(InputError, match="target FMR nan"):
        scores.fnmr_at_fmr(np.nan)


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


# --------------------------------------------------------------------------- fast path

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Scores on a coarse grid, so ties between and within the sets are common.
grid_scores = st.lists(st.integers(-6, 6).map(lambda i: i / 4), min_size=1, max_size=40)


def brute_force_eer(genuine, impostor):
    """Annex B.3 literally: every threshold of T, least argmin of |FMR - FNMR|."""
    thresholds = sorted(set(genuine) | set(impostor)) + [np.inf]
    best = None
    for tau in thresholds:
        f = sum(s >= tau for s in impostor) / len(impostor)
        g = sum(s < tau for s in genuine) / len(genuine)
        if best is None or abs(f - g) < best[0]:
            best = (abs(f - g), tau, f, g)
    return best


@pytest.mark.requirement("FRS-ACC-005")
@settings(max_examples=150, deadline=None)
@given(grid_scores, grid_scores)
def test_eer_by_bisection_equals_the_literal_definition(genuine, impostor):
    _, tau, f, g = brute_force_eer(genuine, impostor)
    result = v.eer(genuine, impostor)
    assert (result.threshold, result.fmr, result.fnmr) == (tau, f, g)
    assert result.eer == (f + g) / 2


@pytest.mark.requirement("FRS-ACC-005")
@settings(max_examples=100, deadline=None)
@given(grid_scores, grid_scores, st.randoms(use_true_random=False))
def test_eer_lies_between_the_curves_and_ignores_input_order(genuine, impostor, random):
    result = v.eer(genuine, impostor)
    assert min(result.fmr, result.fnmr) <= result.eer <= max(result.fmr, result.fnmr)
    shuffled_g, shuffled_i = genuine[:], impostor[:]
    random.shuffle(shuffled_g)
    random.shuffle(shuffled_i)
    assert v.eer(shuffled_g, shuffled_i) == result


@pytest.mark.requirement("FRS-ACC-001", "FRS-ACC-002")
@settings(max_examples=100, deadline=None)
@given(grid_scores, grid_scores)
def test_fmr_never_rises_and_fnmr_never_falls_with_the_threshold(genuine, impostor):
    thresholds, fmr_values, fnmr_values = step_curve(genuine, impostor)
    assert (np.diff(thresholds) > 0).all()
    assert (np.diff(fmr_values) <= 0).all() and (np.diff(fnmr_values) >= 0).all()
    scores = v.CountedScores(genuine, impostor)
    for tau, f, g in zip(thresholds, fmr_values, fnmr_values, strict=True):
        assert v.fmr(impostor, tau) == f == scores.fmr(tau)
        assert v.fnmr(genuine, tau) == g == scores.fnmr(tau)


@pytest.mark.requirement("FRS-ACC-004")
@settings(max_examples=100, deadline=None)
@given(grid_scores, grid_scores, st.sampled_from([1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0]))
def test_threshold_at_fmr_is_the_least_meeting_the_target(genuine, impostor, target):
    point = v.fnmr_at_fmr(genuine, impostor, target)
    assert point.fmr <= target
    if point.threshold > -np.inf:  # one float64 lower accepts too many impostors
        assert v.fmr(impostor, np.nextafter(point.threshold, -np.inf)) > target
    assert v.CountedScores(genuine, impostor).fnmr_at_fmr(target) == point


@pytest.mark.requirement("FRS-ACC-006")
def test_interpolated_eer_of_the_worked_example():
    # (FMR, FNMR) = (2/5, 1/4) at 0.6 and (1/5, 2/4) at 0.7; d = 0.15 and -0.3;
    # t = 0.15 / 0.45 = 1/3; EER = 2/5 - (1/3)(1/5) = 1/3.
    assert v.eer_interpolated(GENUINE, IMPOSTOR) == pytest.approx(1 / 3, abs=1e-15)
    # When the curves meet exactly at a point of T, both EERs are that rate.
    assert v.eer_interpolated([0.6, 0.9], [0.1, 0.5]) == 0.0
    assert v.eer_interpolated([0.1, 0.6], [0.3, 0.7]) == 0.5


@pytest.mark.requirement("FRS-ACC-006")
@settings(max_examples=100, deadline=None)
@given(grid_scores, grid_scores)
def test_interpolated_eer_lies_on_the_crossing_segment(genuine, impostor):
    value = v.eer_interpolated(genuine, impostor)
    thresholds, f, g = step_curve(genuine, impostor)
    a = int(np.flatnonzero(f - g >= 0)[-1])
    lo, hi = sorted([f[a], f[a + 1]])
    assert lo - 1e-12 <= value <= hi + 1e-12
    lo, hi = sorted([g[a], g[a + 1]])
    assert lo - 1e-12 <= value <= hi + 1e-12


@pytest.mark.requirement("FRS-ACC-007")
def test_det_points_are_exact_points_of_the_step_curve():
    rng = np.random.default_rng(5)
    genuine = np.round(rng.normal(2, 1, 3000), 3)
    impostor = np.round(rng.normal(0, 1, 50000), 3)
    thresholds, fmr_values, fnmr_values = v.det_points(genuine, impostor, 200)
    assert 100 <= thresholds.size <= 200 and thresholds[-1] == np.inf
    full_t, full_f, full_g = step_curve(genuine, impostor)
    # The rates at a threshold are those of the least score at or above it, a point of
    # T: every point drawn is a point of the step curve.
    where = np.searchsorted(full_t, thresholds)
    assert (full_f[where] == fmr_values).all() and (full_g[where] == fnmr_values).all()
    # the FMR tail reaches one false match: the highest impostor score is a point
    assert impostor.max() in thresholds and fmr_values.min() == 0
    assert (fmr_values == 1 / impostor.size).any()
    # both tails keep their resolution: rates spread over decades, not only the bulk
    assert (fmr_values[fmr_values > 0] < 1e-3).sum() >= 10
    assert (fnmr_values[fnmr_values > 0] < 1e-2).sum() >= 10
    with pytest.raises(InputError):
        v.det_points(genuine, impostor, 1)


@pytest.mark.requirement("FRS-ACC-008")
def test_failure_to_acquire_counts_attempts_without_a_score():
    assert v.failure_to_acquire(200, 3) == 3 / 200
    with pytest.raises(InputError):
        v.failure_to_acquire(2, 3)
    with pytest.raises(InputError):
        v.failure_to_acquire(0, 0)


@pytest.mark.requirement("FRS-ACC-009")
def test_far_and_frr_of_single_attempt_transactions():
    rates = v.far_frr(1e-4, 0.02, 0.01)  # the example of clause 6.3
    assert rates.far == pytest.approx(0.99e-4, rel=1e-15)
    assert rates.frr == pytest.approx(0.0298, rel=1e-15)
    assert v.far_frr(0.5, 0.5, 0.0) == v.TransactionRates(0.5, 0.5)
    assert v.far_frr(0.3, 0.2, 1.0) == v.TransactionRates(0.0, 1.0)
    with pytest.raises(InputError):
        v.far_frr(0.1, 0.1, 1.5)


# --------------------------------------------------------------------------- peers


def _peer_scores():
    rng = np.random.default_rng(11)
    genuine = np.round(rng.normal(1.5, 1, 2000), 2)  # rounded: many ties
    impostor = np.round(rng.normal(0, 1, 20000), 2)
    return genuine, impostor


@pytest.mark.requirement("FRS-ACC-001", "FRS-ACC-002", "FRS-ACC-005")
def test_the_curve_agrees_with_scikit_learn_roc_curve():
    from sklearn.metrics import roc_curve

    genuine, impostor = _peer_scores()
    labels = np.r_[np.ones(genuine.size), np.zeros(impostor.size)]
    # drop_intermediate=False: the default thins the curve and moves the EER.
    fpr, tpr, thr = roc_curve(labels, np.r_[genuine, impostor], drop_intermediate=False)
    thresholds, fmr_values, fnmr_values = step_curve(genuine, impostor)
    # scikit-learn lists thresholds descending with +inf first; FRS ascending, +inf last.
    assert (thr[::-1] == thresholds).all()
    assert (fpr[::-1] == fmr_values).all()  # both are (impostors >= tau) / n: bit-equal
    # sklearn's FNMR is 1 - TPR, a subtraction; FRS counts genuine scores below tau.
    assert np.abs((1 - tpr[::-1]) - fnmr_values).max() <= 1e-12
    gap = np.abs(fpr - (1 - tpr))
    best = int(np.flatnonzero(gap == gap.min())[-1])  # the least threshold among ties
    assert v.eer(genuine, impostor).eer == pytest.approx((fpr[best] + 1 - tpr[best]) / 2,
                                                        abs=1e-12)


@pytest.mark.requirement("FRS-ACC-001", "FRS-ACC-002")
def test_the_curve_agrees_with_scikit_learn_det_curve():
    from sklearn.metrics import det_curve

    genuine, impostor = _peer_scores()
    labels = np.r_[np.ones(genuine.size), np.zeros(impostor.size)]
    fpr, fnr, thr = det_curve(labels, np.r_[genuine, impostor], drop_intermediate=False)
    scores = v.CountedScores(genuine, impostor)
    # det_curve keeps a sub-range of thresholds; at each, the rates are FRS's exactly.
    assert (scores.fmr(thr) == fpr).all()
    assert (scores.fnmr(thr) == fnr).all()


@pytest.mark.requirement("FRS-ACC-001", "FRS-ACC-002", "FRS-ACC-004")
def test_the_curve_agrees_with_pyeer_and_the_differences_are_definitional():
    from pyeer.eer_stats import calculate_roc, get_fmr_op

    genuine, impostor = _peer_scores()
    thr, fm, fnm = calculate_roc(genuine, impostor)
    thresholds, fmr_values, fnmr_values = step_curve(genuine, impostor)
    # pyeer has no point at +inf; every other point is equal.
    assert (thr == thresholds[:-1]).all()
    assert np.abs(fm - fmr_values[:-1]).max() <= 1e-12
    assert np.abs(fnm - fnmr_values[:-1]).max() <= 1e-12
    # pyeer's operating point takes the FMR *nearest* the target, which can exceed it;
    # FRS takes the least threshold whose FMR is at most the target.
    index, _ = get_fmr_op(fm, fnm, 0.01)
    ours = v.fnmr_at_fmr(genuine, impostor, 0.01)
    assert ours.fmr <= 0.01
    assert fm[index] == pytest.approx(ours.fmr, abs=2e-3)


@pytest.mark.requirement("FRS-ACC-003")
def test_counted_scores_refuse_non_finite_scores_and_leave_the_arrays_alone():
    with pytest.raises(InputError, match="impostor: 1 scores are NaN .*first at index 1"):
        v.CountedScores([0.5], [0.1, np.nan, 0.3])
    with pytest.raises(InputError, match="NaN or infinite"):
        v.CountedScores([-np.inf, 0.5], [0.1])
    with pytest.raises(InputError, match="genuine: no scores"):
        v.CountedScores([], [0.1])
    own = np.array([0.9, 0.2, 0.6])
    v.CountedScores(own, [0.1]).prepare([0.5], 10)
    assert own.tolist() == [0.9, 0.2, 0.6]  # read, never sorted or copied in place


BOB_PYTHON = Path(__file__).resolve().parents[1] / "build/bob-venv/bin/python"


@pytest.mark.requirement("FRS-ACC-001", "FRS-ACC-002", "FRS-ACC-005")
@pytest.mark.skipif(not BOB_PYTHON.exists(), reason="bob.measure lives in its own venv "
                    "(numpy 1.x): build/bob-venv, made for the benchmark")
def test_the_rates_agree_with_bob_measure(tmp_path):
    genuine, impostor = _peer_scores()
    np.save(tmp_path / "g.npy", genuine)
    np.save(tmp_path / "i.npy", impostor)
    scores = v.CountedScores(genuine, impostor)
    thresholds = [scores.fnmr_at_fmr(t).threshold for t in (0.1, 0.01, 0.001)]
    script = (
        "import json, sys, numpy as np, bob.measure as bm\n"
        f"g = np.load({str(tmp_path / 'g.npy')!r}); i = np.load({str(tmp_path / 'i.npy')!r})\n"
        f"rates = [bm.farfrr(i, g, t) for t in {thresholds!r}]\n"
        "print(json.dumps({'eer': bm.eer(i, g), 'rates': rates}))\n")
    done = subprocess.run([str(BOB_PYTHON), "-c", script], capture_output=True, text=True,
                          check=True)
    bob = json.loads(done.stdout)
    # farfrr uses the same rule (accept at score >= tau): equal rates at equal thresholds.
    for tau, (far, frr) in zip(thresholds, bob["rates"], strict=True):
        assert abs(far - scores.fmr(tau)) <= 1e-12 and abs(frr - scores.fnmr(tau)) <= 1e-12
    # bob's EER is the mean of the rates at its crossing, as Annex B.3 on these scores.
    assert bob["eer"] == pytest.approx(v.eer(genuine, impostor).eer, abs=1e-12)
