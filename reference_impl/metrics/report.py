"""The metric families of an evaluation report (schemas/evaluation-report), built
from scores.  Each function returns one top-level property of the report, so the
harness can assemble a report from whichever families it measured."""

from __future__ import annotations

import math

import numpy as np

from reference_impl.metrics import demographics as dem
from reference_impl.metrics import identification as ident
from reference_impl.metrics import pad as padm
from reference_impl.metrics.uncertainty import (
    clopper_pearson,
    rule_of_three_trials,
    target_supported,
)
from reference_impl.metrics.verification import SortedScores, far_frr

VERIFICATION_TARGETS = (1e-3, 1e-4, 1e-5, 1e-6)
APCER_TARGETS = (0.05, 0.01)
SCHEMA_VERSION = "0.1"


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _interval(errors: int, trials: int, confidence: float) -> list[float]:
    return list(clopper_pearson(errors, trials, confidence))


def _rate(errors: int, trials: int, confidence: float) -> dict:
    return {"errors": int(errors), "trials": int(trials), "rate": errors / trials,
            "interval": _interval(errors, trials, confidence)}


def verification_section(genuine, impostor, targets=VERIFICATION_TARGETS,
                         failures_to_acquire: int = 0, confidence: float = 0.95,
                         det_plot: str | None = None) -> dict:
    """The `verification` property: EER (step and interpolated), and for each target
    FMR the threshold, the rates there with Clopper-Pearson intervals, or the
    statement that the impostor count cannot support it (rule of 3)."""
    scores = SortedScores(genuine, impostor)
    n_g, n_i = scores.n_genuine, scores.n_impostor
    eer = scores.eer()
    section = {"genuine": n_g, "impostor": n_i, "eer": eer.eer,
               "eer_threshold": eer.threshold, "eer_interpolated": scores.eer_interpolated(),
               "fnmr_at_fmr": []}
    attempts = n_g + n_i + failures_to_acquire
    fta = failures_to_acquire / attempts
    transactions = []
    for target in targets:
        if not target_supported(target, n_i):
            section["fnmr_at_fmr"].append({"fmr_target": target, "supported": False,
                                           "impostor_needed": rule_of_three_trials(target)})
            continue
        point = scores.fnmr_at_fmr(target)
        section["fnmr_at_fmr"].append({
            "fmr_target": target, "supported": True, "threshold": _finite(point.threshold),
            "fmr": point.fmr, "fnmr": point.fnmr,
            "fmr_interval": _interval(scores.false_matches(point.threshold), n_i, confidence),
            "fnmr_interval": _interval(scores.false_non_matches(point.threshold), n_g,
                                       confidence)})
        rates = far_frr(point.fmr, point.fnmr, fta)
        transactions.append({"fmr_target": target, "far": rates.far, "frr": rates.frr})
    section["failures_to_acquire"] = {"attempts": attempts, "failures": failures_to_acquire,
                                      "fta": fta}
    section["transaction_rates"] = transactions
    if det_plot:
        section["det_plot"] = det_plot
    return section


def identification_section(mate_ranks, mate_scores, nonmated_top_scores, gallery_size: int,
                           ranks=(1,), fpir_targets=(1e-3,), max_rank: int = 20,
                           confidence: float = 0.95) -> dict:
    """The `identification` property: FNIR at ranks, FNIR at target FPIRs, CMC."""
    n_mated, n_non = len(mate_ranks), len(nonmated_top_scores)
    section = {"gallery_size": int(gallery_size), "mated": n_mated, "non_mated": n_non,
               "fnir_at_rank": [], "fnir_at_fpir": [],
               "cmc": ident.cmc(mate_ranks, max_rank).tolist()}
    for rank in ranks:
        value = ident.fnir(mate_ranks, mate_scores, rank, -np.inf)
        section["fnir_at_rank"].append({"rank": rank, "fnir": value, "interval": _interval(
            round(value * n_mated), n_mated, confidence)})
    for target in fpir_targets:
        if not target_supported(target, n_non):
            section["fnir_at_fpir"].append({"fpir_target": target, "rank": ranks[0],
                                            "supported": False,
                                            "non_mated_needed": rule_of_three_trials(target)})
            continue
        point = ident.fnir_at_fpir(mate_ranks, mate_scores, nonmated_top_scores, target,
                                   ranks[0])
        section["fnir_at_fpir"].append({
            "fpir_target": target, "rank": ranks[0], "supported": True,
            "threshold": _finite(point.threshold), "fpir": point.fpir, "fnir": point.fnir,
            "fpir_interval": _interval(round(point.fpir * n_non), n_non, confidence)})
    return section


