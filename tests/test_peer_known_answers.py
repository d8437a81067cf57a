"""Known answers from the peers' own test suites and examples, checked against FRS.

scikit-learn 1.9.1 (`sklearn/metrics/tests/test_ranking.py`), SciPy 1.17.1
(`scipy/stats/tests/test_morestats.py`, answers from R's binom.test) and bob.measure
(`tests/test_error.py` and `tests/data/*.hdf5` at b58fe75) state their expected values
in their tests; pyeer 0.5.6 ships example score files.  The values are copied here, the
tests are FRS's own.  Where a peer's rule differs from Annex B the test says how, and
checks the part that must still agree.
"""

from pathlib import Path

import numpy as np
import pytest

from reference_impl.metrics import identification as ident
from reference_impl.metrics import verification as v
from reference_impl.metrics.uncertainty import Rate, clopper_pearson


def curve(genuine, impostor) -> list[tuple[float, float]]:
    """FRS's (FMR, FNMR) at every threshold of T (Annex B.3), thresholds ascending."""
    scores = v.CountedScores(genuine, impostor)
    thresholds = np.append(np.unique(np.r_[genuine, impostor]), np.inf)
    return list(zip(scores.fmr(thresholds).tolist(), scores.fnmr(thresholds).tolist(),
                    strict=True))


def split(y_true, y_score) -> tuple[list[float], list[float]]:
    """scikit-learn's labels and scores as FRS's (genuine, impostor) score sets."""
    genuine = [s for t, s in zip(y_true, y_score, strict=True) if t == 1]
    return genuine, [s for t, s in zip(y_true, y_score, strict=True) if t == 0]


# --------------------------------------------------------------------------- scikit-learn

# test_det_curve_toydata, test_det_curve_tie_handling, test_det_curve_constant_scores and
# test_det_curve_perfect_scores: (y_true, y_score, expected fpr, expected fnr).
SKLEARN_DET = [
    ([0, 0, 1], [0, 0.5, 1], [0], [0]),
    ([0, 1, 0], [0, 0.5, 1], [0.5, 0.5, 0], [0, 1, 1]),
    ([0, 1, 0], [0.25, 0.5, 0.75], [0.5, 0.5, 0], [0, 1, 1]),
    ([0, 1, 1], [0, 0.5, 1], [0.0], [0]),
    ([1, 0, 0], [0, 0.5, 1], [1, 1, 0.5, 0], [0, 1, 1, 1]),
    ([1, 0, 0], [0.25, 0.5, 0.75], [1, 1, 0.5, 0], [0, 1, 1, 1]),
    ([1, 0, 1], [0, 0.5, 1], [1, 1, 0], [0, 0.5, 0.5]),
    ([1, 0, 1], [0.5, 0.75, 1], [1, 1, 0], [0, 0.5, 0.5]),
    ([1, 0], [0.5, 0.5], [1, 0], [0, 1]),
    ([0, 0, 1], [0.25, 0.5, 0.5], [0.5, 0], [0, 1]),
    ([0, 1, 0], [0.25, 0.5, 0.5], [0.5, 0], [0, 1]),
    ([0, 1, 1], [0.25, 0.5, 0.5], [0], [0]),
    ([1, 0, 0], [0.25, 0.5, 0.5], [1, 1, 0], [0, 1, 1]),
    ([1, 0, 1], [0.25, 0.5, 0.5], [1, 1, 0], [0, 0.5, 1]),
    ([1, 1, 0], [0.25, 0.5, 0.5], [1, 1, 0], [0, 0.5, 1]),
    ([0, 1, 0, 1, 0, 1], [0.25] * 6, [1, 0], [0, 1]),
    ([0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1], [0], [0]),
]


@pytest.mark.requirement("FRS-ACC-001", "FRS-ACC-002")
@pytest.mark.parametrize("y_true, y_score, fpr, fnr", SKLEARN_DET)
def test_scikit_learn_det_curve_known_answers_are_points_of_the_step_curve(y_true, y_score,
                                                                          fpr, fnr):
    # det_curve lists consecutive thresholds of T, trimmed at both ends where one rate
    # no longer changes; a tie at the threshold is accepted, as in Annex B.1.
    points = curve(*split(y_true, y_score))
    expected = list(zip(map(float, fpr), map(float, fnr), strict=True))
    windows = [points[i:i + len(expected)] for i in range(len(points) - len(expected) + 1)]
    assert expected in windows, points


