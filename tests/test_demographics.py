"""Demographic differentials (clause 7, Annex B.9): known answers by hand."""

import itertools

import numpy as np
import pytest

from reference_impl.errors import InputError
from reference_impl.metrics import demographics as d
from reference_impl.metrics.uncertainty import Rate


@pytest.mark.requirement("FRS-DEM-001")
def test_per_group_rates_at_one_global_threshold_with_intervals():
    genuine = {"F": [0.2, 0.6, 0.7, 0.9], "M": [0.8, 0.9]}
    impostor = {"F": [0.1, 0.6, 0.8], "M": [0.1, 0.2, 0.3, 0.4]}
    rates = d.per_group_rates(genuine, impostor, 0.6)
    assert (rates.fmr["F"].errors, rates.fmr["F"].trials) == (2, 3)  # 0.6 and 0.8
    assert rates.fmr["M"].rate == 0.0
    assert rates.fnmr["F"].rate == 1 / 4 and rates.fnmr["M"].rate == 0.0
    assert rates.fmr["M"].lower == 0.0
    assert rates.fmr["M"].upper == pytest.approx(1 - 0.05 ** (1 / 4), rel=1e-12)  # one-sided
    with pytest.raises(InputError):
        d.per_group_rates({}, {}, 0.5)


@pytest.mark.requirement("FRS-DEM-002")
def test_group_design_needs_three_ages_two_sexes_five_tones():
    full = [{"age_band": a, "sex": s, "skin_tone": t} for a, s, t in
            itertools.product(["18-30", "31-50", "51+"], ["F", "M"], "ABCDE")]
    assert d.group_design_gaps(full) == []
    gaps = d.group_design_gaps([x for x in full if x["skin_tone"] != "E"])
    assert gaps == ["skin_tone: 4 groups, at least 5 needed"]
    assert len(d.group_design_gaps([{"sex": "F"}])) == 3
    with pytest.raises(InputError):
        d.group_design_gaps(["F"])


@pytest.mark.requirement("FRS-DEM-003")
def test_unmatched_impostor_pairs_are_found():
    probe = [{"sex": "F", "age_band": "a", "region": "x"}] * 3 + [{"sex": "F"}]
    ref = [{"sex": "F", "age_band": "a", "region": "x"},
           {"sex": "M", "age_band": "a", "region": "x"},
           {"sex": "F", "age_band": "b", "region": "x"},
           {"sex": "F"}]
    assert d.unmatched_impostors(probe, ref) == [1, 2, 3]  # 3 lacks age and region
    with pytest.raises(InputError):
        d.unmatched_impostors(probe, ref[:2])


@pytest.mark.requirement("FRS-DEM-004")
def test_every_group_within_three_times_the_class_fmr():
    rates = d.GroupRates(0.5, fmr={"F": Rate(5, 100_000), "M": Rate(1, 100_000)},
                         fnmr={"F": Rate(10, 5000), "M": Rate(20, 5000)})
    # Upper bounds: FMR F ~1.17e-4 <= 3e-4; FNMR M ~6.2e-3 <= 0.01 (class V-R).
    assert d.group_limits_verdict(rates, 1e-4, 0.01).passed
    worse = d.GroupRates(0.5, fmr={**rates.fmr, "F": Rate(25, 100_000)}, fnmr=rates.fnmr)
    verdict = d.group_limits_verdict(worse, 1e-4, 0.01)  # 25/1e5: upper ~3.7e-4 > 3e-4
    assert not verdict.passed and "'F'" in verdict.reasons[0]
    assert not d.group_limits_verdict(rates, 1e-4, 0.005).passed


@pytest.mark.requirement("FRS-DEM-005")
def test_max_min_ratio_floors_zero_rates_at_half_a_count():
    # The example of clause 7: FMR 0 of 50,000 floors to 1e-5; 3e-4 / 1e-5 = 30.
    assert d.max_min_ratio([0.0, 3e-4], [50_000, 10_000]) == pytest.approx(30, rel=1e-12)
    assert d.max_min_ratio([0.02, 0.01, 0.04], [100, 100, 100]) == 4.0
    assert d.max_min_ratio([0.0, 0.0], [10, 40]) == 4.0  # 1/20 over 1/80
    with pytest.raises(InputError):
        d.max_min_ratio([0.1], [10])


@pytest.mark.requirement("FRS-DEM-006")
def test_inequity_rate():
    # R_FMR = 4, R_FNMR = 9: IR = 4^0.5 * 9^0.5 = 6.
    ir = d.inequity_rate([0.001, 0.004], [1000, 1000], [0.01, 0.09], [100, 100])
    assert ir == pytest.approx(6.0, rel=1e-12)
    assert d.inequity_rate([0.001, 0.004], [1000, 1000], [0.01, 0.09], [100, 100],
                           alpha=1.0) == pytest.approx(4.0)


@pytest.mark.requirement("FRS-DEM-007")
def test_fairness_discrepancy_rate():
    # A = 0.003, B = 0.08: FDR = 1 - (0.0015 + 0.04) = 0.9585.
    fdr = d.fairness_discrepancy_rate([0.001, 0.004, 0.002], [0.01, 0.09, 0.05])
    assert fdr == pytest.approx(0.9585, abs=1e-15)
    assert d.fairness_discrepancy_rate([0.1, 0.1], [0.2, 0.2]) == 1.0


