"""Claim R: linear regions of sparse ReLU networks stay below Theorem 1 of Cai et al.

Statement: for a ReLU stack with widths (n_0, n_1, ..., n_L) (every layer counts), a
dense first layer and layers 2..L masked i.i.d. Bernoulli(p) with N(0, 1) weights, the
expected number of linear regions on a d-dimensional data subspace is at most
R(1, d), the recursion of Cai et al. with the exact rank laws P(k | n_l, n_{l-1}, p);
every single network has at most the deterministic bound of its own structural ranks;
and R(1, d) is non-decreasing in each layer's density.

* **symbolic** (exact, error rate 0): with full-rank laws the recursion equals Serra et
  al.'s set formula enumerated term by term (widths in ``serra_widths``), Zaslavsky's
  count for one layer and prod(n_l + 1) for 1-D input; and on the density grid
  ``monotone_grid`` the bound of this architecture with exact rank laws never falls
  when one layer's density rises (a fall refutes, with the witness).
* **numeric**: for each density, ``budget.trials // 10`` networks counted exactly on
  the triangle (d = 2) of three digits: a count above the network's own deterministic
  bound refutes exactly; the mean count is compared with Theorem 1 by a one-sided t
  rule at level alpha / (number of densities) (Bonferroni; false-alarm rate 1%):
  verified when the upper limit lies below, refuted when the lower limit lies above,
  else inconclusive.  The ratio Theorem 1 / mean count says how loose the bound is.

Invalid settings raise :class:`theory._errors.InvalidArgument` when the claim runs.

>>> regions_claim().id
'R'
"""

from __future__ import annotations

from math import comb, prod

import numpy as np
import sympy as sp
from scipy import stats as _st

from numerics.regions.average import mask_trials
from numerics.regions.data import data_points
from theory._errors import InvalidArgument, check_int
from theory.regions.bound import check_widths, region_bound
from theory.regions.combinatorics import serra_bound
from theory.regions.ranks import (check_density, exact_feasible, exact_rank_distribution,
                                  full_rank_distribution)

from ...claim import Claim, Context
from ...decisions import DEFAULT_ALPHA, bonferroni
from ...verdict import CheckOutcome, Verdict

__all__ = ["regions_claim", "DEFAULTS"]

DEFAULTS = {
    "widths": (64, 6, 4, 4), "densities": ("1/4", "1/2", "1"), "dim": 2,
    "trials": None, "points_seed": 0,
    "serra_widths": ((3, 4, 4), (2, 5, 3, 4), (4, 2, 6, 3), (1, 5, 5, 5)),
    "monotone_grid": ("1/8", "1/4", "1/2", "3/4", "1"),
}


def _laws(widths, densities, dim):
    """Layer 1 dense, layers 2..L exact laws at their densities (truncated at ``dim``)."""
    laws = [full_rank_distribution(widths[1], widths[0], top=min(dim, widths[1], widths[0]))]
    for l, p in enumerate(densities, start=2):
        laws.append(exact_rank_distribution(widths[l], widths[l - 1], p))
    return laws


def _validated(p: dict) -> dict:
    widths = check_widths(p["widths"])
    if len(widths) < 3:
        raise InvalidArgument("widths", p["widths"], "need a dense first layer and a masked one",
                              "give (n_0, n_1, n_2, ...)")
    for l in range(2, len(widths)):
        if not exact_feasible(widths[l], widths[l - 1]):
            raise InvalidArgument("widths", p["widths"], f"layer {l} is too large for exact "
                                  "rank laws", "keep masked layers to about 5 x 5 or 3 x 20")
    densities = tuple(check_density(d, "densities") for d in p["densities"])
    if not densities or min(densities) <= 0:
        raise InvalidArgument("densities", p["densities"], "need densities in (0, 1]",
                              "give e.g. ('1/4', '1/2', '1')")
    dim = check_int(p["dim"], "dim", 1)
    if dim not in (1, 2):
        raise InvalidArgument("dim", dim, "exact counts are on segments (1) or triangles (2)",
                              "give dim 1 or 2")
    return dict(p, widths=widths, densities=densities, dim=dim)


def _symbolic(context: Context, p: dict) -> CheckOutcome:
    p = _validated(p)
    checks = []
    for w in p["serra_widths"]:
        w = check_widths(w)
        full = [full_rank_distribution(w[l], w[l - 1]) for l in range(1, len(w))]
        recursion = region_bound(w, full, w[0]).value
        checks.append(("Serra", w, recursion, serra_bound(w)))
        one = region_bound(w[:2], full[:1], w[0]).value
        checks.append(("Zaslavsky", w[:2], one, sum(comb(w[1], j) for j in range(min(w[0], w[1]) + 1))))
        line = (1, *(max(n, 2) for n in w[1:]))
        line_full = [full_rank_distribution(line[l], line[l - 1]) for l in range(1, len(line))]
        checks.append(("prod(n+1)", line, region_bound(line, line_full, 1).value,
                       prod(n + 1 for n in line[1:])))
    bad = [c for c in checks if c[2] != c[3]]
    if bad:
        name, w, got, want = bad[0]
        return CheckOutcome(Verdict.REFUTED, "symbolic", f"recursion {got} != {name} {want} at "
                            f"widths {w}", {"witness": {"widths": w, "recursion": got,
                                                        "expected": want}})
    widths, dim = p["widths"], p["dim"]
    grid = [check_density(g, "monotone_grid") for g in p["monotone_grid"]]
    masked = len(widths) - 2
    base = [grid[0]] * masked
    for layer in range(masked):
        previous = None
        for g in grid:
            ps = list(base)
            ps[layer] = g
            value = region_bound(widths, _laws(widths, ps, dim), dim).value
            if previous is not None and value < previous:
                return CheckOutcome(Verdict.REFUTED, "symbolic",
                                    f"bound falls when layer {layer + 2} density rises to {g}",
                                    {"witness": {"layer": layer + 2, "density": g}})
            previous = value
    return CheckOutcome(Verdict.VERIFIED, "symbolic",
                        f"recursion = Serra, Zaslavsky, prod(n+1) on {len(checks)} cases; "
                        f"monotone on a {len(grid)}-point density grid",
                        {"cases": len(checks), "grid": [str(g) for g in grid]})