# --------------------------------------------------------------------------- SciPy

# TestBinomTest: binomtest(k, n).proportion_ci(confidence_level), method 'exact' (the
# Clopper-Pearson interval), two-sided; expected values from R 3.6.2 binom.test.
SCIPY_EXACT = [
    (20, 100, 0.95, 0.1266555521019559, 0.2918426890886281, 1e-12),
    (3, 50, 0.99, 0.006872485, 0.202706269, 1e-6),
    (0, 10, 0.95, 0.0, 0.3084971, 1e-6),
    (10, 10, 0.95, 0.6915029, 1.0, 1e-6),
]


@pytest.mark.requirement("FRS-ACC-016")
@pytest.mark.parametrize("errors, trials, confidence, low, high, rtol", SCIPY_EXACT)
def test_clopper_pearson_gives_r_binom_test_intervals(errors, trials, confidence, low, high,
                                                      rtol):
    interval = clopper_pearson(errors, trials, confidence)
    assert interval == (pytest.approx(low, rel=rtol), pytest.approx(high, rel=rtol))
    # FRS states one-sided bounds at c: the ends of the two-sided interval at 2c - 1.
    assert Rate(errors, trials, (1 + confidence) / 2).interval == (
        pytest.approx(interval[0], rel=1e-12), pytest.approx(interval[1], rel=1e-12))
    # The ends at 0 and n errors are exact, not approximations.
    assert (interval[0] == 0.0) == (errors == 0) and (interval[1] == 1.0) == (errors == trials)


# --------------------------------------------------------------------------- bob.measure

# tests/data: linsep-* (separable at about 3) and nonsep-* (overlapping), 50 scores each.
LINSEP_POSITIVES = [6.0, 5.1, 5.9, 5.6, 5.8, 6.6, 4.5, 6.3, 5.8, 6.1, 5.1, 5.3, 5.5, 5.0, 5.1,
                    5.3, 5.5, 6.7, 6.9, 5.0, 5.7, 4.9, 6.7, 4.9, 5.7, 6.0, 4.8, 4.9, 5.6, 5.8,
                    6.1, 6.4, 5.6, 5.1, 5.6, 6.1, 5.6, 5.5, 4.8, 5.4, 5.6, 5.1, 5.1, 5.9, 5.7,
                    5.2, 5.0, 5.2, 5.4, 5.1]
LINSEP_NEGATIVES = [1.4, 1.4, 1.3, 1.5, 1.4, 1.7, 1.4, 1.5, 1.4, 1.5, 1.5, 1.6, 1.4, 1.1, 1.2,
                    1.5, 1.3, 1.4, 1.7, 1.5, 1.7, 1.5, 1.0, 1.7, 1.9, 1.6, 1.6, 1.5, 1.4, 1.6,
                    1.6, 1.5, 1.5, 1.4, 1.5, 1.2, 1.3, 1.4, 1.3, 1.5, 1.3, 1.3, 1.3, 1.6, 1.9,
                    1.4, 1.6, 1.4, 1.5, 1.4]
NONSEP_POSITIVES = [7.0, 6.4, 6.9, 5.5, 6.5, 5.7, 6.3, 4.9, 6.6, 5.2, 5.0, 5.9, 6.0, 6.1, 5.6,
                    6.7, 5.6, 5.8, 6.2, 5.6, 5.9, 6.1, 6.3, 6.1, 6.4, 6.6, 6.8, 6.7, 6.0, 5.7,
                    5.5, 5.5, 5.8, 6.0, 5.4, 6.0, 6.7, 6.3, 5.6, 5.5, 5.5, 6.1, 5.8, 5.0, 5.6,
                    5.7, 5.7, 6.2, 5.1, 5.7]
NONSEP_NEGATIVES = [5.1, 4.9, 4.7, 4.6, 5.0, 5.4, 4.6, 5.0, 4.4, 4.9, 5.4, 4.8, 4.8, 4.3, 5.8,
                    5.7, 5.4, 5.1, 5.7, 5.1, 5.4, 5.1, 4.6, 5.1, 4.8, 5.0, 5.0, 5.2, 5.2, 4.7,
                    4.8, 5.4, 5.2, 5.5, 4.9, 5.0, 5.5, 4.9, 4.4, 5.1, 5.0, 4.5, 4.4, 5.0, 5.1,
                    4.8, 5.1, 4.6, 5.3, 5.0]


