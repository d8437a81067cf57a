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
        self.squared = (vectors.astype(np.float64) ** 2).sum(1)

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
        """(indices, scores) of each probe's top `rank` references, best first."""
        rank = min(rank, len(self.vectors))
        indices, best = [], []
        for start in range(0, len(probes), chunk):
            scores = self.scores(probes[start:start + chunk])
            if rank == 1:
                top = np.argmax(scores, axis=1)[:, None]
            else:
                top = np.argpartition(scores, scores.shape[1] - rank, axis=1)[:, -rank:]
            top_scores = np.take_along_axis(scores, top, axis=1)
            order = np.argsort(-top_scores, axis=1, kind="stable")
            indices.append(np.take_along_axis(top, order, axis=1))
            best.append(np.take_along_axis(top_scores, order, axis=1))
        return np.concatenate(indices), np.concatenate(best)
