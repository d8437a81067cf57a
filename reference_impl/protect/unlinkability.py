"""Unlinkability of protected templates: D↔sys (Gomez-Barrero et al., IEEE TIFS 13(6),
2018), as FRS clause 9.3 gives it (FRS-DPR-009).

Mated scores compare templates of the same face made by two applications (two keys or
transform ids); non-mated scores compare different faces across the same two
applications.  For a score s, LR(s) = p(s | mated) / p(s | non-mated) and the local
measure is D↔(s) = 2·ωLR(s) / (1 + ωLR(s)) − 1 where ωLR(s) > 1, else 0.  The system
measure D↔sys = ∫ p(s | mated) · D↔(s) ds lies in [0, 1]; 0 is fully unlinkable.
Densities are histograms with min(⌊n_mated / 10⌋, 100) equal bins over the range of all
scores; D↔ = 1 where p(s | non-mated) = 0 < p(s | mated); the integral is the trapezoid
rule over the bin centres, as in the authors' reference code.
"""

from __future__ import annotations

import numpy as np

from reference_impl.errors import InputError
from reference_impl.metrics.verification import as_scores


def d_sys(mated, non_mated, omega: float = 1.0, bins: int | None = None) -> float:
    """System unlinkability D↔sys in [0, 1] from mated and non-mated scores."""
    mated = as_scores(mated, "mated scores")
    non_mated = as_scores(non_mated, "non-mated scores")
    if omega <= 0:
        raise InputError(f"omega = p(mated)/p(non-mated) must be positive, got {omega}")
    bins = min(mated.size // 10, 100) if bins is None else bins
    if bins < 1:
        raise InputError(f"{mated.size} mated scores give no histogram bin (at least 10 "
                         "needed)")
    low = min(mated.min(), non_mated.min())
    high = max(mated.max(), non_mated.max())
    if high == low:
        return 0.0  # every score equal: nothing tells mated from non-mated
    edges = np.linspace(low, high, bins + 1)
    centres = (edges[1:] + edges[:-1]) / 2
    p_mated = np.histogram(mated, bins=edges, density=True)[0]
    p_non = np.histogram(non_mated, bins=edges, density=True)[0]
    lr = np.divide(p_mated, p_non, out=np.ones_like(p_mated), where=p_non != 0)
    local = np.where(omega * lr > 1, 2 * omega * lr / (1 + omega * lr) - 1, 0.0)
    local[(p_non == 0) & (p_mated != 0)] = 1.0
    return float(np.trapezoid(local * p_mated, centres))
