"""Topology of every layer of a mask set, density sweeps, and the metrics-vs-density plot."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from theory._errors import InvalidArgument, check_int

from .classes import iterative_mean
from .graphon import constant_graphon_prediction
from .spectral import layer_metrics

__all__ = ["layer_report", "mask_topology", "density_sweep", "plot_sweep", "SweepRow"]


def layer_report(mask, weights=None, classes: bool = True) -> dict:
    """One layer: the metrics, the degree-class mean and the constant-graphon prediction."""
    M = np.asarray(mask) != 0
    out = layer_metrics(M, weights).to_json()
    out["density"] = float(M.mean())
    if classes:
        out["iterative_mean"] = iterative_mean(M).to_json()
    if 0 < out["density"] < 1 and min(M.shape) >= 2:
        pred = constant_graphon_prediction(M.shape[0], M.shape[1], out["density"])
        out["constant_graphon"] = dict(pred.__dict__)
    return out


def mask_topology(masks, weights=None, classes: bool = True) -> list[dict]:
    """:func:`layer_report` for each layer (``weights`` per layer or None)."""
    weights = weights if weights is not None else [None] * len(masks)
    return [dict(layer=h, **layer_report(M, W, classes))
            for h, (M, W) in enumerate(zip(masks, weights), start=1)]


@dataclass(frozen=True)
class SweepRow:
    density: float
    seed: int
    layer: int
    metrics: dict


def density_sweep(widths, densities, seeds: int = 1, method: str = "random") -> list[SweepRow]:
    """Masks of ``widths`` made by ``method`` (``"random"`` or a pruning method of
    :mod:`numerics.masks`; see :func:`numerics.topology.inputs.read_masks`) at each
    density, ``seeds`` masks each: the per-layer metrics.  Layers a method leaves
    dense are left out."""
    from .inputs import read_masks
    rows = []
    for density in densities:
        for s in range(check_int(seeds, "seeds", 1)):
            masks = read_masks(method, density=str(density), widths=widths, seed=s).masks
            for h, M in enumerate(masks, start=1):
                if M.all():
                    continue
                rows.append(SweepRow(float(density), s, h, layer_report(M, classes=False)))
    return rows


def plot_sweep(rows, path, label: str = "random", marks=()) -> None:
    """Delta_r, Delta_s and mu_hat against density, one line per layer (PNG/PDF);
    ``marks`` (layer, density, metrics) are drawn as stars (a given mask set's layers).
    The file is written atomically (a temporary file renamed into place)."""
    if not rows:
        raise InvalidArgument("rows", rows, "nothing to plot", "run a density sweep first")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for layer in sorted({r.layer for r in rows}):
        sel = [r for r in rows if r.layer == layer and r.metrics["computed"]]
        if not sel:
            continue
        d = np.array([r.density for r in sel])
        for ax, key in zip(axes, ("delta_r", "delta_s", "mu_hat")):
            ax.plot(d, [r.metrics[key] for r in sel], "o-", ms=3, label=f"layer {layer}")
        pred = [r.metrics.get("constant_graphon", {}).get("delta_r") for r in sel]
        axes[0].plot(d, pred, "k:", lw=1)
    for ax, title in zip(axes, ("Delta_r (dotted: constant graphon)", "Delta_s", "mu_hat")):
        ax.set_xscale("log")
        ax.set_xlabel("density")
        ax.set_title(f"{title}", fontsize=9)
        ax.axhline(0, color="grey", lw=0.5)
    for layer, density, metrics in marks:
        for ax, key in zip(axes, ("delta_r", "delta_s", "mu_hat")):
            ax.plot([density], [metrics[key]], "*", ms=10, label=f"given layer {layer}"
                    if ax is axes[0] else None)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"mask topology vs density ({label})", fontsize=10)
    fig.tight_layout()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)