def pad_section(bona_fide, attacks_by_species: dict, threshold: float | None = None,
                targets=APCER_TARGETS, accepted_by_species: dict | None = None,
                confidence: float = 0.95) -> dict:
    """The `pad` property: BPCER at each target APCER (BPCER20, BPCER100), the rates at
    the declared threshold with ACER as an extra, and IAPAR per species."""
    bona = np.asarray(bona_fide, dtype=np.float64)
    attacks = {s: np.asarray(a, dtype=np.float64) for s, a in attacks_by_species.items()}
    section = {"bona_fide": int(bona.size), "attack": {s: int(a.size) for s, a in attacks.items()},
               "bpcer_at_apcer": []}
    smallest = min(a.size for a in attacks.values())
    for target in targets:
        if not target_supported(target, smallest):
            section["bpcer_at_apcer"].append({
                "apcer_target": target, "supported": False,
                "attack_needed_per_species": rule_of_three_trials(target)})
            continue
        point = padm.bpcer_at_apcer(bona, attacks, target)
        section["bpcer_at_apcer"].append({
            "apcer_target": target, "supported": True, "threshold": _finite(point.threshold),
            "apcer": padm.apcer_per_species(attacks, point.threshold),
            "apcer_ap": point.apcer_ap, "bpcer": point.bpcer})
    if threshold is not None:
        per_species = {s: _rate(int(np.count_nonzero(a >= threshold)), a.size, confidence)
                       for s, a in attacks.items()}
        worst = padm.apcer_ap(attacks, threshold)
        bp = padm.bpcer(bona, threshold)
        section["at_threshold"] = {
            "threshold": threshold, "apcer": per_species, "apcer_ap": worst,
            "bpcer": _rate(int(np.count_nonzero(bona < threshold)), bona.size, confidence),
            "acer": padm.acer(worst, bp)}
    if accepted_by_species:
        section["iapar"] = {s: _rate(int(np.count_nonzero(np.asarray(a, dtype=bool))),
                                     np.size(a), confidence)
                            for s, a in accepted_by_species.items()}
    return section


def demographics_section(genuine_by_group: dict, impostor_by_group: dict, threshold: float,
                         alpha: float = 0.5, confidence: float = 0.95) -> dict:
    """The `demographics` property: per-group rates at the one global threshold with
    intervals, and the ratios, IR, FDR and GARBE of Annex B.9."""
    rates = dem.per_group_rates(genuine_by_group, impostor_by_group, threshold, confidence)
    summary = dem.differentials(rates, alpha)
    groups = {}
    for name in sorted(set(rates.fmr) & set(rates.fnmr)):
        groups[name] = {
            kind: {"errors": r.errors, "trials": r.trials, "rate": r.rate,
                   "interval": [r.lower, r.upper]}
            for kind, r in (("fmr", rates.fmr[name]), ("fnmr", rates.fnmr[name]))}
    return {"threshold": threshold, "groups": groups, "fmr_ratio": summary.fmr_ratio,
            "fnmr_ratio": summary.fnmr_ratio, "inequity_rate": summary.inequity_rate,
            "fdr": summary.fdr, "garbe": summary.garbe, "alpha": alpha}


def evaluation_report(algorithm_id: str, algorithm_version: str, **families) -> dict:
    """A whole report: the system and whichever families were measured."""
    report = {"schema_version": SCHEMA_VERSION,
              "system": {"algorithm_id": algorithm_id, "algorithm_version": algorithm_version}}
    report.update({k: v for k, v in families.items() if v is not None})
    return report
