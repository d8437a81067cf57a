"""Exact order statistics of two score sets from counts, without a sort (Annex B.10).

Every float64 score maps to a 64-bit *key* whose unsigned order is the order of the
scores: flip every bit of a negative number, set the sign bit of a positive one; -0.0
counts as +0.0.  A *node* is the set of keys sharing a prefix of their bits; the root
holds them all.  *Splitting* a node counts the keys of each class (genuine, impostor) in
its 2^20 sub-nodes, one per value of the next 20 bits.

What an error rate asks of the order -- how many keys of a class lie below a key, which
key has a given rank, where a monotone condition on those counts stops holding -- is
answered by walking down from the root.  Where a node's counts do not settle the answer,
the walk raises `Unsettled` naming the node, and one more pass over the scores refines
it: its keys are kept (when few), it is split (when many), or only its least key is
noted.  A pass (`Pass`) takes the scores chunk by chunk and the passes of separate chunks
or shards merge, so arrays in memory, files read in bounded memory and shards on many
machines go through the same code.  An evaluation typically needs two passes: the split
of the root, then a few nodes kept; one, when a sample's answers forecast the nodes to
keep (`OrderCounts.forecast`).  The cost is linear in the number of scores.
"""

from __future__ import annotations

import copy
import functools
import heapq
import itertools
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from reference_impl.errors import InputError

WIDTH = 20            # bits a split adds to a prefix
KEEP = 1 << 21        # keys one pass may keep; a node needing more is split instead
TRY = KEEP + KEEP // 4  # keys a first pass may keep on a forecast's word (planned: KEEP)
CHUNK = 1 << 18       # scores read at once (2 MiB: a buffer that stays in a core's cache)
SAMPLE = 64           # chunks of each class a forecast's sample reads (16 Mi scores)
CLASSES = ("genuine", "impostor")
# Threads that count the chunks of a pass: the compiled loop (_bins.tally) and the reads
# leave the GIL, so a second core counts too; past four the memory bus, not the cores, is
# the limit, and each thread's copy of the counts costs memory (16 MiB a split node).
THREADS = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
              else os.cpu_count() or 1)

_SIGN = np.uint64(1 << 63)
_TOP = np.uint64(64 - WIDTH)
_HALF = 1 << (WIDTH - 1)
_NONE = np.uint64(2**64 - 1)  # the key of a NaN: "no least key yet"


def order_keys(scores) -> np.ndarray:
    """uint64 keys whose order is the order of the float64 scores (-0.0 = +0.0)."""
    bits = (np.asarray(scores, dtype=np.float64) + 0.0).view(np.uint64)
    return np.where(bits & _SIGN, ~bits, bits | _SIGN)


def scores_of(keys) -> np.ndarray:
    """The float64 scores of keys (the inverse of `order_keys`)."""
    keys = np.asarray(keys, dtype=np.uint64)
    return np.where(keys & _SIGN, keys & ~_SIGN, ~keys).view(np.float64)


def score_of(key: int) -> float:
    return float(scores_of([key])[0])


def key_of(score: float) -> int:
    return int(order_keys([score])[0])


def refuse_unscored(values: np.ndarray, name: str, offset: int = 0) -> None:
    """Raise the input error of FRS-ACC-003 when `values` hold a NaN or an infinity: a
    comparison without a finite score is a failure to acquire, never a score."""
    bad = ~np.isfinite(values)
    if bad.any():
        first = offset + int(np.flatnonzero(bad)[0])
        raise InputError(f"{name}: {int(bad.sum())} scores are NaN or infinite (first at "
                         f"index {first}); a comparison without a score is a failure to "
                         "acquire, not a score")


