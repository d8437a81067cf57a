"""Score files in and out, and an exact streaming path for score sets larger than memory.

Files:
- `.npy`: a 1-D array of float64 (or any real dtype, converted);
- `.csv`: one score a line, or a header line naming a `score` column;
- any other name (`.txt`): one score a line;
- `.jsonl`: one comparison-result record a line (schemas/comparison-result):
  `{"schema_version", "comparison_id", "probe_id", "reference_id", "mated", "score",
  "algorithm_id", "groups"?, "pai_species"?}`, `score: null` for a failure to acquire,
  read and validated by the front door (`reference_impl.documents`).

Streaming (`stream_files`, `stream_comparisons`): the scores are never held at once.
The metrics are those of `CountedScores` (reference_impl.metrics.counts), fed from the
file at each of its passes, so they equal the in-memory results exactly.  A `.npy` is
read by position with plain reads, not memory-mapped, so the pages read do not stay in
the process; its chunks are read and counted on `counts.THREADS` threads at once, each
with its own chunk buffer and copy of the counts: memory is a chunk (2 MiB) and 16 MiB
of counts a thread, and the few bins kept.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from reference_impl import confined
from reference_impl.errors import InputError
from reference_impl.metrics.counts import CHUNK, Chunk, Pass, count_chunks, picked, sampled
from reference_impl.metrics.verification import CountedScores

# ---------------------------------------------------------------------------
# Plain score files


def _not_a_number(texts: list[str], path: Path, first: int) -> InputError:
    """The error for the first line of `texts` (line `first` on) that is not a score."""
    for offset, text in enumerate(texts):
        try:
            if text.strip():
                float(text)
        except ValueError:
            return InputError(f"{path}:{first + offset}: '{text.strip()[:40]}' is not a "
                              "number (expected one score a line)")
    return InputError(f"{path}: cannot read the scores")  # pragma: no cover


# The longest line of a text score file: a number, or one row of a CSV.  A file
# without newlines is refused at its first such line, never read whole.
MAX_LINE_BYTES = 4096
_BLOCK = 1 << 20


def _blocks(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(number of its first line, its lines) of each block of a text score file, read,
    split and decoded at C speed; what is held is the block and at most one short line."""
    with confined.open_regular(path) as handle:
        number, rest = 1, b""
        while block := handle.read(_BLOCK):
            data = rest + block
            end = data.rfind(b"\n") + 1
            whole, rest = data[:end], data[end:]
            _check_lengths(whole, rest, path, number)
            if whole:
                texts = _decoded(whole, path, number).split("\n")[:-1]
                yield number, texts
                number += len(texts)
        if rest:
            yield number, [_decoded(rest, path, number)]


def _check_lengths(whole: bytes, rest: bytes, path: Path, first: int) -> None:
    lines = whole.split(b"\n")
    if len(rest) > MAX_LINE_BYTES or max(map(len, lines)) > MAX_LINE_BYTES:
        at = next((i for i, raw in enumerate(lines) if len(raw) > MAX_LINE_BYTES),
                  len(lines) - 1)
        raise InputError(f"{path}:{first + at}: a line longer than {MAX_LINE_BYTES} bytes "
                         "(expected one score a line)")


