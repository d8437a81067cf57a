"""`frs validate` streams JSON Lines: its peak memory does not grow with the file.

Validates JSON Lines files of comparison-result records of growing size (default 16 and
128 MiB; FRS_BENCH_STREAM_MB="16,1024" for the 1 GiB case) and prints, for each, the
records/s and the peak resident memory of the `frs validate` process (from wait4), and
the ratio of the largest peak to the smallest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.bench_validate import make_records

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def write_file(path: Path, megabytes: int) -> int:
    """A JSON Lines file of about `megabytes` MiB, written block by block; its records."""
    block = "".join(json.dumps(r) + "\n" for r in make_records(10_000))
    per_block = block.count("\n")
    blocks = max(1, megabytes * 2**20 // len(block))
    with open(path, "w", encoding="utf-8") as out:
        for _ in range(blocks):
            out.write(block)
    return blocks * per_block


# The peak memory of a child includes what it inherited at fork, before exec: a large
# parent (this process, after other benchmarks) would inflate it.  So a small launcher
# process forks and execs `frs validate` and reports that child's peak alone.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run(path: Path) -> tuple[float, int, int]:
    """(seconds, exit status, peak resident memory in KiB) of one `frs validate` run."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", LAUNCHER, str(BIN / "frs"), "validate",
                           "--schema", "comparison-result", "--format", "json",
                           "--max-findings", "10", str(path)],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                          check=False)
    peak = int(done.stdout.strip().splitlines()[-1])
    return time.perf_counter() - started, done.returncode, peak


def main() -> int:
    sizes = [int(s) for s in os.environ.get("FRS_BENCH_STREAM_MB", "16,128").split(",")]
    folder = ROOT / "build" / "bench" / "stream"
    folder.mkdir(parents=True, exist_ok=True)
    peaks, sizes_read = [], []
    for megabytes in sizes:
        path = folder / f"scores-{megabytes}MiB.jsonl"
        records = write_file(path, megabytes)
        size = path.stat().st_size
        seconds, status, peak = run(path)
        path.unlink()
        peaks.append(peak)
        sizes_read.append(size)
        print(f"  {size / 2**20:8.0f} MiB "
              f"{records:>10,} records {seconds:7.1f} s {records / seconds:>9,.0f} records/s "
              f"peak memory {peak / 1024:6.1f} MiB (exit {status})")
    print(f"  peak memory, largest file / smallest: {max(peaks) / min(peaks):.2f}x "
          f"for {max(sizes_read) / min(sizes_read):.0f}x the data")
    return 0
