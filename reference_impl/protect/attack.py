"""Irreversibility and renewability of protected templates when the key is stolen
(FRS-DPR-020), measured with ISO/IEC 30136:2018's kind of metric: the success rate of an
attack (the share of attack attempts the system accepts).

The attacker holds a stored protected template and the transform key.  The inversion
attack computes the best linear pre-image of the bits: with M the key's projection and
b the bits, x̂ = Mᵀ(2b − 1) / ‖Mᵀ(2b − 1)‖ (for orthonormal M, the direction whose signs
under M are b, when one exists).  Three success rates follow, each at the threshold that
meets the class FMR in its own domain:

- *irreversibility*: x̂ is accepted against another capture of the same face by the
  unprotected comparison (the pre-image stands in for the face's embedding elsewhere);
- *comparison attack*: x̂, protected with the stolen key, is accepted against the stored
  protected template it came from;
- *after renewal*: the operator revokes the stolen key and re-enrols the person from a new
  capture under a new key; x̂, which the system now protects with the new key itself (the
  attacker injects it as a probe), is accepted against the renewed template.

A scheme that is irreversible and renewable with a stolen key has all three near the FMR.
The reference transform is not: it is irreversible only while its key is secret, and the
pre-image survives renewal, which is why clause 9.3 has its key kept like a template
encryption key.  Reporting the rates makes that visible for any scheme.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference_impl.errors import InputError
from reference_impl.metrics.verification import fmr
from reference_impl.model.similarity import pair_scores
from reference_impl.protect.cancelable import paired_bit_similarity, protect, transform_matrix


def invert(bits: np.ndarray, key: bytes, transform_id: str, dimension: int) -> np.ndarray:
    """The attacker's pre-image of protected templates (one row of bits each), given the
    key: unit vectors in the embedding space."""
    signs = np.atleast_2d(bits).astype(np.float64) * 2 - 1
    matrix = transform_matrix(key, transform_id, dimension, signs.shape[1])
    estimate = signs @ matrix
    return estimate / np.linalg.norm(estimate, axis=1, keepdims=True)


def success_rate(scores: np.ndarray, threshold: float) -> float:
    """ISO/IEC 30136's success rate of attack: accepted attempts over attempts, the count
    FMR makes of impostor scores (at or above the threshold)."""
    if np.asarray(scores).size == 0:
        raise InputError("no attack attempts: need subjects with two captures")
    return float(fmr(scores, threshold))


@dataclass(frozen=True)
class StolenKey:
    attempts: int             # one per subject with two captures
    sra_inversion: float      # pre-image accepted by the unprotected comparison
    sra_comparison: float     # pre-image, protected with the stolen key, vs its template
    sra_after_renewal: float  # pre-image injected after re-enrolment under a new key


def stolen_key(embeddings: np.ndarray, labels: np.ndarray, key: bytes, new_key: bytes,
               plain_threshold: float, protected_threshold: float,
               output_bits: int | None = None, transform_id: str = "app") -> StolenKey:
    """The three success rates of the inversion attack with `key` stolen, at the
    thresholds that meet the class FMR unprotected and protected (`cost.protection_cost`
    finds them).  Each subject's first capture is the enrolled reference; its second is the
    one the unprotected comparison and the re-enrolment under `new_key` use."""
    x = np.atleast_2d(np.asarray(embeddings, dtype=np.float64))
    if key == new_key:
        raise InputError("the renewal key equals the stolen key: renewal issues a new key")
    first, second = _two_captures(np.asarray(labels))
    stored = protect(x[first], key, transform_id, output_bits)
    pre_image = invert(stored, key, transform_id, x.shape[1])
    inversion = pair_scores(pre_image, x[second], "cosine")
    forged = protect(pre_image, key, transform_id, output_bits)
    renewed = protect(x[second], new_key, transform_id, output_bits)
    injected = protect(pre_image, new_key, transform_id, output_bits)
    return StolenKey(int(first.size), success_rate(inversion, plain_threshold),
                     success_rate(paired_bit_similarity(forged, stored), protected_threshold),
                     success_rate(paired_bit_similarity(injected, renewed),
                                  protected_threshold))


def _two_captures(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the first and second capture of every subject that has two."""
    pairs = [np.flatnonzero(labels == subject)[:2] for subject in np.unique(labels)]
    pairs = np.asarray([p for p in pairs if p.size == 2], dtype=int).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]