@pytest.mark.requirement("FRS-DEM-008")
def test_garbe_with_the_gini_coefficient_of_the_annex():
    assert d.gini([0.1, 0.2, 0.3]) == pytest.approx(1 / 3, rel=1e-12)  # Annex B.9 example
    assert d.gini([0.0, 0.0, 0.5]) == pytest.approx(1.0)  # one group has every error
    assert d.gini([0.2, 0.2]) == 0.0 and d.gini([0.0, 0.0]) == 0.0
    rng = np.random.default_rng(1)
    x = rng.random(7)
    literal = 7 / 6 * sum(abs(a - b) for a in x for b in x) / (2 * 49 * x.mean())
    assert d.gini(x) == pytest.approx(literal, rel=1e-12)
    assert d.garbe([0.1, 0.2, 0.3], [0.0, 0.0, 0.5]) == pytest.approx(0.5 * (1 / 3) + 0.5)


def group_rates(fmr_errors, fmr_trials, fnmr_errors, fnmr_trials) -> d.GroupRates:
    return d.GroupRates(0.5, {f"g{i}": Rate(e, fmr_trials) for i, e in enumerate(fmr_errors)},
                        {f"g{i}": Rate(e, fnmr_trials) for i, e in enumerate(fnmr_errors)})


@pytest.mark.requirement("FRS-DEM-009")
def test_favourable_values_by_hand():
    # Two groups, FMR bounds [L, U]: the least gap is max(0, L_max - U_min).
    a, b = Rate(0, 1000), Rate(40, 1000)
    assert d.favourable_gap([a, b]) == pytest.approx(b.lower - a.upper)
    assert d.favourable_ratio([a, b]) == pytest.approx(b.lower / a.upper)
    # Overlapping bounds allow parity: no gap, ratio 1, Gini 0.
    c, e = Rate(3, 1000), Rate(5, 1000)
    assert (d.favourable_gap([c, e]), d.favourable_ratio([c, e]), d.favourable_gini([c, e])) \
        == (0.0, 1.0, 0.0)
    # Separated bounds: the least Gini over a common value c clipped to each interval is
    # at c = a.upper or c = b.lower, the Gini of the two bounds nearest each other.
    assert d.favourable_gini([a, b]) == pytest.approx(d.gini([a.upper, b.lower]))
    # The search over the bounds finds the minimum of a fine grid of c as well.
    rates = [Rate(0, 500), Rate(9, 500), Rate(30, 500), Rate(2, 500)]
    low, high = np.array([r.lower for r in rates]), np.array([r.upper for r in rates])
    grid = min(d.gini(np.clip(c, low, high)) for c in np.linspace(0, 0.1, 20_001))
    assert d.favourable_gini(rates) == pytest.approx(grid, abs=1e-6)
    assert d.favourable_gini(rates) <= grid


@pytest.mark.requirement("FRS-DEM-009")
def test_fairness_targets_are_not_missed_by_chance():
    # The review's case (E15): 30 groups with the same true FMR, one expected false match
    # each. The point GARBE is far above 0.25 from chance alone; the judged value is not.
    rng = np.random.default_rng(7)
    misses, point = 0, []
    for _ in range(100):
        rates = group_rates(rng.binomial(10_000, 1e-4, 30), 10_000,
                            rng.binomial(600, 0.02, 30), 600)
        point.append(d.garbe([r.rate for r in rates.fmr.values()],
                             [r.rate for r in rates.fnmr.values()]))
        misses += not d.fairness_targets_verdict(rates).passed
    assert np.mean(point) > 0.25 and misses == 0


@pytest.mark.requirement("FRS-DEM-009")
def test_a_differential_beyond_chance_misses_the_targets():
    # Half the groups at 10 times the FMR and 5 times the FNMR of the others, measured well.
    rates = group_rates([10] * 15 + [100] * 15, 100_000, [6] * 15 + [60] * 15, 600)
    verdict = d.fairness_targets_verdict(rates)
    assert not verdict.passed
    assert any(r.startswith("GARBE is at least") for r in verdict.reasons)
    assert any(r.startswith("FDR is at most") for r in verdict.reasons)
    best = d.favourable(rates)
    assert best.fdr < d.FDR_TARGET and best.garbe > d.GARBE_TARGET
    # The same rates with both kinds equal pass.
    assert d.fairness_targets_verdict(group_rates([10] * 30, 100_000, [6] * 30, 600)).passed


@pytest.mark.requirement("FRS-DEM-005", "FRS-DEM-006", "FRS-DEM-007", "FRS-DEM-008")
def test_differentials_from_group_rates():
    rates = d.GroupRates(0.5, fmr={"F": Rate(4, 1000), "M": Rate(1, 1000)},
                         fnmr={"F": Rate(9, 100), "M": Rate(1, 100)})
    summary = d.differentials(rates)
    assert summary.fmr_ratio == 4.0 and summary.fnmr_ratio == 9.0
    assert summary.inequity_rate == pytest.approx(6.0)
    assert summary.fdr == pytest.approx(1 - (0.5 * 0.003 + 0.5 * 0.08))
    assert summary.garbe == pytest.approx(0.5 * d.gini([0.004, 0.001]) + 0.5 * d.gini([0.09, 0.01]))
