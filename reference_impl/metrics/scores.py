"""Score files in and out, and an exact streaming path for score sets larger than memory.

Files:
- `.npy`: a 1-D array of float64 (or any real dtype, converted);
- `.csv`: one score a line, or a header line naming a `score` column;
- any other name (`.txt`): one score a line;
- `.jsonl`: one comparison-result record a line (schemas/comparison-result):
  `{"schema_version", "comparison_id", "probe_id", "reference_id", "mated", "score",
  "algorithm_id", "groups"?, "pai_species"?}`, `score: null` for a failure to acquire,
  read and validated by the front door (`reference_impl.documents`).

Streaming (`StreamingVerification`): exact, in two passes over the data.  Pass 1
counts scores per class in 2^20 bins of the order-preserving 64-bit key of each
float64 (the sign, exponent and 8 mantissa bits); counts of two partial results add
(`merge`), so chunks or shards can be counted apart.  The bins that hold the EER
crossing and each target's threshold are then known exactly; pass 2 keeps only the
scores in those bins, and every rate is computed from bin counts plus exact counts
inside them.  Results are bit-identical to the in-memory `SortedScores`.  Memory:
2 x 8 MiB of counts, plus the scores that fall in at most 2 + 2 x targets bins.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from reference_impl import documents
from reference_impl.errors import InputError
from reference_impl.metrics.verification import (
    EqualErrorRate,
    OperatingPoint,
    allowed_false_matches,
    as_scores,
    crossing_of_segment,
)

CHUNK = 1 << 20


# ---------------------------------------------------------------------------
# Plain score files


def _parse_lines(lines: list[str], path: Path, first_line: int) -> np.ndarray:
    try:
        return np.array(lines, dtype=np.float64)
    except ValueError:
        pass
    for offset, text in enumerate(lines):
        try:
            float(text)
        except ValueError:
            raise InputError(f"{path}:{first_line + offset}: '{text.strip()[:40]}' is not a "
                             "number (expected one score a line)") from None
    raise InputError(f"{path}: cannot read the scores")  # pragma: no cover


def _text_chunks(path: Path, chunk: int) -> Iterator[np.ndarray]:
    with open(path, encoding="utf-8", newline="") as handle:
        first = handle.readline()
        line_no = 1
        column = None
        if path.suffix.lower() == ".csv":
            header = next(csv.reader([first]), [])
            names = [h.strip().lower() for h in header]
            if "score" in names:
                column = names.index("score")
                first = ""
            elif len(header) > 1:
                raise InputError(f"{path}:1: a CSV with several columns needs a header "
                                 "naming the 'score' column")
        pending: list[str] = [first] if first.strip() else []
        start = line_no if pending else line_no + 1
        for line_no, line in enumerate(handle, start=2):
            if not line.strip():
                continue
            if not pending:
                start = line_no
            pending.append(line.split(",")[column] if column is not None else line)
            if len(pending) >= chunk:
                yield _parse_lines(pending, path, start)
                pending = []
        if pending:
            yield _parse_lines(pending, path, start)


def iter_score_chunks(path, chunk: int = CHUNK) -> Iterator[np.ndarray]:
    """The scores of a file, in chunks of at most `chunk` float64 values."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() == ".npy":
        try:
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise InputError(f"{path}: not a readable .npy file: {exc}") from None
        if array.ndim != 1 or array.dtype.kind not in "fiu":
            raise InputError(f"{path}: expected a 1-D array of real numbers, found "
                             f"shape {array.shape} and dtype {array.dtype}")
        for start in range(0, array.size, chunk):
            yield np.asarray(array[start:start + chunk], dtype=np.float64)
        return
    yield from _text_chunks(path, chunk)


def read_scores(path) -> np.ndarray:
    """Every score of a file as one float64 array (use the chunks for huge files)."""
    path = Path(path)
    if path.suffix.lower() == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise InputError(f"{path}: not a readable .npy file: {exc}") from None
        if array.ndim != 1 or array.dtype.kind not in "fiu":
            raise InputError(f"{path}: expected a 1-D array of real numbers, found "
                             f"shape {array.shape} and dtype {array.dtype}")
        return np.asarray(array, dtype=np.float64)
    chunks = list(iter_score_chunks(path))
    return np.concatenate(chunks) if chunks else np.empty(0)


def write_scores(path, scores) -> None:
    """Write scores as .npy or as text (one score a line, shortest exact repr)."""
    path = Path(path)
    array = np.asarray(scores, dtype=np.float64).ravel()
    if path.suffix.lower() == ".npy":
        np.save(path, array)
    else:
        path.write_text("".join(f"{repr(float(s))}\n" for s in array), encoding="utf-8")


# ---------------------------------------------------------------------------
# JSON Lines of comparison-result records

