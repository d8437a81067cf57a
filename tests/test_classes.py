"""Conformance classes (clause 2): the limits each class sets, judged on the one-sided
upper 95 % bound of counts, with the minimum test size of each limit."""

import pytest

from reference_impl import classes
from reference_impl.errors import InputError
from reference_impl.metrics.uncertainty import Rate, minimum_trials


def passes(name: str, fmr: Rate, frr: Rate) -> bool:
    return classes.verification_verdict(name, fmr, frr).passed


@pytest.mark.requirement("FRS-CNF-001")
def test_class_v_l_limits():
    assert passes("V-L", Rate(0, 29_956), Rate(0, 59))
    assert not passes("V-L", Rate(1, 29_956), Rate(0, 59))
    verdict = classes.verification_verdict("V-L", Rate(0, 29_956), Rate(3, 60))
    assert not verdict.passed and verdict.reasons[0].startswith("FRR upper bound")


@pytest.mark.requirement("FRS-CNF-002")
def test_class_v_r_limits():
    assert passes("V-R", Rate(0, 29_956), Rate(0, 299))
    assert not passes("V-R", Rate(0, 29_956), Rate(1, 299))
    assert not passes("V-R", Rate(3, 30_000), Rate(0, 1000))


@pytest.mark.requirement("FRS-CNF-003")
def test_class_v_h_limits_are_at_least_as_strict_as_v_r():
    assert passes("V-H", Rate(0, 2_995_731), Rate(0, 299))
    verdict = classes.verification_verdict("V-H", Rate(0, 2_995_730), Rate(0, 299))
    assert not verdict.passed and "too few to show FMR ≤ 1e-06" in verdict.reasons[0]
    v_r, v_h = classes.limits("V-R"), classes.limits("V-H")
    assert v_h.fmr_max <= v_r.fmr_max and v_h.frr_max <= v_r.frr_max


@pytest.mark.requirement("FRS-CNF-001", "FRS-CNF-002", "FRS-CNF-003")
@pytest.mark.parametrize("name", ["V-L", "V-R", "V-H"])
def test_zero_errors_at_exactly_the_minimum_size_pass_and_one_fewer_is_too_small(name):
    limits = classes.limits(name)
    n_fmr, n_frr = minimum_trials(limits.fmr_max), minimum_trials(limits.frr_max)
    assert passes(name, Rate(0, n_fmr), Rate(0, n_frr))
    short = classes.verification_verdict(name, Rate(0, n_fmr - 1), Rate(0, n_frr))
    assert not short.passed
    assert short.reasons == (f"0 errors in {n_fmr - 1:,} trials: too few to show "
                             f"FMR ≤ {limits.fmr_max:g}; needs ≥ {n_fmr:,}",)
    short = classes.verification_verdict(name, Rate(0, n_fmr), Rate(0, n_frr - 1))
    assert not short.passed and f"needs ≥ {n_frr:,}" in short.reasons[0]


@pytest.mark.requirement("FRS-CNF-002")
def test_the_worked_example_of_clause_2_meets_class_v_r():
    fmr, frr = Rate(2, 100_000), Rate(30, 5_000)
    assert fmr.upper == pytest.approx(6.3e-5, rel=0.01)
    assert frr.upper == pytest.approx(0.0081, rel=0.01)
    assert passes("V-R", fmr, frr)


@pytest.mark.requirement("FRS-CNF-004")
def test_identification_limits_hold_in_every_group_on_a_large_enough_gallery():
    fine = {"female": Rate(0, 3_000), "male": Rate(1, 5_000)}
    assert classes.identification_verdict("I", fine, 900, 1000).passed
    verdict = classes.identification_verdict("P", {**fine, "over-60": Rate(2, 3_000)},
                                              900, 1000)
    assert not verdict.passed and "over-60" in verdict.reasons[0]
    verdict = classes.identification_verdict("I", fine, 899, 1000)
    assert not verdict.passed and "gallery" in verdict.reasons[0]


@pytest.mark.requirement("FRS-CNF-004")
def test_an_identification_group_below_the_minimum_size_is_too_small():
    n = minimum_trials(1e-3)
    assert classes.identification_verdict("I", {"a": Rate(0, n), "b": Rate(0, n)},
                                          10, 10).passed
    verdict = classes.identification_verdict("I", {"a": Rate(0, n), "b": Rate(0, n - 1)},
                                             10, 10)
    assert verdict.reasons == (f"group 'b': 0 errors in {n - 1:,} trials: too few to show "
                               f"FPIR ≤ 0.001; needs ≥ {n:,}",)


@pytest.mark.requirement("FRS-CNF-004")
def test_identification_needs_groups_and_an_identification_class():
    with pytest.raises(InputError, match="per group"):
        classes.identification_verdict("I", {}, 10, 10)
    with pytest.raises(InputError, match="verification class"):
        classes.identification_verdict("V-L", {"a": Rate(0, 1)}, 10, 10)
    with pytest.raises(InputError, match="unknown conformance class"):
        classes.verification_verdict("X", Rate(0, 1), Rate(0, 1))
