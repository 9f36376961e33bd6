"""The grids of the authors' three experiments, full and ``--quick``, as plain data.

Kept apart from :mod:`numerics.experiments.runs` (which uses them) so that a command
line can document each experiment's grid without importing NumPy or SciPy.

>>> grid("width-convergence", quick=True).widths[:3]
(32, 64, 128)
>>> [str(a) for a in grid("sparsity-scaling", quick=True).prune_probs]
['0', '1/2', '3/4']
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Grid", "grid", "describe_grid", "EXPERIMENT_NAMES"]

EXPERIMENT_NAMES = ("width-convergence", "sparsity-scaling", "all-layers")


@dataclass(frozen=True)
class Grid:
    """Trials per cell (default), the hidden widths (A, C) or the base width n0 and the
    prune probabilities (B)."""

    trials: int
    widths: tuple[int, ...] = ()
    base: int | None = None
    prune_probs: tuple[Fraction, ...] = ()


def _powers(lo: int, hi: int) -> tuple[int, ...]:
    return tuple(1 << k for k in range(lo, hi + 1))


_GRIDS = {
    ("width-convergence", False): Grid(100, _powers(5, 13)),
    ("width-convergence", True): Grid(40, _powers(5, 10)),
    ("sparsity-scaling", False): Grid(400, base=1 << 10,
                                      prune_probs=tuple(Fraction(k, 8) for k in range(8))),
    ("sparsity-scaling", True): Grid(100, base=1 << 7,
                                     prune_probs=tuple(Fraction(k, 8) for k in (0, 4, 6))),
    ("all-layers", False): Grid(100, _powers(5, 13)),
    ("all-layers", True): Grid(40, _powers(5, 10)),
}


def grid(name: str, quick: bool = False) -> Grid:
    """The grid of experiment ``name`` (full, or the small one with ``quick``)."""
    return _GRIDS[(name, bool(quick))]


def _one(name: str, g: Grid) -> str:
    if g.widths:
        lo, hi = g.widths[0].bit_length() - 1, g.widths[-1].bit_length() - 1
        return f"widths 2^{lo}..2^{hi} ({len(g.widths)} widths), {g.trials} trials per width"
    probs = ", ".join(str(a) for a in g.prune_probs)
    return (f"n0 = {g.base}, prune_prob {probs}, {g.trials} trials per cell "
            f"({3 * len(g.prune_probs)} cells)")


_WHAT = {
    "width-convergence": "(A) depth 2, x = (1, 0, 0), y = (0.6, 0.8, 0): Theta_n(x, y) of the "
                         "dense model and of the rescaled pruned model (keep_prob 1/2 on "
                         "layers 2..3, first layer dense) against width, with the dense "
                         "limit both share.",
    "sparsity-scaling": "(B) depth 1, x = (1, 0, 0), y = (0.6, 0.8, 0), rescaled pruning: the "
                        "mean relative deviation |Theta_n / limit - 1| against prune_prob "
                        "for the widths n0/sqrt(q), n0/q and n0/q^2 (q = 1 - prune_prob).",
    "all-layers": "(C) depth 2, x = (1, 0, 0), y = (0, 1, 0), every layer masked (the first "
                  "included), keep_prob 1/2, rescaled: Theta_n(x, y) against width, with "
                  "the exact mask-averaged limit (claim C5) and the mean-field one.",
}


def describe_grid(name: str) -> str:
    """One paragraph: what experiment ``name`` runs, its full grid and its --quick grid."""
    return (f"{_WHAT[name]}  Default grid: {_one(name, grid(name))}.  --quick: "
            f"{_one(name, grid(name, True))}.")
