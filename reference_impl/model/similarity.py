"""Comparison scores from embeddings, for the similarity functions a manifest may declare.

Higher is more similar for every function (clause 12): "cosine" is the cosine of the
angle, "dot" the inner product, "euclidean" the negated Euclidean distance.  The one
home of these definitions: 1:1 pairs (`pair_scores`), all pairs (`score_matrix`) and a
gallery searched by many probes (`References`) all prepare embeddings here.

`pair_scores` is the reference kernel, pinned so that a score is the same number
wherever it is computed: float64 throughout, each score reduced over its own two
contiguous rows alone, so neither the batch it is computed in nor the machine's BLAS
changes a bit of it.  Every score an evaluation counts comes from it; the matrix
products of `References` serve searches and screening, not the counted scores.
"""

from __future__ import annotations

import numpy as np

from reference_impl.errors import InputError

SIMILARITIES = ("cosine", "dot", "euclidean")


def prepare(embeddings: np.ndarray, kind: str, dtype=np.float64) -> np.ndarray:
    """Embeddings as the similarity uses them: normalised for cosine, as they are else."""
    array = np.asarray(embeddings, dtype=dtype)
    if kind == "cosine":
        norms = np.linalg.norm(array, axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return array / norms  # a zero embedding gives NaN: no score (clause 6)
    if kind in ("dot", "euclidean"):
        return array
    raise InputError(f"similarity '{kind}' is not one of {', '.join(SIMILARITIES)}")


def pair_scores(a: np.ndarray, b: np.ndarray, kind: str, prepared_b: bool = False,
                prepared_a: bool = False) -> np.ndarray:
    """Score of each row of `a` against the same row of `b` (the reference kernel);
    `prepared_a`, `prepared_b`: those rows are already `prepare`d, in float64 (the same
    numbers: `prepare` works row by row)."""
    x = np.ascontiguousarray(a if prepared_a else prepare(a, kind), dtype=np.float64)
    y = np.ascontiguousarray(b if prepared_b else prepare(b, kind), dtype=np.float64)
    if kind == "euclidean":
        return -np.sqrt(np.einsum("ij,ij->i", x - y, x - y))
    return np.einsum("ij,ij->i", x, y)


def set_scores(a: np.ndarray, sets: np.ndarray, kind: str) -> np.ndarray:
    """The reference kernel's score of each row `a[i]` against every row of `sets[i]`
    (len(a) x k, `sets` len(a) x k x D), both already `prepare`d in float64: the same
    numbers as `pair_scores` of each pair, without a copy of `a[i]` per pair.

    einsum reduces each pair over the same two contiguous rows with the same inner loop
    as `pair_scores` (`a[i]` broadcast over its set, not copied), so a score depends
    neither on the set nor on the batch it is computed in.  Each row of `sets` must be
    contiguous float64 (a gathered array, or a broadcast of one).
    """
    x = np.broadcast_to(np.ascontiguousarray(a, dtype=np.float64)[:, None, :], sets.shape)
    if kind == "euclidean":
        d = x - sets
        return -np.sqrt(np.einsum("ikj,ikj->ik", d, d))
    return np.einsum("ikj,ikj->ik", x, sets)


def tile_scores(a: np.ndarray, b: np.ndarray, kind: str, cells: int = 1 << 20) -> np.ndarray:
    """The reference kernel's score of every row of `a` against every row of `b`
    (len(a) x len(b)), both already `prepare`d in float64: `set_scores` with every row's
    set all of `b` (broadcast, not copied); `cells` bounds the products held at once.
    """
    x, y = (np.ascontiguousarray(v, dtype=np.float64) for v in (a, b))
    out = np.empty((len(x), len(y)))
    step = max(1, cells // max(1, y.size))
    for i in range(0, len(x), step):
        rows = x[i:i + step]
        out[i:i + step] = set_scores(rows, np.broadcast_to(y[None], (len(rows), *y.shape)),
                                     kind)
    return out


class References:
    """Reference embeddings prepared once for the similarity `kind`, to score many
    probes against: normalised for cosine, their squared norms kept for Euclidean.

    `dtype` is the precision of the matrix product; a large 1:N gallery is searched in
    float32, the precision of the model's own embeddings.
    """

    def __init__(self, embeddings: np.ndarray, kind: str, dtype=np.float64):
        vectors = np.ascontiguousarray(prepare(embeddings, kind, dtype))
        if vectors.ndim != 2 or len(vectors) == 0:
            raise InputError(f"references: expected a non-empty N x D array, got "
                             f"{vectors.shape}")
        self.kind, self.dtype, self.vectors = kind, dtype, vectors
        # Only the Euclidean distance needs the squared norms; float64 keeps them exact.
        self.squared = ((vectors.astype(np.float64) ** 2).sum(1) if kind == "euclidean"
                        else None)

    def __len__(self) -> int:
        return len(self.vectors)

    def scores(self, probes: np.ndarray) -> np.ndarray:
        """Every probe against every reference (P x N), higher is more alike."""
        x = prepare(probes, self.kind, self.dtype)
        product = x @ self.vectors.T
        if self.kind != "euclidean":
            return product
        squared = (x.astype(np.float64) ** 2).sum(1)[:, None] + self.squared[None, :]
        return -np.sqrt(np.maximum(squared - 2 * product, 0.0))


def score_matrix(a: np.ndarray, b: np.ndarray, kind: str) -> np.ndarray:
    """Scores of every row of `a` against every row of `b` (len(a) x len(b))."""
    return References(b, kind).scores(a)