@pytest.mark.requirement("FRS-ACC-001", "FRS-ACC-002", "FRS-ACC-005")
def test_bob_measure_basic_ratios_and_eer_of_a_separable_set():
    # test_basic_ratios: farfrr below the minimum is (1, 0), above the maximum (0, 1),
    # and at 3.0, between the sets, (0, 0).
    scores = v.CountedScores(LINSEP_POSITIVES, LINSEP_NEGATIVES)
    low = min(LINSEP_POSITIVES + LINSEP_NEGATIVES) - 0.1
    high = max(LINSEP_POSITIVES + LINSEP_NEGATIVES) + 0.1
    for tau, far, frr in ((low, 1.0, 0.0), (high, 0.0, 1.0), (3.0, 0.0, 0.0)):
        assert (scores.fmr(tau), scores.fnmr(tau)) == (far, frr)
    # test_thresholding: bob's EER threshold is 3.2, the middle of the gap (1.9, 4.5).
    # Annex B.3 takes the least threshold of T instead, 4.5; the EER, 0, is the same.
    eer = scores.eer()
    assert (eer.eer, eer.threshold) == (0.0, 4.5)
    assert (scores.fmr(3.2), scores.fnmr(3.2)) == (eer.fmr, eer.fnmr)


@pytest.mark.requirement("FRS-ACC-004")
def test_bob_measure_thresholds_for_too_few_or_tied_scores():
    # test_for_uncomputable_thresholds.  bob's far_threshold returns an impostor score;
    # Annex B.2 the least float64 meeting the target.  The FMR reached is the same.
    positives = [0.0, 0.0, 0.0, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    negatives = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.0, 1.0]
    scores = v.CountedScores(positives, negatives)
    point = scores.fnmr_at_fmr(0.5)  # bob: 1.0, where FAR is 4/9
    assert point.threshold <= 1.0 and point.fmr == scores.fmr(1.0) == 4 / 9
    assert scores.fnmr_at_fmr(0.4).threshold > negatives[-1]  # the four tied 1.0 rejected
    scores = v.CountedScores(np.arange(10.0), np.arange(10.0))
    assert scores.fnmr_at_fmr(0.09).threshold > 9.0
    for target, bob in ((0.11, 9.0), (0.91, 1.0)):
        point = scores.fnmr_at_fmr(target)
        assert point.threshold <= bob and point.fmr == scores.fmr(bob)
    assert scores.fnmr_at_fmr(1).threshold <= 0.0


@pytest.mark.requirement("FRS-ACC-004")
def test_bob_measure_obvious_thresholds():
    # test_obvious_thresholds: negatives 0..9, positives 10..19; at each target far the
    # FMR reached is floor(10 far) / 10.
    scores = v.CountedScores(np.arange(10.0, 20.0), np.arange(10.0))
    for far in np.arange(0, 21) / 20:
        far = round(float(far), 2)
        assert scores.fnmr_at_fmr(far).fmr == np.floor(far * 10) / 10


@pytest.mark.requirement("FRS-ACC-004")
def test_bob_measure_roc_for_far_of_an_overlapping_set():
    # test_plots: roc_for_far at requested FAR 0.01, 0.1 and 1 gives FAR (0, 0.1, 1) and
    # FRR (0.48, 0.12, 0).
    scores = v.CountedScores(NONSEP_POSITIVES, NONSEP_NEGATIVES)
    points = [scores.fnmr_at_fmr(target) for target in (0.01, 0.1, 1)]
    assert [p.fmr for p in points] == [0.0, 0.1, 1.0]
    assert [p.fnmr for p in points] == [0.48, 0.12, 0.0]


@pytest.mark.requirement("FRS-ACC-012", "FRS-ACC-014")
def test_bob_measure_cmc():
    # test_cmc: (negatives, positives) of four searches; the best positive is the mate.
    searches = [((0.3, 1.1, 0.5), (0.7,)), ((1.4, -1.3, 0.6), (0.2,)),
                ((0.8, 0.0, 1.5), (-0.8, 1.8)), ((2.0, 1.3, 1.6, 0.9), (2.4,))]
    ranks = [ident.mate_rank(["other"] * len(negatives) + ["mate"] * len(positives),
                             [*negatives, *positives], "mate")[0]
             for negatives, positives in searches]
    assert ranks == [2, 3, 1, 1]
    assert ident.cmc(ranks, 5).tolist() == [0.5, 0.75, 1.0, 1.0, 1.0]  # bob's cmc


