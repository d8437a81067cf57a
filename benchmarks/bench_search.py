"""1:N search against its floors: faiss IndexFlatIP alone and numpy (issue 14).

In one run, for each gallery size, the same probes (each a noisy capture of one gallery
row, so every search is mated) searched for their top 20 on one thread each by:

- numpy: a float32 matrix product with argpartition, the 20 then sorted;
- faiss IndexFlatIP alone: the evaluation's own index of the gallery (`FlatShard.index`);
- FRS exact top-20: `FlatIndex.top` (faiss's best 20 + SPARE rows, rescored by the
  reference kernel in float64) and `FlatIndex.at_least` for a probe whose 20th score
  faiss's rows cannot settle (the spare rows' bound is above it), as
  `SubjectGallery.search` builds its answers: the 20 best rows by the reference kernel,
  which no float32 search guarantees;
- `SubjectGallery.search`: the evaluation's 1:N search itself (mate score and rank, best
  non-mated score), for scale.

faiss and FRS run in turn (`interleaved`): their ratio is the figure to read.  The
check: each one's 20 rows, in order, against numpy's exact answer (the float64
product of the prepared vectors, ties by row), and FRS's scores against its scores.

Environment: FRS_BENCH_SEARCH_SIZES (gallery rows, default "1e5"; "1e5,1e6" adds the
10^6 x 512 gallery, about 10 GB of memory and a few minutes), FRS_BENCH_PROBES (500),
FRS_BENCH_DIM (512).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from benchmarks.bench_harness import best_of, interleaved

TOP = 20
BLOCK = 50  # probes per block of the float64 products of the check (and of numpy's)
SPARE = 4  # rows asked of faiss beyond the k: their bound settles the k-th row


def gallery_and_probes(size: int, probe_count: int, dim: int):
    """Gaussian gallery rows and, for probe i, a noisy capture of row i (cosine about
    0.7 with its mate, as in a test of a working model)."""
    rng = np.random.default_rng(0)
    gallery = rng.normal(size=(size, dim)).astype(np.float32)
    own = np.arange(probe_count) % size
    probes = (gallery[own] + 0.7 * rng.normal(size=(probe_count, dim))).astype(np.float32)
    return gallery, probes, own


def best_rows(rows: np.ndarray, scores: np.ndarray, k: int):
    """The k best (row, score) of each line, best first, ties by the lower row."""
    order = np.lexsort((rows, -scores))[:, :k]
    return np.take_along_axis(rows, order, 1), np.take_along_axis(scores, order, 1)


def frs_top(index, probes: np.ndarray, k: int):
    """The k best rows of each probe by the reference kernel, and their scores."""
    rows, scores, bound = index.top(probes, k + SPARE)
    rows, scores = best_rows(rows, scores, k)
    doubt = np.flatnonzero(scores[:, -1] < bound)  # a row left out may be in the k
    for i, found in zip(doubt, index.at_least(probes[doubt], scores[doubt, -1]),
                        strict=True):
        found = found[None, :]
        line = best_rows(found, index.rescore(probes[i:i + 1], found), k)
        rows[i], scores[i] = line[0][0], line[1][0]
    return rows, scores


def numpy_top(queries: np.ndarray, unit: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k best products of each query, best first (blocks of probes: the
    whole product of 10^6 rows would not fit)."""
    found = []
    for start in range(0, len(queries), BLOCK):
        scores = queries[start:start + BLOCK] @ unit.T
        rows = np.argpartition(-scores, k, axis=1)[:, :k]
        found.append(best_rows(rows, np.take_along_axis(scores, rows, 1), k)[0])
    return np.concatenate(found)


