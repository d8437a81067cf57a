"""What template protection costs (FRS-DPR-009, FRS-DPR-010), on reproducible synthetic
embeddings: FNMR and FMR at the class FMR before and after the reference cancelable
transform, and unlinkability D↔sys between two applications' keys, against an unkeyed
transform (both applications use the same key) and no transform at all.

Sizes by environment variable: FRS_BENCH_SUBJECTS (default 600), FRS_BENCH_CAPTURES (3),
FRS_BENCH_DIM (512), FRS_BENCH_SPREAD (0.3: log-normal spread of capture noise),
FRS_BENCH_NOISE (1.2: median genuine cosine similarity about 0.6, like a modern face model),
FRS_BENCH_FMR (1e-4, the FMR limit of classes V-L and V-R).  Run:
`python -m benchmarks.bench_protect`.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np

from reference_impl.model.similarity import score_matrix
from reference_impl.protect import cancelable, cost, unlinkability


def cross_d_sys(x, labels, key_a, key_b, bits):
    first = np.r_[True, labels[1:] != labels[:-1]]
    second = np.r_[False, first[:-1]]
    a = cancelable.protect(x[first], key_a, "app", bits)
    b = cancelable.protect(x[second], key_b, "app", bits)
    return unlinkability.d_sys(*cost.cross_scores(a, b, labels[first]))


def main() -> int:
    subjects = int(os.environ.get("FRS_BENCH_SUBJECTS", 600))
    dimension = int(os.environ.get("FRS_BENCH_DIM", 512))
    noise = float(os.environ.get("FRS_BENCH_NOISE", 1.2))
    target = float(os.environ.get("FRS_BENCH_FMR", 1e-4))
    captures = int(os.environ.get("FRS_BENCH_CAPTURES", 3))
    spread = float(os.environ.get("FRS_BENCH_SPREAD", 0.3))
    x, labels = cost.synthetic_embeddings(subjects, captures, dimension, noise, seed=2026,
                                          spread=spread)
    rows = []
    for bits in (dimension, 2 * dimension, 4 * dimension, 8 * dimension):
        start = time.perf_counter()
        result = cost.protection_cost(x, labels, b"application-A-key-0123456789abcd",
                                      b"application-B-key-0123456789abcd", target, bits)
        unkeyed = cross_d_sys(x, labels, b"one-public-key-for-both-apps!!!!",
                              b"one-public-key-for-both-apps!!!!", bits)
        rows.append({"bits": bits, "fnmr_before": float(result.before.fnmr),
                     "fmr_before": float(result.before.fmr),
                     "fnmr_after": float(result.after.fnmr), "fmr_after": float(result.after.fmr),
                     "fnmr_increase_pp": 100 * float(result.fnmr_increase),
                     "d_sys_keyed": result.d_sys, "d_sys_unkeyed": unkeyed,
                     "meets_limits": bool(result.meets_limits),
                     "seconds": round(time.perf_counter() - start, 2)})
    first = np.r_[True, labels[1:] != labels[:-1]]
    second = np.r_[False, first[:-1]]
    similarity = score_matrix(x[first], x[second], "cosine")
    same = labels[first][:, None] == labels[second][None, :]
    plain = unlinkability.d_sys(similarity[same], similarity[~same])
    print(f"template protection cost: {subjects} subjects x {captures} captures, dim "
          f"{dimension}, noise {noise} (spread {spread}); {result.genuine} genuine, "
          f"{result.impostor} impostor comparisons; FMR target {target:g}")
    print(f"{'bits':>5} {'FNMR before':>11} {'FNMR after':>10} {'change (pp)':>11} "
          f"{'FMR after':>9} {'D_sys keyed':>11} {'D_sys unkeyed':>13} {'limits':>6}")
    for r in rows:
        print(f"{r['bits']:>5} {r['fnmr_before']:>11.4f} {r['fnmr_after']:>10.4f} "
              f"{r['fnmr_increase_pp']:>+11.2f} {r['fmr_after']:>9.2e} {r['d_sys_keyed']:>11.4f} "
              f"{r['d_sys_unkeyed']:>13.4f} {'met' if r['meets_limits'] else 'FAIL':>6}")
    print(f"D_sys of unprotected embeddings (cosine) across applications: {plain:.4f}")
    print(json.dumps({"bench": "protect", "rows": rows, "d_sys_unprotected": plain}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
