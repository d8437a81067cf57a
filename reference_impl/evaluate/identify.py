"""1:N identification for Classes I and P (clause 12.5): the searches, FPIR per
demographic group at the claimed threshold, and the verdict of FRS-CNF-004.

The plan (clause 12.5, leave one subject out): the gallery holds every subject with at
least one accepted enrolment sample, scored by its best-matching accepted sample.  Each
probe whose subject has enrolment samples makes one mated search against the whole
gallery; each accepted probe also makes one non-mated search against the gallery less
its own subject.  A rejected probe, or one whose subject failed to enrol, is a mated
search whose mate is missed; a rejected probe makes no non-mated search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference_impl import classes
from reference_impl.errors import InputError
from reference_impl.evaluate.search import Gallery
from reference_impl.metrics import identification as ident
from reference_impl.metrics import report as report_sections

IDENTIFICATION_RANK = 1  # FNIR at the claimed threshold counts the top candidate only


@dataclass
class Searches:
    gallery_size: int            # N, subjects enrolled
    searched_size: int           # the smallest gallery a non-mated search saw
    mate_ranks: np.ndarray       # per mated search; 0 = mate not found
    mate_scores: np.ndarray      # NaN when not found
    top_scores: np.ndarray       # per non-mated search, its best score
    non_mated_probes: np.ndarray  # sample index of each non-mated search's probe


def _gallery(samples, vectors: np.ndarray, similarity: str):
    """(subjects enrolled, gallery sorted by subject, first row of each subject)."""
    finite = np.isfinite(vectors).all(axis=1)
    rows = [i for i, s in enumerate(samples) if s.role == "enrolment" and finite[i]]
    rows.sort(key=lambda i: samples[i].subject_id)
    subjects = sorted({samples[i].subject_id for i in rows})
    if len(subjects) < 2:
        raise InputError(f"identification: {len(subjects)} subject(s) with an accepted "
                         "enrolment sample; a non-mated search needs at least 2")
    owners = [samples[i].subject_id for i in rows]
    starts = np.searchsorted(np.array(owners), np.array(subjects))
    return subjects, Gallery(vectors[rows], similarity), starts


def _search_block(gallery: Gallery, starts: np.ndarray, probes: np.ndarray,
                  own: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mate score, mate rank and best non-mated score of a block of probes.

    `own[i]` is the gallery column of probe i's subject, -1 when not enrolled.
    """
    scores = gallery.scores(probes)  # float32, as the model's embeddings
    if len(starts) < scores.shape[1]:  # some subject has several samples: keep the best
        scores = np.maximum.reduceat(scores, starts, axis=1)
    lines = np.arange(len(probes))
    mated = own >= 0
    mate = np.full(len(probes), np.nan, dtype=scores.dtype)
    mate[mated] = scores[lines[mated], own[mated]]
    scores[lines[mated], own[mated]] = -np.inf
    ranks = 1 + np.count_nonzero(scores >= mate[:, None], axis=1)
    return mate, np.where(mated, ranks, ident.NO_RANK), scores.max(axis=1)


