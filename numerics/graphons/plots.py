"""Figures of a pruned-graphon study (PNG + PDF through :mod:`numerics.figures`).

* :func:`plot_histograms` - the trial-mean degree-sorted block histograms, one panel per
  (pruned layer, width): the picture of the graphon a method's masks converge to;
* :func:`plot_second_moment` - at one width, the density graphon G beside the
  second-moment graphon V = E[(M . W)^2] per layer;
* :func:`plot_distances` - distance to the reference width against width (log-log),
  the cut-distance bounds and L1 per layer, with the fitted rate and its interval;
* :func:`plot_ntk_deviation` - mean |Theta_n - Gamma| against width per Graphon NTK
  version;
* :func:`plot_eigen_decay`, :func:`plot_spectral_metrics` - Gram spectra of a
  :class:`~numerics.graphons.spectra.SpectrumStudy` per method, and its metrics against
  density.
"""

from __future__ import annotations

import numpy as np

from ..figures import pyplot, save_figure
from .findings import PrunedNTKConvergence
from .pruned import VERSIONS, PrunedGraphonTrials
from .study import WidthDistances

__all__ = ["plot_histograms", "plot_second_moment", "plot_distances", "plot_ntk_deviation",
           "plot_eigen_decay", "plot_spectral_metrics"]


def _title(runs: PrunedGraphonTrials) -> str:
    d = runs.spec.description()
    return (f"{d['method']}, density {d['density']} ({d['scope']}), depth {runs.depth}, "
            f"K = {runs.blocks}, {runs.trials} trials")


def plot_histograms(runs: PrunedGraphonTrials, stem) -> list:
    """Panels (layers x widths) of the trial-mean histograms, colour scale [0, 1]."""
    plt = pyplot()
    rows, cols = len(runs.layers), len(runs.widths)
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols + 1.0, 2.4 * rows + 0.6),
                             squeeze=False)
    image = None
    for i, h in enumerate(runs.layers):
        for j, n in enumerate(runs.widths):
            ax = axes[i, j]
            G = runs.histograms(n, h).mean(axis=0)
            image = ax.imshow(G, vmin=0.0, vmax=1.0, cmap="viridis", aspect="auto",
                              interpolation="nearest")
            ax.set_title(f"layer {h}, width {n}", fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel("layer h (by in-degree)", fontsize=7)
            if i == rows - 1:
                ax.set_xlabel("layer h-1 (by out-degree)", fontsize=7)
    fig.suptitle(_title(runs), fontsize=9)
    fig.colorbar(image, ax=axes, shrink=0.8, label="kept fraction of the block")
    return save_figure(fig, stem)


def plot_second_moment(runs: PrunedGraphonTrials, stem, width: int | None = None) -> list:
    """G (density) and V (second moment) side by side per layer at ``width`` (default:
    the largest); V on its own colour scale."""
    plt = pyplot()
    n = runs.widths[-1] if width is None else width
    fig, axes = plt.subplots(len(runs.layers), 2, figsize=(6.4, 2.5 * len(runs.layers) + 0.6),
                             squeeze=False)
    for i, h in enumerate(runs.layers):
        G = runs.histograms(n, h).mean(axis=0)
        V = runs.histograms(n, h, second_moment=True).mean(axis=0)
        for ax, A, name in ((axes[i, 0], G, "density G"), (axes[i, 1], V,
                                                           "second moment V = E[(M.W)^2]")):
            im = ax.imshow(A, vmin=0.0, vmax=max(1.0, float(A.max())), cmap="magma",
                           aspect="auto", interpolation="nearest")
            ax.set_title(f"layer {h}: {name}", fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
            fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle(f"{_title(runs)}, width {n}", fontsize=8)
    return save_figure(fig, stem)


def plot_distances(dist: WidthDistances, stem, title: str = "") -> list:
    """Mean distances to the reference-width estimate against width, log-log."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    x = np.asarray(dist.widths, dtype=float)
    for i, h in enumerate(dist.layers):
        colour = f"C{i}"
        up = np.array([dist.cut_upper[n, h].mean() for n in dist.widths])
        lo = np.array([dist.cut_lower[n, h].mean() for n in dist.widths])
        l1 = np.array([dist.l1[n, h].mean() for n in dist.widths])
        rate = dist.rates.get(h)
        label = f"layer {h}: cut upper" + ("" if rate is None else
                                          f", rate n^{rate[0]:.2f} "
                                          f"[{rate[1][0]:.2f}, {rate[1][1]:.2f}]")
        ax.loglog(x, up, "o-", color=colour, label=label)
        ax.loglog(x, np.maximum(lo, 1e-12), "v:", color=colour, label=f"layer {h}: cut lower")
        ax.loglog(x, l1, "s--", color=colour, alpha=0.5, label=f"layer {h}: L1")
        if rate is not None:
            fit = up[0] * (x / x[0]) ** rate[0]
            ax.loglog(x, fit, "-", color=colour, alpha=0.3, linewidth=4)
    ax.set_xlabel("width n")
    ax.set_ylabel(f"distance to the width-{dist.reference_width} estimate")
    ax.set_title(title or "distance to the reference width", fontsize=9)
    ax.legend(fontsize=6)
    return save_figure(fig, stem)


def plot_ntk_deviation(conv: PrunedNTKConvergence, stem, title: str = "") -> list:
    """Mean |Theta_n(x, y) - Gamma(x, y)| against width for each Graphon NTK version."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    x = np.asarray(conv.widths, dtype=float)
    for i, v in enumerate(VERSIONS):
        s = conv.slope[v]
        label = v + ("" if s is None else f": slope {s[0]:.2f} [{s[1][0]:.2f}, {s[1][1]:.2f}]")
        ax.loglog(x, conv.mad[v], "os^"[i] + "-", label=label)
    ax.set_xlabel("width n")
    ax.set_ylabel("E |eNTK - Graphon NTK of the estimate|")
    ax.set_title(title or "eNTK against the Graphon NTK of the estimated graphon", fontsize=9)
    ax.legend(fontsize=7)
    return save_figure(fig, stem)


def plot_eigen_decay(study, stem, kernel: str = "entk") -> list:
    """One panel per method: normalised eigenvalues l_k / l_1 against k (log-log), seed
    mean, one line per density, the dense network dashed in every panel."""
    plt = pyplot()
    methods = [m for m in dict.fromkeys(m for m, _ in study.cells) if m != "dense"]
    cols = min(4, max(1, len(methods)))
    rows = -(-len(methods) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 2.8 * rows + 0.5), squeeze=False)
    dense = study.eigenvalues["dense", "1", kernel]
    dense = (dense / dense[:, :1]).mean(axis=0)
    k = np.arange(1, dense.size + 1)
    for ax, method in zip(axes.flat, methods):
        ax.loglog(k, np.maximum(dense, 1e-16), "k--", label="dense", linewidth=1)
        for i, (m, d) in enumerate(c for c in study.cells if c[0] == method):
            lam = study.eigenvalues[m, d, kernel]
            ax.loglog(k, np.maximum((lam / lam[:, :1]).mean(axis=0), 1e-16), color=f"C{i}",
                      label=f"density {d}")
        ax.axvspan(*study.fit_range, color="0.9", zorder=0)
        ax.set_title(method, fontsize=9)
        ax.set_xlabel("k", fontsize=8)
        ax.set_ylabel("l_k / l_1", fontsize=8)
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(methods):]:
        ax.axis("off")
    fig.suptitle(f"{kernel} Gram spectra (width {study.width}, depth {study.depth}, mean of "
                 f"{study.seeds} seeds; shaded: fit range {study.fit_range[0]}.."
                 f"{study.fit_range[1]})", fontsize=9)
    fig.tight_layout()
    return save_figure(fig, stem)