def search_against_peers(gallery_vectors: np.ndarray, probes: np.ndarray, own: np.ndarray,
                         top: int = TOP) -> None:
    from threadpoolctl import threadpool_limits

    from reference_impl.evaluate.dataset import Sample
    from reference_impl.evaluate.identify import SubjectGallery
    from reference_impl.model.similarity import prepare

    size, dim = gallery_vectors.shape
    samples = [Sample(f"e{i}", f"s{i:08d}", "enrolment", Path(), None, True, None)
               for i in range(size)]
    gallery = SubjectGallery.enrol(samples, gallery_vectors, "cosine")
    shard = gallery.index.shards[0]  # one shard here: the whole gallery, prepared
    unit = shard.vectors.astype(np.float32)
    queries = prepare(probes, "cosine").astype(np.float32)
    with threadpool_limits(1):  # numpy's BLAS on one thread, as faiss is (flat_index)
        t_numpy = best_of(lambda: numpy_top(queries, unit, top), 2)
        t_faiss, t_frs = interleaved(lambda: shard.index.search(queries, top),
                                     lambda: frs_top(gallery.index, probes, top), 5)
        t_search = best_of(lambda: gallery.search(probes, own), 3)
        want, want_scores, searched = [], [], []
        prepared = prepare(probes, "cosine")
        for start in range(0, len(probes), BLOCK):
            exact = prepared[start:start + BLOCK] @ shard.vectors.T
            rows = np.argpartition(-exact, top, axis=1)[:, :top]
            line = best_rows(rows, np.take_along_axis(exact, rows, 1), top)
            want.append(line[0])
            want_scores.append(line[1])
            searched.append(exact_search(exact, own[start:start + BLOCK]))
    want, want_scores = np.concatenate(want), np.concatenate(want_scores)
    expected = [np.concatenate(part) for part in zip(*searched, strict=True)]
    search_same = all(np.allclose(a, b, rtol=0, atol=1e-12) for a, b in
                      zip(gallery.search(probes, own), expected, strict=True))
    rows, scores = frs_top(gallery.index, probes, top)
    faiss_rows = shard.index.search(queries, top)[1]
    numpy_rows = numpy_top(queries, unit, top)

    def differ(found: np.ndarray) -> str:
        count = int((found != want).any(axis=1).sum())
        return "identical to numpy's" if count == 0 else f"{count} probes differ from numpy's"

    close = np.abs(scores - want_scores).max() < 1e-12
    comparisons = size * len(probes)
    print(f"1:N search, {len(probes)} probes x gallery {size:,} x {dim}, top-{top}, "
          "one thread each; top-k: the rows in order against numpy's float64 exact top-k")
    for name, seconds, answer in (
            ("numpy float32 matmul + argpartition", t_numpy, differ(numpy_rows)),
            ("faiss IndexFlatIP alone", t_faiss, differ(faiss_rows)),
            ("FRS exact top-k (faiss + rescoring)", t_frs,
             differ(rows) + ("" if close else "; scores DIFFER"))):
        print(f"  {name:<37}: {comparisons / seconds:14,.0f} comparisons/s  "
              f"({seconds:.3f} s, x{seconds / t_faiss:.2f} faiss's time, "
              f"x{seconds / t_numpy:.2f} numpy's; top-{top} {answer})")
    print(f"  {'SubjectGallery.search (mate, rank)':<37}: {comparisons / t_search:14,.0f} "
          f"comparisons/s  ({t_search:.3f} s, x{t_search / t_faiss:.2f} faiss's time; mate "
          "score and rank, best non-mated score "
          f"{'the same as' if search_same else 'DIFFERENT from'} numpy's)")


def exact_search(exact: np.ndarray, own: np.ndarray):
    """SubjectGallery.search's answers from the float64 products of probes with every
    row (one row per subject): mate score, mate rank (ties against the mate), best
    non-mated score."""
    lines = np.arange(len(own))
    mate = exact[lines, own]
    others = exact.copy()
    others[lines, own] = -np.inf
    return mate, 1 + (others >= mate[:, None]).sum(axis=1), others.max(axis=1)


def main() -> int:
    sizes = [int(float(s)) for s in os.environ.get("FRS_BENCH_SEARCH_SIZES", "1e5").split(",")]
    probe_count = int(os.environ.get("FRS_BENCH_PROBES", 500))
    dim = int(os.environ.get("FRS_BENCH_DIM", 512))
    for size in sizes:
        search_against_peers(*gallery_and_probes(size, probe_count, dim))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
