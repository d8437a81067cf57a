"""Identification (1:N) error rates, exactly as Annex B.7 of FRS defines them.

A search compares one probe with every reference of a gallery of N subjects and
returns a candidate list: at most L (reference, score) pairs, highest score first.
A *mated* search has the probe's subject in the gallery; a *non-mated* one does not.

- FPIR(N, tau) = share of non-mated searches whose list has a candidate with score >= tau
  (a search that returns no candidate is never a false positive, at any threshold);
- FNIR(N, R, tau) = share of mated searches whose mate is not among the top R
  candidates with a score >= tau;
- the rank of the mate is 1 + the number of other candidates scoring at least as high
  as the mate (ties count against the mate, so the rank does not depend on the order
  in which tied candidates are listed); a mate absent from the list has no rank.
- CMC(k) = 1 - FNIR(N, k, -inf), the rank-k identification rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference_impl.errors import InputError
from reference_impl.metrics.verification import as_threshold, least_threshold, nth_highest

NO_RANK = 0  # the mate is not in the candidate list


def _top_scores(nonmated_top_scores) -> np.ndarray:
    """Top candidate score of each non-mated search; -inf for an empty list."""
    top = np.asarray(nonmated_top_scores, dtype=np.float64).ravel()
    if top.size == 0:
        raise InputError("no non-mated searches: FPIR over an empty set is undefined")
    if np.isnan(top).any() or np.isposinf(top).any():
        raise InputError("non-mated top scores must be finite, or -inf for an empty "
                         "candidate list")
    return top


def fpir(nonmated_top_scores, threshold: float) -> float:
    """False positive identification rate at threshold tau (Annex B.7).

    An empty candidate list (top score -inf) has no candidate to be a false positive,
    even at tau = -inf.
    """
    top, tau = _top_scores(nonmated_top_scores), as_threshold(threshold)
    return np.count_nonzero((top >= tau) & (top > -np.inf)) / top.size


def _mates(mate_ranks, mate_scores) -> tuple[np.ndarray, np.ndarray]:
    ranks = np.asarray(mate_ranks, dtype=np.int64).ravel()
    scores = np.asarray(mate_scores, dtype=np.float64).ravel()
    if ranks.size == 0:
        raise InputError("no mated searches: FNIR over an empty set is undefined")
    if ranks.shape != scores.shape:
        raise InputError("mate ranks and mate scores differ in length")
    if (ranks < 0).any():
        raise InputError("a mate rank is negative (use 0 for a mate not in the list)")
    listed = ranks > 0
    if (~np.isfinite(scores[listed])).any():
        raise InputError("a mate in the candidate list has no finite score")
    return ranks, scores


def fnir(mate_ranks, mate_scores, rank: int, threshold: float) -> float:
    """False negative identification rate FNIR(N, R, tau) (Annex B.7).

    `mate_ranks[i]` is the rank of the mate in mated search i (0 when absent) and
    `mate_scores[i]` its score (ignored when absent).
    """
    if rank < 1:
        raise InputError(f"rank {rank}: expected >= 1")
    ranks, scores = _mates(mate_ranks, mate_scores)
    tau = as_threshold(threshold)
    hit = (ranks >= 1) & (ranks <= rank)
    hit[hit] = scores[hit] >= tau
    return np.count_nonzero(~hit) / ranks.size


def cmc(mate_ranks, max_rank: int) -> np.ndarray:
    """Rank-k identification rates for k = 1..max_rank (the CMC curve, tau = -inf)."""
    if max_rank < 1:
        raise InputError(f"max rank {max_rank}: expected >= 1")
    ranks, _ = _mates(mate_ranks, np.zeros(np.size(mate_ranks)))
    listed = ranks[(ranks >= 1) & (ranks <= max_rank)]
    return np.cumsum(np.bincount(listed, minlength=max_rank + 1)[1:]) / ranks.size


def threshold_at_fpir(nonmated_top_scores, target: float) -> float:
    """tau_x = min{tau : FPIR(tau) <= x}, as Annex B.2 defines it for FMR."""
    top = _top_scores(nonmated_top_scores)
    return least_threshold(top.size, target, nth_highest(top), "FPIR")


@dataclass(frozen=True)
class IdentificationPoint:
    fpir_target: float
    threshold: float
    fpir: float
    fnir: float
    rank: int


def fnir_at_fpir(mate_ranks, mate_scores, nonmated_top_scores, target: float,
                 rank: int) -> IdentificationPoint:
    """FNIR(N, R, tau_x) at the least threshold whose FPIR meets the target."""
    tau = threshold_at_fpir(nonmated_top_scores, target)
    return IdentificationPoint(target, tau, fpir(nonmated_top_scores, tau),
                               fnir(mate_ranks, mate_scores, rank, tau), rank)


def ranks_of_mates(mate_scores, other_scores) -> np.ndarray:
    """The rank of each search's mate: 1 + the number of other candidates whose score is
    at least the mate's (Annex B.7).

    `other_scores[i]` holds the scores of search i's other candidates (-inf where a
    list is shorter); ties count against the mate, whatever order they are listed in.
    """
    mates = np.asarray(mate_scores)
    return 1 + np.count_nonzero(np.asarray(other_scores) >= mates[:, None], axis=1)


def mate_rank(candidate_ids, candidate_scores, mate_id) -> tuple[int, float]:
    """(rank, score) of the mate in one candidate list; (0, nan) when absent.

    A mate listed twice counts at its best score; the rank is `ranks_of_mates`.
    """
    ids = list(candidate_ids)
    scores = np.asarray(candidate_scores, dtype=np.float64)
    if len(ids) != scores.size:
        raise InputError("candidate ids and scores differ in length")
    positions = [i for i, c in enumerate(ids) if c == mate_id]
    if not positions:
        return NO_RANK, float("nan")
    best = max(positions, key=lambda i: scores[i])
    mate_score = float(scores[best])
    others = np.ones(scores.size, dtype=bool)
    others[positions] = False
    return int(ranks_of_mates([mate_score], scores[None, others])[0]), mate_score
