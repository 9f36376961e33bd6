"""Exact identities of the finite-width fluctuations, each returned as a :class:`ProofResult`.

* V1 :func:`prove_one_layer_exact` - depth 1: E Theta_n = Theta_lim at every width, and the
  exact n Var equals the general leading-order recursion at L = 1.
* V2 :func:`prove_relu_diagonal_mean` - ReLU, any depth, any masks, any width:
  E Theta_n(x, x) = Theta_lim(x, x) (no finite-width correction on the diagonal).
* V3 :func:`prove_keep_prob_structure` - how keep probabilities enter V: a rescaled hidden
  layer's q_h does not enter at all; the readout's enters as (1/q_{L+1} - 1) R with
  R >= 0 given in closed form; plain = rescaled times (prod_h q_h)^2 for ReLU.
* V4 :func:`check_dense_growth` - dense ReLU diagonal: 3 sum_h 1/alpha_h <= V/Theta^2
  <= 5 sum_h 1/alpha_h, so at leading order E[Theta^2]/E[Theta]^2 <= exp(5 sum_h 1/n_h):
  a checked inequality (exact rationals on a grid), not a proof.
"""

from __future__ import annotations

import itertools
import time
from fractions import Fraction

import mpmath
import sympy as sp

from ..config import Architecture
from ..symbolic.result import ProofResult
from .one_layer import one_layer_sym
from .symbolic import symbolic_variance

__all__ = ["prove_one_layer_exact", "prove_relu_diagonal_mean", "prove_keep_prob_structure",
           "check_dense_growth"]


def _done(claim, title, statement, hypotheses, steps, holds, start, **data) -> ProofResult:
    return ProofResult(claim, title, statement, tuple(hypotheses), tuple(steps), bool(holds),
                       time.perf_counter() - start, data)


def prove_one_layer_exact(rescale: bool = False) -> ProofResult:
    """Depth 1: mean exact at every width; the exact variance equals the L = 1 recursion.

    >>> prove_one_layer_exact().holds
    True
    """
    start = time.perf_counter()
    mean, nvar = one_layer_sym(rescale)
    sv = symbolic_variance(1, rescale=rescale)
    q = sp.Symbol("q", positive=True)
    a, b, theta = sp.symbols("a b theta", positive=True)
    rec = sv.n_var.subs({sv.keep_probs[0]: q, sv.ratios[0]: 1, sv.angles[0]: theta})
    lim = sv.limit.subs({sv.keep_probs[0]: q, sv.angles[0]: theta})
    d_mean = sp.simplify(mean - lim)
    d_var = sp.simplify(sp.expand_trig(nvar - rec))
    return _done("V1", "One hidden layer: exact finite-width mean and variance",
                 sp.Eq(sp.Symbol("nVar"), nvar),
                 ["ReLU, dense first layer, readout masked with keep probability $q$",
                  "rescaled" if rescale else "plain pruning",
                  "neurons i.i.d., so $\\mathrm{Var}\\,\\Theta_n = \\mathrm{Var}(T_i)/n$ exactly"],
                 [("$E\\Theta_n - \\Theta_{\\lim}$", d_mean),
                  ("exact $n\\,\\mathrm{Var}$ minus the recursion at $L = 1$", d_var)],
                 d_mean == 0 and d_var == 0, start)


def prove_relu_diagonal_mean() -> ProofResult:
    """E Theta_n(x, x) = Theta_lim(x, x) for ReLU at every depth, width and mask.

    Proof (induction over layers, conditioning on the layers below): given F_{h-1},
    E G_h(x,x) = E[c_s relu(u)^2] = E K_i(x,x) = s_h G_{h-1}(x,x) (lemma 1: linear), and
    flipping the sign of row i of W^(h) maps f_i -> -f_i while leaving Theta_ii(x,x)
    (quadratic in the row) unchanged, so E[c_s 1{f_i > 0} Theta_ii] = E Theta_ii
    = s_h (G_{h-1}(x,x) + P_{h-1}(x,x)) (lemma 2: c_s P(u > 0) = 1).  Both maps are
    linear, so the means follow the limit recursion exactly.

    >>> prove_relu_diagonal_mean().holds
    True
    """
    start = time.perf_counter()
    u = sp.Symbol("u", real=True)
    a = sp.Symbol("a", positive=True)
    density = sp.exp(-u ** 2 / (2 * a)) / sp.sqrt(2 * sp.pi * a)
    lemma1 = sp.simplify(2 * sp.integrate(u ** 2 * density, (u, 0, sp.oo)) - a)
    lemma2 = sp.simplify(2 * sp.integrate(density, (u, 0, sp.oo)) - 1)
    return _done("V2", "No finite-width correction to the mean of the ReLU NTK diagonal",
                 sp.Eq(sp.Symbol("E[Theta_n(x,x)]"), sp.Symbol("Theta_lim(x,x)")),
                 ["ReLU ($c_\\sigma = 2$), any depth, widths, masks and rescaling",
                  "weights symmetric ($W \\to -W$ leaves the law unchanged); $\\mathrm{relu}'(0) = 0$"],
                 [("lemma 1: $c_\\sigma E[\\mathrm{relu}(u)^2] - a$", lemma1),
                  ("lemma 2: $c_\\sigma P(u > 0) - 1$", lemma2)],
                 lemma1 == 0 and lemma2 == 0, start)


