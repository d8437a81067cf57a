"""`frs metrics verification --stream` on .npy files larger than memory should be.

The whole `frs metrics verification --stream --det-svg` process (EER, FNMR at FMR 1e-3 ..
1e-6, a 2,000-point DET plot) on n float64 scores in two .npy files (1 % genuine), against
`cat` of the same two files to /dev/null (after one read, so both find the files in the
page cache or neither does): wall time as a ratio to cat's, and the peak resident memory
of the frs process.  The aim is a time under 3x cat's and a peak under 256 MiB whatever n.

Environment: FRS_BENCH_SCORES_STREAM (default "1e8"; "1e9" writes 8 GB under build/bench).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_validate_stream import LAUNCHER

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BLOCK = 1 << 24


def write_scores(folder: Path, n: int) -> tuple[Path, Path]:
    """genuine.npy (n / 100 scores) and impostor.npy (the rest), written block by block."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "genuine.npy", folder / "impostor.npy"
    if all(p.exists() for p in paths):
        return paths
    rng = np.random.default_rng(n)
    for path, size, mean in ((paths[0], n // 100, 2.5), (paths[1], n - n // 100, 0.0)):
        out = np.lib.format.open_memmap(path.with_suffix(".tmp"), mode="w+",
                                        dtype=np.float64, shape=(size,))
        for start in range(0, size, BLOCK):
            out[start:start + BLOCK] = rng.normal(mean, 1.0, min(BLOCK, size - start))
        out.flush()
        del out
        path.with_suffix(".tmp").rename(path)
    return paths


def cat_seconds(paths) -> float:
    started = time.perf_counter()
    subprocess.run(["cat", *map(str, paths)], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def frs_run(paths, folder: Path) -> tuple[float, int, dict]:
    """(seconds, peak KiB, verification section) of one whole frs process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(BIN / "frs"), "metrics", "verification",
         "--stream", "--genuine", str(paths[0]), "--impostor", str(paths[1]),
         "--det-svg", str(folder / "det.svg"), "--format", "json"],
        capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"frs metrics failed: {done.stderr.strip()[-400:]}")
    lines = done.stdout.strip().splitlines()
    return seconds, int(lines[-1]), json.loads("\n".join(lines[:-1]))


def main() -> int:
    sizes = [int(float(s)) for s in os.environ.get("FRS_BENCH_SCORES_STREAM", "1e8").split(",")]
    print("frs metrics verification --stream --det-svg (the whole process) against cat of "
          "the same .npy files; peak: the frs process's resident memory")
    print(f"{'n':>8} {'GiB':>6} {'cat s':>7} {'frs s':>7} {'frs/cat':>8} {'peak MiB':>9}  "
          "EER, FNMR@1e-6")
    for n in sizes:
        folder = ROOT / "build" / "bench" / f"stream{n}"
        paths = write_scores(folder, n)
        cat_seconds(paths)  # one read first: both runs see the same page cache
        cat = cat_seconds(paths)
        seconds, peak, section = frs_run(paths, folder)
        gib = sum(p.stat().st_size for p in paths) / 2**30
        print(f"{n:>8.0e} {gib:>6.2f} {cat:>7.2f} {seconds:>7.2f} {seconds / cat:>8.2f} "
              f"{peak / 1024:>9.0f}  {section['eer']:.6f}, "
              f"{section['fnmr_at_fmr'][-1].get('fnmr')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
