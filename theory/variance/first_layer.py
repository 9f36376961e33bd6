"""The first hidden layer as a mixture: one Gaussian per first-layer mask row.

Neuron i of layer 1 has pre-activations (u, v) = ((W S)_i . x, (W S)_i . y), Gaussian
given its mask row m with covariance K_m = r_1^2 (sum_j m_j x_j^2, sum_j m_j x_j y_j,
sum_j m_j y_j^2), and its share of the first layer's NTK is exactly the middle entry,
T_m = r_1^2 sum_j m_j x_j y_j.  A dense first layer is one component (m = 1).  A masked
one is the exact mixture over the 2^k patterns of the k coordinates that are non-zero
in some input (coordinates zero in every input do not matter), with weights
prod_j q^m_j (1 - q)^(1 - m_j) - which is why the variance then depends on the
coordinates of x and y, not only on their norms and angle.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from .._errors import InvalidArgument
from ..config import Architecture
from ..kernels.first_layer import EXACT_MAX_DIM
from .duals import mix, mix_axis, neuron_stats

__all__ = ["first_layer_components", "check_width_ratios"]


def _patterns(k: int) -> np.ndarray:
    return ((np.arange(1 << k)[:, None] >> np.arange(k)[None, :]) & 1).astype(float)


def first_layer_components(arch: Architecture, X, Y, ops):
    """(weights, a, c, b) of the first-layer mixture for the pairs (X[p], Y[p]).

    NumPy back end: X, Y of shape (P, d0); a, c, b of shape (P, M) and weights of
    shape (M,).  mpmath back end: X, Y one pair (sequences of numbers); lists of
    length M.  M = 1 for a dense first layer.

    >>> from theory.variance.ops import NUMPY
    >>> arch = Architecture.pruned(1, "0.5", prune_first_layer=True)
    >>> w, a, c, b = first_layer_components(arch, np.array([[1.0, 1.0]]), np.array([[1.0, 0.0]]), NUMPY)
    >>> w.tolist(), a.tolist(), c.tolist()
    ([0.25, 0.25, 0.25, 0.25], [[0.0, 1.0, 1.0, 2.0]], [[0.0, 1.0, 0.0, 1.0]])
    """
    masked = arch.first_layer_masked
    q = arch.keep_probs[0]
    r2 = Fraction(1) / q if (arch.rescale and masked) else Fraction(1)
    if ops.vector:
        X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
        if not masked:
            a = np.einsum("pj,pj->p", X, X)[:, None]
            c = np.einsum("pj,pj->p", X, Y)[:, None]
            b = np.einsum("pj,pj->p", Y, Y)[:, None]
            return np.ones(1), a, c, b
        support = np.flatnonzero(np.any(X != 0, axis=0) | np.any(Y != 0, axis=0))
        _check_support(len(support))
        B = _patterns(len(support))
        kept = B.sum(axis=1)
        weights = float(q) ** kept * (1 - float(q)) ** (len(support) - kept)
        Xs, Ys = X[:, support], Y[:, support]
        f = float(r2)
        return weights, f * (Xs * Xs) @ B.T, f * (Xs * Ys) @ B.T, f * (Ys * Ys) @ B.T
    X = [mpmath.mpf(v) for v in X]
    Y = [mpmath.mpf(v) for v in Y]
    if not masked:
        dot = lambda u, v: mpmath.fsum(s * t for s, t in zip(u, v))  # noqa: E731
        return [mpmath.mpf(1)], [dot(X, X)], [dot(X, Y)], [dot(Y, Y)]
    support = [j for j in range(len(X)) if X[j] != 0 or Y[j] != 0]
    _check_support(len(support))
    qm = mpmath.mpf(q.numerator) / q.denominator
    f = mpmath.mpf(r2.numerator) / r2.denominator
    weights, A, C, Bv = [], [], [], []
    for row in _patterns(len(support)):
        on = [support[j] for j in range(len(support)) if row[j]]
        weights.append(qm ** len(on) * (1 - qm) ** (len(support) - len(on)))
        A.append(f * mpmath.fsum(X[j] ** 2 for j in on))
        C.append(f * mpmath.fsum(X[j] * Y[j] for j in on))
        Bv.append(f * mpmath.fsum(Y[j] ** 2 for j in on))
    return weights, A, C, Bv


def _check_support(k: int) -> None:
    if k > EXACT_MAX_DIM:
        raise InvalidArgument("x", f"inputs with {k} non-zero coordinates",
                              f"a masked first layer is averaged exactly over 2^k mask "
                              f"patterns, k <= {EXACT_MAX_DIM}",
                              "use inputs with fewer non-zero coordinates or a dense first layer")
    if k == 0:
        raise InvalidArgument("x", "zero inputs", "both inputs are zero",
                              "give non-zero inputs")


def check_width_ratios(arch: Architecture, width_ratios) -> tuple:
    """alpha_1..alpha_L as positive Fractions (default all 1)."""
    if width_ratios is None:
        return (Fraction(1),) * arch.depth
    values = tuple(width_ratios)
    if len(values) != arch.depth:
        raise InvalidArgument("width_ratios", list(values),
                              f"need one ratio n_h/n per hidden layer ({arch.depth})",
                              "give L positive numbers, e.g. 1,2 for n_2 = 2 n_1")
    out = []
    for v in values:
        try:
            f = Fraction(str(v).strip())
        except (ValueError, ZeroDivisionError):
            f = None
        if f is None or f <= 0:
            raise InvalidArgument("width_ratios", list(values), f"{v!r} is not a positive number",
                                  "give positive width ratios n_h/n")
        out.append(f)
    return tuple(out)


def _first_layer_stats(arch, X, Y, ops):
    weights, A, C, B = first_layer_components(arch, X, Y, ops)
    if ops.vector:
        st = neuron_stats(arch.activation, ops, A, C, B, C)
        return mix_axis(st, weights)
    parts = [neuron_stats(arch.activation, ops, a, c, b, c) for a, c, b in zip(A, C, B)]
    return mix(parts, weights)