class Node(NamedTuple):
    """The keys whose top `bits` bits are `prefix`."""

    prefix: int
    bits: int

    @property
    def width(self) -> int:
        return min(WIDTH, 64 - self.bits)

    @property
    def low(self) -> int:
        """The node's least key."""
        return self.prefix << (64 - self.bits)

    def child(self, index: int) -> Node:
        return Node((self.prefix << self.width) | index, self.bits + self.width)

    def index_of(self, key: int) -> int:
        """Which sub-node of this node holds `key`."""
        return (key >> (64 - self.bits - self.width)) & ((1 << self.width) - 1)

    def holds(self, keys: np.ndarray) -> np.ndarray:
        return (keys >> np.uint64(64 - self.bits)) == np.uint64(self.prefix)

    def top(self) -> int:
        """The sub-node of the root that holds this node."""
        return self.prefix >> (self.bits - WIDTH)


ROOT = Node(0, 0)


class Unsettled(Exception):  # noqa: N818 - a state of knowledge, not a failure
    """The counts known so far do not settle an answer; `needs` maps each node to refine
    to "detail" (keep or split it) or "least" (its least key)."""

    def __init__(self, needs: dict[Node, str]):
        super().__init__(f"{len(needs)} node(s) to refine")
        self.needs = needs


# --------------------------------------------------------------------------- a pass

# The root's sub-nodes by the raw top 20 bits of a float64 (sign, exponent, 8 bits of
# mantissa): positive numbers count up from raw 0, negative ones down from 2^20 - 1.
_RAW_NEGATIVE_ZERO = _HALF  # -0.0 has the sign bit only
_RAW_EXPONENT = 0x7FF00     # all ones: an infinity or a NaN
DENSE = 1 << 16             # pieces this large are counted in a table of every bin
FOLD = 32                   # sparse parts a merge keeps before adding them up
Z = 4                       # how many binomial deviations of a sample a forecast covers
MARGIN = 4                  # prefixes a forecast adds beyond the bins a sample occupied
BINADE = 1 << (WIDTH - 12)  # root prefixes a binade spans (below the sign and exponent)


@functools.cache
def _tally():
    """The compiled loop of a pass (reference_impl/metrics/_bins.c, built by `pip install`),
    imported when first counted: a source tree that was never built still imports this
    module, as `frs diff` does when it collects the tests of a commit."""
    from reference_impl.metrics._bins import tally

    return tally


def _raw_of_top(top: int) -> int:
    return top - _HALF if top >= _HALF else (1 << WIDTH) - 1 - top


def _top_of_raw(raw: np.ndarray) -> np.ndarray:
    return np.where(raw < _HALF, raw + _HALF, (1 << WIDTH) - 1 - raw)


