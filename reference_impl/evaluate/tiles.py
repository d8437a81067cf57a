"""The comparisons of a plan scored block by block and counted, never kept (clause 12.6).

A plan too large to keep is cut into blocks: tiles of references x probes for an
all-pairs plan, runs of the pair lists for a sampled one.  Each block's scores come from
the reference kernel (`pair_scores`, or `tile_scores` for a tile: the same numbers,
float64, each score from its own two rows, so the same number in any block on any
worker) and go straight into a `counts.Pass`; only the
counts travel.  The first pass notes each block's least and greatest score of each
class, so a refinement pass recomputes only the blocks that can hold a score in a bin
it refines.  `Runner.map` decides where blocks run: here, or on Dask workers
(`reference_impl.evaluate.distributed`); the counts, and so the report, are the same.
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass

import numpy as np

from reference_impl.evaluate.runner import Runner
from reference_impl.metrics import counts
from reference_impl.metrics.verification import CountedScores
from reference_impl.model.similarity import pair_scores, prepare, tile_scores

TILE = 512        # references (and probes) in a tile of an all-pairs plan
PAIRS = 4096      # pairs the kernel scores at once: bounds its working memory


@dataclass(frozen=True)
class Comparisons:
    """What every block needs: the embeddings, who is compared with whom, the kernel."""

    vectors: np.ndarray       # (samples, dimension), NaN rows: rejected samples
    refs: np.ndarray          # sample index of each reference
    probes: np.ndarray        # sample index of each probe
    ref_subjects: np.ndarray  # subject code of each reference
    probe_subjects: np.ndarray
    similarity: str
    mated: np.ndarray         # (m, 2) pairs of a sampled plan; empty for all pairs
    non_mated: np.ndarray

    @classmethod
    def of(cls, vectors, refs, probes, plan, similarity: str) -> Comparisons:
        everything = plan.kind == "all"
        empty = np.empty((0, 2), dtype=np.int64)
        return cls(vectors, refs, probes, plan.ref_subjects, plan.probe_subjects, similarity,
                   empty if everything else plan.mated, empty if everything else plan.non_mated)

    def blocks(self) -> list[tuple]:
        """("tile", r0, r1, p0, p1) for all pairs; ("mated" | "non_mated", i0, i1) else."""
        if not self.mated.size and not self.non_mated.size:
            return [("tile", r, min(r + TILE, self.refs.size), p, min(p + TILE, self.probes.size))
                    for r in range(0, self.refs.size, TILE)
                    for p in range(0, self.probes.size, TILE)]
        step = TILE * TILE
        return [(name, i, min(i + step, len(pairs))) for name, pairs in
                (("mated", self.mated), ("non_mated", self.non_mated))
                for i in range(0, len(pairs), step)]

    def size(self, block: tuple) -> int:
        return ((block[2] - block[1]) * (block[4] - block[3]) if block[0] == "tile"
                else block[2] - block[1])

    def scores(self, block: tuple) -> tuple[np.ndarray, np.ndarray]:
        """(mated scores, non-mated scores) of a block, NaN where a comparison has none."""
        if block[0] == "tile":
            _, r0, r1, p0, p1 = block
            with np.errstate(invalid="ignore", divide="ignore"):
                ready = [prepare(self.vectors[rows], self.similarity)
                         for rows in (self.refs[r0:r1], self.probes[p0:p1])]
                scores = tile_scores(*ready, self.similarity)
            same = self.ref_subjects[r0:r1, None] == self.probe_subjects[None, p0:p1]
            return scores[same], scores[~same]
        name, i0, i1 = block
        part = (self.mated if name == "mated" else self.non_mated)[i0:i1]
        empty = np.empty(0)
        return (self._score(part), empty) if name == "mated" else (empty, self._score(part))

    def _score(self, pairs: np.ndarray) -> np.ndarray:
        out = np.empty(len(pairs))
        if not len(pairs):
            return out
        with np.errstate(invalid="ignore", divide="ignore"):
            # each row prepared once, not once per pair: the same numbers (row by row)
            refs = np.unique(pairs[:, 0])
            probes = np.unique(pairs[:, 1])
            ready_r = prepare(self.vectors[self.refs[refs]], self.similarity)
            ready_p = prepare(self.vectors[self.probes[probes]], self.similarity)
            at_r, at_p = np.searchsorted(refs, pairs[:, 0]), np.searchsorted(probes, pairs[:, 1])
            for i in range(0, len(pairs), PAIRS):
                out[i:i + PAIRS] = pair_scores(ready_r[at_r[i:i + PAIRS]],
                                               ready_p[at_p[i:i + PAIRS]], self.similarity,
                                               prepared_b=True, prepared_a=True)
        return out


@dataclass
class BlockCount:
    """A block's part of a pass, its comparisons without a score, and (first pass) the
    least and greatest key of each class, or None for a class it does not hold."""

    part: counts.Pass
    unscored: tuple[int, int]
    span: tuple


def count_block(comparisons: Comparisons, block: tuple, empty: counts.Pass) -> BlockCount:
    """Score one block and count it into a copy of the empty pass (a task)."""
    mated, non_mated = comparisons.scores(block)
    part, span = copy.deepcopy(empty), []
    kept = []
    for scores in (mated, non_mated):
        finite = scores[np.isfinite(scores)]
        kept.append(finite)
        keys = counts.order_keys(finite) if finite.size else None
        span.append(None if keys is None else (int(keys.min()), int(keys.max())))
    part.add(kept[0], kept[1])
    unscored = (int(mated.size - kept[0].size), int(non_mated.size - kept[1].size))
    return BlockCount(part.compact(), unscored, tuple(span))


def _needed(span: tuple, requests: dict) -> bool:
    """Whether a block whose keys lie in `span` can hold a key of a requested node."""
    for node in requests:
        if node.bits == 0:
            return True
        low, high = node.low, (node.prefix + 1) << (64 - node.bits)
        if any(s is not None and s[0] < high and s[1] >= low for s in span):
            return True
    return False


@dataclass
class Tiled:
    scores: CountedScores
    blocks: int
    tally: dict  # unscored (mated, non-mated); blocks recomputed by refinement passes

    @property
    def unscored(self) -> tuple[int, int]:
        return self.tally["unscored"]

    @property
    def recomputed(self) -> int:
        return self.tally["recomputed"]


def count_plan(comparisons: Comparisons, runner: Runner | None = None,
               progress: bool = True) -> Tiled:
    """CountedScores of a whole plan from its blocks: the first pass scores every block,
    each refinement pass only the blocks that can hold a score in a refined bin.  A
    plan of many blocks is sampled first (`counts.sample_picks`: a few blocks, evenly
    spaced), so that one pass usually settles the report (`CountedScores`); its first
    pass then runs at `prepare`."""
    from tqdm import tqdm

    runner = runner or Runner()
    blocks = comparisons.blocks()
    shared = runner.share(comparisons)
    spans: list = [None] * len(blocks)
    sizes: list = [None] * len(blocks)  # (mated, non-mated) scores of each block
    tally = {"unscored": (0, 0), "recomputed": 0, "passes": 0}

    def merged(chosen: list[int], empty: counts.Pass, stage: str, each=None) -> counts.Pass:
        """The pass of the blocks `chosen`, merged; `each(index, part)` sees every part."""
        bar = tqdm(total=sum(comparisons.size(blocks[i]) for i in chosen), desc=stage,
                   unit="cmp", unit_scale=True, file=sys.stderr, disable=not progress,
                   leave=False)
        total = copy.deepcopy(empty)
        for index, done in runner.map(_indexed, [(i, blocks[i]) for i in chosen], shared,
                                      empty):
            total.merge(done.part)
            if each is not None:
                each(index, done)
            bar.update(comparisons.size(blocks[index]))
        bar.close()
        return total

    def note(index: int, done: BlockCount) -> None:  # the first pass over every block
        spans[index], sizes[index] = done.span, done.part.sizes
        tally["unscored"] = tuple(a + b for a, b in zip(tally["unscored"], done.unscored,
                                                        strict=True))

    def passes(empty: counts.Pass) -> counts.Pass:
        first = tally["passes"] == 0
        tally["passes"] += 1
        chosen = [i for i in range(len(blocks)) if first or _needed(spans[i], empty.requests)]
        if not first:
            tally["recomputed"] += len(chosen)
        done = merged(chosen, empty, "scoring" if first else "refinement",
                      note if first else None)
        if not first:  # a block left out holds no score of the nodes asked: its scores
            taken = set(chosen)  # count as they did in the first pass
            left = [sizes[i] for i in range(len(blocks)) if i not in taken]
            done.sizes = [int(sum(column)) for column in zip(done.sizes, *left, strict=True)]
        return done

    def sample(empty: counts.Pass) -> counts.Pass:
        return merged(picks, empty, "sample")

    plan = counts.sample_picks((len(blocks), 0))
    picks = plan[0][0] if plan else []
    share = len(picks) / len(blocks) if blocks else 1.0
    return Tiled(CountedScores(passes=passes, sample=(sample, (share, share)) if plan else None),
                 len(blocks), tally)


def _indexed(comparisons: Comparisons, empty: counts.Pass, item: tuple):
    index, block = item
    return index, count_block(comparisons, block, empty)
