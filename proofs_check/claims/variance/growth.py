r"""Claim V-growth: the dense ReLU NTK diagonal's relative variance grows between 3 and 5
per layer - the exp(5 sum 1/n_h) law of the finite-width literature as a checked inequality.

At leading order, with n_h = alpha_h n and S = sum_h 1/alpha_h,
3 S <= V(x, x) / Theta(x, x)^2 <= 5 S; at finite width the consequence checked here is
1 + 3 sum_h 1/n_h <= E[Theta_n(x, x)^2] / E[Theta_n(x, x)]^2 <= exp(5 sum_h 1/n_h).

* Symbolic (a grid, not a proof): :func:`theory.variance.identities.check_dense_growth`
  at every depth 1..min(budget depth, 6) and every assignment of the width ratios
  1/2, 1, 3 to the layers (exact recursion in float64, margin 1e-12).
* Numeric (Monte Carlo): dense networks at ``depths`` x ``widths`` on x = e_1: the ratio
  E[T^2]/E[T]^2 with its delta-method standard error
  (:func:`numerics.variance.monte_carlo.second_moment_ratio`), one-sided z-tests against
  both bounds, one union bound at 1% over all of them.  The leading-order prediction
  1 + V/(n Theta^2) is reported beside each cell.

>>> growth_claim().id
'V-growth'
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from numerics.variance.monte_carlo import second_moment_ratio, sample_entries
from theory._errors import InvalidArgument, check_depth, check_int
from theory.config import Architecture
from theory.variance.deep import variance_terms
from theory.variance.identities import check_dense_growth

from ...claim import Claim, Context
from ...verdict import CheckOutcome, Verdict
from ._common import ALPHA, INPUTS, mc_trials, one_sided_threshold, proofs_outcome

__all__ = ["growth_claim"]

_TRIALS = 10       # networks per cell: this times the budget's trials
_MAX_GRID_DEPTH = 6


def _symbolic(context: Context, params: dict) -> CheckOutcome:
    depth = min(context.budget.max_depth, _MAX_GRID_DEPTH)
    out = proofs_outcome([(f"V4, $L \\le {depth}$", check_dense_growth(depth))], grid=True)
    return CheckOutcome(out.verdict, out.kind, out.explanation, {**out.data, "depth": depth})


def _numeric(context: Context, params: dict) -> CheckOutcome:
    trials = mc_trials(context, _TRIALS)
    x = INPUTS[:1]
    cells = []
    for L in params["depths"]:
        arch = Architecture.pruned(L)
        t = variance_terms(arch, x, x)
        rel = float(t.n_var[0] / t.limit[0] ** 2)
        for n in params["widths"]:
            vals = sample_entries(arch, (n,) * L, x, [(0, 0)], trials, seed=context.seed,
                                  store=context.store)[:, 0, 0]
            ratio, se = second_moment_ratio(vals)
            beta = L / n
            low, high = 1 + 3 * beta, math.exp(5 * beta)
            cells.append({"depth": L, "width": n, "ratio": ratio, "se": se, "lower": low,
                          "upper": high, "leading_order": 1 + rel / n,
                          "z_lower": (low - ratio) / se, "z_upper": (ratio - high) / se})
    z_star = one_sided_threshold(2 * len(cells))
    worst = max(cells, key=lambda c: max(c["z_lower"], c["z_upper"]))
    ok = max(worst["z_lower"], worst["z_upper"]) <= z_star
    tight = min(cells, key=lambda c: min(c["ratio"] - c["lower"], c["upper"] - c["ratio"])
                / c["se"])
    text = (f"{len(cells)} cells (depths {', '.join(map(str, params['depths']))}, widths "
            f"{', '.join(map(str, params['widths']))}, {trials} networks each): "
            + ("every ratio between $1 + 3\\beta$ and $e^{5\\beta}$" if ok else
               f"bound exceeded at $L = {worst['depth']}$, $n = {worst['width']}$: ratio "
               f"{worst['ratio']:.4f} outside [{worst['lower']:.4f}, {worst['upper']:.4f}]")
            + f"; closest: $L = {tight['depth']}$, $n = {tight['width']}$, "
            f"{tight['ratio']:.4f} $\\pm$ {tight['se']:.4f} in [{tight['lower']:.4f}, "
            f"{tight['upper']:.4f}] (one-sided $z \\le {z_star:.2f}$, 1% over "
            f"{2 * len(cells)} tests)")
    return CheckOutcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "statistical", text,
                        {"cells": cells, "z_threshold": z_star, "trials": trials}, ALPHA)


def _summary(outcomes, params) -> str:
    parts = []
    for o in outcomes:
        if o.kind == "symbolic":
            parts.append(f"$3S \\le V/\\Theta^2 \\le 5S$ at $L \\le {o.data['depth']}$ "
                         + ("on the grid" if o.verdict is Verdict.VERIFIED else "FAILS"))
        elif o.kind == "statistical" and "cells" in o.data:
            inside = sum(max(c["z_lower"], c["z_upper"]) <= o.data["z_threshold"]
                         for c in o.data["cells"])
            parts.append(f"finite-width ratio inside its bounds at {inside}/"
                         f"{len(o.data['cells'])} cells")
    return "; ".join(parts)


def _numbers(outcomes, params) -> list:
    out = []
    for o in outcomes:
        d = o.data
        if o.kind == "symbolic":
            steps = next(v for k, v in d.items() if k.startswith("V4"))["steps"]
            out += [(k, v) for k, v in steps.items()]
        elif o.kind == "statistical" and "cells" in d:
            out.append(("networks per cell", d["trials"]))
            for c in d["cells"]:
                out.append((f"$L = {c['depth']}$, $n = {c['width']}$: $1 + 3\\beta$, "
                            "measured ratio (standard error), leading order, $e^{5\\beta}$",
                            f"{c['lower']:.4f}, {c['ratio']:.4f} ({c['se']:.4f}), "
                            f"{c['leading_order']:.4f}, {c['upper']:.4f}"))
    return out


def growth_claim(*, depths=(3, 4), widths=(16, 32, 64)) -> Claim:
    """Claim V-growth: 3 S <= V/Theta^2 <= 5 S for the dense ReLU diagonal; Monte Carlo of
    E[T^2]/E[T]^2 at ``depths`` x ``widths`` between 1 + 3 beta and exp(5 beta)."""
    depths = tuple(check_depth(L) for L in depths)
    widths = tuple(check_int(n, "widths", 2) for n in widths)
    if not depths or not widths:
        raise InvalidArgument("depths" if not depths else "widths", [], "empty",
                              "give at least one depth and one width")
    E, T = sp.Function("E"), sp.Symbol("Theta_n")
    beta = sp.Symbol("beta", positive=True)
    ratio = E(T ** 2) / E(T) ** 2
    return Claim(
        id="V-growth",
        title="Finite width: dense ReLU diagonal, relative variance between 3 and 5 per layer",
        statement=sp.And(sp.Le(1 + 3 * beta, ratio), sp.Le(ratio, sp.exp(5 * beta))),
        statement_latex=(r"3 S \le \frac{V(x, x)}{\Theta(x, x)^2} \le 5 S,\qquad "
                         r"1 + 3\beta \le \frac{\mathbb{E}[\Theta_n(x, x)^2]}"
                         r"{\mathbb{E}[\Theta_n(x, x)]^2} \le e^{5\beta},\quad "
                         r"\beta = \sum_{h=1}^{L} \frac{1}{n_h}"),
        symbolic=_symbolic, numeric=_numeric,
        parameters={"depths": depths, "widths": widths},
        description=("Dense ReLU network, $x = e_1$, widths $n_h = \\alpha_h n$ and "
                     "$S = \\sum_h 1/\\alpha_h$; the upper bound is the exponential growth "
                     "in $\\sum_h 1/n_h$ of the finite-width literature, the lower one the "
                     "leading-order consequence of $V/\\Theta^2 \\ge 3S$.  Checked, not "
                     "proved."),
        summarize=_summary, key_numbers=_numbers)
