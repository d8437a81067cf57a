"""Presentation attack detection metrics (ISO/IEC 30107-3), as Annex B.8 of FRS
defines them.

A PAD subsystem gives each presentation a score; higher means more likely bona
fide, and a presentation is classified bona fide when its score is at least the PAD
threshold tau (the same rule as comparison scores).  Then, for a PAI species s:

- APCER_s(tau) = share of attack presentations of species s classified bona fide;
- APCER_AP(tau) = max over species of APCER_s(tau) (the worst species);
- BPCER(tau) = share of bona fide presentations classified as attacks;
- BPCER_x = BPCER at the least tau whose APCER_AP is at most x (BPCER20: x = 5 %);
- IAPAR_s = share of impostor attack presentations of species s that the whole
  system (PAD and comparison) accepted;
- ACER = (APCER_AP + BPCER) / 2 is reported only as an extra: ISO/IEC 30107-3 does
  not define it and a good ACER can hide a species that always succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference_impl.errors import InputError
from reference_impl.limits import BPCER20_APCER, IAPAR_LIMITS
from reference_impl.metrics.uncertainty import Rate, Verdict, judge, minimum_trials
from reference_impl.metrics.verification import (
    as_scores,
    as_threshold,
    least_threshold,
    nth_highest,
)


def attack_species(attacks_by_species: dict) -> dict[str, np.ndarray]:
    """Each PAI species' PAD scores, checked as scores; at least one species."""
    if not attacks_by_species:
        raise InputError("no attack presentations: APCER needs at least one PAI species")
    return {str(name): as_scores(scores, f"attack species '{name}'")
            for name, scores in attacks_by_species.items()}


def apcer(attack_scores, threshold: float) -> float:
    """APCER of one PAI species: attacks with a PAD score >= tau (classified bona fide)."""
    scores, tau = as_scores(attack_scores, "attack"), as_threshold(threshold)
    return float(np.count_nonzero(scores >= tau) / scores.size)


def apcer_per_species(attacks_by_species: dict, threshold: float) -> dict[str, float]:
    return {name: apcer(scores, threshold)
            for name, scores in attack_species(attacks_by_species).items()}


def apcer_ap(attacks_by_species: dict, threshold: float) -> float:
    """APCER of the worst PAI species (ISO/IEC 30107-3 APCER_AP)."""
    return max(apcer_per_species(attacks_by_species, threshold).values())


def bpcer(bona_fide_scores, threshold: float) -> float:
    """BPCER: bona fide presentations with a PAD score < tau (classified as attacks)."""
    scores, tau = as_scores(bona_fide_scores, "bona fide"), as_threshold(threshold)
    return float(np.count_nonzero(scores < tau) / scores.size)


@dataclass(frozen=True)
class PadOperatingPoint:
    apcer_target: float
    threshold: float
    apcer_ap: float
    bpcer: float


def threshold_at_apcer(attacks_by_species: dict, target: float) -> float:
    """Least tau at which every species has APCER <= target.

    Each species' APCER is non-increasing in tau, so the least tau meeting the
    target for all of them is the greatest of the per-species thresholds of
    Annex B.2.
    """
    species = attack_species(attacks_by_species)
    return max(least_threshold(scores.size, target, nth_highest(scores), "APCER")
               for scores in species.values())


def bpcer_at_apcer(bona_fide_scores, attacks_by_species: dict, target: float
                   ) -> PadOperatingPoint:
    """BPCER at the least threshold whose APCER_AP meets the target (BPCER_x)."""
    tau = threshold_at_apcer(attacks_by_species, target)
    return PadOperatingPoint(target, tau, apcer_ap(attacks_by_species, tau),
                             bpcer(bona_fide_scores, tau))


def iapar(accepted) -> float:
    """IAPAR of one species: accepted impostor attack presentations over all of them."""
    outcome = np.asarray(accepted).ravel()
    if outcome.size == 0:
        raise InputError("no impostor attack presentations: IAPAR is undefined")
    if outcome.dtype != bool:
        if not np.isin(outcome, (0, 1)).all():
            raise InputError("accepted must be true/false (or 1/0) per presentation")
        outcome = outcome.astype(bool)
    return float(np.count_nonzero(outcome) / outcome.size)


def iapar_per_species(accepted_by_species: dict) -> dict[str, float]:
    if not accepted_by_species:
        raise InputError("no PAI species given")
    return {str(name): iapar(accepted) for name, accepted in accepted_by_species.items()}


def system_accepts(pad_scores, comparison_scores, pad_threshold: float,
                   comparison_threshold: float) -> np.ndarray:
    """A presentation is accepted by the whole system when it passes PAD (score >=
    PAD threshold) and its comparison (score >= comparison threshold)."""
    pad = np.asarray(pad_scores, dtype=np.float64)
    cmp_ = np.asarray(comparison_scores, dtype=np.float64)
    if pad.shape != cmp_.shape:
        raise InputError("PAD and comparison scores differ in length")
    # NaN (no score) compares false: a presentation without a score is not accepted.
    return (pad >= pad_threshold) & (cmp_ >= comparison_threshold)


def acer(apcer_ap_value: float, bpcer_value: float) -> float:
    """ACER = (APCER_AP + BPCER) / 2: a reported extra, never a pass criterion."""
    return (apcer_ap_value + bpcer_value) / 2


# ---------------------------------------------------------------------------
# Levels of clause 8

LEVEL_SPECIES = {
    "A": ("printed-photo", "hd-paper-photo", "screen-replay", "paper-mask"),
    "B": ("printed-photo", "hd-paper-photo", "screen-replay", "paper-mask",
          "3d-mask", "screen-deepfake"),
}


def minimum_attacks_per_species() -> int:
    """Attack presentations each PAI species needs (FRS-PAD-007, Annex B.6): the minimum
    test size of the APCER of BPCER20."""
    return minimum_trials(BPCER20_APCER)


def _level(level: str) -> str:
    if level not in IAPAR_LIMITS:
        raise InputError(f"unknown PAD level '{level}' (expected A or B)")
    return level


def missing_species(level: str, species) -> list[str]:
    """PAI species of the level (clause 8.4) that the test did not use."""
    have = set(species)
    return [s for s in LEVEL_SPECIES[_level(level)] if s not in have]


def undersized_species(attacks_by_species: dict, minimum: int | None = None) -> list[str]:
    """Species with fewer attack presentations than clause 8.5 asks for."""
    minimum = minimum_attacks_per_species() if minimum is None else minimum
    return sorted(s for s, a in attacks_by_species.items() if np.size(a) < minimum)


def pad_level_verdict(level: str, iapar_by_species: dict[str, Rate]) -> Verdict:
    """Clause 8.2: the upper 95 % bound of IAPAR of every species of the level is at
    most the level's limit, a species with fewer presentations than the limit's minimum
    test size failing as too small; every species of the level was tested.  ACER plays
    no part (clause 8.6)."""
    limit = IAPAR_LIMITS[_level(level)]
    failures = [f"PAI species '{s}' not tested" for s in
                missing_species(level, iapar_by_species)]
    failures += [f"'{s}': {j.reason}" for s, rate in sorted(iapar_by_species.items())
                 if not (j := judge(rate, limit, "IAPAR")).passed]
    return Verdict(not failures, tuple(failures) or (
        f"every Level {level} species has an IAPAR bound of at most {limit:g}",))
