"""Figure plumbing shared by every plotting module: matplotlib on first use, PNG + PDF output.

* :func:`pyplot` imports matplotlib with the non-interactive Agg backend (only when a
  figure is drawn, so importing the package stays fast);
* :func:`save_figure` writes ``stem.png`` and ``stem.pdf`` and closes the figure; the
  figure's titles go into the files' metadata (``Title``);
* :func:`legend_outside` puts a legend to the right of the axes, where it cannot cover
  data;
* :func:`setting` words a figure's setting for its title (depth, eps, rescaling);
* :func:`plot_loglog` is the generic log-log figure with a fitted slope per line and an
  optional reference slope.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .scaling.analysis import fit_loglog

__all__ = ["pyplot", "save_figure", "plot_loglog", "legend_outside", "setting"]


def pyplot():
    """matplotlib.pyplot with the non-interactive Agg backend (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _titles(fig) -> str:
    parts = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) is not None else []
    parts += [ax.get_title() for ax in fig.axes if ax.get_title()]
    return " | ".join(" ".join(p.split()) for p in parts)


def save_figure(fig, stem: Path) -> list[Path]:
    """Write ``stem``.png and ``stem``.pdf (titles in their ``Title`` metadata) and close
    the figure (also on failure)."""
    stem = Path(stem)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".pdf")]
    try:
        title = _titles(fig)
        for path in paths:
            fig.savefig(path, dpi=150, bbox_inches="tight", metadata={"Title": title})
    finally:
        pyplot().close(fig)
    return paths


def legend_outside(ax, **kwargs):
    """The axes' legend to their right (outside the plotting area, so it covers no data);
    ``bbox_inches="tight"`` in :func:`save_figure` widens the saved figure to hold it."""
    kwargs.setdefault("fontsize", 8)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
                     **kwargs)


def setting(*, depth, eps=None, rescale=None, extra: str = "") -> str:
    r"""The setting of a figure for its title: depth, the gap eps (or why there is none)
    and the pruning; ``depth`` may be text, ``eps`` a number or text, ``rescale`` True,
    False or text.

    >>> setting(depth=2, eps=0.2, rescale=True)
    'depth 2, $\\varepsilon = 0.2$, rescaled pruning'
    >>> setting(depth=1, eps="no eps (limit kernels)", rescale="plain and rescaled")
    'depth 1, no eps (limit kernels), plain and rescaled'
    """
    eps_text = eps if isinstance(eps, str) else rf"$\varepsilon = {eps:g}$"
    prune = (rescale if isinstance(rescale, str) else
             "rescaled pruning" if rescale else "plain pruning")
    return ", ".join(p for p in (f"depth {depth}", eps_text, prune, extra) if p)


def plot_loglog(x, series: Mapping[str, Sequence[float]], stem, *, xlabel: str, ylabel: str,
                title: str = "", reference: tuple[float, str] | None = None) -> list[Path]:
    """One log-log line per ``series[label]`` against ``x``, each labelled with its slope;
    ``reference`` = (slope, label) adds a dotted line of that slope through the first
    series' first point."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    x = np.asarray(x, dtype=float)
    styles = [("o", "-"), ("s", "--"), ("^", ":"), ("D", "-.")]
    for i, (label, ys) in enumerate(series.items()):
        ys = np.asarray(ys, dtype=float)
        slope = fit_loglog(x, ys)[0]
        marker, line = styles[i % len(styles)]
        ax.plot(x, ys, marker=marker, ls=line, ms=5 + 2 * (i == 0), mfc="none" if i else None,
                label=f"{label} (slope {slope:+.2f})")
    if reference is not None:
        slope, label = reference
        first = np.asarray(next(iter(series.values())), dtype=float)
        ax.plot(x, first[0] * (x / x[0]) ** slope, "k:", lw=1.2, label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    legend_outside(ax)
    ax.grid(True, which="both", alpha=0.3)
    return save_figure(fig, stem)
