"""The Gram-matrix evaluation of V (theory.variance.deep.variance_gram) and the fast
evaluation of the symbolic V, against independent computations.

References: the per-pair recursion :func:`variance_terms` (a different code path: full
covariances, no homogeneity, no blocks), the mpmath recursion at 40 digits, and SymPy's
own substitution into the derived expression.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from theory.config import Architecture
from theory.variance import deep
from theory.variance.deep import variance_gram, variance_pairs, variance_terms
from theory.variance.symbolic import evaluate_dag, symbolic_variance


def _inputs(n=70, d=5, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * rng.uniform(0.3, 3.0, (n, 1))
    X[5] = 2 * X[3]          # parallel
    X[7] = -X[3]             # anti-parallel
    X[9] = X[3]              # a repeated input
    return X


ARCHS = [
    (Architecture.pruned(1, "0.25"), None),
    (Architecture.pruned(2, "0.25", rescale=True), None),
    (Architecture.pruned(3, "0.5", rescale=False), (1, 2, "1/2")),
    (Architecture.pruned(3, "0.125", rescale=True, masked_layers=[4]), None),
    (Architecture.pruned(4, "0.5", rescale=False, masked_layers=[2, 5]), None),
]


@pytest.mark.parametrize("arch,ratios", ARCHS,
                         ids=[f"{a.describe()} ratios={r}" for a, r in ARCHS])
def test_relu_gram_matches_per_pair_recursion(arch, ratios, monkeypatch):
    # small blocks, so that several row blocks and their mirror images are exercised
    monkeypatch.setattr(deep, "_BLOCK", 300)
    X = _inputs()
    lim, V = variance_gram(arch, X, width_ratios=ratios)
    i, j = np.triu_indices(len(X))
    t = variance_terms(arch, X[i], X[j], width_ratios=ratios, mean=False)
    # float64 round-off of two evaluation orders: a few ulps of the largest entry
    assert np.max(np.abs(lim[i, j] - t.limit)) <= 1e-14 * np.max(np.abs(t.limit))
    assert np.max(np.abs(V[i, j] - t.n_var)) <= 1e-14 * np.max(np.abs(t.n_var))
    assert np.array_equal(V, V.T) and np.array_equal(lim, lim.T)


@pytest.mark.parametrize("pair", [(3, 3), (3, 5), (3, 7), (3, 9), (0, 1), (2, 3)])
def test_relu_gram_matches_mpmath_on_diagonal_and_parallel_pairs(pair):
    arch = Architecture.pruned(3, "0.5", rescale=True)
    X = _inputs()
    lim, V = variance_gram(arch, X)
    i, j = pair
    mp = variance_pairs(arch, X[i], X[j], dps=40)
    assert abs(V[i, j] - float(mp.n_var)) <= 1e-13 * abs(float(mp.n_var))
    assert abs(lim[i, j] - float(mp.limit)) <= 1e-13 * abs(float(mp.limit)) + 1e-15


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_float64_diagonal_pairs_agree_with_mpmath(depth):
    # x = y: D = ab - c^2 is round-off of either sign from layer 2 on; a -0.0 used to flip
    # atan2 to -pi (negative limits) and a tiny positive D to blow up dVdot (V 10% off)
    arch = Architecture.pruned(depth, "0.5", rescale=True)
    X = np.random.default_rng(1).standard_normal((4, 3))
    for x in X:
        f64 = variance_terms(arch, x, x, mean=False)
        mp = variance_pairs(arch, x, x, dps=40)
        assert abs(f64.n_var[0] - float(mp.n_var)) <= 1e-13 * float(mp.n_var)
        assert abs(f64.limit[0] - float(mp.limit)) <= 1e-13 * float(mp.limit)


def test_gram_without_homogeneity_uses_the_general_path():
    # erf and a zero input go through variance_terms; entries must still match it
    X = _inputs(n=12)
    X[4] = 0.0
    for arch in (Architecture.pruned(2, "0.5", activation="erf", rescale=True),
                 Architecture.pruned(2, "0.5")):
        lim, V = variance_gram(arch, X)
        i, j = np.triu_indices(len(X))
        t = variance_terms(arch, X[i], X[j], mean=False)
        assert np.allclose(V[i, j], t.n_var, rtol=1e-13, atol=0)
        assert np.allclose(lim[i, j], t.limit, rtol=1e-13, atol=0)


@pytest.mark.parametrize("depth", [2, 6])
def test_symbolic_evaluation_matches_mpmath_recursion(depth):
    sv = symbolic_variance(depth)
    qs = [Fraction(1)] * depth
    qs[0], qs[-1] = Fraction(1, 2), Fraction(1, 3)
    arch = Architecture(depth, (Fraction(1), *qs), tuple(range(2, depth + 2)), False)
    with mpmath.workdps(40):
        x = [mpmath.mpf(1), mpmath.mpf(0)]
        y = [mpmath.mpf(3) / 2 * mpmath.cos(mpmath.mpf(9) / 10),
             mpmath.mpf(3) / 2 * mpmath.sin(mpmath.mpf(9) / 10)]
        ref = deep.variance_terms(arch, x, y, ops=deep.MPMATH, mean=False).n_var
    values = {"a": 1, "b": sp.Rational(9, 4), "theta_1": sp.Rational(9, 10),
              "q_2": sp.Rational(1, 2), f"q_{depth + 1}": sp.Rational(1, 3)}
    got = sv.evaluate(values, dps=40)
    assert abs(got - ref) <= mpmath.mpf(10) ** -30 * abs(ref)


def test_dag_evaluation_equals_sympy_substitution():
    sv = symbolic_variance(2, rescale=True)
    values = {sv.a: sp.Rational(1), sv.b: sp.Rational(2), sv.angles[0]: sp.Rational(7, 10),
              sv.angles[1]: sp.Rational(1, 2), sv.keep_probs[1]: sp.Rational(1, 4),
              sv.ratios[0]: sp.Rational(3, 2), sv.ratios[1]: sp.Integer(1),
              sv.keep_probs[0]: sp.Integer(1)}
    ref = sv.n_var.xreplace(values).evalf(40)
    with mpmath.workdps(40):
        got = evaluate_dag(sv.n_var, {k: mpmath.mpf(v.p) / v.q for k, v in values.items()})
        assert abs(got - mpmath.mpf(str(ref))) <= mpmath.mpf(10) ** -32 * abs(got)
