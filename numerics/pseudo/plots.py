"""The figure of claim C4: relative fluctuation of the masked sums against q n.

:func:`plot_fluctuation` draws a :class:`numerics.pseudo.grid.FluctuationGrid` with
its fit (:func:`numerics.pseudo.fits.fit_fluctuation_slope`), using the helpers of
:mod:`numerics.scaling.plots` (matplotlib with the Agg backend, PNG and PDF).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..figures import legend_outside, pyplot, save_figure
from .fits import FluctuationFit, fit_fluctuation_slope
from .grid import FluctuationGrid

__all__ = ["plot_fluctuation"]


def plot_fluctuation(grid: FluctuationGrid, stem, *, kind: str = "forward",
                     fit: FluctuationFit | None = None, title: str = "") -> list[Path]:
    """sd/mean against q n (log-log), one series per keep probability, with the
    pseudo-network prediction sqrt((kappa - q)/(q n)) and a (q n)^(-1/2) reference
    line; writes ``stem``.png and ``stem``.pdf."""
    plt = pyplot()
    fit = fit or fit_fluctuation_slope(grid, kind, resamples=200)
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    try:
        for q in grid.keep_probs:
            cells = [grid.cells[(n, q)].stats(kind) for n in grid.widths]
            qn = np.array([float(q) * s.terms for s in cells])
            rel = np.array([s.relative_fluctuation() for s in cells])
            theory = np.array([math.sqrt(max(s.kappa() - float(q), 0) / x)
                               for s, x in zip(cells, qn)])
            line, = ax.plot(qn, rel, "o", ms=4, label=f"q = {float(q):g}")
            ax.plot(qn, theory, "-", lw=0.8, color=line.get_color(), alpha=0.7)
        qn_all = np.array(sorted(fit.qn))
        top = max(fit.relative)
        ax.plot(qn_all, top * np.sqrt(qn_all[0] / qn_all), "k--", lw=0.8,
                label=r"$(q n)^{-1/2}$ reference")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("q n (expected kept terms)")
        ax.set_ylabel(f"sd / mean of ${'S_i' if kind == 'forward' else 'T_j'}$")
        lo, hi = fit.adjusted_ci
        ax.set_title((title + "\n" if title else f"Masked inner products, layer {grid.layer}\n")
                     + rf"$\kappa$-adjusted slope {fit.adjusted_slope:.2f} [{lo:.2f}, {hi:.2f}]"
                     f" ({100 * fit.level:.4g}% bootstrap interval); unadjusted "
                     f"{fit.slope:.2f}", fontsize=9)
        legend_outside(ax, title=r"lines: $\sqrt{(\kappa - q)/(q n)}$", title_fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    except BaseException:
        plt.close(fig)
        raise
    return save_figure(fig, stem)
