"""The metric families of an evaluation report (schemas/evaluation-report), built
from scores.  Each function returns one top-level property of the report, so the
harness can assemble a report from whichever families it measured; `frs metrics
verification|pad|identification|demographics --format json` prints these same sections:
the one producer of metric documents."""

from __future__ import annotations

import math

import numpy as np

from reference_impl.limits import (
    APCER_TARGETS,
    CMC_RANKS,
    CONFIDENCE,
    FAIRNESS_ALPHA,
    FMR_TARGETS,
    FPIR_TARGETS,
    IDENTIFICATION_RANK,
    SCHEMA_VERSION,
)
from reference_impl.metrics import demographics as dem
from reference_impl.metrics import identification as ident
from reference_impl.metrics import pad as padm
from reference_impl.metrics.uncertainty import Rate, minimum_trials, target_supported
from reference_impl.metrics.verification import (
    DET_POINTS,
    CountedScores,
    as_scores,
    failure_to_acquire,
    far_frr,
)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def verification_section(scores: CountedScores, targets=FMR_TARGETS,
                         failures_to_acquire: int = 0, confidence: float = CONFIDENCE,
                         det_plot: str | None = None) -> dict:
    """The `verification` property: EER (step and interpolated), and for each target
    FMR the threshold, the rates there with Clopper-Pearson bounds, or the statement
    that the impostor count is below its minimum test size (clause 6.5); FTA and the
    transaction rates.  `failures_to_acquire` counts the attempts without a score.
    With `det_plot` (the plot's file name), the DET points are counted in the same
    passes over the scores."""
    # every target asked at once, before the counts are known: with a sample, the first
    # pass then keeps what all the answers need (an unsupported one costs a tail's bins)
    scores.prepare(targets, DET_POINTS if det_plot else None)
    n_g, n_i = scores.n_genuine, scores.n_impostor
    supported = [t for t in targets if target_supported(t, n_i)]
    eer = scores.eer()
    section = {"genuine": n_g, "impostor": n_i, "eer": eer.eer,
               "eer_threshold": eer.threshold, "eer_interpolated": scores.eer_interpolated(),
               "fnmr_at_fmr": []}
    attempts = n_g + n_i + failures_to_acquire
    fta = failure_to_acquire(attempts, failures_to_acquire)
    transactions = []
    for target in targets:
        if target not in supported:
            section["fnmr_at_fmr"].append({"fmr_target": target, "supported": False,
                                           "impostor_needed": minimum_trials(target)})
            continue
        point = scores.fnmr_at_fmr(target)
        section["fnmr_at_fmr"].append({
            "fmr_target": target, "supported": True, "threshold": _finite(point.threshold),
            "fmr": point.fmr, "fnmr": point.fnmr,
            "fmr_interval": list(Rate.of(point.fmr, n_i, confidence).interval),
            "fnmr_interval": list(Rate.of(point.fnmr, n_g, confidence).interval)})
        rates = far_frr(point.fmr, point.fnmr, fta)
        transactions.append({"fmr_target": target, "far": rates.far, "frr": rates.frr})
    section["failures_to_acquire"] = {"attempts": attempts, "failures": failures_to_acquire,
                                      "fta": fta}
    section["transaction_rates"] = transactions
    if det_plot:
        section["det_plot"] = det_plot
    return section


def identification_section(mate_ranks, mate_scores, nonmated_top_scores, gallery_size: int,
                           ranks=(IDENTIFICATION_RANK,), fpir_targets=FPIR_TARGETS,
                           max_rank: int = CMC_RANKS,
                           confidence: float = CONFIDENCE) -> dict:
    """The `identification` property: FNIR at ranks, FNIR at target FPIRs, CMC."""
    n_mated, n_non = len(mate_ranks), len(nonmated_top_scores)
    section = {"gallery_size": int(gallery_size), "mated": n_mated, "non_mated": n_non,
               "fnir_at_rank": [], "fnir_at_fpir": [],
               "cmc": ident.cmc(mate_ranks, max_rank).tolist()}
    for rank in ranks:
        value = ident.fnir(mate_ranks, mate_scores, rank, -np.inf)
        section["fnir_at_rank"].append({"rank": rank, "fnir": value, "interval": list(
            Rate.of(value, n_mated, confidence).interval)})
    for target in fpir_targets:
        if not target_supported(target, n_non):
            section["fnir_at_fpir"].append({"fpir_target": target, "rank": ranks[0],
                                            "supported": False,
                                            "non_mated_needed": minimum_trials(target)})
            continue
        point = ident.fnir_at_fpir(mate_ranks, mate_scores, nonmated_top_scores, target,
                                   ranks[0])
        section["fnir_at_fpir"].append({
            "fpir_target": target, "rank": ranks[0], "supported": True,
            "threshold": _finite(point.threshold), "fpir": point.fpir, "fnir": point.fnir,
            "fpir_interval": list(Rate.of(point.fpir, n_non, confidence).interval)})
    return section


