"""Presentation attack detection (clause 8, Annex B.8): known answers by hand."""

import numpy as np
import pytest

from reference_impl.errors import InputError
from reference_impl.metrics import pad
from reference_impl.metrics.morphing import morphing_attack_potential
from reference_impl.metrics.uncertainty import Rate, minimum_trials

# The example of clause 8: PAD scores, higher = more likely bona fide.
BONA_FIDE = [0.9, 0.8, 0.2, 0.7]
ATTACKS = {"print": [0.1, 0.3, 0.85], "replay": [0.2, 0.4]}


@pytest.mark.requirement("FRS-PAD-001")
def test_apcer_counts_attacks_classified_bona_fide():
    assert pad.apcer(ATTACKS["print"], 0.5) == 1 / 3   # 0.85 passes
    assert pad.apcer(ATTACKS["print"], 0.85) == 1 / 3  # at the threshold: bona fide
    assert pad.apcer(ATTACKS["print"], 0.86) == 0.0
    assert pad.apcer_per_species(ATTACKS, 0.3) == {"print": 2 / 3, "replay": 1 / 2}
    with pytest.raises(InputError):
        pad.apcer([], 0.5)


@pytest.mark.requirement("FRS-PAD-002")
def test_apcer_ap_is_the_worst_species():
    assert pad.apcer_ap(ATTACKS, 0.5) == 1 / 3
    assert pad.apcer_ap(ATTACKS, 0.3) == 2 / 3
    with pytest.raises(InputError):
        pad.apcer_ap({}, 0.5)


@pytest.mark.requirement("FRS-PAD-003")
def test_bpcer_counts_bona_fide_classified_as_attacks():
    assert pad.bpcer(BONA_FIDE, 0.5) == 1 / 4
    assert pad.bpcer(BONA_FIDE, 0.7) == 1 / 4   # 0.7 itself is bona fide
    assert pad.bpcer(BONA_FIDE, 0.71) == 2 / 4


@pytest.mark.requirement("FRS-PAD-001", "FRS-PAD-002", "FRS-PAD-003")
def test_a_nan_threshold_is_unusable_input_not_a_rate_of_zero():
    # No PAD score is >= NaN and none is < NaN: APCER and BPCER would both read 0.
    for rate in (lambda t: pad.apcer(ATTACKS["print"], t), lambda t: pad.apcer_ap(ATTACKS, t),
                 lambda t: pad.bpcer(BONA_FIDE, t)):
        with pytest.raises(InputError, match="threshold is NaN"):
            rate(float("nan"))


@pytest.mark.requirement("FRS-PAD-004")
def test_bpcer_at_apcer_takes_the_least_threshold_every_species_meets():
    # Target 0.4: print (3 attacks) may have 1 success: tau just above 0.3; replay
    # (2 attacks) 0 successes: tau just above 0.4.  The least tau for both is the
    # greater: just above 0.4, where APCER = (1/3, 0) and BPCER = 1/4.
    point = pad.bpcer_at_apcer(BONA_FIDE, ATTACKS, 0.4)
    assert point.threshold == np.nextafter(0.4, 1)
    assert (point.apcer_ap, point.bpcer) == (1 / 3, 1 / 4)
    rng = np.random.default_rng(2)
    bona = rng.normal(1, 1, 5000)
    attacks = {"print": rng.normal(-1, 1, 400), "mask": rng.normal(-0.5, 1, 200)}
    for target in (0.05, 0.01):
        point = pad.bpcer_at_apcer(bona, attacks, target)
        assert point.apcer_ap <= target
        below = np.nextafter(point.threshold, -np.inf)
        assert pad.apcer_ap(attacks, below) > target  # any lower tau misses the target


@pytest.mark.requirement("FRS-PAD-005")
def test_iapar_and_the_level_limits():
    accepted = {"print": [True] * 9 + [False] * 51, "replay": np.zeros(60, dtype=bool)}
    assert pad.iapar_per_species(accepted) == {"print": 9 / 60, "replay": 0.0}
    assert pad.iapar([1, 0, 0, 0]) == 0.25
    with pytest.raises(InputError):
        pad.iapar([2])
    # full system: PAD and comparison must both accept
    both = pad.system_accepts([0.9, 0.9, 0.1, np.nan], [0.8, 0.1, 0.9, 0.9], 0.5, 0.5)
    assert both.tolist() == [True, False, False, False]
    # 60 presentations of each Level A species: 0 to 4 accepted stay under 0.15.
    rates = dict.fromkeys(pad.LEVEL_SPECIES["A"], Rate(4, 60))
    assert Rate(4, 60).upper <= 0.15 < Rate(5, 60).upper
    assert pad.pad_level_verdict("A", rates).passed
    assert not pad.pad_level_verdict("A", {**rates, "paper-mask": Rate(5, 60)}).passed
    verdict = pad.pad_level_verdict("B", {**dict.fromkeys(pad.LEVEL_SPECIES["B"],
                                                          Rate(0, 60)),
                                          "screen-deepfake": Rate(2, 60)})
    assert not verdict.passed and "screen-deepfake" in verdict.reasons[0]
    with pytest.raises(InputError):
        pad.pad_level_verdict("C", rates)


@pytest.mark.requirement("FRS-PAD-005")
@pytest.mark.parametrize("level", ["A", "B"])
def test_a_species_below_the_minimum_size_of_its_level_is_too_small(level):
    limit = pad.IAPAR_LIMITS[level]
    n = minimum_trials(limit)
    rates = dict.fromkeys(pad.LEVEL_SPECIES[level], Rate(0, n))
    assert pad.pad_level_verdict(level, rates).passed
    verdict = pad.pad_level_verdict(level, {**rates, "paper-mask": Rate(0, n - 1)})
    assert verdict.reasons == (f"'paper-mask': 0 errors in {n - 1} trials: too few to show "
                               f"IAPAR ≤ {limit:g}; needs ≥ {n}",)


