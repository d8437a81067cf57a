"""Morphing attack potential (FRS-PAD-014), as ISO/IEC 20059:2025 evaluates the
resistance of a face recognition system to morphing attacks.

A morphed image is made from the faces of two contributing subjects and enrolled as one
reference.  An attempt pairs one probe image of each contributor; it succeeds on a face
recognition system when the morph is accepted against both probes (score at or above
that system's threshold).  MAP[r, c] is the share of morphs that succeed in at least r
attempts on at least c of the systems tested: MAP[1, 1] counts a morph that fools any
system once, MAP[R, C] one that fools every system every time.
"""

from __future__ import annotations

import numpy as np

from reference_impl.errors import InputError


def morphing_attack_potential(scores, thresholds) -> np.ndarray:
    """MAP as an (attempts × systems) array: entry [r − 1, c − 1] is MAP[r, c].

    `scores[m, k, a, s]`: the score of morph m against contributor k's (k = 0, 1) probe of
    attempt a on system s; `thresholds[s]`: system s's decision threshold (at the class FMR).
    """
    scores = np.asarray(scores, dtype=np.float64)
    thresholds = np.asarray(thresholds, dtype=np.float64)
    if scores.ndim != 4 or scores.shape[1] != 2 or 0 in scores.shape:
        raise InputError("morph scores must have shape (morphs, 2 contributors, attempts, "
                         f"systems), each at least 1, got {scores.shape}")
    if thresholds.shape != (scores.shape[3],):
        raise InputError(f"{scores.shape[3]} systems need {scores.shape[3]} thresholds, got "
                         f"shape {thresholds.shape}")
    if not (np.all(np.isfinite(scores)) and np.all(np.isfinite(thresholds))):
        raise InputError("morph scores and thresholds must be finite numbers")
    succeeded = np.all(scores >= thresholds, axis=1)        # (morphs, attempts, systems)
    successes = succeeded.sum(axis=1)                        # (morphs, systems)
    attempts, systems = scores.shape[2], scores.shape[3]
    r = np.arange(1, attempts + 1)[:, None, None]            # at least r attempts …
    fooled = (successes[None, :, :] >= r).sum(axis=2)        # … on how many systems
    c = np.arange(1, systems + 1)[None, None, :]
    return (fooled[:, :, None] >= c).mean(axis=1)            # (attempts, systems)
