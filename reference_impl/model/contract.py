"""`frs model check`: does a submitted model keep the contract of clause 12?

The declaration comes first: "training-data", no untargeted scraping (FRS-SUB-003), is
judged from the manifest and, when broken, recorded as failed without stopping the run,
so that an honestly declared model is still measured.  The static checks of
`safety.inspect` follow (FRS-SUB-004 to 007; nothing is loaded
if one fails); then the session is opened with its limits and the model is run on a
fixed batch of test inputs:
- "signature": one input and one output, names, element type float32, shapes as the
  manifest declares, batch dimension free (FRS-SUB-009);
- "finite-output": every embedding value finite (FRS-SUB-010);
- "determinism": two runs give scores equal to within SCORE_TOLERANCE (FRS-SUB-011);
- "batch-independence": batches of 1, 3 and 8 give the same scores (FRS-SUB-012);
- "resource-limits": every run finished within the time and memory bounds (FRS-SUB-008).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reference_impl.model.errors import ContractError
from reference_impl.model.manifest import Manifest
from reference_impl.model.safety import BoundedSession, Limits, inspect
from reference_impl.model.similarity import score_matrix
from reference_impl.preprocess import normalise

SCORE_TOLERANCE = 1e-6
CHECK_BATCH = 8
SEED = 20261129


@dataclass(frozen=True)
class CheckResult:
    check: str
    passed: bool
    detail: str

    def record(self) -> dict:
        return {"check": self.check, "passed": self.passed, "detail": self.detail}


def test_batch(manifest: Manifest, count: int = CHECK_BATCH) -> np.ndarray:
    """A fixed batch of smooth random "images", normalised as the manifest says."""
    rng = np.random.default_rng(SEED)
    size = manifest.input.size
    coarse = rng.uniform(0, 255, size=(count, 8, 8, 3))
    index = np.minimum((np.arange(size) * 8) // size, 7)
    images = coarse[:, index][:, :, index]
    images += rng.normal(0, 8, size=images.shape)
    return normalise(np.clip(images, 0, 255), manifest.input)


def check_training_data(manifest: Manifest) -> CheckResult:
    """FRS-SUB-003: the manifest states that no training image was scraped untargeted."""
    if manifest.data["training_data"]["untargeted_scraping"]:
        return CheckResult("training-data", False, "the manifest declares training images "
                           "scraped without targeting from the internet or CCTV footage "
                           "(untargeted_scraping: true): the model does not meet FRS-SUB-003")
    return CheckResult("training-data", True, "no untargeted scraping declared")


def check_signature(session: BoundedSession, manifest: Manifest) -> str:
    """Names, element types and shapes of the model's I/O against the manifest."""
    inputs = session.session.get_inputs()
    outputs = session.session.get_outputs()
    if len(inputs) != 1 or len(outputs) != 1:
        raise ContractError("signature", f"the model has {len(inputs)} input(s) and "
                            f"{len(outputs)} output(s); the contract is one of each")
    given, made = inputs[0], outputs[0]
    if given.name != manifest.input_name:
        raise ContractError("signature", f"input is named '{given.name}', the manifest's "
                            f"input.name is '{manifest.input_name}'")
    if made.name != manifest.output_name:
        raise ContractError("signature", f"output is named '{made.name}', the manifest's "
                            f"output.name is '{manifest.output_name}'")
    for value, term in ((given, "input"), (made, "output")):
        if value.type != "tensor(float)":
            raise ContractError("signature", f"{term} '{value.name}' has element type "
                                f"{value.type}; the manifest's {term}.dtype is float32")
    want_in = manifest.input_shape(1)[1:]
    if len(given.shape) != 4 or list(given.shape[1:]) != list(want_in):
        raise ContractError("signature", f"input '{given.name}' has shape {given.shape}; "
                            f"the manifest's input (layout {manifest.input.layout}, size "
                            f"{manifest.input.size}) needs [batch, {', '.join(map(str, want_in))}]")
    if len(made.shape) != 2 or made.shape[1] != manifest.dimension:
        raise ContractError("signature", f"output '{made.name}' has shape {made.shape}; "
                            f"the manifest's output.dimension is {manifest.dimension}")
    for value in (given, made):
        if isinstance(value.shape[0], int):
            raise ContractError("signature", f"'{value.name}' fixes the batch dimension at "
                                f"{value.shape[0]}; it must be free")
    return (f"input '{given.name}' {given.shape}, output '{made.name}' {made.shape}, "
            "float32")