def prove_keep_prob_structure(depth: int = 2) -> ProofResult:
    """How each layer's keep probability enters V (ReLU, dense first layer).

    >>> r = prove_keep_prob_structure(2)
    >>> r.holds, r.data["readout_slope_nonnegative"]
    (True, True)
    """
    start = time.perf_counter()
    resc = symbolic_variance(depth, rescale=True)
    plain = symbolic_variance(depth, rescale=False)
    hidden_q = resc.keep_probs[:-1]
    q_out = resc.keep_probs[-1]
    d_hidden = [sp.diff(resc.n_var, q) for q in hidden_q]
    t = sp.Symbol("t", positive=True)          # t = 1/q_out
    curvature = sp.diff(resc.n_var.subs(q_out, 1 / t), t, 2)
    curvature = sp.Integer(0) if not curvature.has(t) and curvature.equals(0) else curvature
    point = {"a": 1, "b": sp.Rational(9, 4), "theta_1": sp.Rational(7, 10),
             **{str(q): sp.Rational(1, k + 2) for k, q in enumerate(plain.keep_probs)}}
    ratio = sp.Integer(1)
    for k in range(len(plain.keep_probs)):
        ratio *= sp.Rational(1, k + 2)
    unit = {"a": 1, "b": 1, "theta_1": 1}
    with mpmath.workdps(40):
        gap = plain.evaluate(point, 40) \
            - (mpmath.mpf(ratio.p) / ratio.q) ** 2 * resc.evaluate(point, 40)
        plain_check = sp.Float(str(gap), 30)
        slope_value = sp.Float(str(resc.evaluate({**unit, str(q_out): sp.Rational(1, 2)}, 40)
                                   - resc.evaluate({**unit, str(q_out): 1}, 40)), 20)
    holds = all(d == 0 for d in d_hidden) and curvature == 0 and abs(plain_check) < 1e-25 \
        and slope_value >= 0
    return _done("V3", f"How keep probabilities enter the variance (depth {depth})",
                 sp.Eq(sp.Symbol("V"), sp.Symbol("V_dense") + (1 / q_out - 1) * sp.Symbol("R")),
                 ["ReLU, dense first layer, layers $2..L+1$ masked",
                  "leading order in $1/n$ (hidden masks enter at $O(1/(q n^2))$)"],
                 [*((f"$\\partial V/\\partial {sp.latex(q)}$ (rescaled)", d)
                    for q, d in zip(hidden_q, d_hidden)),
                  ("$\\partial^2 V/\\partial (1/q_{L+1})^2$ (rescaled)", curvature),
                  ("$V_{\\mathrm{plain}} - (\\prod_h q_h)^2 V_{\\mathrm{rescaled}}$ at a point",
                   plain_check),
                  ("$R$ at $|x| = |y| = 1$, $\\theta = 1$", slope_value)],
                 holds, start, readout_slope_nonnegative=bool(slope_value >= 0))


def check_dense_growth(max_depth: int = 5, ratios=(Fraction(1, 2), Fraction(1), Fraction(3))) \
        -> ProofResult:
    """Check 3 S <= V(x,x)/Theta(x,x)^2 <= 5 S, S = sum_h 1/alpha_h, for dense ReLU.

    Evaluated exactly (float64 recursion cross-checked in the tests) at every depth up
    to ``max_depth`` and every assignment of ``ratios`` to the layers.

    >>> check_dense_growth(3).holds
    True
    """
    import numpy as np

    from .deep import variance_terms
    start = time.perf_counter()
    worst_low, worst_high, count = float("inf"), float("inf"), 0
    x = np.array([[1.0, 0.0]])
    for L in range(1, max_depth + 1):
        for combo in itertools.product(ratios, repeat=L):
            t = variance_terms(Architecture.pruned(L), x, x, width_ratios=combo)
            ratio = float(t.n_var[0] / t.limit[0] ** 2)
            S = float(sum(1 / a for a in combo))
            worst_low = min(worst_low, ratio / S - 3)
            worst_high = min(worst_high, 5 - ratio / S)
            count += 1
    holds = worst_low >= -1e-12 and worst_high >= -1e-12
    return _done("V4", "Dense ReLU: relative variance of the NTK diagonal between 3 and 5 per layer",
                 sp.Symbol("3 S <= V/Theta^2 <= 5 S"),
                 ["dense ReLU, $x = y$, widths $n_h = \\alpha_h n$, $S = \\sum_h 1/\\alpha_h$",
                  "checked on a grid, not proved"],
                 [("smallest $V/(\\Theta^2 S) - 3$", sp.Float(worst_low, 15)),
                  ("smallest $5 - V/(\\Theta^2 S)$", sp.Float(worst_high, 15)),
                  ("configurations checked", sp.Integer(count))],
                 holds, start)
