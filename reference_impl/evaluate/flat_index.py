"""Exact 1:N candidates: faiss flat indexes find them, the reference kernel scores them.

faiss's `IndexFlatIP` is exhaustive (no approximate index ever serves a normative
metric), but it scores in float32 with its own order of summation: its scores differ
from the reference kernel's (`reference_impl.model.similarity.pair_scores`, float64) by
at most a margin that follows from the vectors' norms.  So a query asks faiss for the k
best samples and rescores them with the reference kernel; every sample faiss did not
return has a reference score below the k-th faiss score plus the margin (the query's
*bound*).  An answer that needs every sample at or above a score under that bound asks
faiss's range search for every sample whose faiss score is within the margin of it or
above, and rescores the ones within the margin.  The candidates so found are exactly
those of an exhaustive search with the reference kernel.

The Euclidean similarity (-|x - y|) is searched as an inner product: x' = (x, 1) and
y' = (y, -|y|^2 / 2) give x'.y' = (|x|^2 - |x - y|^2) / 2, which orders a probe's
references as the distance does.  A gallery may be cut into shards (`FlatShard`), one
per worker, each held only by its worker: the candidates of the shards are merged and
their bounds are the largest.
"""

from __future__ import annotations

import numpy as np

from reference_impl.evaluate.runner import Runner
from reference_impl.model.similarity import prepare, set_scores

# The margin of a faiss inner product against the float64 one, over |x'| |y'|: float32
# rounding of each of the D products and of the inputs, summed in any order, with room.
_ROUNDING = 2.0 ** -23
GROUP = 16  # probes that share one range search
BLAS_FLOATS = 4 * 512  # query floats from which faiss multiplies blocks (`_faiss`)
RESCORED = 256  # gallery rows gathered at once to rescore (1 MB at D = 512)


def _faiss():
    import faiss

    faiss.omp_set_num_threads(1)  # one core per process: workers share the machine
    # Below this many query floats faiss reads the whole gallery once per probe, not once
    # per block of probes (BLAS): its default, 250 probes of 512, makes a range search's
    # group, or a block of probes on a 10^6 gallery, several times slower; from about 4
    # probes of 512 the block is the faster
    faiss.cvar.distance_compute_blas_threshold = BLAS_FLOATS
    return faiss


