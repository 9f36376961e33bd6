"""Figures of the three experiments of :mod:`numerics.experiments.runs` (PNG and PDF).

* :func:`plot_width_convergence` (A) and :func:`plot_all_layers` (C): left, the
  Monte Carlo mean of Theta_n(x, y) with its 95% interval against width and the
  theory line(s); right, the mean |Theta_n - limit| against width with a
  width^(-1/2) guide.
* :func:`plot_sparsity_scaling` (B): mean relative deviation against prune_prob,
  one line per width schedule, with standard-error bars.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..figures import legend_outside, pyplot, save_figure, setting
from .runs import SCHEDULE_LABELS, AllLayers, SparsityScaling, WidthConvergence

__all__ = ["plot_width_convergence", "plot_sparsity_scaling", "plot_all_layers", "plot"]

_NO_EPS = r"no $\varepsilon$ (mean deviations)"


def _estimates(ax, series, offsets):
    for k, (s, off) in enumerate(zip(series, offsets)):
        w = np.array(s.widths, dtype=float) * off
        stats = np.array([s.summary(i) for i in range(len(s.widths))])
        ax.errorbar(w, stats[:, 0], yerr=[stats[:, 0] - stats[:, 2], stats[:, 3] - stats[:, 0]],
                    fmt="o", ms=4, capsize=2, color=f"C{k}",
                    label=f"{s.label} (keep_prob {s.keep_prob}): mean, 95% CI")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("width n")
    ax.set_ylabel(r"$\Theta_n(x, y)$")
    ax.grid(True, which="both", alpha=0.3)


def _deviations(ax, series, lines):
    """lines: [(label, value, style)]; deviation of each series from the first line."""
    limit = lines[0][1]
    top = 0.0
    for k, s in enumerate(series):
        dev = np.array([s.abs_dev(limit, i) for i in range(len(s.widths))])
        slope = s.dev_slope(limit)[0]
        ax.errorbar(s.widths, dev[:, 0], yerr=dev[:, 1], marker="o", ms=4, capsize=2,
                    color=f"C{k}", label=f"{s.label} (slope {slope:+.2f})")
        top = max(top, dev[0, 0])
    w = np.array(series[0].widths, dtype=float)
    ax.plot(w, top * np.sqrt(w[0] / w), "k--", lw=0.8, label="width$^{-1/2}$")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("width n")
    ax.set_ylabel(r"mean $|\Theta_n - \Theta_\infty|$")
    ax.grid(True, which="both", alpha=0.3)
    legend_outside(ax, fontsize=7)


def _two_panel(series, lines, title, stem) -> list[Path]:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11.0, 4.3))
    offsets = [1.0] if len(series) == 1 else [0.94, 1.06]
    _estimates(left, series, offsets)
    for label, value, style in lines:
        left.axhline(value, ls=style, color="k", lw=1.0, label=f"{label}: {value:.5g}")
    left.margins(y=0.08)
    # below the left panel: to its right it would sit on the right panel
    left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1)
    left.set_title("Monte Carlo estimate against width", fontsize=9)
    _deviations(right, series, lines)
    right.set_title(f"Deviation from the {lines[0][0]}", fontsize=9)
    fig.suptitle(title, fontsize=10)
    fig.subplots_adjust(wspace=0.28)
    return save_figure(fig, stem)


def plot_width_convergence(r: WidthConvergence, stem) -> list[Path]:
    return _two_panel(r.series, [("limit (dense = rescaled pruned)", r.limit, "-")],
                      "(A) width convergence: " + setting(
                          depth=r.depth, eps=_NO_EPS, rescale=True,
                          extra=f"first layer dense, x={list(r.x)}, y={list(r.y)}, "
                                f"{r.trials} trials"), stem)


def plot_all_layers(r: AllLayers, stem) -> list[Path]:
    return _two_panel(r.series, [("exact mask-averaged limit (C5)", r.exact_limit, "-"),
                                 ("mean-field / dense limit", r.mean_field_limit, "--")],
                      "(C) every layer pruned: " + setting(
                          depth=r.depth, eps=_NO_EPS, rescale=True,
                          extra=f"x={list(r.x)}, y={list(r.y)}, {r.trials} trials"), stem)


def plot_sparsity_scaling(r: SparsityScaling, stem) -> list[Path]:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for k, s in enumerate(r.schedules):
        a = np.array([float(p) for p in s.prune_probs])
        ax.errorbar(a, s.mean_rel_dev, yerr=s.stderr, marker="o", ms=4, capsize=2,
                    color=f"C{k}",
                    label=f"width {SCHEDULE_LABELS[s.name]} ({s.shape}; {s.widths[0]}"
                          f"..{s.widths[-1]})")
    ax.set_yscale("log")
    ax.set_xlabel("prune_prob (1 - keep_prob q)")
    ax.set_ylabel(r"mean $|\Theta_n / \Theta_\infty - 1|$")
    ax.set_title("(B) sparsity scaling: " + setting(
        depth=r.depth, eps=_NO_EPS, rescale=True,
        extra=f"n0 = {r.base_width}, {r.trials} trials"), fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    legend_outside(ax)
    return save_figure(fig, stem)


def plot(result, stem) -> list[Path]:
    """The figure of any experiment result."""
    for kind, fn in ((WidthConvergence, plot_width_convergence),
                     (SparsityScaling, plot_sparsity_scaling), (AllLayers, plot_all_layers)):
        if isinstance(result, kind):
            return fn(result, stem)
    raise TypeError(f"not an experiment result: {type(result).__name__}")
