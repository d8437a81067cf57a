"""The FRS harness against its floors (clause 12).

1. Embedding: `BoundedSession.run` (the harness's call: watchdog, address-space cap)
   against bare `InferenceSession.run` of the same session on the same normalised
   batches (and, for reference, a session with onnxruntime's default options).
2. The whole per-sample pipeline (read, quality checks, normalisation, embedding) in
   images/s, for scale.
3. The whole identification plan (clause 12.5) on a synthetic gallery, in comparisons/s;
   the 1:N search against faiss and numpy is bench_search.

Sizes by environment variable: FRS_BENCH_BATCHES (default 30 batches of 32 crops),
FRS_BENCH_GALLERY (default 100 000), FRS_BENCH_PROBES (default 500), FRS_BENCH_DIM (512).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def best_of(function, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def interleaved(first, second, repeat: int = 9) -> tuple[float, float]:
    """Best times of two functions run alternately (and each first in turn), so machine
    load and cache warmth hit both alike."""
    a, b = [], []
    for round_ in range(repeat):
        if round_ % 2:
            b.append(best_of(second, 1))
            a.append(best_of(first, 1))
        else:
            a.append(best_of(first, 1))
            b.append(best_of(second, 1))
    return min(a), min(b)


def main() -> None:
    import onnxruntime as ort

    from reference_impl.evaluate import synthetic
    from reference_impl.evaluate.dataset import load_dataset
    from reference_impl.evaluate.harness import embed_dataset
    from reference_impl.model.manifest import load_manifest
    from reference_impl.model.safety import BoundedSession
    from reference_impl.preprocess import normalise

    batches = int(os.environ.get("FRS_BENCH_BATCHES", 30))
    gallery_size = int(os.environ.get("FRS_BENCH_GALLERY", 100_000))
    probe_count = int(os.environ.get("FRS_BENCH_PROBES", 500))
    dim = int(os.environ.get("FRS_BENCH_DIM", 512))
    batch_size = 32
    latent = synthetic.LatentModel(dimension=dim, sigma=0.5, size=112, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = synthetic.onnx_linear_model(folder / "model.onnx", latent)
        (folder / "manifest.json").write_text(json.dumps(
            synthetic.model_manifest(latent, {"V-L": 0.5})))
        manifest = load_manifest(folder / "manifest.json")
        subjects = max(2, batches * batch_size // 5)
        path = synthetic.write_dataset(folder / "data", latent, subjects=subjects)
        dataset = load_dataset(path)
        crops = np.load(folder / "data" / "crops.npy")[:batches * batch_size]
        inputs = [normalise(crops[i:i + batch_size], manifest.input)
                  for i in range(0, len(crops), batch_size)]

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        bare = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        harness = BoundedSession(model, manifest)
        name = bare.get_inputs()[0].name

        def run_default():
            for batch in inputs:
                bare.run(None, {name: batch})

        def run_bare():  # the harness's own session, called directly: the floor
            for batch in inputs:
                harness.session.run(None, {name: batch})

        def run_harness():  # + watchdog, address-space cap, output check
            for batch in inputs:
                harness.run(batch)

        run_default(), run_bare(), run_harness()  # warm up
        t_bare, t_harness = interleaved(run_bare, run_harness)
        t_default = best_of(run_default, 5)
        images = len(crops)
        print(f"embedding {images} crops 112x112 -> {dim}, batches of {batch_size}, 1 thread")
        print(f"  bare InferenceSession.run (same session): {images / t_bare:9.1f} images/s")
        print(f"  harness BoundedSession.run              : {images / t_harness:9.1f} images/s  "
              f"(overhead {100 * (t_harness / t_bare - 1):+.1f} %)")
        print(f"  bare run, default session options       : {images / t_default:9.1f} images/s")
        t_pipeline = best_of(lambda: embed_dataset(dataset, manifest, harness, None,
                                                   batch_size, progress=False), 2)
        print(f"  whole pipeline (read, quality, normalise, embed): "
              f"{len(dataset.samples) / t_pipeline:10.1f} images/s")

    from benchmarks.bench_search import gallery_and_probes

    gallery_vectors, probes, _ = gallery_and_probes(gallery_size, probe_count, dim)
    t_plan = identification_plan(gallery_vectors, probes)
    comparisons = gallery_size * probe_count
    print(f"  identification_searches (I, P): {comparisons / t_plan:14,.0f} comparisons/s  "
          "(mated + leave-one-out non-mated, rank of each mate)")


def identification_plan(gallery_vectors: np.ndarray, probes: np.ndarray) -> float:
    """Best time of the evaluation's 1:N searches (clause 12.5) on the same vectors."""
    from reference_impl.evaluate.dataset import Sample
    from reference_impl.evaluate.identify import identification_searches

    def sample(i: int, role: str, subject: int) -> Sample:
        return Sample(f"{role}{i}", f"s{subject}", role, Path(), None, True, None)

    samples = ([sample(i, "enrolment", i) for i in range(len(gallery_vectors))]
               + [sample(i, "probe", i) for i in range(len(probes))])
    vectors = np.concatenate([gallery_vectors, probes])
    return best_of(lambda: identification_searches(samples, vectors, "cosine"), 3)


if __name__ == "__main__":
    main()
