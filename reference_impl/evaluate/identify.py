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
from reference_impl.evaluate.flat_index import FlatIndex
from reference_impl.evaluate.runner import Runner
from reference_impl.limits import IDENTIFICATION_RANK
from reference_impl.metrics import identification as ident
from reference_impl.metrics import report as report_sections
from reference_impl.metrics.demographics import GroupRates
from reference_impl.metrics.uncertainty import Rate

CANDIDATES = 16  # rows faiss returns per probe beyond the largest subject's samples


@dataclass
class Searches:
    gallery_size: int            # N, subjects enrolled
    searched_size: int           # the smallest gallery a non-mated search saw
    mate_ranks: np.ndarray       # per mated search; 0 = mate not found
    mate_scores: np.ndarray      # NaN when not found
    top_scores: np.ndarray       # per non-mated search, its best score
    non_mated_probes: np.ndarray  # sample index of each non-mated search's probe
    mated_probes: np.ndarray | None = None  # sample index of each mated search's probe


@dataclass(frozen=True)
class SubjectGallery:
    """The enrolled subjects of a 1:N test: every accepted enrolment sample, rows
    grouped by subject, in an exact flat index (`flat_index.FlatIndex`)."""

    subjects: list[str]          # sorted; column i of a search is subjects[i]
    owner: np.ndarray            # the subject (column) of each enrolled row
    starts: np.ndarray           # first row of each subject
    index: FlatIndex

    @classmethod
    def enrol(cls, samples, vectors: np.ndarray, similarity: str,
              shards: int = 1, runner: Runner | None = None) -> SubjectGallery:
        finite = np.isfinite(vectors).all(axis=1)
        rows = [i for i, s in enumerate(samples) if s.role == "enrolment" and finite[i]]
        rows.sort(key=lambda i: samples[i].subject_id)
        subjects = sorted({samples[i].subject_id for i in rows})
        if len(subjects) < 2:
            raise InputError(f"identification: {len(subjects)} subject(s) with an accepted "
                             "enrolment sample; a non-mated search needs at least 2")
        owners = np.array([samples[i].subject_id for i in rows])
        starts = np.searchsorted(owners, np.array(subjects))
        owner = np.searchsorted(np.array(subjects), owners)
        return cls(subjects, owner, starts, FlatIndex.of(vectors[rows], similarity, shards,
                                                         runner))

    def __len__(self) -> int:
        return len(self.owner)

    def _mates(self, probes: np.ndarray, own: np.ndarray) -> np.ndarray:
        """Each probe's best score over its own subject's rows (NaN when not enrolled)."""
        ends = np.r_[self.starts[1:], len(self)]
        widest = int((ends - self.starts).max())
        first = np.where(own >= 0, self.starts[np.maximum(own, 0)], 0)
        count = np.where(own >= 0, (ends - self.starts)[np.maximum(own, 0)], 0)
        offsets = np.arange(widest)
        rows = np.where(offsets < count[:, None], first[:, None] + offsets, -1)
        best = self.index.rescore(probes, rows).max(axis=1)
        return np.where(own >= 0, best, np.nan)

    def search(self, probes: np.ndarray, own: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exhaustive 1:N search of a block of probes (FRS-ACC-015): each probe is
        scored by the reference kernel against every enrolled sample, each subject keeps
        its best score, and the candidate list is every subject by that score.

        faiss finds the candidates and the reference kernel scores them
        (`flat_index`): only the subjects that can rank above the mate or be the best
        rival are scored, and the answer is that of scoring them all.  `own[i]` is the
        column of probe i's subject, -1 when it is not enrolled.  Returns, per probe, the
        mate's score (NaN when not enrolled), the mate's rank (FRS-ACC-012; NO_RANK when
        not enrolled) and the best score of the other subjects: the top of the probe's
        non-mated search.
        """
        mate = self._mates(probes, own)
        depth = int(np.diff(np.r_[self.starts, len(self)]).max()) + CANDIDATES
        rows, scores, bound = self.index.top(probes, depth)
        top, rivals = self._rivals(rows, scores, own, mate)
        # the answers faiss's k best rows cannot settle: every row down to the score
        doubt = np.flatnonzero(top < bound)  # a better rival may have been left out
        for i, found in zip(doubt, self.index.at_least(probes[doubt], top[doubt]),
                            strict=True):
            found = found[None, :]
            top[i] = self._rivals(found, self.index.rescore(probes[i:i + 1], found),
                                  own[i:i + 1], mate[i:i + 1])[0][0]
        doubt = np.flatnonzero((own >= 0) & (mate < bound))  # rivals left out
        for i, found in zip(doubt, self.index.at_least(probes[doubt], mate[doubt]),
                            strict=True):
            rivals[i] = np.unique(self.owner[found][self.owner[found] != own[i]]).size
        ranks = np.where(own >= 0, 1 + rivals, ident.NO_RANK)
        return mate, ranks, top

    def _rivals(self, rows, scores, own, mate) -> tuple[np.ndarray, np.ndarray]:
        """(best score of another subject, how many other subjects score at least the
        mate) among candidate rows; ties count against the mate (Annex B.7)."""
        subject = np.where(rows >= 0, self.owner[np.maximum(rows, 0)], -1)
        other = (subject != own[:, None]) & (rows >= 0)
        top = np.where(other, scores, -np.inf).max(axis=1, initial=-np.inf)
        ahead = np.sort(np.where(other & (scores >= mate[:, None]), subject, -1), axis=1)
        distinct = (ahead[:, :1] >= 0).sum(axis=1) + (
            (ahead[:, 1:] != ahead[:, :-1]) & (ahead[:, 1:] >= 0)).sum(axis=1)
        return top, distinct


def identification_searches(samples, vectors: np.ndarray, similarity: str,
                            chunk: int | None = None, cells: int = 2 ** 25,
                            runner: Runner | None = None) -> Searches:
    """Every mated and non-mated search of the leave-one-subject-out plan, `chunk`
    probes at a time (default: as many as keep a block of scores under `cells`).  On a
    cluster (`runner`) the gallery is cut into one shard per worker, held there: each
    block of probes is searched on every shard at once."""
    runner = runner or Runner()
    gallery = SubjectGallery.enrol(samples, vectors, similarity, runner.workers, runner)
    chunk = chunk or max(1, cells // len(gallery))
    column = {s: i for i, s in enumerate(gallery.subjects)}
    has_enrolment = {s.subject_id for s in samples if s.role == "enrolment"}
    probes = [i for i, s in enumerate(samples) if s.role == "probe"]
    finite = np.isfinite(vectors).all(axis=1)
    accepted = [i for i in probes if finite[i]]
    own = np.array([column.get(samples[i].subject_id, -1) for i in accepted], dtype=np.int64)
    mate, ranks, top = (np.empty(len(accepted)), np.empty(len(accepted), dtype=np.int64),
                        np.empty(len(accepted)))
    for start in range(0, len(accepted), chunk):
        part = slice(start, start + chunk)
        mate[part], ranks[part], top[part] = gallery.search(vectors[accepted[part]], own[part])
    found, kept = own >= 0, set(accepted)
    missed = [i for i in probes if samples[i].subject_id in has_enrolment
              and (i not in kept or samples[i].subject_id not in column)]
    subjects = len(gallery.subjects)
    return Searches(subjects, subjects - (1 if found.any() else 0),
                    np.concatenate([ranks[found], np.zeros(len(missed), dtype=np.int64)]),
                    np.concatenate([mate[found], np.full(len(missed), np.nan)]),
                    top, np.array(accepted, dtype=np.int64),
                    np.array([accepted[i] for i in np.flatnonzero(found)] + missed,
                             dtype=np.int64))


def group_label(sample) -> str:
    """A sample's demographic group: the combination of its labels, 'key=label,...', as
    the report's demographics section names it; '' when it carries none."""
    return ",".join(f"{k}={v}" for k, v in sorted(sample.groups.items()))


def group_searches(samples, searches: Searches) -> dict[str, np.ndarray]:
    """The non-mated top scores of each demographic group."""
    groups: dict[str, list[float]] = {}
    for index, score in zip(searches.non_mated_probes.tolist(), searches.top_scores.tolist(),
                            strict=True):
        if label := group_label(samples[index]):
            groups.setdefault(label, []).append(score)
    return {name: np.array(values) for name, values in sorted(groups.items())}


def group_misses(samples, searches: Searches, threshold: float) -> dict[str, Rate]:
    """Each group's FNIR at rank 1 at the threshold, over its mated searches."""
    label = np.array([group_label(samples[i]) for i in searches.mated_probes], dtype=object)
    scores = np.nan_to_num(searches.mate_scores)
    return {g: Rate.of(ident.fnir(searches.mate_ranks[label == g], scores[label == g],
                                  IDENTIFICATION_RANK, threshold), int((label == g).sum()))
            for g in sorted(set(label) - {""})}


def identification_section(searches: Searches) -> dict:
    """The report's `identification` property: FNIR at rank 1 and at the target FPIRs, CMC."""
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
                           operational: int | None) -> dict:
    """The verdict of FRS-CNF-004 on one claimed class, with every group's FPIR."""
    limit = classes.limits(name).fpir_max
    measurements, by_group = [], {}
    for group, top in group_searches(samples, searches).items():
        fpir = by_group[group] = Rate.of(ident.fpir(top, threshold), top.size)
        measurements.append({**fpir.measurement("fpir", limit), "group": group})
    fnir = ident.fnir(searches.mate_ranks, np.nan_to_num(searches.mate_scores),
                      IDENTIFICATION_RANK, threshold)
    measurements.append(Rate.of(fnir, searches.mate_ranks.size).measurement("fnir"))
    misses = group_misses(samples, searches, threshold) if searches.mated_probes is not None \
        else {}
    measurements += [{**rate.measurement("fnir"), "group": g} for g, rate in misses.items()]
    verdict = {"requirement": "FRS-CNF-004", "class": name, "threshold": threshold,
               "gallery_size": searches.searched_size, "measurements": measurements}
    if len(set(by_group) & set(misses)) >= 2:  # clause 7 for 1:N (FRS-DEM-011)
        verdict["differentials"] = report_sections.differentials_record(
            GroupRates(threshold, {g: by_group[g] for g in misses if g in by_group},
                       {g: misses[g] for g in by_group if g in misses}))
    reasons = []
    if not by_group:
        reasons.append("the dataset labels no demographic group: FPIR is judged per group")
    if operational is None:
        reasons.append("no operational gallery size declared (operational_gallery_size in "
                       "the model or dataset manifest): the 90 % gallery rule cannot be "
                       "checked")
    if reasons:
        return {**verdict, "verdict": "fail", "reason": "; ".join(reasons)}
    judged = classes.identification_verdict(name, by_group, searches.searched_size,
                                            operational)
    return {**verdict, "operational_gallery_size": operational,
            "verdict": "pass" if judged.passed else "fail", "reason": "; ".join(judged.reasons)}


def fnir_verdict(name: str, threshold: float, searches: Searches) -> dict:
    """The verdict of FRS-CNF-005 on one claimed class: rank-1 FNIR over every mated
    search at the claimed threshold."""
    fnir = Rate.of(ident.fnir(searches.mate_ranks, np.nan_to_num(searches.mate_scores),
                              IDENTIFICATION_RANK, threshold), searches.mate_ranks.size)
    judged = classes.fnir_verdict(name, fnir)
    return {"requirement": "FRS-CNF-005", "class": name, "threshold": threshold,
            "measurements": [fnir.measurement("fnir", classes.limits(name).fnir_max)],
            "verdict": "pass" if judged.passed else "fail", "reason": "; ".join(judged.reasons)}