def summed(index: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sub-node indices (any order, with repeats) and their (2, n) counts, each index
    once, ascending, with the sum of its counts."""
    unique, inverse = np.unique(index, return_inverse=True)
    total = np.zeros((2, unique.size), dtype=np.int64)
    for c in (0, 1):
        np.add.at(total[c], inverse.ravel(), counts[c])
    return unique, total


class Counts(NamedTuple):
    """The counts of a split node: its occupied sub-nodes `index` (ascending) and
    `below` (2, len(index) + 1), the keys of each class below each of them (the last
    column: in the whole node)."""

    index: np.ndarray
    below: np.ndarray

    @classmethod
    def of(cls, index: np.ndarray, counts: np.ndarray) -> Counts:
        """From sub-node indices (any order, repeats add) and their (2, n) counts."""
        unique, inside = summed(index, counts)
        below = np.zeros((2, unique.size + 1), dtype=np.int64)
        np.cumsum(inside, axis=1, out=below[:, 1:])
        keep = np.r_[True, (below[:, 1:] != below[:, :-1]).any(axis=0)]  # drop empty ones
        return cls(unique[keep[1:]], below[:, keep])

    def at(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(keys of each class below sub-node `index`, keys of each class inside it)."""
        j = int(np.searchsorted(self.index, index))
        inside = j < self.index.size and self.index[j] == index
        return self.below[:, j], (self.below[:, j + 1] - self.below[:, j] if inside
                                  else np.zeros(2, dtype=np.int64))


class Pass:
    """One pass over every score: it splits, keeps or notes the least key of the nodes
    requested (`kind` "split", "keep" or "least"; or "try": keep sub-nodes of the root
    forecast to be needed, unless their keys outgrow `TRY`, when the pass keeps none
    of them and notes `overflow`).  Feed it chunks with `add`; the passes
    of separate chunks or shards `merge`.  A pass pickles without its lookup tables, so
    it can travel to a worker and back; `compact` first makes its counts small."""

    def __init__(self, requests: dict[Node, str]):
        self.requests = dict(requests)
        self.sizes = [0, 0]
        # split node -> dense (2, 2^width) counts (or None) and sparse (index, counts) parts
        self.dense = {node: None for node, kind in self.requests.items() if kind == "split"}
        self.sparse: dict[Node, list] = {node: [] for node in self.dense}
        self.kept: list[list[np.ndarray]] = [[], []]
        self.least_nodes = [node for node, kind in self.requests.items() if kind == "least"]
        self.least = np.full((2, len(self.least_nodes)), _NONE, dtype=np.uint64)
        # keys left to try: a forecast plans for KEEP, from a sample; a quarter more spare
        self.trying = TRY if "try" in self.requests.values() else None
        self.overflow = False
        self._tables = self._buffers = None

    def __getstate__(self):
        return {**self.__dict__, "_tables": None, "_buffers": None}

    def add(self, genuine=(), impostor=(), start: int | None = None) -> Pass:
        """Take one chunk of scores of either class or both.  `start`, the index of the
        chunk's first score in its class, is what an error names (by default: the count
        of scores of that class taken so far)."""
        for cls, chunk in enumerate((genuine, impostor)):
            values = np.ascontiguousarray(chunk, dtype=np.float64).ravel()
            first = self.sizes[cls] if start is None else start
            for at in range(0, values.size, CHUNK):
                picked = self._add(cls, values[at:at + CHUNK], first + at)
                if picked is not None:  # the few scores of the nodes requested
                    self._route(cls, picked)
        return self

    def merge(self, other: Pass) -> Pass:
        """Add another pass over other scores (the same requests) to this one."""
        self.sizes = [a + b for a, b in zip(self.sizes, other.sizes, strict=True)]
        for node, dense in other.dense.items():
            if dense is not None:
                self._dense(node)[...] += dense
            self.sparse[node].extend(other.sparse[node])
            if len(self.sparse[node]) > FOLD:  # the merge of many shards stays small
                self.sparse[node] = [summed(*self._parts(self.sparse[node]))]
        for cls in (0, 1):
            self.kept[cls].extend(other.kept[cls])
        if self.trying is not None:
            self.trying -= TRY - other.trying
            self._give_up_trying(other.overflow or self.trying < 0)
        np.minimum(self.least, other.least, out=self.least)
        return self

    def _give_up_trying(self, overflow: bool) -> None:
        """Drop the keys tried once they outgrow the room: memory stays bounded."""
        if overflow and not self.overflow:
            self.overflow, self.kept = True, [[], []]

    def compact(self) -> Pass:
        """Fold the counts into one sparse part per split node (small to send)."""
        for node in self.dense:
            self.sparse[node] = [self.counts(node)]
            self.dense[node] = None
        for cls in (0, 1):
            self.kept[cls] = [np.concatenate(self.kept[cls])] if self.kept[cls] else []
        return self

    def counts(self, node: Node) -> tuple[np.ndarray, np.ndarray]:
        """(sub-node indices, their (2, n) counts) of a split node, in key order."""
        parts = list(self.sparse[node])
        dense = self.dense[node]
        if dense is not None:
            index = np.flatnonzero(dense.any(axis=0))
            parts.append((_top_of_raw(index) if node == ROOT else index, dense[:, index]))
        return self._parts(parts)

    @staticmethod
    def _parts(parts: list) -> tuple[np.ndarray, np.ndarray]:
        if not parts:
            return np.empty(0, dtype=np.int64), np.empty((2, 0), dtype=np.int64)
        return (np.concatenate([i for i, _ in parts]),
                np.concatenate([c for _, c in parts], axis=1))

    def _dense(self, node: Node) -> np.ndarray:
        if self.dense[node] is None:
            self.dense[node] = np.zeros((2, 1 << node.width), dtype=np.int64)
        return self.dense[node]

    def _add(self, cls: int, values: np.ndarray, offset: int) -> np.ndarray | None:
        """Count a piece of scores (the first at index `offset` of its class) in one sweep;
        return those of the nodes requested, if any."""
        self.sizes[cls] += values.size
        if self._tables is None:
            self._tables = self._lookup_tables()
        route, table = self._tables[0], None
        if ROOT in self.dense:
            if values.size < DENSE and self.dense[ROOT] is None:
                self._count_sparse(cls, values, offset)
            else:
                table = self._dense(ROOT)[cls]
        if table is None and route is None:
            return None
        if route is not None and (self._buffers is None or self._buffers.size < values.size):
            self._buffers = np.empty(values.size, dtype=np.float64)  # used again and again
        zeros = None if table is None else int(table[_RAW_NEGATIVE_ZERO])
        picked = _tally()(values, table, route, None if route is None else self._buffers,
                          int(_TOP))
        if table is not None:
            self._check_root(cls, values, table, zeros, offset)
        return self._buffers[:picked].copy() if picked else None

    def _route(self, cls: int, values: np.ndarray) -> None:
        """Keep, split or note the least key of scores of the nodes requested."""
        _, keep, slot, deep = self._tables
        keys = order_keys(values)
        top = (keys >> _TOP).astype(np.intp)
        kept = keep[top]
        if slot is not None:
            where = slot[top]
            hit = where >= 0
            np.minimum.at(self.least[cls], where[hit], keys[hit])
        for node, kind, index in deep:
            inside = node.holds(keys)
            if kind == "keep":
                kept |= inside
            elif kind == "least" and inside.any():
                self.least[cls, index] = min(self.least[cls, index], keys[inside].min())
            elif kind == "split":
                shift = np.uint64(64 - node.bits - node.width)
                sub = (keys[inside] >> shift) & np.uint64((1 << node.width) - 1)
                self._dense(node)[cls] += np.bincount(sub.astype(np.intp),
                                                      minlength=1 << node.width)
        if kept.any() and not self.overflow:
            self.kept[cls].append(keys[kept])
            if self.trying is not None:
                self.trying -= int(np.count_nonzero(kept))
                self._give_up_trying(self.trying < 0)

    def _count_sparse(self, cls: int, values: np.ndarray, offset: int) -> None:
        """A small input: count only the bins it occupies (small to send)."""
        raw = (values.view(np.uint64) >> _TOP).view(np.int64)
        if (raw == _RAW_NEGATIVE_ZERO).any():  # -0.0 is +0.0: count it in +0.0's bin
            raw = np.where(values.view(np.uint64) == _SIGN, 0, raw)
        index, counts = np.unique(raw, return_counts=True)
        if ((index & _RAW_EXPONENT) == _RAW_EXPONENT).any():
            refuse_unscored(values, CLASSES[cls], offset)
        both = np.zeros((2, index.size), dtype=np.int64)
        both[cls] = counts
        self.sparse[ROOT].append((_top_of_raw(index), both))

    def _check_root(self, cls: int, values: np.ndarray, row: np.ndarray, zeros: int,
                    offset: int) -> None:
        """After a piece is counted in every bin of the root, by raw bits: refuse a NaN or
        an infinity, and move the -0.0 counted in the bin of raw 2^19 to that of +0.0."""
        if row[_RAW_EXPONENT:_HALF].any() or row[_HALF | _RAW_EXPONENT:].any():
            refuse_unscored(values, CLASSES[cls], offset)  # earlier pieces had none
        if row[_RAW_NEGATIVE_ZERO] != zeros:
            moved = int(np.count_nonzero(values.view(np.uint64) == _SIGN))
            row[_RAW_NEGATIVE_ZERO] -= moved
            row[0] += moved

    def _lookup_tables(self):
        """Which raw top bits a chunk's score needs to be looked at for (route), and which
        root sub-node is kept whole (keep) or has its least key noted (slot)."""
        size = 1 << WIDTH
        route, keep, slot, deep = np.zeros(size, dtype=bool), np.zeros(size, dtype=bool), None, []
        for node, kind in self.requests.items():
            if node.bits == 0:
                continue
            top = node.top()
            route[_raw_of_top(top)] = True
            if top == _HALF:  # -0.0 (raw 2^19) belongs to the node of +0.0
                route[_RAW_NEGATIVE_ZERO] = True
            if node.bits == WIDTH and kind in ("keep", "try"):
                keep[top] = True
            elif node.bits == WIDTH and kind == "least":
                if slot is None:
                    slot = np.full(size, -1, dtype=np.int32)
                slot[top] = self.least_nodes.index(node)
            else:
                index = self.least_nodes.index(node) if kind == "least" else -1
                deep.append((node, kind, index))
        if not route.any():
            return None, None, None, None
        return route, keep, slot, deep


# A chunk of a pass: a function that returns (class, index of its first score in the
# class, its scores), read when it is called, in the thread that counts it.
Chunk = Callable[[], tuple[int, int, np.ndarray]]


def array_chunks(values: np.ndarray, cls: int, size: int = CHUNK) -> list[Chunk]:
    """The chunks of an array of scores of class `cls` held in memory (views, no copy)."""
    return [lambda at=at: (cls, at, values[at:at + size]) for at in range(0, values.size, size)]


def sample_picks(sizes: tuple[int, int], pieces: int = SAMPLE):
    """The sample of a forecast (`CountedScores`) from the chunks of each class (`sizes`,
    how many each has): (the indices of up to `pieces` chunks of each class, evenly
    spaced; the share of each class's chunks they are), or None when the chunks are too
    few for a sample to cost less than the pass it may save."""
    if sum(sizes) <= 4 * pieces:
        return None
    picks = [np.unique(np.linspace(0, n - 1, min(n, pieces)).round().astype(int)).tolist()
             for n in sizes]
    return picks, tuple(len(p) / n if n else 1.0 for p, n in zip(picks, sizes, strict=True))


def picked(parts: Sequence[Sequence[Chunk]], picks=None) -> list[Chunk]:
    """The chunks of both classes in one list: all, or those `picks` names for each."""
    if picks is None:
        return [*parts[0], *parts[1]]
    return [part[i] for part, chosen in zip(parts, picks, strict=True) for i in chosen]


def sampled(passes: Callable[..., Pass], sizes: tuple[int, int]):
    """The `sample` of `CountedScores` for `passes(empty, picks=None)`, a function that
    feeds every chunk, or only those whose indices `picks` gives for each class."""
    plan = sample_picks(sizes)
    if plan is None:
        return None
    picks, shares = plan
    return (lambda empty: passes(empty, picks)), shares


def count_chunks(empty: Pass, chunks: Sequence[Chunk], threads: int = THREADS) -> Pass:
    """Feed every chunk to the pass `empty` and return it.  Up to `threads` threads take
    the chunks in turn, each into its own copy of the pass, and the copies merge: the
    counts are those of one thread, in any order.  When chunks fail (an unreadable file,
    a score that is not finite), the error of the first of them is raised, as one thread
    reading them in order would."""
    threads = max(1, min(threads, len(chunks)))
    parts = [empty] + [copy.deepcopy(empty) for _ in range(threads - 1)]
    errors: dict[int, InputError] = {}

    def work(thread: int) -> None:
        for index in range(thread, len(chunks), threads):
            try:
                cls, start, values = chunks[index]()
                parts[thread].add(*((values, ()) if cls == 0 else ((), values)), start=start)
            except InputError as error:  # this thread's later chunks cannot come first
                errors[index] = error
                return

    if threads == 1:
        work(0)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, range(threads)))
    if errors:
        raise errors[min(errors)]
    for part in parts[1:]:
        empty.merge(part)
    return empty