@pytest.mark.requirement("FRS-PAD-006")
def test_each_level_names_its_species():
    assert pad.missing_species("A", ["printed-photo", "screen-replay"]) == [
        "hd-paper-photo", "paper-mask"]
    assert pad.missing_species("A", pad.LEVEL_SPECIES["A"]) == []
    assert pad.missing_species("B", pad.LEVEL_SPECIES["A"]) == [
        "3d-mask", "screen-deepfake"]
    verdict = pad.pad_level_verdict("B", dict.fromkeys(pad.LEVEL_SPECIES["A"], Rate(0, 60)))
    assert not verdict.passed and "3d-mask" in verdict.reasons[0]


@pytest.mark.requirement("FRS-PAD-007")
def test_each_species_needs_the_minimum_size_of_the_apcer_of_bpcer20():
    # ln(0.05) / ln(0.95) = 58.4: 59 presentations with no success bound APCER at 5 %.
    assert pad.minimum_attacks_per_species() == minimum_trials(pad.BPCER20_APCER) == 59
    assert Rate(0, 59).upper <= 0.05 < Rate(0, 58).upper
    assert pad.undersized_species({"print": range(59), "mask": range(58)}) == ["mask"]


@pytest.mark.requirement("FRS-PAD-008")
def test_acer_is_reported_but_never_decides():
    assert pad.acer(1 / 3, 1 / 4) == pytest.approx(7 / 24, abs=1e-15)
    # ACER 0.5 from one species that always succeeds and a perfect BPCER: the level
    # verdict fails on that species, whatever ACER says.
    rates = {**dict.fromkeys(pad.LEVEL_SPECIES["A"], Rate(0, 60)), "paper-mask": Rate(60, 60)}
    assert pad.acer(1.0, 0.0) == 0.5
    assert not pad.pad_level_verdict("A", rates).passed


# ---- morphing attacks at enrolment (clause 8.6) ------------------------------------------

@pytest.mark.requirement("FRS-PAD-014")
def test_morphing_attack_potential_worked_by_hand():
    """Three morphs, two attempts, two systems (thresholds 0.5 and 0.6).  Morph 0 passes
    both contributors in both attempts on both systems; morph 1 in attempt 0 on system 0
    only; morph 2 never (contributor 1 fails everywhere)."""
    scores = np.zeros((3, 2, 2, 2))
    scores[0] = 0.9
    scores[1, :, 0, 0] = 0.55          # ≥ 0.5 on system 0, < 0.6 on system 1
    scores[1, :, 0, 1] = 0.55
    scores[2, 0] = 0.9                 # contributor 0 always accepted …
    scores[2, 1] = 0.4                 # … contributor 1 never
    potential = morphing_attack_potential(scores, [0.5, 0.6])
    # MAP[1,1]: morphs 0 and 1; MAP[1,2]: morph 0; MAP[2,1] and MAP[2,2]: morph 0.
    np.testing.assert_allclose(potential, [[2 / 3, 1 / 3], [1 / 3, 1 / 3]])
    scores[1, 1, 0, 0] = 0.5           # at the threshold: accepted, nothing changes
    np.testing.assert_allclose(morphing_attack_potential(scores, [0.5, 0.6]), potential)
    scores[1, 1, 0, 0] = 0.49          # one contributor below: the attempt fails
    np.testing.assert_allclose(morphing_attack_potential(scores, [0.5, 0.6]),
                               [[1 / 3, 1 / 3], [1 / 3, 1 / 3]])


@pytest.mark.requirement("FRS-PAD-014")
@pytest.mark.parametrize("scores, thresholds, message", [
    (np.zeros((3, 3, 1, 1)), [0.5], "2 contributors"),
    (np.zeros((3, 2, 1, 2)), [0.5], "2 systems need 2 thresholds"),
    (np.full((1, 2, 1, 1), np.nan), [0.5], "finite"),
    (np.zeros((0, 2, 1, 1)), [0.5], "at least 1"),
])
def test_morphing_attack_potential_rejects_unusable_input(scores, thresholds, message):
    with pytest.raises(InputError, match=message):
        morphing_attack_potential(scores, thresholds)


@pytest.mark.requirement("FRS-PAD-014")
def test_frs_metrics_morphing_prints_the_map_table(tmp_path, capsys):
    import json

    from reference_impl.cli import main

    scores = np.zeros((3, 2, 2, 2))
    scores[0] = 0.9
    scores[1, :, 0, :] = 0.55
    path = tmp_path / "morphs.npy"
    np.save(path, scores)
    assert main(["metrics", "morphing", str(path), "--threshold", "0.5", "--threshold", "0.6",
                 "--format", "json"]) == 0
    section = json.loads(capsys.readouterr().out)
    assert section["map"] == morphing_attack_potential(scores, [0.5, 0.6]).tolist()
    assert (section["morphs"], section["attempts"], section["systems"]) == (3, 2, 2)
    assert main(["metrics", "morphing", str(path), "--threshold", "0.5", "--threshold",
                 "0.6"]) == 0
    assert "r=1        0.666667  0.333333" in capsys.readouterr().out
    assert main(["metrics", "morphing", str(path), "--threshold", "0.5"]) == 2
    assert "2 systems need 2 thresholds" in capsys.readouterr().err
