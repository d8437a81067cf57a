"""DET plot as SVG (matplotlib's SVG canvas): FNMR against FMR on normal-deviate axes,
with the operating points and the EER marked.  The one DET plot of FRS: `frs metrics
verification --det-svg` and the `det.svg` of `frs evaluate` are both drawn here."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reference_impl.metrics.uncertainty import target_supported
from reference_impl.metrics.verification import DET_POINTS, CountedScores

TICKS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.2, 0.5, 0.8, 0.95]


def det_svg(path, scores: CountedScores, targets=(), title: str = "DET curve",
            points: int = DET_POINTS) -> Path:
    """Write the DET curve of `scores` to `path` (SVG) and return the path.

    Every point drawn is an exact point of the step curve (`CountedScores.det_points`);
    a rate of 0 or 1 has no normal deviate, so points where either rate is 0 or 1 are
    left out.  The operating point of each target FMR the impostor count supports
    (its minimum test size, clause 6.5) is marked, and so is the EER.
    """
    # A Figure drawn by the SVG canvas itself: no pyplot (its import and its figure
    # manager cost more than the drawing), no backend switched for the whole process.
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from scipy.special import ndtri  # scipy.stats.norm.ppf, without importing scipy.stats

    _, fmr, fnmr = scores.det_points(points)
    operating_points = [scores.fnmr_at_fmr(t) for t in targets
                        if target_supported(t, scores.n_impostor)]
    eer = scores.eer()
    inside = (fmr > 0) & (fmr < 1) & (fnmr > 0) & (fnmr < 1)
    floor = 1 / (2 * max(scores.n_genuine, scores.n_impostor))
    x, y = ndtri(fmr[inside]), ndtri(fnmr[inside])
    figure = Figure(figsize=(6, 6))
    FigureCanvasSVG(figure)
    axes = figure.subplots()
    axes.plot(x, y, color="#283593", linewidth=1.2, label="DET")
    for point in operating_points:
        px, py = (ndtri(np.clip(v, floor, 1 - floor)) for v in (point.fmr, point.fnmr))
        axes.plot(px, py, "o", color="#c62828")
        axes.annotate(f"FMR≤{point.fmr_target:g}: FNMR {point.fnmr:.4g}", (px, py),
                      textcoords="offset points", xytext=(6, 6), fontsize=8)
    e = ndtri(np.clip(eer.eer, floor, 1 - floor))
    axes.plot(e, e, "s", color="#2e7d32", label=f"EER {eer.eer:.4g}")
    low = ndtri(floor)
    axes.set_xlim(low, ndtri(0.99))
    axes.set_ylim(low, ndtri(0.99))
    ticks = [t for t in TICKS if floor <= t <= 0.99]
    axes.set_xticks(ndtri(ticks), [f"{t:g}" for t in ticks], fontsize=7)
    axes.set_yticks(ndtri(ticks), [f"{t:g}" for t in ticks], fontsize=7)
    axes.set_xlabel("FMR (false match rate)")
    axes.set_ylabel("FNMR (false non-match rate)")
    axes.set_title(title)
    axes.grid(True, linewidth=0.3)
    axes.legend(loc="upper right", fontsize=8)
    target = Path(path)
    figure.savefig(target, format="svg", metadata={"Date": None})
    return target
