"""Verification metrics against numpy.sort, scikit-learn, pyeer and bob.measure.

The job, as one process per peer: EER, FNMR at four target FMRs (1e-3 .. 1e-6) and a
2,000-point DET curve, on float64 scores of which 1 % are genuine and 99 % impostor.
Each peer runs in its own subprocess on the same .npy files; the table gives the job's
time (after the data is loaded, best of a few runs), the wall time of a whole process
that runs the job once (interpreter start, imports, loading, the job), both as ratios
to numpy.sort of the same n scores, and that process's peak memory added once its
imports are done, as a multiple of the input array (8 n bytes; the loaded input itself
counts as 1.0).  The numpy.load row is a process that starts, imports numpy and loads
the files, and does nothing: the part of every peer's process that is not its job, so
its proc/sort is as low as any peer's that loads the files can go.  The "frs.files"
row is FRS reading the .npy files itself, chunk by chunk at each pass (as `frs metrics
verification` reads two .npy files) instead of loading them: its job time includes the reads.
The "frs.cli" rows are the command itself, `frs metrics verification --genuine G
--impostor I --format json` (the report section: EER, FNMR at the four FMRs with their
Clopper-Pearson bounds), and "frs.cli+det" the same with `--det-svg` (the 2,000-point
DET, drawn): their process time is what a user waits for, imports included.

Environment: FRS_BENCH_SIZES (default "1e6,1e7"), FRS_BENCH_1E8=1 to add 1e8 (about
2 GB of files under build/bench; pyeer is skipped there unless FRS_BENCH_PYEER=1),
FRS_BENCH_REPEAT (runs of numpy.sort and FRS in their process, best kept; default 5,
3 at 1e8; the slow peers run once), FRS_BENCH_PROCESSES (whole processes of numpy.sort,
numpy.load and FRS, best kept; default 3); bob.measure's
2,000-point DET costs 2,000 passes over the scores, so it is skipped at 1e8 unless
FRS_BENCH_BOB_1E8=1; FRS_BENCH_BOB
(python of a venv with bob.measure; default build/bob-venv/bin/python if present).

This file is also the subprocess: `python bench_metrics.py PEER DIR` prints one JSON
line.  That part imports only numpy and the peer, so bob.measure's own venv (numpy 1.x)
can run it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

TARGETS = (1e-3, 1e-4, 1e-5, 1e-6)
DET_POINTS = 2000
FAST = ("numpy.sort", "numpy.load", "frs", "frs.files", "frs.cli", "frs.cli+det")  # repeated;
# the slow peers run once
PROCESSES = int(os.environ.get("FRS_BENCH_PROCESSES", "3"))
ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- peers


def job_frs(gen, imp):
    from reference_impl.metrics.verification import CountedScores

    return _answers(CountedScores(gen, imp))


def job_frs_files(gen_path, imp_path):
    from reference_impl.metrics.scores import stream_files

    return _answers(stream_files(gen_path, imp_path))


def _answers(scores):
    scores.prepare(TARGETS, DET_POINTS)
    eer = scores.eer().eer
    points = [scores.fnmr_at_fmr(t) for t in TARGETS]
    det = scores.det_points(DET_POINTS)
    return eer, [p.fnmr for p in points], [p.fmr for p in points], det[0].size


def job_frs_cli(gen_path, imp_path, det_svg=None):
    import contextlib
    import io

    from reference_impl.cli import main

    argv = ["metrics", "verification", "--genuine", str(gen_path), "--impostor",
            str(imp_path), "--format", "json"]
    if det_svg:
        argv += ["--det-svg", str(det_svg)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        if main(argv) != 0:
            raise RuntimeError("frs metrics verification failed")
    section = json.loads(out.getvalue())
    rows = section["fnmr_at_fmr"]
    return (section["eer"], [r["fnmr"] for r in rows], [r["fmr"] for r in rows],
            DET_POINTS if det_svg else 0)


def job_frs_cli_det(gen_path, imp_path):
    return job_frs_cli(gen_path, imp_path, Path(gen_path).with_name("det.svg"))


def job_load(gen, imp):
    return None  # the process of any peer, less its job: start, import numpy, load


def job_numpy_sort(scores):
    np.sort(scores)  # the same n scores as one array (build/bench/n*/all.npy)
    return None


def _from_curve(fpr, fnr):
    """EER (least threshold among ties of |FMR - FNMR|) and FNMR at the least
    threshold with FMR <= target, from a curve ordered by descending threshold."""
    gap = np.abs(fpr - fnr)
    best = int(np.flatnonzero(gap == gap.min())[-1])
    eer = (fpr[best] + fnr[best]) / 2
    fnmr, fmr = [], []
    for target in TARGETS:
        index = int(np.searchsorted(fpr, target, side="right")) - 1
        fnmr.append(float(fnr[index]))
        fmr.append(float(fpr[index]))
    return eer, fnmr, fmr


def job_sklearn(gen, imp):
    from sklearn.metrics import roc_curve

    labels = np.r_[np.ones(gen.size, dtype=np.int8), np.zeros(imp.size, dtype=np.int8)]
    fpr, tpr, thr = roc_curve(labels, np.r_[gen, imp], drop_intermediate=False)
    eer, fnmr, fmr = _from_curve(fpr, 1 - tpr)
    keep = np.unique(np.linspace(0, fpr.size - 1, DET_POINTS).round().astype(int))
    return eer, fnmr, fmr, keep.size


def job_pyeer(gen, imp):
    from pyeer.eer_stats import calculate_roc, get_eer_values

    thr, fm, fnm = calculate_roc(gen, imp)  # thresholds ascending
    eer = get_eer_values(fm, fnm)[3]
    fnmr, fmr = [], []
    for target in TARGETS:  # the least threshold with FMR <= target (not pyeer's nearest)
        index = int(np.flatnonzero(fm <= target)[0]) if (fm <= target).any() else fm.size - 1
        fnmr.append(float(fnm[index]))
        fmr.append(float(fm[index]))
    keep = np.unique(np.linspace(0, fm.size - 1, DET_POINTS).round().astype(int))
    return float(eer), fnmr, fmr, keep.size


def job_bob(gen, imp):
    import bob.measure as bm

    eer = bm.eer(imp, gen)
    fnmr, fmr = [], []
    for target in TARGETS:
        tau = bm.far_threshold(imp, gen, target)
        far, frr = bm.farfrr(imp, gen, tau)
        fnmr.append(float(frr))
        fmr.append(float(far))
    det = bm.det(imp, gen, DET_POINTS)
    return float(eer), fnmr, fmr, det.shape[1]


JOBS = {"frs": job_frs, "frs.files": job_frs_files, "frs.cli": job_frs_cli,
        "frs.cli+det": job_frs_cli_det, "numpy.sort": job_numpy_sort,
        "numpy.load": job_load,
        "scikit-learn": job_sklearn, "pyeer": job_pyeer, "bob.measure": job_bob}


def child(peer: str, folder: str, repeat: int) -> None:
    job = JOBS[peer]
    start = time.perf_counter()
    if peer == "frs":
        import reference_impl.metrics.verification  # noqa: F401
    elif peer == "frs.files":
        import reference_impl.metrics.scores  # noqa: F401
    elif peer.startswith("frs.cli"):  # what `frs` imports before it runs a command
        import reference_impl.cli  # noqa: F401
    elif peer == "scikit-learn":
        import sklearn.metrics  # noqa: F401
    elif peer == "pyeer":
        import pyeer.eer_stats  # noqa: F401
    elif peer == "bob.measure":
        import bob.measure  # noqa: F401
    imported = time.perf_counter() - start
    before = _rss()
    if peer == "numpy.sort":
        data = (np.load(Path(folder) / "all.npy"),)
    elif peer == "frs.files" or peer.startswith("frs.cli"):  # FRS reads the files itself
        data = (Path(folder) / "genuine.npy", Path(folder) / "impostor.npy")
    else:
        data = (np.load(Path(folder) / "genuine.npy"), np.load(Path(folder) / "impostor.npy"))
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = job(*data)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    peak = _peak_rss()
    print(json.dumps({"seconds": best, "cpu_seconds": best_cpu, "import_seconds": imported,
                      "extra_bytes": peak - before, "result": result}))


def _peak_rss() -> int:
    """Peak resident memory of this process image, in bytes (Linux VmHWM).

    Not getrusage's ru_maxrss: Linux carries that across exec from the process that
    forked this one, so a large parent (the other benchmarks) would count here.
    """
    with open("/proc/self/status") as handle:
        line = next(line for line in handle if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def _rss() -> int:
    """Resident memory of this process now, in bytes (Linux)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --------------------------------------------------------------------------- driver