# tests/data/test{0,1,2}-open-set.hdf5: seven mated searches (negatives, mate score) and two
# non-mated ones (negatives only).
MATED = [([0.0, 0.0], 1.0)] * 6
OPEN_SET = {
    "test0": (MATED + [([0.0, 0.0], 1.0)], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], 1.0, 0.0),
    "test1": (MATED + [([0.0, 0.0], -0.1)], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], 6 / 7, 0.0),
    "test2": (MATED + [([0.0, 0.0], -0.1)], [[0.0, 0.0, 0.0], [0.0, 0.0, 10.0]], 6 / 7, 0.5),
}


@pytest.mark.requirement("FRS-ACC-010", "FRS-ACC-011")
@pytest.mark.parametrize("name", sorted(OPEN_SET))
def test_bob_measure_open_set_rates(name):
    # test_open_set_rates at threshold 0.5: detection_identification_rate is the rank-1
    # hit rate, 1 - FNIR(N, 1, tau); false_alarm_rate is FPIR(tau).
    mated, non_mated, dir_, far = OPEN_SET[name]
    found = [ident.mate_rank(["other"] * len(negatives) + ["mate"], [*negatives, mate],
                             "mate") for negatives, mate in mated]
    ranks, scores = zip(*found, strict=True)
    assert 1 - ident.fnir(ranks, scores, 1, 0.5) == pytest.approx(dir_, abs=1e-15)
    assert ident.fpir([max(candidates) for candidates in non_mated], 0.5) == far


# --------------------------------------------------------------------------- pyeer


def pyeer_examples() -> Path:
    import pyeer

    return Path(pyeer.__file__).parent / "example_files"


@pytest.mark.requirement("FRS-ACC-001", "FRS-ACC-002", "FRS-ACC-005")
@pytest.mark.parametrize("experiment", ["exp1", "exp2", "exp3"])
def test_pyeer_examples_give_the_same_curve_and_a_definitional_eer(experiment):
    from pyeer.eer_stats import calculate_roc, get_eer_values

    folder = pyeer_examples() / "non_hist"
    genuine = np.loadtxt(folder / f"{experiment}_true.txt")
    impostor = np.loadtxt(folder / f"{experiment}_false.txt")
    thresholds, fmr, fnmr = calculate_roc(genuine, impostor)
    scores = v.CountedScores(genuine, impostor)
    # pyeer's curve has every point of T but +inf; FRS counts, pyeer subtracts: 1e-12.
    assert np.abs(scores.fmr(thresholds) - fmr).max() <= 1e-12
    assert np.abs(scores.fnmr(thresholds) - fnmr).max() <= 1e-12
    # pyeer's EER (Maio et al., FVC2000) takes, of the two points around the crossing,
    # the one with the smaller FMR + FNMR; Annex B.3 the one with the smaller
    # |FMR - FNMR|.  Both are points of the same step curve, so neither gap is smaller
    # than FRS's, and pyeer's EER is the mean of the rates at its point.
    index, _, _, pyeer_eer = get_eer_values(fmr, fnmr)
    ours = scores.eer()
    tau = thresholds[index]
    assert pyeer_eer == pytest.approx((scores.fmr(tau) + scores.fnmr(tau)) / 2, abs=1e-12)
    assert abs(ours.fmr - ours.fnmr) <= abs(scores.fmr(tau) - scores.fnmr(tau)) + 1e-12


@pytest.mark.requirement("FRS-ACC-012", "FRS-ACC-014")
@pytest.mark.parametrize("experiment", ["exp1", "exp2"])
def test_pyeer_cmc_examples(experiment):
    from pyeer.cmc_stats import get_cmc_curve, load_scores_from_file

    folder = pyeer_examples() / "cmc"
    searches = load_scores_from_file(str(folder / f"{experiment}_scores.txt"),
                                     str(folder / f"{experiment}_tp.txt"))
    ranks = []
    for (mate,), candidates in searches.values():
        ids, scores = zip(*candidates, strict=True)
        ranks.append(ident.mate_rank(ids, scores, mate)[0])
    assert np.abs(ident.cmc(ranks, 20) - get_cmc_curve(searches, 20)).max() <= 1e-12
