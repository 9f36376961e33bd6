"""Figures of the width-versus-sparsity study (matplotlib, written as PNG and PDF).

* :func:`plot_deviation_vs_width`: mean relative deviation |Theta_n / limit - 1|
  against width, one series per keep probability, with standard-error bars and
  the fitted log-log slope of each series in the legend (central-limit
  fluctuations give -1/2);
* :func:`plot_required_width`: n*(eps, delta) against 1/q with its Clopper-Pearson
  grid bounds and the fitted line (slope 1 is the paper's "linear" claim under our
  reading of the sparsity parameter as 1/q);
* :func:`plot_predicted_required_width`: measured n* under predicted curves (claim
  C3-exact: the leading-order Gaussian width and the Chebyshev width from the exact
  variance).

matplotlib is imported on first use with the non-interactive Agg backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np

from ..figures import legend_outside, pyplot, save_figure
from .analysis import LogLogFit, RequiredWidth, fit_loglog

__all__ = ["plot_deviation_vs_width", "plot_required_width", "deviation_slope"]


def deviation_slope(per_width: Mapping[int, np.ndarray]) -> float:
    """Log-log slope of the mean relative deviation against width."""
    widths = sorted(per_width)
    return fit_loglog(widths, [float(np.mean(per_width[n])) for n in widths])[0]


def plot_deviation_vs_width(cells: Mapping[float, Mapping[int, np.ndarray]], stem,
                            *, title: str = "") -> list[Path]:
    """``cells[q][n]``: relative deviations at keep probability q and width n."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    for q in sorted(cells, reverse=True):
        widths = np.array(sorted(cells[q]))
        means = np.array([np.mean(cells[q][n]) for n in widths])
        errs = np.array([np.std(cells[q][n], ddof=1) / np.sqrt(len(cells[q][n]))
                         for n in widths])
        slope = deviation_slope(cells[q])
        ax.errorbar(widths, means, yerr=errs, marker="o", ms=4, capsize=2,
                    label=f"q = {q:g} (slope {slope:+.2f})")
    ref_w = np.array(sorted(next(iter(cells.values()))))
    top = max(np.mean(v[min(v)]) for v in cells.values())
    ax.plot(ref_w, top * np.sqrt(ref_w[0] / ref_w), "k--", lw=0.8, label="width$^{-1/2}$")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("width n")
    ax.set_ylabel(r"mean $|\Theta_n / \Theta_\infty - 1|$")
    ax.set_title(title or "Deviation of the empirical NTK from its limit", fontsize=10)
    legend_outside(ax)
    ax.grid(True, which="both", alpha=0.3)
    return save_figure(fig, stem)


def plot_required_width(required: Mapping[float, RequiredWidth], fit: LogLogFit, stem,
                        *, title: str = "") -> list[Path]:
    """``required[q]``: n* at keep probability q; ``fit``: the slope against 1/q."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    qs = [q for q in sorted(required) if required[q].n_star is not None]
    x = np.array([1.0 / q for q in qs])
    y = np.array([required[q].n_star for q in qs])
    lo = np.array([required[q].interval[0] for q in qs], dtype=float)
    hi = np.array([required[q].interval[1] for q in qs], dtype=float)
    hi = np.where(np.isfinite(hi), hi, 2 * y)   # open-ended: drawn to 2 n*
    ax.errorbar(x, y, yerr=[np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)], fmt="o",
                capsize=3, zorder=3, label=r"$n^*$ (bars: Clopper-Pearson interval on the grid)")
    grid = np.geomspace(x.min(), x.max(), 50)
    # the fit as a thick solid line with the band of its slope interval (pivoting about the
    # data's centre, where the fitted line is best determined); the reference as a thin
    # dotted black line: distinguishable even where they coincide
    centre = np.exp(np.mean(np.log(x)))
    at_centre = np.exp(fit.intercept) * centre ** fit.slope
    band = [at_centre * (grid / centre) ** s for s in fit.slope_ci]
    ax.fill_between(grid, np.minimum(*band), np.maximum(*band), color="C1", alpha=0.18, lw=0,
                    label=f"slopes in the {100 * fit.level:.4g}% interval "
                          f"[{fit.slope_ci[0]:.2f}, {fit.slope_ci[1]:.2f}]")
    ax.plot(grid, np.exp(fit.intercept) * grid ** fit.slope, "-", color="C1", lw=2.5,
            alpha=0.8, label=f"least-squares fit: slope {fit.slope:.2f}")
    ax.plot(grid, at_centre * grid / centre, ":", color="k", lw=1.3,
            label="reference: slope 1 (linear in 1/q)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("1 / keep_prob")
    ax.set_ylabel(r"required width $n^*(\varepsilon, \delta)$")
    any_rw = next(iter(required.values()))
    ax.set_title(title or rf"Required width, $\varepsilon = {any_rw.eps:g}$, "
                          rf"$\delta = {any_rw.delta:g}$", fontsize=10)
    legend_outside(ax)
    ax.grid(True, which="both", alpha=0.3)
    return save_figure(fig, stem)


def plot_predicted_required_width(measured: Mapping[float, RequiredWidth],
                                  curves: Mapping[str, tuple], stem, *,
                                  title: str = "") -> list[Path]:
    """Measured n* (points with their grid intervals) under predicted curves.

    ``measured[q]``: n* at keep probability q; ``curves[label]`` = (inv_q, n_star): a
    prediction sampled finely in 1/q (the first solid, the others dashed).
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    for k, (label, (inv_q, values)) in enumerate(curves.items()):
        ax.plot(inv_q, values, "-" if k == 0 else "--", color=f"C{k + 1}", lw=2 if k == 0 else 1.4,
                label=label, zorder=2)
    qs = [q for q in sorted(measured) if measured[q].n_star is not None]
    if qs:
        x = np.array([1.0 / q for q in qs])
        y = np.array([measured[q].n_star for q in qs], dtype=float)
        lo = np.array([measured[q].interval[0] for q in qs], dtype=float)
        hi = np.array([measured[q].interval[1] for q in qs], dtype=float)
        hi = np.where(np.isfinite(hi), hi, 2 * y)
        ax.errorbar(x, y, yerr=[np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)], fmt="o",
                    color="C0", capsize=3, zorder=3,
                    label=r"measured $n^*$ (bars: Clopper-Pearson interval on the grid)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("1 / keep_prob")
    ax.set_ylabel(r"required width $n^*(\varepsilon, \delta)$")
    ax.set_title(title, fontsize=10)
    legend_outside(ax)
    ax.grid(True, which="both", alpha=0.3)
    return save_figure(fig, stem)