def _numeric(context: Context, p: dict) -> CheckOutcome:
    p = _validated(p)
    widths, dim = p["widths"], p["dim"]
    trials = p["trials"] or max(10, context.budget.trials // 10)
    points = data_points(dim + 1, p["points_seed"])
    alpha = bonferroni(DEFAULT_ALPHA, len(p["densities"]))
    rows, verdicts = [], []
    for q in p["densities"]:
        ps = (1,) + (q,) * (len(widths) - 2)
        runs = mask_trials(widths, ps, points, trials, context.seed)
        over = [t for t in runs if t.count > t.deterministic_bound]
        if over:
            return CheckOutcome(Verdict.REFUTED, "numeric",
                                f"a network at density {q} has {over[0].count} regions, above "
                                f"its own bound {over[0].deterministic_bound}",
                                {"witness": over[0].__dict__})
        counts = np.array([t.count for t in runs], dtype=float)
        mean, se = float(counts.mean()), float(counts.std(ddof=1) / np.sqrt(len(counts)))
        t = float(_st.t.isf(alpha, len(counts) - 1))
        theorem = float(region_bound(widths, _laws(widths, (q,) * (len(widths) - 2), dim),
                                     dim).value)
        if mean + t * se <= theorem:
            verdicts.append(Verdict.VERIFIED)
        elif mean - t * se > theorem:
            verdicts.append(Verdict.REFUTED)
        else:
            verdicts.append(Verdict.INCONCLUSIVE)
        rows.append({"density": str(q), "mean_count": mean, "stderr": se,
                     "upper": mean + t * se, "theorem_1": theorem, "ratio": theorem / mean,
                     "max_count": int(counts.max()), "trials": len(counts)})
    verdict = Verdict.REFUTED if Verdict.REFUTED in verdicts else \
        Verdict.VERIFIED if all(v is Verdict.VERIFIED for v in verdicts) else Verdict.INCONCLUSIVE
    ratios = ", ".join(f"density {r['density']}: {r['ratio']:.3g}" for r in rows)
    return CheckOutcome(verdict, "statistical",
                        f"counts <= own bounds ({trials} networks per density); Theorem 1 / mean "
                        f"count {ratios}", {"rows": rows, "alpha_per_density": alpha,
                                            "parameters_used": {"trials": trials}},
                        DEFAULT_ALPHA)


def _summary(outcomes, p) -> str:
    """One line: the exact checks, then Theorem 1 / mean count per density."""
    parts = []
    for o in outcomes:
        if o.kind == "symbolic":
            parts.append("exact: recursion = Serra/Zaslavsky/prod, monotone" if
                         o.verdict is Verdict.VERIFIED else o.explanation)
        elif "rows" in o.data:
            ratios = ", ".join(f"{r['ratio']:.3g}" for r in o.data["rows"])
            dens = ",".join(r["density"] for r in o.data["rows"])
            parts.append(f"counts <= own bounds; Thm 1 / mean count at density {dens}: {ratios}")
        else:
            parts.append(o.explanation)
    return "; ".join(parts)[:160]


def _numbers(outcomes, params) -> list:
    """Key numbers with their labels: the exact cases, then each density's counts."""
    out = []
    for o in outcomes:
        if o.kind == "symbolic" and "cases" in o.data:
            out += [("closed-form cases matched (Serra, Zaslavsky, $\\prod (n_l + 1)$)",
                     o.data["cases"]),
                    ("density grid of the monotonicity check", ", ".join(o.data["grid"]))]
        for r in o.data.get("rows", ()):
            out.append((f"density {r['density']}: mean count $\\pm$ standard error, Theorem 1, ratio",
                        f"{r['mean_count']:.4g} $\\pm$ {r['stderr']:.2g}, "
                        f"{r['theorem_1']:.4g}, {r['ratio']:.3g}"))
    return out


def regions_claim(**overrides) -> Claim:
    """Claim R with :data:`DEFAULTS` changed by ``overrides``."""
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidArgument(name, overrides[name], "claim R has no such parameter",
                              f"use one of {sorted(DEFAULTS)}")
    count, bound = sp.Symbol("N_{regions}"), sp.Function("R")(1, sp.Symbol("d"))
    return Claim(
        id="R", title="Linear regions of sparse ReLU networks stay below Theorem 1 (Cai et al.)",
        statement=sp.Le(sp.Function("E_M")(count), bound),
        numeric=_numeric, symbolic=_symbolic, parameters={**DEFAULTS, **overrides},
        description=("The expected number of linear regions on a data plane is at most the "
                     "recursion $R(1, d)$ with exact rank laws $P(k \\mid n_l, n_{l-1}, p_l)$ "
                     "($p_l$ the density of layer $l$); each network has at most its own rank "
                     "bound; $R(1, d)$ is monotone in every density."),
        statement_latex=(r"\mathbb{E}_M\bigl[N_{\mathrm{regions}}\bigr] \le R(1, d)"),
        summarize=_summary, key_numbers=_numbers)