def identification_searches(samples, vectors: np.ndarray, similarity: str,
                            chunk: int | None = None, cells: int = 2 ** 25) -> Searches:
    """Every mated and non-mated search of the leave-one-subject-out plan, `chunk`
    probes at a time (default: as many as keep a block of scores under `cells`)."""
    subjects, gallery, starts = _gallery(samples, vectors, similarity)
    chunk = chunk or max(1, cells // len(gallery.vectors))
    column = {s: i for i, s in enumerate(subjects)}
    has_enrolment = {s.subject_id for s in samples if s.role == "enrolment"}
    probes = [i for i, s in enumerate(samples) if s.role == "probe"]
    finite = np.isfinite(vectors).all(axis=1)
    accepted = [i for i in probes if finite[i]]
    own = np.array([column.get(samples[i].subject_id, -1) for i in accepted], dtype=np.int64)
    mate, ranks, top = (np.empty(len(accepted)), np.empty(len(accepted), dtype=np.int64),
                        np.empty(len(accepted)))
    for start in range(0, len(accepted), chunk):
        part = slice(start, start + chunk)
        mate[part], ranks[part], top[part] = _search_block(
            gallery, starts, vectors[accepted[part]], own[part])
    found, kept = own >= 0, set(accepted)
    missed = sum(1 for i in probes if samples[i].subject_id in has_enrolment
                 and (i not in kept or samples[i].subject_id not in column))
    return Searches(len(subjects), len(subjects) - (1 if found.any() else 0),
                    np.concatenate([ranks[found], np.zeros(missed, dtype=np.int64)]),
                    np.concatenate([mate[found], np.full(missed, np.nan)]),
                    top, np.array(accepted, dtype=np.int64))


def group_searches(samples, searches: Searches) -> dict[str, np.ndarray]:
    """The non-mated top scores of each demographic group label, as 'group=label'."""
    groups: dict[str, list[float]] = {}
    for index, score in zip(searches.non_mated_probes.tolist(), searches.top_scores.tolist(),
                            strict=True):
        for key, label in samples[index].groups.items():
            groups.setdefault(f"{key}={label}", []).append(score)
    return {name: np.array(values) for name, values in sorted(groups.items())}


def identification_section(searches: Searches) -> dict:
    """The report's `identification` property: FNIR at rank 1 and at FPIR 1e-3, CMC."""
    if searches.mate_ranks.size == 0 or searches.top_scores.size == 0:
        raise InputError("identification: the dataset gives no mated or no non-mated "
                         "search (a probe of an enrolled subject and a second subject)")
    return report_sections.identification_section(
        searches.mate_ranks, np.nan_to_num(searches.mate_scores, nan=-np.inf),
        searches.top_scores, searches.gallery_size)


def operational_gallery_size(manifest, dataset) -> int | None:
    """The larger operational gallery size declared by the model or dataset manifest."""
    declared = [d for d in (manifest.data.get("operational_gallery_size"),
                            dataset.operational_gallery_size) if d is not None]
    return max(declared) if declared else None


def identification_verdict(name: str, threshold: float, samples, searches: Searches,
                           operational: int | None, rate) -> dict:
    """The verdict of FRS-CNF-004 on one claimed class, with every group's FPIR.

    `rate(name, errors, trials)` builds the measurement records of the harness.
    """
    limit = classes.limits(name).fpir_max
    measurements, uppers = [], {}
    for group, top in group_searches(samples, searches).items():
        record = rate("fpir", int(np.count_nonzero(top >= threshold)), int(top.size)
                      ).record(limit)
        measurements.append({**record, "group": group})
        uppers[group] = record["interval"][1]
    misses = ident.fnir(searches.mate_ranks, np.nan_to_num(searches.mate_scores),
                        IDENTIFICATION_RANK, threshold) * searches.mate_ranks.size
    measurements.append(rate("fnir", round(misses), int(searches.mate_ranks.size)).record())
    verdict = {"requirement": "FRS-CNF-004", "class": name, "threshold": threshold,
               "gallery_size": searches.searched_size, "measurements": measurements}
    reasons = []
    if not uppers:
        reasons.append("the dataset labels no demographic group: FPIR is judged per group")
    if operational is None:
        reasons.append("no operational gallery size declared (operational_gallery_size in "
                       "the model or dataset manifest): the 90 % gallery rule cannot be "
                       "checked")
    if reasons:
        return {**verdict, "verdict": "fail", "reason": "; ".join(reasons)}
    judged = classes.identification_verdict(name, uppers, searches.searched_size, operational)
    return {**verdict, "operational_gallery_size": operational,
            "verdict": "pass" if judged.passed else "fail",
            "reason": "; ".join(judged.reasons) or "FPIR upper bound within the limit in "
            "every group, on a large enough gallery"}