def plot_spectral_metrics(study, stem, kernel: str = "entk") -> list:
    """The four metrics against density, one line per method (seed mean +- stderr), the
    dense value as a horizontal line."""
    from .spectra import METRICS
    plt = pyplot()
    fig, axes = plt.subplots(1, len(METRICS), figsize=(3.4 * len(METRICS), 3.2))
    methods = [m for m in dict.fromkeys(m for m, _ in study.cells) if m != "dense"]
    dense = study.summary("dense", "1", kernel)
    for ax, metric in zip(axes, METRICS):
        for i, method in enumerate(methods):
            ds = [d for m, d in study.cells if m == method]
            vals = [study.summary(method, d, kernel)[metric] for d in ds]
            ax.errorbar([float(d) for d in ds], [v[0] for v in vals],
                        yerr=[0 if v[1] != v[1] else v[1] for v in vals], marker="o",
                        color=f"C{i}", label=method, capsize=2)
        ax.axhline(dense[metric][0], color="k", linestyle="--", linewidth=1, label="dense")
        ax.set_xscale("log")
        ticks = sorted({float(d) for m, d in study.cells if m != "dense"})
        ax.set_xticks(ticks)
        ax.set_xticks([], minor=True)
        ax.set_xticklabels([f"{t:g}" for t in ticks], fontsize=7)
        ax.set_xlabel("density (kept fraction)")
        ax.set_title(metric, fontsize=9)
    axes[0].legend(fontsize=6)
    fig.suptitle(f"{kernel} spectral metrics (mean +- stderr over {study.seeds} seeds)",
                 fontsize=9)
    fig.tight_layout()
    return save_figure(fig, stem)