def pad_section(bona_fide, attacks_by_species: dict, threshold: float | None = None,
                targets=APCER_TARGETS, accepted_by_species: dict | None = None,
                confidence: float = CONFIDENCE) -> dict:
    """The `pad` property: BPCER at each target APCER (BPCER20, BPCER100), the rates at
    the declared threshold with ACER as an extra, and IAPAR per species."""
    bona = as_scores(bona_fide, "bona fide")
    attacks = padm.attack_species(attacks_by_species)
    section = {"bona_fide": int(bona.size), "attack": {s: int(a.size) for s, a in attacks.items()},
               "bpcer_at_apcer": []}
    smallest = min(a.size for a in attacks.values())
    for target in targets:
        if not target_supported(target, smallest):
            section["bpcer_at_apcer"].append({
                "apcer_target": target, "supported": False,
                "attack_needed_per_species": minimum_trials(target)})
            continue
        point = padm.bpcer_at_apcer(bona, attacks, target)
        section["bpcer_at_apcer"].append({
            "apcer_target": target, "supported": True, "threshold": _finite(point.threshold),
            "apcer": padm.apcer_per_species(attacks, point.threshold),
            "apcer_ap": point.apcer_ap, "bpcer": point.bpcer})
    if threshold is not None:
        per_species = padm.apcer_per_species(attacks, threshold)
        worst, bp = max(per_species.values()), padm.bpcer(bona, threshold)
        section["at_threshold"] = {
            "threshold": threshold,
            "apcer": {s: Rate.of(r, attacks[s].size, confidence).record()
                      for s, r in per_species.items()},
            "apcer_ap": worst, "bpcer": Rate.of(bp, bona.size, confidence).record(),
            "acer": padm.acer(worst, bp)}
    if accepted_by_species:
        section["iapar"] = {str(s): Rate.of(padm.iapar(a), np.size(a), confidence).record()
                            for s, a in accepted_by_species.items()}
    return section


def demographics_section(genuine_by_group: dict, impostor_by_group: dict, threshold: float,
                         alpha: float = FAIRNESS_ALPHA, confidence: float = CONFIDENCE) -> dict:
    """The `demographics` property: per-group rates at the one global threshold with
    intervals, the ratios, IR, FDR and GARBE of Annex B.9, and each summary measure at its
    most favourable value within the groups' bounds."""
    rates = dem.per_group_rates(genuine_by_group, impostor_by_group, threshold, confidence)
    return group_rates_section(rates, alpha)


def group_rates_section(rates: dem.GroupRates, alpha: float = FAIRNESS_ALPHA) -> dict:
    """The `demographics` property from per-group rates already counted."""
    groups = {}
    for name in sorted(set(rates.fmr) & set(rates.fnmr)):
        groups[name] = {"fmr": rates.fmr[name].record(), "fnmr": rates.fnmr[name].record()}
    return {"threshold": rates.threshold, "groups": groups,
            **differentials_record(rates, alpha, ("fmr_ratio", "fnmr_ratio"))}


def differentials_record(rates: dem.GroupRates, alpha: float = FAIRNESS_ALPHA,
                         ratios: tuple[str, str] = ("fpir_ratio", "fnir_ratio")) -> dict:
    """The summary measures of clause 7.3 of per-group rates: the ratios (named `ratios`:
    FMR and FNMR for verification, FPIR and FNIR for identification), IR, FDR, GARBE and
    their most favourable values within the groups' bounds."""
    summary = dem.differentials(rates, alpha)
    return {ratios[0]: summary.fmr_ratio, ratios[1]: summary.fnmr_ratio,
            "inequity_rate": summary.inequity_rate, "fdr": summary.fdr,
            "garbe": summary.garbe, "alpha": alpha,
            "favourable": dem.favourable(rates, alpha).record()}


def evaluation_report(algorithm_id: str, algorithm_version: str, **families) -> dict:
    """A whole report: the system and whichever families were measured."""
    report = {"schema_version": SCHEMA_VERSION,
              "system": {"algorithm_id": algorithm_id, "algorithm_version": algorithm_version}}
    report.update({k: v for k, v in families.items() if v is not None})
    return report
