"""Figure plumbing shared by every plotting module: matplotlib on first use, PNG + PDF output.

* :func:`pyplot` imports matplotlib with the non-interactive Agg backend (only when a
  figure is drawn, so importing the package stays fast);
* :func:`save_figure` writes ``stem.png`` and ``stem.pdf`` and closes the figure;
* :func:`plot_loglog` is the generic log-log figure with a fitted slope per line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .scaling.analysis import fit_loglog

__all__ = ["pyplot", "save_figure", "plot_loglog"]


def pyplot():
    """matplotlib.pyplot with the non-interactive Agg backend (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, stem: Path) -> list[Path]:
    """Write ``stem``.png and ``stem``.pdf and close the figure (also on failure)."""
    stem = Path(stem)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".pdf")]
    try:
        for path in paths:
            fig.savefig(path, dpi=150, bbox_inches="tight")
    finally:
        pyplot().close(fig)
    return paths


def plot_loglog(x, series: Mapping[str, Sequence[float]], stem, *, xlabel: str, ylabel: str,
                title: str = "") -> list[Path]:
    """One log-log line per ``series[label]`` against ``x``, each labelled with its slope."""
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
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    return save_figure(fig, stem)