@dataclass
class ComparisonChunk:
    """Columns of a block of comparison-result records."""

    score: np.ndarray          # float64, NaN where the record's score is null (FTA)
    mated: np.ndarray          # bool
    probe_id: list[str] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    pai_species: list[str | None] = field(default_factory=list)


def iter_comparisons(path, chunk: int = 65536) -> Iterator[ComparisonChunk]:
    """Comparison-result records of a JSON Lines file, through the front door, in column
    blocks (DocumentError, at the end, if any record is not a comparison result)."""
    def block(records: list[dict]) -> ComparisonChunk:
        return ComparisonChunk(
            np.array([np.nan if r["score"] is None else r["score"] for r in records],
                     dtype=np.float64),
            np.array([r["mated"] for r in records], dtype=bool),
            [r["probe_id"] for r in records],
            [r.get("groups") or {} for r in records],
            [r.get("pai_species") for r in records])

    records: list[dict] = []
    for document in documents.read_records(path, "comparison-result", input_format="jsonl"):
        records.append(document.data)
        if len(records) >= chunk:
            yield block(records)
            records = []
    if records:
        yield block(records)


def write_comparisons(path, records: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")


# ---------------------------------------------------------------------------
# Exact streaming


BITS = 20
BINS = 1 << BITS
_SIGN = np.uint64(1 << 63)


def order_keys(scores: np.ndarray) -> np.ndarray:
    """uint64 keys whose order is the order of the float64 scores (-0.0 = +0.0)."""
    bits = (np.asarray(scores, dtype=np.float64) + 0.0).view(np.uint64)
    return np.where(bits & _SIGN, ~bits, bits | _SIGN)


def _bins(scores: np.ndarray) -> np.ndarray:
    return (order_keys(scores) >> np.uint64(64 - BITS)).astype(np.int64)


Source = Callable[[], Iterable[tuple[np.ndarray, np.ndarray]]]


class StreamingVerification:
    """Exact verification metrics in two passes over (genuine, impostor) chunks."""

    def __init__(self) -> None:
        self.genuine_counts = np.zeros(BINS, dtype=np.int64)
        self.impostor_counts = np.zeros(BINS, dtype=np.int64)

    @property
    def n_genuine(self) -> int:
        return int(self.genuine_counts.sum())

    @property
    def n_impostor(self) -> int:
        return int(self.impostor_counts.sum())

    def update(self, genuine=(), impostor=()) -> StreamingVerification:
        """Count one chunk (pass 1).  Chunks may hold either class or both."""
        for scores, counts, name in ((genuine, self.genuine_counts, "genuine"),
                                     (impostor, self.impostor_counts, "impostor")):
            array = np.asarray(scores, dtype=np.float64).ravel()
            if array.size:
                counts += np.bincount(_bins(as_scores(array, name)), minlength=BINS)
        return self

    def merge(self, other: StreamingVerification) -> StreamingVerification:
        """Add the counts of another partial result (of other chunks or shards)."""
        self.genuine_counts += other.genuine_counts
        self.impostor_counts += other.impostor_counts
        return self

    def finish(self, source: Source, targets: Iterable[float] = ()) -> StreamingResult:
        """Pass 2 over the same data: exact EER and operating points."""
        n_g, n_i = self.n_genuine, self.n_impostor
        if n_g == 0 or n_i == 0:
            raise InputError("no genuine or no impostor scores: the error rates are "
                             "undefined")
        gen_below = np.concatenate([[0], np.cumsum(self.genuine_counts)])
        imp_at_or_above = np.concatenate([np.cumsum(self.impostor_counts[::-1])[::-1], [0]])
        # Gap at the lower edge of every bin (and +inf): non-increasing.
        gap = imp_at_or_above / n_i - gen_below / n_g
        crossing = int(np.flatnonzero(gap[:BINS] >= 0)[-1])
        occupied = np.flatnonzero((self.genuine_counts + self.impostor_counts)[crossing + 1:])
        after = crossing + 1 + int(occupied[0]) if occupied.size else None
        needed = {crossing} | ({after} if after is not None else set())
        plans = []
        for target in targets:
            if not 0.0 <= target <= 1.0:
                raise InputError(f"target FMR {target} is not in [0, 1]")
            k = allowed_false_matches(target, n_i)
            if k >= n_i:
                plans.append((target, k, None))
                continue
            # bin holding the (k+1)-th highest impostor score
            b = int(np.flatnonzero(imp_at_or_above[:BINS] >= k + 1)[-1])
            plans.append((target, k, b))
            needed |= {b, min(b + 1, BINS - 1)}
        kept = _Kept(sorted(needed), gen_below, imp_at_or_above, n_g, n_i)
        for genuine, impostor in source():
            kept.add(genuine, impostor)
        kept.sort()
        points = []
        for target, k, b in plans:
            if b is None:
                points.append(OperatingPoint(target, float(-np.inf), 1.0, 0.0))
                continue
            in_bin = kept.impostor[b]
            rank_in_bin = k + 1 - int(imp_at_or_above[b + 1])
            tau = float(np.nextafter(in_bin[in_bin.size - rank_in_bin], np.inf))
            points.append(OperatingPoint(target, tau, kept.fmr(tau), kept.fnmr(tau)))
        candidates = np.unique(np.concatenate([kept.genuine[crossing],
                                               kept.impostor[crossing]]))
        nxt = np.inf if after is None else float(min(
            kept.genuine[after][:1].tolist() + kept.impostor[after][:1].tolist()))
        taus = [float(t) for t in candidates] + [nxt]
        gaps = [kept.fmr(t) - kept.fnmr(t) for t in taus]
        split = next(i for i, g in enumerate(gaps) if g < 0)
        # taus[split - 1] and taus[split] are tau_a and tau_b of SortedScores._crossing.
        tau_a, tau_b = taus[split - 1], taus[split]
        best = tau_b if abs(gaps[split]) < abs(gaps[split - 1]) else tau_a
        f, g = kept.fmr(best), kept.fnmr(best)
        interpolated = crossing_of_segment((kept.fmr(tau_a), kept.fnmr(tau_a)),
                                           (kept.fmr(tau_b), kept.fnmr(tau_b)))
        return StreamingResult(n_g, n_i, EqualErrorRate((f + g) / 2, best, f, g), points,
                               interpolated)


class _Kept:
    """The scores of the bins pass 2 keeps, with the bin counts around them."""

    def __init__(self, bins: list[int], gen_below, imp_at_or_above, n_g: int, n_i: int):
        self.bins = np.array(bins, dtype=np.int64)
        self.genuine: dict[int, np.ndarray] = {b: [] for b in bins}
        self.impostor: dict[int, np.ndarray] = {b: [] for b in bins}
        self.gen_below, self.imp_at_or_above = gen_below, imp_at_or_above
        self.n_g, self.n_i = n_g, n_i

    def add(self, genuine, impostor) -> None:
        for scores, store in ((genuine, self.genuine), (impostor, self.impostor)):
            array = np.asarray(scores, dtype=np.float64).ravel()
            if not array.size:
                continue
            bins = _bins(array)
            mask = np.isin(bins, self.bins)
            for b in np.unique(bins[mask]):
                store[int(b)].append(array[mask][bins[mask] == b])

    def sort(self) -> None:
        for store in (self.genuine, self.impostor):
            for b, parts in store.items():
                store[b] = np.sort(np.concatenate(parts)) if parts else np.empty(0)

    def _bin(self, tau: float) -> int:
        b = int(_bins(np.array([tau]))[0])
        if b not in self.genuine:  # pragma: no cover - the plan keeps every bin it needs
            raise RuntimeError(f"bin {b} was not kept")
        return b

    def fmr(self, tau: float) -> float:
        if tau == np.inf:
            return 0.0
        b = self._bin(tau)
        inside = self.impostor[b]
        above = int(self.imp_at_or_above[b + 1])
        return (above + inside.size - int(np.searchsorted(inside, tau))) / self.n_i

    def fnmr(self, tau: float) -> float:
        if tau == np.inf:
            return 1.0
        b = self._bin(tau)
        return (int(self.gen_below[b]) + int(np.searchsorted(self.genuine[b], tau))) / self.n_g


@dataclass(frozen=True)
class StreamingResult:
    genuine: int
    impostor: int
    eer: EqualErrorRate
    fnmr_at_fmr: list[OperatingPoint]
    eer_interpolated: float


def stream_files(genuine_path, impostor_path, targets: Iterable[float] = (),
                 chunk: int = CHUNK) -> StreamingResult:
    """Exact metrics of two score files of any size, in two passes of bounded memory."""
    def source():
        for part in iter_score_chunks(genuine_path, chunk):
            yield part, ()
        for part in iter_score_chunks(impostor_path, chunk):
            yield (), part

    acc = StreamingVerification()
    for genuine, impostor in source():
        acc.update(genuine, impostor)
    return acc.finish(source, list(targets))




@dataclass(frozen=True)
class StreamedComparisons:
    result: StreamingResult
    failures_to_acquire: int


def stream_comparisons(path, targets: Iterable[float] = (), chunk: int = 65536
                       ) -> StreamedComparisons:
    """Exact metrics of a JSON Lines file of comparison-result records of any size, in
    two passes; records with a null score are counted as failures to acquire."""
    failures = 0

    def source():
        nonlocal failures
        failures = 0
        for block in iter_comparisons(path, chunk):
            scored = ~np.isnan(block.score)
            failures += int(np.count_nonzero(~scored))
            yield block.score[block.mated & scored], block.score[~block.mated & scored]

    acc = StreamingVerification()
    for genuine, impostor in source():
        acc.update(genuine, impostor)
    return StreamedComparisons(acc.finish(source, list(targets)), failures)