# --------------------------------------------------------------------------- what is known


class OrderCounts:
    """What the passes so far have established about the order of the keys of the two
    classes: the counts of every split node, the kept keys, the least keys noted."""

    def __init__(self, run: Callable[[Pass], Pass], keep: int = KEEP,
                 forecast: Iterable[Node] = ()):
        """`run(p)` feeds every score to the empty pass `p` and returns it (or the merge
        of its copies, run on shards).  The first pass splits the root and tries to keep
        the sub-nodes of the root in `forecast`, those the answers are expected to need:
        when they were right, no other pass is needed."""
        self.run, self.keep = run, keep
        self.splits: dict[Node, Counts] = {}
        self.kept = [np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.uint64)]
        self.kept_nodes: set[Node] = set()
        self.least: dict[Node, tuple] = {}
        self._distinct_keys: dict[Node, tuple] = {}
        self.passes = 0
        self.n = (0, 0)
        self._apply(run(Pass({ROOT: "split", **{node: "try" for node in forecast}})))
        self.n = tuple(int(c) for c in self.splits[ROOT].below[:, -1])

    # ---- a forecast for the first pass over all the scores, when these are a sample's

    def forecast(self, shares: tuple[float, float], room: int = KEEP) -> set[Node]:
        """The sub-nodes of the root that these counts, of a share of the scores of each
        class (`shares`), had to refine, and around each the bins the answer may lie in
        among all the scores, while the keys they should hold there fit in `room`.

        A sample's order statistic of class c with t of its keys beyond it is uncertain
        by about sqrt(t) keys (binomial): the bins within Z of those of a class sampled
        in part (a share < 1) are added, so the tails, where a sample is least sure and
        the bins are sparse, are kept wide.
        """
        root = self.splits[ROOT]
        tops, below = root.index, root.below
        inside = np.diff(below, axis=1)
        estimate = inside[0] / shares[0] + inside[1] / shares[1]  # keys among all scores
        refined = {node.top() for node in (*self.kept_nodes, *self.splits, *self.least)
                   if node.bits >= WIDTH}
        chosen = np.isin(tops, list(refined))
        room -= float(estimate[chosen].sum())
        sampled = [c for c in (0, 1) if shares[c] < 1]
        # walk out from every refined bin at once, nearest first: a bin's distance is
        # the keys of a sampled class skipped to reach it, in deviations of that answer
        frontier, order = [], itertools.count()  # order: ties never compare arrays
        for j in np.flatnonzero(chosen).tolist():
            tail = np.minimum(below[:, j], below[:, -1] - below[:, j + 1])
            reach = Z * np.sqrt(tail) + Z
            frontier += [(0.0, next(order), j + step, step, reach, np.zeros(2))
                         for step in (-1, 1)]
        heapq.heapify(frontier)
        while frontier:
            distance, _, k, step, reach, skipped = heapq.heappop(frontier)
            if not (0 <= k < tops.size and distance <= 1):
                continue
            if not chosen[k]:
                if estimate[k] > room:
                    continue  # this walk stops: the bin does not fit
                chosen[k], room = True, room - estimate[k]
            skipped = skipped + inside[:, k]
            further = min((skipped[c] / reach[c] for c in sampled), default=np.inf)
            heapq.heappush(frontier, (further, next(order), k + step, step, reach, skipped))
        if room < 0:
            return set()
        # the chosen bins, and next to each up to MARGIN prefixes the sample left empty
        # (keys it did not see); past its least or greatest key, a whole binade (a
        # factor of 2): all the scores hold more extreme values than a sample
        ends = np.r_[-BINADE, tops, (1 << WIDTH) - 1 + BINADE]  # a sentinel each side
        forecast = set()
        for j in np.flatnonzero(chosen).tolist():
            top = int(tops[j])
            low = max(top - (BINADE if j == 0 else MARGIN), int(ends[j]) + 1, 0)
            high = min(top + (BINADE if j == tops.size - 1 else MARGIN), int(ends[j + 2]) - 1,
                       (1 << WIDTH) - 1)
            forecast.update(Node(prefix, WIDTH) for prefix in range(low, high + 1))
        return forecast

    # ---- refinement

    def refine(self, needs: dict[Node, str]) -> None:
        """One more pass: keep the smaller nodes needing detail while the keys fit in
        `keep`, split the others, note the least keys asked for."""
        requests = {node: "least" for node, kind in needs.items() if kind == "least"}
        detail = sorted((n for n, kind in needs.items() if kind == "detail"),
                        key=lambda node: int(self.count(node).sum()))
        room = self.keep
        for node in detail:
            size = int(self.count(node).sum())
            if size <= room or node.bits + node.width > 64:
                requests[node], room = "keep", room - size
            else:
                requests[node] = "split"
        self._apply(self.run(Pass(requests)))

    def _apply(self, done: Pass) -> None:
        if self.passes and tuple(done.sizes) != self.n:
            raise InputError(f"the scores changed between two passes over them: "
                             f"{tuple(done.sizes)} (genuine, impostor) scores, "
                             f"{self.n} the first time")
        self.passes += 1
        for node in done.dense:
            self.splits[node] = Counts.of(*done.counts(node))
        new = [node for node, kind in done.requests.items()
               if kind == "keep" or (kind == "try" and not done.overflow)]
        if new:
            for cls in (0, 1):
                self.kept[cls] = np.sort(np.concatenate([self.kept[cls], *done.kept[cls]]))
            self.kept_nodes.update(new)
        for index, node in enumerate(done.least_nodes):
            self.least[node] = tuple(None if k == _NONE else int(k) for k in done.least[:, index])

    # ---- questions

    def count(self, node: Node) -> np.ndarray:
        """Keys of each class in a node (whose parent is split)."""
        if node.bits == 0:
            return np.array(self.n)
        parent_bits = (node.bits - 1) // WIDTH * WIDTH
        parent = Node(node.prefix >> (node.bits - parent_bits), parent_bits)
        return self.splits[parent].at(node.prefix & ((1 << parent.width) - 1))[1]

    def _kept_in(self, cls: int, node: Node) -> np.ndarray:
        keys = self.kept[cls]
        start = np.searchsorted(keys, np.uint64(node.low))
        return keys[start:start + int(self.count(node)[cls])]

    def count_below(self, key: int) -> tuple[int, int]:
        """How many keys of each class lie below `key`."""
        node, below = ROOT, np.zeros(2, dtype=np.int64)
        while True:
            index = node.index_of(key)
            before, inside = self.splits[node].at(index)
            below = below + before
            child = node.child(index)
            if not inside.any() or key == child.low:
                return int(below[0]), int(below[1])
            if child in self.splits:
                node = child
                continue
            if child in self.kept_nodes:
                return tuple(int(b) + int(np.searchsorted(self._kept_in(c, child),
                                                          np.uint64(key)))
                             for c, b in enumerate(below))
            least = self.least.get(child)
            if least is not None and all(n == 0 or key <= k
                                         for n, k in zip(inside, least, strict=True)):
                return int(below[0]), int(below[1])
            raise Unsettled({child: "detail"})

    def count_below_each(self, keys: np.ndarray) -> np.ndarray:
        """`count_below` of each key of an array, as a (2, len(keys)) array: the root's
        counts settle most keys at once, the kept keys most of the others."""
        keys = np.asarray(keys, dtype=np.uint64)
        top = (keys >> _TOP).astype(np.int64)
        root = self.splits[ROOT]
        j = np.searchsorted(root.index, top)
        below = root.below[:, j]
        occupied = root.index[np.minimum(j, root.index.size - 1)] == top
        open_ = np.flatnonzero(occupied & (keys != (top.astype(np.uint64) << _TOP)))
        kept = np.array([Node(int(t), WIDTH) in self.kept_nodes for t in top[open_]], bool)
        for cls in (0, 1):  # a kept sub-node of the root: its keys below, by bisection
            where, edge = keys[open_[kept]], top[open_[kept]].astype(np.uint64) << _TOP
            below[cls, open_[kept]] += (np.searchsorted(self.kept[cls], where)
                                        - np.searchsorted(self.kept[cls], edge))
        needs = {}
        for i in open_[~kept].tolist():
            try:
                below[:, i] = self.count_below(int(keys[i]))
            except Unsettled as unsettled:
                needs.update(unsettled.needs)
        if needs:
            raise Unsettled(needs)
        return below

    def rank(self, cls: int, r: int) -> int:
        """The key of rank r (1 = least) among the keys of class `cls`."""
        node = ROOT
        while True:
            split = self.splits[node]
            j = int(np.searchsorted(split.below[cls], r, side="left")) - 1
            r -= int(split.below[cls, j])
            child = node.child(int(split.index[j]))
            if child.bits == 64:
                return child.low
            if child in self.splits:
                node = child
            elif child in self.kept_nodes:
                return int(self._kept_in(cls, child)[r - 1])
            elif r == 1 and child in self.least:
                return self.least[child][cls]
            else:  # the rates at a rank's score need the node's detail in any case
                raise Unsettled({child: "detail"})

    def least_key(self, node: Node) -> int:
        """The least key of either class in an occupied node."""
        if node.bits == 64:
            return node.low
        if node in self.splits:
            return self.least_key(node.child(int(self.splits[node].index[0])))
        if node in self.kept_nodes:
            return min(int(self._kept_in(c, node)[0]) for c in (0, 1)
                       if self.count(node)[c])
        if node in self.least:
            return min(k for k in self.least[node] if k is not None)
        raise Unsettled({node: "least"})

    def _distinct(self, node: Node) -> tuple[np.ndarray, list[np.ndarray]]:
        """The distinct kept keys of a node and, for each class, how many of its keys lie
        below each; kept for the next question (a report asks about the EER's node a
        few times, and it may hold millions of keys)."""
        if node not in self._distinct_keys:
            parts = [self._kept_in(c, node) for c in (0, 1)]
            # two sorted runs: a stable sort merges them (np.unique would hash them)
            keys = np.sort(np.concatenate(parts), kind="stable")
            keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if keys.size else keys
            self._distinct_keys[node] = keys, [np.searchsorted(part, keys) for part in parts]
        return self._distinct_keys[node]

    def crossing(self, holds: Callable[[np.ndarray, np.ndarray], np.ndarray]
                 ) -> tuple[int, int | None]:
        """(a, b): a the greatest key of the scores where `holds(genuine below, impostor
        below)` is true, b the least key above a (None when a is the greatest).

        `holds` takes arrays of counts of keys below each candidate key and must be true
        at the least key and turn false at most once as the key grows.
        """
        node, below, after, needs = ROOT, np.zeros(2, dtype=np.int64), None, {}
        while node.bits < 64 and node in self.splits:
            split = self.splits[node]
            edges = below[:, None] + split.below[:, :-1]  # below each occupied sub-node
            last = int(np.flatnonzero(holds(edges[0], edges[1]))[-1])
            if last + 1 < split.index.size:  # the least key above this sub-node's keys
                after = node.child(int(split.index[last + 1]))
            below = edges[:, last]
            node = node.child(int(split.index[last]))
        try:
            after = None if after is None else self.least_key(after)
        except Unsettled as unsettled:
            needs.update(unsettled.needs)
        if node.bits == 64 and not needs:
            return node.low, after
        if node not in self.kept_nodes and node.bits < 64:
            needs[node] = "detail"
        if needs:
            raise Unsettled(needs)
        keys, inside = self._distinct(node)
        last = int(np.flatnonzero(holds(below[0] + inside[0], below[1] + inside[1]))[-1])
        return int(keys[last]), int(keys[last + 1]) if last + 1 < keys.size else after