def embed(session: BoundedSession, batch: np.ndarray, manifest: Manifest) -> np.ndarray:
    out = session.run(batch)
    if out.shape != (len(batch), manifest.dimension):
        raise ContractError("signature", f"a batch of {len(batch)} gave output shape "
                            f"{out.shape}, expected ({len(batch)}, {manifest.dimension})")
    return out


def check_finite(embeddings: np.ndarray) -> str:
    bad = ~np.isfinite(embeddings)
    if bad.any():
        rows = sorted({int(r) for r in np.nonzero(bad)[0]})
        raise ContractError("finite-output", f"{int(bad.sum())} embedding values are NaN or "
                            f"infinite (test samples {rows[:5]})")
    return f"{embeddings.size} values, all finite"


def _largest_difference(a: np.ndarray, b: np.ndarray, kind: str) -> float:
    return float(np.max(np.abs(score_matrix(a, a, kind) - score_matrix(b, b, kind))))


def check_determinism(first: np.ndarray, second: np.ndarray, kind: str) -> str:
    worst = _largest_difference(first, second, kind)
    if not worst <= SCORE_TOLERANCE:
        raise ContractError("determinism", f"two runs on the same batch give scores that "
                            f"differ by {worst:.3g} (limit {SCORE_TOLERANCE:g})")
    return f"scores repeat to {worst:.2g}"


def check_batch_independence(session: BoundedSession, batch: np.ndarray,
                             reference: np.ndarray, manifest: Manifest) -> str:
    worst = 0.0
    for size in (1, 3):
        parts = [embed(session, batch[i:i + size], manifest)
                 for i in range(0, len(batch), size)]
        worst = max(worst, _largest_difference(reference, np.concatenate(parts),
                                               manifest.similarity))
    if not worst <= SCORE_TOLERANCE:
        raise ContractError("batch-independence", f"batches of 1, 3 and {len(batch)} give "
                            f"scores that differ by {worst:.3g} (limit {SCORE_TOLERANCE:g})")
    return f"batches of 1, 3 and {len(batch)} agree to {worst:.2g}"


def check_model(model_path, manifest: Manifest, limits: Limits | None = None
                ) -> tuple[list[CheckResult], BoundedSession | None]:
    """Every check of the contract, in order, stopping at the first one broken.

    Returns the results and, when every check of the model itself passed, the open
    session (for the harness; a failed declaration check does not withhold it).
    Raises InputError only when the model file cannot be read or loaded at all.
    """
    results: list[CheckResult] = [check_training_data(manifest)]
    try:
        for check, detail in inspect(Path(model_path), manifest):
            results.append(CheckResult(check, True, detail))
        session = BoundedSession(model_path, manifest, limits or Limits())
        results.append(CheckResult("signature", True, check_signature(session, manifest)))
        batch = test_batch(manifest)
        first = embed(session, batch, manifest)
        results.append(CheckResult("finite-output", True, check_finite(first)))
        second = embed(session, batch, manifest)
        results.append(CheckResult("determinism", True,
                                   check_determinism(first, second, manifest.similarity)))
        results.append(CheckResult("batch-independence", True,
                                   check_batch_independence(session, batch, first, manifest)))
        bound = session.limits
        results.append(CheckResult("resource-limits", True, (
            f"every run within {bound.seconds_per_batch:g} s and "
            f"{bound.memory_bytes / 1024 ** 2:g} MiB on {bound.threads} thread(s)")))
    except ContractError as exc:
        results.append(CheckResult(exc.check, False, exc.detail))
        return results, None
    return results, session