def _decoded(data: bytes, path: Path, first: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first + data.count(b"\n", 0, exc.start)
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise InputError(f"{path}:{line}: invalid UTF-8 byte 0x{data[exc.start]:02x} at "
                         f"byte column {column}") from None


def _csv_column(path: Path, header: str) -> int | None:
    """The index of the 'score' column a CSV's first line names (None: no header)."""
    try:
        names = [h.strip().lower() for h in next(csv.reader([header.rstrip("\r")]), [])]
    except csv.Error as exc:
        raise InputError(f"{path}:1: not a CSV header: {exc}") from None
    if "score" in names:
        return names.index("score")
    if len(names) > 1:
        raise InputError(f"{path}:1: a CSV with several columns needs a header naming the "
                         "'score' column")
    return None


def _field(text: str, column: int, path: Path, line: int) -> str:
    fields = text.split(",")
    if text.strip() and column >= len(fields):
        raise InputError(f"{path}:{line}: no 'score' column (field {column + 1})")
    return fields[column] if text.strip() else ""


def _text_chunks(path: Path, chunk: int) -> Iterator[np.ndarray]:
    column = None
    for first, texts in _blocks(path):
        if first == 1 and path.suffix.lower() == ".csv" and texts:
            column = _csv_column(path, texts[0])
            if column is not None:  # a header, not a score
                texts[0] = ""
        if column is not None:
            texts = [_field(t, column, path, first + i) for i, t in enumerate(texts)]
        try:
            values = np.array([t for t in texts if t and not t.isspace()], dtype=np.float64)
        except ValueError:
            raise _not_a_number(texts, path, first) from None
        for start in range(0, len(values), chunk):
            yield values[start:start + chunk]


def _npy_header(path: Path, handle) -> tuple[np.dtype, int]:
    """(dtype, length) of a 1-D .npy of real numbers, the handle left at its data."""
    npy = np.lib.format
    try:
        version = npy.read_magic(handle)
        read_header = {(1, 0): npy.read_array_header_1_0,
                       (2, 0): npy.read_array_header_2_0}.get(version)
        if read_header is None:
            raise ValueError(f"format version {version[0]}.{version[1]} is not read here")
        shape, _, dtype = read_header(handle)
    except Exception as exc:  # the header is a Python literal: ast and tokenize raise too
        raise InputError(f"{path}: not a readable .npy file: {exc}") from None
    if len(shape) != 1 or dtype.kind not in "fiu" or dtype.hasobject:
        raise InputError(f"{path}: expected a 1-D array of real numbers, found "
                         f"shape {shape} and dtype {dtype}")
    # The header's length is a claim: checked against the file before anything is
    # allocated for it (a 100-byte file may claim 8 TiB).
    left = os.fstat(handle.fileno()).st_size - handle.tell()
    if shape[0] * dtype.itemsize > left:
        raise InputError(f"{path}: the header claims {shape[0]} scores "
                         f"({shape[0] * dtype.itemsize} bytes), the file holds {left} bytes")
    return dtype, shape[0]


def iter_score_chunks(path, chunk: int = CHUNK) -> Iterator[np.ndarray]:
    """The scores of a file, in chunks of at most `chunk` float64 values (a chunk of a
    .npy is read into a buffer used again for the next: copy a chunk to keep it)."""
    path = _score_file(path)
    if path.suffix.lower() == ".npy":
        with confined.open_regular(path) as handle:
            for read in _npy_chunks(handle, path, 0, chunk):
                yield read()[2]
        return
    yield from _text_chunks(path, chunk)


def _score_file(path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return path


def _npy_chunks(handle, path: Path, cls: int, chunk: int) -> list[Chunk]:
    """The chunks (`counts.Chunk`) of the .npy open as `handle`, scores of class `cls`.
    Each is read by position (pread: no shared file offset, so threads read at once)
    into a buffer of the thread that reads it, never memory-mapped: the pages read do
    not stay in the process."""
    dtype, length = _npy_header(path, handle)
    fd, data = handle.fileno(), handle.tell()
    local = threading.local()

    def read(start: int) -> tuple[int, int, np.ndarray]:
        if getattr(local, "buffer", None) is None:
            local.buffer = np.empty(min(chunk, length), dtype=dtype)
        part = local.buffer[:min(chunk, length - start)]
        view, done = part.view(np.uint8), 0
        while done < view.size:
            got = os.preadv(fd, [view[done:]], data + start * dtype.itemsize + done)
            if got == 0:
                raise InputError(f"{path}: the file ends before its {length} scores")
            done += got
        return cls, start, part.astype(np.float64, copy=False)

    return [functools.partial(read, start) for start in range(0, length, chunk)]


def read_scores(path) -> np.ndarray:
    """Every score of a file as one float64 array (use the chunks for huge files)."""
    path = Path(path)
    if path.suffix.lower() == ".npy":
        path = _score_file(path)
        with confined.open_regular(path) as handle:
            dtype, length = _npy_header(path, handle)
            array = np.fromfile(handle, dtype=dtype, count=length)
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

    from reference_impl import documents  # the front door: 40 ms a .npy file does not need

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
# Exact streaming: the counts of `CountedScores`, fed from the files at each pass


def _feed(source) -> Callable[[Pass], Pass]:
    """A `passes` function for `CountedScores` from `source()`, an iterable of (genuine,
    impostor) chunks that can be read again for each pass."""
    def passes(empty: Pass) -> Pass:
        for genuine, impostor in source():
            empty.add(genuine, impostor)
        return empty
    return passes


def stream_files(genuine_path, impostor_path, chunk: int = CHUNK) -> CountedScores:
    """Exact metrics of two score files of any size: each pass reads the files again,
    `chunk` scores at a time, so memory is bounded by the chunks and the counts.  The
    chunks of a .npy are read and counted on several threads (`counts.count_chunks`);
    when both files are .npy, a sample of their chunks forecasts the bins to keep, so
    that one pass usually settles the report (`CountedScores`)."""
    paths = tuple(map(_score_file, (genuine_path, impostor_path)))
    if any(path.suffix.lower() != ".npy" for path in paths):
        def passes(empty: Pass) -> Pass:
            for cls, path in enumerate(paths):
                for part in iter_score_chunks(path, chunk):
                    empty.add(*((part, ()) if cls == 0 else ((), part)))
            return empty

        return CountedScores(passes=passes)

    def npy_passes(empty: Pass, picks=None) -> Pass:
        with contextlib.ExitStack() as files:
            parts = [_npy_chunks(files.enter_context(confined.open_regular(path)), path,
                                 cls, chunk) for cls, path in enumerate(paths)]
            return count_chunks(empty, picked(parts, picks))

    sizes = tuple(-(-_npy_length(path) // chunk) for path in paths)
    return CountedScores(passes=npy_passes, sample=sampled(npy_passes, sizes))


def _npy_length(path: Path) -> int:
    with confined.open_regular(path) as handle:
        return _npy_header(path, handle)[1]


@dataclass(frozen=True)
class StreamedComparisons:
    scores: CountedScores
    failures_to_acquire: int


def stream_comparisons(path, chunk: int = 65536) -> StreamedComparisons:
    """Exact metrics of a JSON Lines file of comparison-result records of any size, read
    again at each pass; records with a null score are counted as failures to acquire."""
    failures = 0

    def source():
        nonlocal failures
        failures = 0
        for block in iter_comparisons(path, chunk):
            scored = ~np.isnan(block.score)
            failures += int(np.count_nonzero(~scored))
            yield block.score[block.mated & scored], block.score[~block.mated & scored]

    scores = CountedScores(passes=_feed(source))
    return StreamedComparisons(scores, failures)
