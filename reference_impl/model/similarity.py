"""Comparison scores from embeddings, for the similarity functions a manifest may declare.

Higher is more similar for every function (clause 12): "cosine" is the cosine of the
angle, "dot" the inner product, "euclidean" the negated Euclidean distance.
"""

from __future__ import annotations

import numpy as np

from reference_impl.errors import InputError

SIMILARITIES = ("cosine", "dot", "euclidean")


def _prepare(embeddings: np.ndarray, kind: str) -> np.ndarray:
    array = np.asarray(embeddings, dtype=np.float64)
    if kind == "cosine":
        norms = np.linalg.norm(array, axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return array / norms  # a zero embedding gives NaN: no score (clause 6)
    if kind in ("dot", "euclidean"):
        return array
    raise InputError(f"similarity '{kind}' is not one of {', '.join(SIMILARITIES)}")


def pair_scores(a: np.ndarray, b: np.ndarray, kind: str) -> np.ndarray:
    """Score of each row of `a` against the same row of `b`."""
    x, y = _prepare(a, kind), _prepare(b, kind)
    if kind == "euclidean":
        return -np.linalg.norm(x - y, axis=-1)
    return np.einsum("ij,ij->i", x, y)


def score_matrix(a: np.ndarray, b: np.ndarray, kind: str) -> np.ndarray:
    """Scores of every row of `a` against every row of `b` (len(a) x len(b))."""
    x, y = _prepare(a, kind), _prepare(b, kind)
    if kind == "euclidean":
        squared = (x ** 2).sum(1)[:, None] + (y ** 2).sum(1)[None, :] - 2 * x @ y.T
        return -np.sqrt(np.maximum(squared, 0.0))
    return x @ y.T
