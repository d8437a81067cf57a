"""An all-pairs comparison plan counted tile by tile: here, and on 1 and 2 Dask workers.

Synthetic embeddings (R references x P probes, 4 probes per subject, dimension D) are
scored by the reference kernel tile by tile and only counted (`tiles.count_plan`), then
the verification metrics are read from the counts.  For each runner: comparisons per
second (and per worker), the passes and the blocks recomputed by refinement, the scaling
from 1 to 2 workers, and the peak resident memory of the client and of each worker.  The
metrics must be the same on every runner.

Environment: FRS_BENCH_PLAN (comparisons, default 2e7; 1e10 is the issue's size),
FRS_BENCH_PLAN_DIM (default 128).
"""

from __future__ import annotations

import os
import time

import numpy as np


def comparisons_of(n: int, dim: int):
    from reference_impl.evaluate.tiles import Comparisons

    refs = max(2, int(np.sqrt(n / 4)))
    probes = max(2, n // refs)
    rng = np.random.default_rng(0)
    subjects_r = np.arange(refs)
    subjects_p = rng.integers(0, refs, probes)
    centres = rng.normal(size=(refs, dim)).astype(np.float32)
    vectors = np.concatenate([centres + 0.6 * rng.normal(size=(refs, dim)),
                              centres[subjects_p] + 0.6 * rng.normal(size=(probes, dim))]
                             ).astype(np.float32)
    empty = np.empty((0, 2), dtype=np.int64)
    return Comparisons(vectors, np.arange(refs), refs + np.arange(probes), subjects_r,
                       subjects_p, "cosine", empty, empty)


def measure(comparisons, runner) -> tuple[float, tuple, object]:
    from reference_impl.evaluate.tiles import count_plan

    started = time.perf_counter()
    tiled = count_plan(comparisons, runner, progress=False)
    scores = tiled.scores.prepare((1e-3, 1e-4, 1e-5, 1e-6), 2000)
    answer = (scores.eer(), [scores.fnmr_at_fmr(t) for t in (1e-3, 1e-4, 1e-5, 1e-6)])
    return time.perf_counter() - started, answer, tiled


def _peak_kib() -> int:
    """Peak resident memory of this process image in KiB (VmHWM): not ru_maxrss, which
    a spawned worker inherits from the process that forked it."""
    with open("/proc/self/status") as handle:
        return int(next(line for line in handle if line.startswith("VmHWM:")).split()[1])


def main() -> int:
    from reference_impl.evaluate.distributed import DaskRunner, cluster

    n = int(float(os.environ.get("FRS_BENCH_PLAN", "2e7")))
    dim = int(os.environ.get("FRS_BENCH_PLAN_DIM", "128"))
    comparisons = comparisons_of(n, dim)
    total = comparisons.refs.size * comparisons.probes.size
    print(f"all-pairs plan: {comparisons.refs.size} references x {comparisons.probes.size} "
          f"probes = {total:,} comparisons, dimension {dim}, cosine, tiles of "
          f"{len(comparisons.blocks())}")
    seconds, reference, tiled = measure(comparisons, None)
    print(f"  this process : {total / seconds:12,.0f} comparisons/s  ({seconds:.1f} s, "
          f"{tiled.scores.counts.passes} passes, {tiled.recomputed} blocks recomputed; "
          f"peak {_peak_kib() / 1024:.0f} MiB)")
    rates = {}
    for workers in (1, 2):
        with cluster(workers) as client:
            seconds, answer, tiled = measure(comparisons, DaskRunner(client))
            peaks = client.run(_peak_kib)
        rates[workers] = total / seconds
        same = "the same metrics" if answer == reference else "DIFFERENT metrics"
        print(f"  {workers} worker(s)  : {rates[workers]:12,.0f} comparisons/s, "
              f"{rates[workers] / workers:12,.0f} per worker ({seconds:.1f} s; {same}; "
              f"worker peak {max(peaks.values()) / 1024:.0f} MiB)")
    print(f"  scaling 1 -> 2 workers: x{rates[2] / rates[1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
