"""Conformance classes (clause 2): the limits each class sets."""

import pytest

from reference_impl import classes
from reference_impl.errors import InputError


@pytest.mark.requirement("FRS-CNF-001")
def test_class_v_l_limits():
    assert classes.verification_verdict("V-L", 1e-4, 0.05).passed
    assert not classes.verification_verdict("V-L", 1.01e-4, 0.05).passed
    verdict = classes.verification_verdict("V-L", 1e-4, 0.0501)
    assert not verdict.passed and "FNMR" in verdict.reasons[0]


@pytest.mark.requirement("FRS-CNF-002")
def test_class_v_r_limits():
    assert classes.verification_verdict("V-R", 1e-4, 0.01).passed
    assert not classes.verification_verdict("V-R", 1e-4, 0.011).passed
    assert not classes.verification_verdict("V-R", 2e-4, 0.001).passed


@pytest.mark.requirement("FRS-CNF-003")
def test_class_v_h_limits():
    assert classes.verification_verdict("V-H", 1e-6, 0.05).passed
    verdict = classes.verification_verdict("V-H", 1e-5, 0.01)
    assert not verdict.passed and "FMR" in verdict.reasons[0]


@pytest.mark.requirement("FRS-CNF-002")
def test_the_worked_example_of_clause_2_meets_class_v_r():
    from scipy.stats import beta

    fmr_upper = beta.ppf(0.975, 2 + 1, 100_000 - 2)
    fnmr_upper = beta.ppf(0.975, 30 + 1, 5_000 - 30)
    assert fmr_upper == pytest.approx(7.2e-5, rel=0.01)
    assert fnmr_upper == pytest.approx(0.0086, rel=0.01)
    assert classes.verification_verdict("V-R", fmr_upper, fnmr_upper).passed


@pytest.mark.requirement("FRS-CNF-004")
def test_identification_limits_hold_in_every_group_on_a_large_enough_gallery():
    fine = {"female": 8e-4, "male": 1e-3}
    assert classes.identification_verdict("I", fine, 900, 1000).passed
    verdict = classes.identification_verdict("P", {**fine, "over-60": 1.2e-3}, 900, 1000)
    assert not verdict.passed and "over-60" in verdict.reasons[0]
    verdict = classes.identification_verdict("I", fine, 899, 1000)
    assert not verdict.passed and "gallery" in verdict.reasons[0]


@pytest.mark.requirement("FRS-CNF-004")
def test_identification_needs_groups_and_an_identification_class():
    with pytest.raises(InputError, match="per group"):
        classes.identification_verdict("I", {}, 10, 10)
    with pytest.raises(InputError, match="verification class"):
        classes.identification_verdict("V-L", {"a": 0.0}, 10, 10)
    with pytest.raises(InputError, match="unknown conformance class"):
        classes.verification_verdict("X", 0.0, 0.0)
