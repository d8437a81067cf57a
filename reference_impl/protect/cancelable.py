"""A renewable, cancelable face template (FRS-DPR-008): keyed random orthogonal
projection followed by sign quantisation.

The transform is drawn from a secret key and a transform id: the seed of the random
matrix is HMAC-SHA256(key, transform_id).  Each application (or each issue of a
template) uses its own transform id, so

- *renewable*: a leaked protected template is revoked by issuing a new transform id;
  the new template is computed from a fresh capture, no old data is needed;
- *unlinkable*: templates of one face under two transform ids are no more alike than
  templates of two different faces (measured by D↔sys, `unlinkability.d_sys`);
- *irreversible* without the key: only the signs of the projections are kept, one bit
  per dimension, so the magnitude information of the embedding is lost.

Protected templates are compared by the share of equal bits (1 − normalised Hamming
distance), a similarity in [0, 1].
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np

from reference_impl.errors import InputError


def transform_matrix(key: bytes, transform_id: str, dimension: int,
                     output_bits: int | None = None) -> np.ndarray:
    """The (output_bits × dimension) projection drawn from key and id.

    Rows come in blocks of `dimension` orthonormal rows (each block a Haar-random
    orthogonal matrix), so more bits than dimensions are allowed: extra bits reduce the
    quantisation loss at the cost of template size.
    """
    output_bits = dimension if output_bits is None else output_bits
    if not 1 <= output_bits <= 8 * dimension:
        raise InputError(f"output_bits {output_bits} must be between 1 and 8 × the embedding "
                         f"dimension ({8 * dimension})")
    if len(key) < 16:
        raise InputError(f"transform key of {len(key)} bytes is too short (at least 16)")
    digest = hmac.new(key, transform_id.encode(), hashlib.sha256).digest()
    rng = np.random.default_rng(np.frombuffer(digest, dtype=np.uint32))
    blocks = []
    for _ in range(-(-output_bits // dimension)):
        q, r = np.linalg.qr(rng.standard_normal((dimension, dimension)))
        blocks.append(q * np.sign(np.diag(r)))  # Haar-distributed orthogonal matrix
    return np.vstack(blocks)[:output_bits]


def protect(embeddings: np.ndarray, key: bytes, transform_id: str,
            output_bits: int | None = None) -> np.ndarray:
    """Protected templates: one row of bits (0/1, uint8) per embedding row."""
    x = np.atleast_2d(np.asarray(embeddings, dtype=np.float64))
    if not np.all(np.isfinite(x)):
        raise InputError("embeddings contain NaN or infinite values")
    matrix = transform_matrix(key, transform_id, x.shape[1], output_bits)
    return (x @ matrix.T >= 0).astype(np.uint8)


def _signs(bits: np.ndarray) -> np.ndarray:
    return np.atleast_2d(bits).astype(np.float32) * 2 - 1


def bit_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """All-pairs similarity of protected templates: the share of equal bits, in [0, 1]."""
    sa, sb = _signs(a), _signs(b)
    return (1 + sa @ sb.T / sa.shape[1]) / 2


def paired_bit_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`bit_similarity` of each row of `a` with the same row of `b` only, in the same
    arithmetic (so a score equals its all-pairs value exactly, ties at a threshold too)."""
    sa, sb = _signs(a), _signs(b)
    return (1 + np.einsum("ij,ij->i", sa, sb) / sa.shape[1]) / 2