def _data(n: int) -> Path:
    folder = ROOT / "build" / "bench" / f"n{n}"
    if not (folder / "impostor.npy").exists():
        folder.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(n)
        n_gen = n // 100
        np.save(folder / "genuine.npy", rng.normal(2.5, 1.0, n_gen))
        np.save(folder / "impostor.npy", rng.normal(0.0, 1.0, n - n_gen))
    if not (folder / "all.npy").exists():
        np.save(folder / "all.npy", np.concatenate([np.load(folder / "genuine.npy"),
                                                    np.load(folder / "impostor.npy")]))
    return folder


def _run(python: str, peer: str, folder: Path, repeat: int) -> dict | None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")
    start = time.perf_counter()
    done = subprocess.run([python, __file__, peer, str(folder), str(repeat)],
                          capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        print(f"   {peer}: failed: {done.stderr.strip().splitlines()[-1:]}", flush=True)
        return None
    record = json.loads(done.stdout.strip().splitlines()[-1])
    record["wall"] = wall
    return record


def main() -> int:
    sizes = [int(float(s)) for s in os.environ.get("FRS_BENCH_SIZES", "1e6,1e7").split(",")]
    if os.environ.get("FRS_BENCH_1E8") == "1":
        sizes.append(100_000_000)
    bob = os.environ.get("FRS_BENCH_BOB", str(ROOT / "build/bob-venv/bin/python"))
    peers = [("numpy.sort", sys.executable), ("numpy.load", sys.executable),
             ("frs", sys.executable), ("frs.files", sys.executable),
             ("frs.cli", sys.executable), ("frs.cli+det", sys.executable),
             ("scikit-learn", sys.executable), ("pyeer", sys.executable)]
    if Path(bob).exists():
        peers.append(("bob.measure", bob))
    else:
        print(f"bob.measure: no interpreter at {bob}; skipped")
    wanted = os.environ.get("FRS_BENCH_PEERS")
    if wanted:  # numpy.sort always runs: it is the denominator of every ratio
        names = {"numpy.sort", "numpy.load", *wanted.split(",")}
        peers = [(name, python) for name, python in peers if name in names]
    print("job: EER + FNMR at FMR 1e-3..1e-6 + 2,000-point DET; scores float64, 1 % genuine")
    print("job s: wall time of the job, best of FRS_BENCH_REPEAT; cpu/sort: its CPU time "
          "over numpy.sort's (steadier on a shared machine); process s: a whole "
          "subprocess running the job once; peak/input: its peak memory added after "
          "imports, over 8 n bytes")
    print(f"{'n':>11} {'peer':<13} {'job s':>8} {'job/sort':>9} {'cpu/sort':>9} "
          f"{'process s':>10} {'proc/sort':>10} {'peak/input':>11}  EER, FNMR@1e-3..1e-6")
    for n in sizes:
        folder = _data(n)
        fast = int(os.environ.get("FRS_BENCH_REPEAT", "5" if n <= 10_000_000 else "3"))
        floor = None
        for peer, python in peers:
            if peer == "pyeer" and n > 10_000_000 and os.environ.get("FRS_BENCH_PYEER") != "1":
                print(f"{n:>11.0e} {peer:<13} skipped at this size (FRS_BENCH_PYEER=1 runs it)")
                continue
            big_bob = os.environ.get("FRS_BENCH_BOB_1E8") == "1"
            if peer == "bob.measure" and n > 10_000_000 and not big_bob:
                print(f"{n:>11.0e} {peer:<13} skipped at this size (FRS_BENCH_BOB_1E8=1 runs it)")
                continue
            # the fast jobs are repeated (best time kept): on a shared machine a single
            # run of a sub-second job is mostly noise; the slow peers run once.
            record = _run(python, peer, folder, fast if peer in FAST else 1)
            if record is None:
                continue
            if peer in FAST:
                # the whole process running the job once (start, imports, loading, the
                # job, exit), best of a few: one run on a shared machine is mostly noise
                runs = [r for r in (_run(python, peer, folder, 1) for _ in range(PROCESSES))
                        if r is not None]
                once = min(runs, key=lambda r: r["wall"]) if runs else record
                record.update(wall=once["wall"], extra_bytes=once["extra_bytes"])
            if peer == "numpy.sort":
                floor = record
            extra = record["extra_bytes"] / (8 * n)
            result = record["result"]
            shown = "" if result is None else (f"{result[0]:.6f}, " + ", ".join(
                f"{x:.4f}" for x in result[1]))
            print(f"{n:>11.0e} {peer:<13} {record['seconds']:>8.3f} "
                  f"{record['seconds'] / floor['seconds']:>9.2f} "
                  f"{record['cpu_seconds'] / floor['cpu_seconds']:>9.2f} {record['wall']:>10.2f} "
                  f"{record['wall'] / floor['wall']:>10.2f} {extra:>11.2f}  {shown}",
                  flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4:
        child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(main())
