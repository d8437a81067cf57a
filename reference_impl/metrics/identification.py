"""Identification (1:N) error rates, exactly as Annex B.7 of FRS defines them.

A search compares one probe with every reference of a gallery of N subjects and
returns a candidate list: at most L (reference, score) pairs, highest score first.
A *mated* search has the probe's subject in the gallery; a *non-mated* one does not.

- FPIR(N, tau) = share of non-mated searches whose list has a candidate with score >= tau;
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
from reference_impl.metrics.verification import allowed_false_matches

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
    """False positive identification rate at threshold tau (Annex B.7)."""
    top = _top_scores(nonmated_top_scores)
    return np.count_nonzero(top >= threshold) / top.size


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
    hit = (ranks >= 1) & (ranks <= rank)
    hit[hit] = scores[hit] >= threshold
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
    if not 0.0 <= target <= 1.0:
        raise InputError(f"target FPIR {target} is not in [0, 1]")
    top = np.sort(_top_scores(nonmated_top_scores))
    k = allowed_false_matches(target, top.size)
    if k >= top.size:
        return float(-np.inf)
    return float(np.nextafter(top[top.size - k - 1], np.inf))


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


def mate_rank(candidate_ids, candidate_scores, mate_id) -> tuple[int, float]:
    """(rank, score) of the mate in one candidate list; (0, nan) when absent.

    Rank = 1 + the number of other candidates whose score is at least the mate's.
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
    return 1 + int(np.count_nonzero(scores[others] >= mate_score)), mate_score


def _sorted(scores: np.ndarray, rows: np.ndarray, keep: int) -> tuple[np.ndarray, np.ndarray]:
    """Per line, the first `keep` of (score descending, gallery row ascending)."""
    order = np.lexsort((rows, -scores), axis=1)[:, :keep]
    return np.take_along_axis(scores, order, axis=1), np.take_along_axis(rows, order, axis=1)


def _block_top(scores: np.ndarray, first_row: int, keep: int) -> tuple[np.ndarray, np.ndarray]:
    """Per probe, the `keep` best of one block of gallery columns, exactly.

    A partition finds each line's keep-th best score c.  Where exactly `keep` entries
    reach c (no tie straddles the cut) only those are sorted; a line with a tie at c
    is sorted whole, so ties always go to the lower gallery row.
    """
    lines, width = scores.shape
    if width <= keep:
        rows = np.broadcast_to(np.arange(first_row, first_row + width), scores.shape)
        return _sorted(scores, rows, keep)
    cut = np.partition(scores, width - keep, axis=1)[:, width - keep]
    reach = scores >= cut[:, None]
    simple = np.count_nonzero(reach, axis=1) == keep
    out_s = np.empty((lines, keep))
    out_i = np.empty((lines, keep), dtype=np.int64)
    if simple.any():
        columns = np.nonzero(reach[simple])[1].reshape(-1, keep)
        picked = np.take_along_axis(scores[simple], columns, axis=1)
        out_s[simple], out_i[simple] = _sorted(picked, columns + first_row, keep)
    if not simple.all():
        hard = ~simple
        rows = np.broadcast_to(np.arange(first_row, first_row + width), (int(hard.sum()), width))
        out_s[hard], out_i[hard] = _sorted(scores[hard], rows, keep)
    return out_s, out_i


@dataclass(frozen=True)
class SearchResult:
    indices: np.ndarray  # (probes, L) gallery rows, best first
    scores: np.ndarray   # (probes, L) their scores


def search(probes, gallery, candidates: int = 50, memory_bytes: int = 256 * 2 ** 20
           ) -> SearchResult:
    """1:N search by inner product over an in-memory gallery, in bounded memory.

    Embeddings are compared by dot product (cosine similarity for L2-normalised
    embeddings).  Probes and gallery are taken in blocks so that no block of scores
    exceeds `memory_bytes` (the selection within a block needs about twice that again);
    each probe keeps its best `candidates` across gallery blocks.  Ties are broken by
    the lower gallery row, so the result is exact and does not depend on the block
    size (given scores that do not depend on it: BLAS may round a dot product
    differently in blocks of different shapes).
    """
    p = np.asarray(probes, dtype=np.float64)
    g = np.asarray(gallery, dtype=np.float64)
    if p.ndim != 2 or g.ndim != 2 or p.shape[1] != g.shape[1]:
        raise InputError(f"probes {p.shape} and gallery {g.shape} must be 2-D with the "
                         "same embedding dimension")
    if g.shape[0] == 0 or candidates < 1:
        raise InputError("the gallery is empty or no candidate is asked for")
    if not (np.isfinite(p).all() and np.isfinite(g).all()):
        raise InputError("an embedding holds a NaN or infinite value")
    n_gallery = g.shape[0]
    keep = min(candidates, n_gallery)
    cells = max(1, memory_bytes // 8)
    gallery_block = max(keep, min(n_gallery, cells))
    probe_block = max(1, cells // gallery_block)
    out_idx = np.empty((p.shape[0], keep), dtype=np.int64)
    out_scores = np.empty((p.shape[0], keep))
    for start in range(0, p.shape[0], probe_block):
        block = p[start:start + probe_block]
        best_s = np.full((block.shape[0], 0), -np.inf)
        best_i = np.empty((block.shape[0], 0), dtype=np.int64)
        for g0 in range(0, n_gallery, gallery_block):
            scores = block @ g[g0:g0 + gallery_block].T
            top_s, top_i = _block_top(scores, g0, keep)
            best_s, best_i = _sorted(np.concatenate([best_s, top_s], axis=1),
                                     np.concatenate([best_i, top_i], axis=1), keep)
        out_idx[start:start + block.shape[0]] = best_i
        out_scores[start:start + block.shape[0]] = best_s
    return SearchResult(out_idx, out_scores)