class FlatShard:
    """Gallery rows `offset .. offset + len(vectors)`, prepared for the similarity and
    held twice: float64 for the reference kernel, float32 in a faiss flat index."""

    def __init__(self, vectors: np.ndarray, kind: str, offset: int = 0):
        self.kind, self.offset = kind, offset
        self.vectors = np.ascontiguousarray(prepare(vectors, kind))
        space = self.vectors
        if kind == "euclidean":
            space = np.c_[space, -0.5 * (space ** 2).sum(axis=1)]
        self.norm = float(np.sqrt((space ** 2).sum(axis=1)).max())
        self._build()

    def __len__(self) -> int:
        return len(self.vectors)

    def __getstate__(self):  # a faiss index does not pickle: a worker builds its own
        return {k: v for k, v in self.__dict__.items() if k != "index"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._build()

    def _build(self) -> None:
        space = self.vectors
        if self.kind == "euclidean":
            space = np.c_[space, -0.5 * (space ** 2).sum(axis=1)]
        self.index = _faiss().IndexFlatIP(space.shape[1])
        self.index.add(np.ascontiguousarray(space, dtype=np.float32))

    def _space(self, x: np.ndarray) -> np.ndarray:
        """Prepared probes in the index's space."""
        return np.c_[x, np.ones(len(x))] if self.kind == "euclidean" else x

    def _margin(self, space: np.ndarray) -> np.ndarray:
        """How far each probe's faiss score may lie from the float64 one."""
        return (space.shape[1] + 4) * _ROUNDING * np.sqrt((space ** 2).sum(axis=1)) * self.norm

    def _to_space(self, x: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """Reference scores as inner products in the index's space, per prepared probe."""
        if self.kind != "euclidean":
            return scores
        return ((x ** 2).sum(axis=1) - scores ** 2) / 2

    def _from_space(self, x: np.ndarray, values: np.ndarray) -> np.ndarray:
        """An inner product in the index's space back as a score, per prepared probe (an
        upper bound stays an upper bound: both maps are increasing)."""
        if self.kind != "euclidean":
            return values
        return -np.sqrt(np.maximum((x ** 2).sum(axis=1) - 2 * values, 0.0))

    def rescore(self, probes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The reference kernel's score of each probe against gallery rows (global ids),
        (probes, k); -inf where a row is -1 (no candidate)."""
        return self._rescore(prepare(probes, self.kind), rows)

    def _rescore(self, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        local = np.where(rows >= 0, rows - self.offset, 0)
        scores = np.empty(rows.shape)
        # a few probes at a time: their gathered rows stay in cache for the products
        step = max(1, RESCORED // max(1, rows.shape[1]))
        for i in range(0, len(x), step):
            scores[i:i + step] = set_scores(x[i:i + step], self.vectors[local[i:i + step]],
                                            self.kind)
        return np.where(rows >= 0, scores, -np.inf)

    def top(self, probes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, reference scores, bound): the k best rows of each probe by faiss, scored
        by the reference kernel, and the score no row left out reaches."""
        k = min(k, len(self))
        x = prepare(probes, self.kind)  # once: faiss's query, the margin and the rescoring
        space = self._space(x)
        approx, local = self.index.search(np.ascontiguousarray(space, dtype=np.float32), k)
        rows = np.where(local >= 0, local + self.offset, -1)
        bound = self._from_space(x, approx[:, -1].astype(np.float64) + self._margin(space))
        if k == len(self):  # every row returned: none is left out
            bound = np.full(len(probes), -np.inf)
        return rows, self._rescore(x, rows), bound

    def at_least(self, probes: np.ndarray, scores: np.ndarray) -> list[np.ndarray]:
        """For each probe, the rows (global ids) whose reference score is at least its
        score.  A row whose faiss score clears the score by the margin is one for sure, a
        row below it by the margin is not; only the rows in between are rescored.
        Probes with near floors share one range search (faiss scans the gallery once
        for the group, at the group's lowest floor)."""
        x = prepare(probes, self.kind)
        space = self._space(x)
        margin = self._margin(space)
        floors = self._to_space(x, scores) - margin
        tops = floors + 2 * margin
        space = np.ascontiguousarray(space, dtype=np.float32)
        found: list = [None] * len(probes)
        order = np.argsort(floors)
        for group in (order[i:i + GROUP] for i in range(0, len(order), GROUP)):
            limits, approx, local = self.index.range_search(space[group],
                                                            float(floors[group].min()))
            for j, i in enumerate(group.tolist()):
                part = slice(limits[j], limits[j + 1])
                near, rows = approx[part], local[part].astype(np.int64) + self.offset
                inside = near > floors[i]
                near, rows = near[inside], rows[inside]
                keep = near >= tops[i]
                doubt = ~keep
                if doubt.any():
                    keep[doubt] = self._rescore(x[i:i + 1],
                                                rows[doubt][None, :])[0] >= scores[i]
                found[i] = rows[keep]
        return found


class FlatIndex:
    """Gallery shards searched as one: candidates merged, bounds the largest.  The shards
    are held by `runner` (`Runner.hold`): here, or one per worker of a cluster, each
    query going to every shard at once and only candidates coming back."""

    def __init__(self, shards: list, spans: list[tuple[int, int]], runner: Runner | None = None):
        self.shards, self.spans = shards, spans  # spans: (first row, rows) of each shard
        self.runner = runner or Runner()

    @classmethod
    def of(cls, vectors: np.ndarray, kind: str, shards: int = 1,
           runner: Runner | None = None) -> FlatIndex:
        runner = runner or Runner()
        edges = np.linspace(0, len(vectors), shards + 1).round().astype(int)
        spans = [(int(a), int(b - a)) for a, b in zip(edges[:-1], edges[1:], strict=True)
                 if b > a]
        held = runner.hold(FlatShard, [(vectors[a:a + n], kind, a) for a, n in spans])
        return cls(held, spans, runner)

    def _each(self, method: str, *args) -> list:
        return self.runner.each([(shard, method, args) for shard in self.shards])

    def rescore(self, probes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The reference kernel's score of each probe against gallery rows (global ids,
        any shard), -inf where a row is -1."""
        mine = [(rows >= a) & (rows < a + n) for a, n in self.spans]
        asked = [i for i, m in enumerate(mine) if m.any()]
        found = self.runner.each([(self.shards[i], "rescore",
                                   (probes, np.where(mine[i], rows, -1))) for i in asked])
        scores = np.full(rows.shape, -np.inf)
        for i, part in zip(asked, found, strict=True):
            scores = np.where(mine[i], part, scores)
        return scores

    def top(self, probes: np.ndarray, k: int):
        found = self._each("top", probes, k)
        return (np.concatenate([f[0] for f in found], axis=1),
                np.concatenate([f[1] for f in found], axis=1),
                np.max([f[2] for f in found], axis=0))

    def at_least(self, probes: np.ndarray, scores: np.ndarray) -> list[np.ndarray]:
        found = self._each("at_least", probes, scores)
        return [np.concatenate(rows) for rows in zip(*found, strict=True)]
