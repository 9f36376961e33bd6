"""Is a width bound monotone in each variable on its domain?

Domain: eps in (0, 1], delta in (0, 1), L >= 1 (real), q in (0, 1].  Expected
directions: a smaller gap, a smaller failure probability, a deeper network or a
sparser one (smaller keep probability q) never needs a smaller width - N is
non-increasing in eps, delta and q and non-decreasing in L.

Symbolically: the derivative dN/dv is rewritten over positive parameters that
sweep the domain exactly (eps = 1/(1+w), delta = 1/(1+t), L = 1+s, q = 1/(1+u)
with w, s, u >= 0 and t > 0) and SymPy's assumptions are asked for its sign
(also after factoring, and after expanding logarithms).  Where they cannot
decide, numerically: N is compared with N one small step (relative 1e-4) away in
the direction that stays in the domain, at every point of a grid of the domain -
evidence on the grid, not a proof; a violation found there is a witness.

>>> import sympy as sp
>>> eps, delta, L, q = sp.symbols("eps delta L q", positive=True)
>>> m = monotonicity(L**6 / (q * eps**4) * sp.log(L / delta), eps, delta, L, q)
>>> [(r.variable, r.holds) for r in m], {r.method for r in m}
([('eps', True), ('delta', True), ('L', True), ('q', True)], {'symbolic'})
>>> bad = monotonicity(q / eps, eps, delta, L, q)[3]
>>> bad.holds, bad.method
(False, 'symbolic')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..verdict import jsonable
from .limits import SYMPY_SECONDS, SympyTimeout, time_limit

__all__ = ["Monotonicity", "monotonicity", "GRID"]

GRID = {
    "eps": np.geomspace(1e-3, 1.0, 16),
    "delta": np.geomspace(1e-4, 0.95, 10),
    "L": np.array([1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32], dtype=float),
    "q": np.geomspace(1e-3, 1.0, 10),
}
STEP = 1e-4            # relative step of the numeric comparison
TOLERANCE = 1e-9       # relative change counted as a violation (rounding is ~1e-16)
DOMAIN_TEXT = "eps in (0, 1], delta in (0, 1), L >= 1, q in (0, 1]"


@dataclass(frozen=True)
class Monotonicity:
    """Whether N is monotone in one variable in the expected direction.

    ``holds``: True, False or None (undecided); ``constant``: N does not depend on
    it; ``method``: "symbolic" or "numeric grid (K points)"; ``witness``: a point
    where the direction fails (numeric), or None.
    """

    variable: str
    expected: str            # "non-increasing" | "non-decreasing"
    holds: bool | None
    constant: bool
    method: str
    witness: dict | None = None

    def to_json(self) -> dict:
        return jsonable(self._json())

    def _json(self) -> dict:
        return {"variable": self.variable, "expected": self.expected, "holds": self.holds,
                "constant": self.constant, "method": self.method, "witness": self.witness}


def _sign_decided(d: sp.Expr, decreasing: bool) -> bool | None:
    """True when the sign is the expected one everywhere, False when it is the wrong
    one everywhere (strictly), None when SymPy cannot tell."""
    right = d.is_nonpositive if decreasing else d.is_nonnegative
    if right:
        return True
    wrong = d.is_positive if decreasing else d.is_negative
    if wrong:
        return False
    return None


def _symbolic(N: sp.Expr, v: sp.Symbol, domain: dict, decreasing: bool) -> bool | None:
    try:
        with time_limit(SYMPY_SECONDS):
            d = sp.diff(N, v).xreplace(domain)
            if d.has(sp.Derivative, sp.Subs):
                return None
            for form in (lambda e: e, lambda e: sp.factor(sp.together(e)),
                         lambda e: sp.factor(sp.together(sp.expand_log(e, force=True)))):
                decided = _sign_decided(form(d), decreasing)
                if decided is not None:
                    return decided
    except (SympyTimeout, NotImplementedError, ValueError, TypeError, ZeroDivisionError,
            RecursionError, AttributeError, sp.PolynomialError):
        return None
    return None


def _grid(N: sp.Expr, names: tuple, v_index: int, decreasing: bool):
    """(holds, points evaluated, witness) of the step comparison on GRID."""
    f = sp.lambdify(_symbols_of(N, names), N, modules="numpy")
    keys = ("eps", "delta", "L", "q")
    axes = np.meshgrid(*(GRID[k] for k in keys), indexing="ij")
    moved = [a.copy() for a in axes]
    up = keys[v_index] == "L"                      # L steps up, the bounded ones step down
    moved[v_index] = axes[v_index] * (1 + STEP if up else 1 - STEP)
    with np.errstate(all="ignore"):
        base = np.broadcast_to(np.asarray(f(*axes), dtype=float), axes[0].shape)
        step = np.broadcast_to(np.asarray(f(*moved), dtype=float), axes[0].shape)
    ok = np.isfinite(base) & np.isfinite(step)
    if not ok.any():
        return None, 0, None
    # change of N per step in the direction of increasing v, relative to |N|
    change = (step - base) if up else (base - step)
    scale = np.maximum(np.abs(base), np.abs(step))
    rel = np.where(ok, change / np.where(scale > 0, scale, 1.0), 0.0)
    bad = rel > TOLERANCE if decreasing else rel < -TOLERANCE
    count = int(ok.sum())
    if not bad.any():
        return True, count, None
    worst = np.unravel_index(np.argmax(np.abs(np.where(bad, rel, 0.0))), rel.shape)
    witness = {n: float(axes[i][worst]) for i, n in enumerate(names)}
    witness["relative_change"] = float(rel[worst])
    return False, count, witness


def _symbols_of(N: sp.Expr, names: tuple) -> list:
    by_name = {s.name: s for s in N.free_symbols}
    return [by_name.get(n, sp.Symbol(n, positive=True)) for n in names]


def monotonicity(N: sp.Expr, eps: sp.Symbol, delta: sp.Symbol, L: sp.Symbol,  # noqa: N803
                 q: sp.Symbol) -> tuple[Monotonicity, ...]:
    """Monotonicity of N in eps, delta, L and q (in that order) on the domain."""
    w, s, u = (sp.Symbol(n, nonnegative=True) for n in ("_w", "_s", "_u"))
    t = sp.Symbol("_t", positive=True)
    domain = {eps: 1 / (1 + w), delta: 1 / (1 + t), L: 1 + s, q: 1 / (1 + u)}
    names = (eps.name, delta.name, L.name, q.name)
    out = []
    for i, (v, decreasing) in enumerate(((eps, True), (delta, True), (L, False), (q, True))):
        label = v.name
        expected = "non-increasing" if decreasing else "non-decreasing"
        if v not in N.free_symbols:
            out.append(Monotonicity(label, expected, True, True, "symbolic"))
            continue
        decided = _symbolic(N, v, domain, decreasing)
        if decided is not None:
            out.append(Monotonicity(label, expected, decided, False, "symbolic"))
            continue
        holds, count, witness = _grid(N, names, i, decreasing)
        method = (f"numeric grid ({count} points of the domain; evidence, not a proof)"
                  if count else "undecided (N is not finite on the grid)")
        out.append(Monotonicity(label, expected, holds, False, method, witness))
    return tuple(out)
