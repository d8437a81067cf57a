"""Generated models and identities whose true error rates are known (clause 12 tests).

A *latent* identity model: subject s has a vector z_s ~ N(0, I_d); a sample of s is
v = z_s + sigma * e with e ~ N(0, I_d).  The sample is rendered as an aligned crop
x = 127.5 + scale * R v (R: orthonormal columns, one pixel per row), stored as uint8.
The generated ONNX model computes W^T x_normalised with W = R * 128 / scale, which
recovers v (up to the uint8 rounding, about 3e-4 per component), so the scores the
harness measures follow the latent model, whose error rates `true_rates` computes by
Monte Carlo to any precision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from reference_impl.limits import SCHEMA_VERSION
from reference_impl.model.similarity import pair_scores

PIXEL_SPREAD = 25.0  # target standard deviation of a rendered pixel around 127.5


@dataclass(frozen=True)
class LatentModel:
    dimension: int = 16
    sigma: float = 0.6
    size: int = 112
    seed: int = 7

    def projection(self) -> np.ndarray:
        """R: (size * size * 3) x dimension with orthonormal columns, HWC pixel order."""
        return _projection(self.size, self.dimension, self.seed)

    @property
    def scale(self) -> float:
        pixels = self.size * self.size * 3
        spread = np.sqrt(self.dimension * (1 + self.sigma ** 2))
        return PIXEL_SPREAD * np.sqrt(pixels) / spread


@lru_cache(maxsize=4)
def _projection(size: int, dimension: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(size * size * 3, dimension)))
    q.setflags(write=False)
    return q


def onnx_linear_model(path: Path, latent: LatentModel, layout: str = "NCHW",
                      input_name: str = "input", output_name: str = "embedding",
                      opset: int = 17) -> Path:
    """Write the ONNX model that inverts the rendering: Reshape then MatMul."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    size, dim = latent.size, latent.dimension
    weights = latent.projection() * (128.0 / latent.scale)
    if layout == "NCHW":  # rows of R are in HWC order; the model flattens CHW
        weights = weights.reshape(size, size, 3, dim).transpose(2, 0, 1, 3).reshape(-1, dim)
        shape = ["batch", 3, size, size]
    else:
        shape = ["batch", size, size, 3]
    graph = helper.make_graph(
        [helper.make_node("Reshape", [input_name, "flat_shape"], ["flat"]),
         helper.make_node("MatMul", ["flat", "weights"], [output_name])],
        "frs-synthetic-linear",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, ["batch", dim])],
        [numpy_helper.from_array(np.array([0, -1], dtype=np.int64), "flat_shape"),
         numpy_helper.from_array(weights.astype(np.float32), "weights")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="frs-synthetic")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return Path(path)


def model_manifest(latent: LatentModel, thresholds: dict[str, float], layout: str = "NCHW",
                   similarity: str = "cosine", **overrides) -> dict:
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "algorithm_id": "frs-synthetic-linear",
        "algorithm_version": f"d{latent.dimension}-s{latent.seed}",
        "input": {"name": "input", "dtype": "float32", "layout": layout, "size": latent.size,
                  "colour": "RGB", "mean": [127.5] * 3, "std": [128.0] * 3},
        "alignment": {"landmarks": "5-point", "template": "frs-5point-112"},
        "output": {"name": "embedding", "dtype": "float32", "dimension": latent.dimension},
        "similarity": similarity,
        "thresholds": thresholds,
        "training_data": {"sources": ["none: a generated linear model"],
                          "untargeted_scraping": False},
    }
    manifest.update(overrides)
    return manifest


def latent_samples(latent: LatentModel, subjects: int, per_subject: int, seed: int
                   ) -> np.ndarray:
    """(subjects * per_subject) x dimension latent vectors, subject-major."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(subjects, 1, latent.dimension))
    e = rng.normal(size=(subjects, per_subject, latent.dimension))
    return (z + latent.sigma * e).reshape(-1, latent.dimension)


def render(latent: LatentModel, vectors: np.ndarray) -> np.ndarray:
    """uint8 aligned crops (N x size x size x 3) of latent vectors."""
    flat = 127.5 + latent.scale * (vectors @ latent.projection().T)
    crops = np.clip(np.rint(flat), 0, 255).astype(np.uint8)
    return crops.reshape(len(vectors), latent.size, latent.size, 3)


def write_dataset(folder: Path, latent: LatentModel, subjects: int = 40,
                  enrolments: int = 2, probes: int = 3, seed: int = 11,
                  faces: dict[str, list] | None = None, groups: bool = True) -> Path:
    """A dataset manifest with a stacked .npy of aligned crops; returns its path.

    `faces` overrides the capture landmarks of named samples (to provoke quality
    rejections); the others carry the template at three times its size (IED 105 px).
    """
    from reference_impl.preprocess import TEMPLATE_112

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    per = enrolments + probes
    vectors = latent_samples(latent, subjects, per, seed)
    np.save(folder / "crops.npy", render(latent, vectors))
    capture = (TEMPLATE_112 * 3 + 40).round(2).tolist()
    samples = []
    for s in range(subjects):
        for k in range(per):
            sample_id = f"s{s:04d}-{k}"
            sample = {"sample_id": sample_id, "subject_id": f"s{s:04d}",
                      "role": "enrolment" if k < enrolments else "probe",
                      "file": "crops.npy", "index": s * per + k, "aligned": True,
                      "faces": (faces or {}).get(sample_id, [capture])}
            if groups:
                sample["groups"] = {"sex": "F" if s % 2 else "M"}
            samples.append(sample)
    manifest = {"schema_version": SCHEMA_VERSION, "dataset_id": f"frs-synthetic-{subjects}x{per}",
                "sequestered": True, "samples": samples}
    path = folder / "dataset.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return path


def true_rates(latent: LatentModel, threshold: float, pairs: int = 400_000,
               seed: int = 99, similarity: str = "cosine") -> tuple[float, float]:
    """(FMR, FNMR) of the latent model at `threshold`, by Monte Carlo over `pairs`."""
    rng = np.random.default_rng(seed)
    d, sigma = latent.dimension, latent.sigma
    z = rng.normal(size=(pairs, d))
    mated = pair_scores(z + sigma * rng.normal(size=(pairs, d)),
                        z + sigma * rng.normal(size=(pairs, d)), similarity)
    other = rng.normal(size=(pairs, d))
    non_mated = pair_scores(z + sigma * rng.normal(size=(pairs, d)),
                            other + sigma * rng.normal(size=(pairs, d)), similarity)
    return float(np.mean(non_mated >= threshold)), float(np.mean(mated < threshold))


def true_fpir(latent: LatentModel, threshold: float, gallery_size: int, enrolments: int,
              searches: int = 20_000, seed: int = 98, similarity: str = "cosine") -> float:
    """FPIR of the latent model at `threshold`, by Monte Carlo: a non-mated probe against
    `gallery_size` other subjects, each scored by the best of its `enrolments` samples."""
    rng = np.random.default_rng(seed)
    d, sigma = latent.dimension, latent.sigma
    probe = rng.normal(size=(searches, 1, d)) + sigma * rng.normal(size=(searches, 1, d))
    z = rng.normal(size=(searches, gallery_size, 1, d))
    gallery = (z + sigma * rng.normal(size=(searches, gallery_size, enrolments, d)))
    gallery = gallery.reshape(searches, -1, d)
    probe = np.broadcast_to(probe, gallery.shape)
    top = pair_scores(gallery.reshape(-1, d), probe.reshape(-1, d), similarity)
    return float(np.mean(top.reshape(searches, -1).max(axis=1) >= threshold))
