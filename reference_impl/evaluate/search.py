"""1:N search: each probe against a gallery of references, the top candidates by score."""

from __future__ import annotations

import numpy as np

from reference_impl.errors import InputError


class Gallery:
    """Enrolled embeddings, prepared once for the manifest's similarity function."""

    def __init__(self, embeddings: np.ndarray, similarity: str = "cosine"):
        vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) == 0:
            raise InputError(f"gallery: expected a non-empty N x D array, got {vectors.shape}")
        if similarity == "cosine":
            vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        elif similarity not in ("dot", "euclidean"):
            raise InputError(f"similarity '{similarity}' is not cosine, dot or euclidean")
        self.similarity = similarity
        self.vectors = vectors
        self.squared = ((vectors.astype(np.float64) ** 2).sum(1) if similarity == "euclidean"
                        else None)  # only the Euclidean distance needs the squared norms

    def scores(self, probes: np.ndarray) -> np.ndarray:
        """Every probe against every reference (P x N), higher is more alike."""
        x = np.asarray(probes, dtype=np.float32)
        if self.similarity == "cosine":
            x = x / np.linalg.norm(x, axis=1, keepdims=True)
        product = x @ self.vectors.T
        if self.similarity != "euclidean":
            return product
        squared = (x.astype(np.float64) ** 2).sum(1)[:, None] + self.squared[None, :]
        return -np.sqrt(np.maximum(squared - 2 * product, 0.0))

    def search(self, probes: np.ndarray, rank: int = 1, chunk: int = 256
               ) -> tuple[np.ndarray, np.ndarray]:
        """(indices, scores) of each probe's top `rank` references, best first.

        Ties are broken by the lower gallery index.
        """
        rank = min(rank, len(self.vectors))
        indices, best = [], []
        for start in range(0, len(probes), chunk):
            top, values = top_k(self.scores(probes[start:start + chunk]), rank)
            indices.append(top)
            best.append(values)
        return np.concatenate(indices), np.concatenate(best)


BLOCK = 64  # columns per block of the top-k prefilter


def top_k(scores: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """The `rank` highest scores of each row and their columns, best first; ties go to
    the lower column.

    Each row is cut into blocks of BLOCK columns.  The rank-th highest block maximum is
    at most the rank-th highest score (the top `rank` block maxima are `rank` distinct
    scores), so only blocks whose maximum reaches it can hold the answer: a few blocks
    are sorted instead of the whole row.
    """
    rows_count, n = scores.shape
    if rank == 1:
        top = np.argmax(scores, axis=1)[:, None]
        return top, np.take_along_axis(scores, top, axis=1)
    full = n // BLOCK
    if full + (n % BLOCK > 0) < rank:  # too few blocks: sort the rows
        top = np.argsort(-scores, axis=1, kind="stable")[:, :rank]
        return top, np.take_along_axis(scores, top, axis=1)
    maxima = scores[:, :full * BLOCK].reshape(rows_count, full, BLOCK).max(axis=2)
    if n % BLOCK:
        maxima = np.concatenate([maxima, scores[:, full * BLOCK:].max(axis=1, keepdims=True)],
                                axis=1)
    blocks = maxima.shape[1]
    floor = np.partition(maxima, blocks - rank, axis=1)[:, blocks - rank]
    block_rows, block_ids = np.nonzero(maxima >= floor[:, None])
    cols = block_ids[:, None] * BLOCK + np.arange(BLOCK)[None, :]
    inside = cols < n
    cols = np.minimum(cols, n - 1)
    values = scores[block_rows[:, None], cols]
    keep = inside & (values >= floor[block_rows][:, None])
    rows = np.broadcast_to(block_rows[:, None], cols.shape)[keep]
    cols, values = cols[keep], values[keep]
    order = np.lexsort((cols, -values, rows))  # by row, then score down, then column
    rows, cols, values = rows[order], cols[order], values[order]
    first = np.searchsorted(rows, np.arange(rows_count))
    pick = first[:, None] + np.arange(rank)
    return cols[pick], values[pick]
