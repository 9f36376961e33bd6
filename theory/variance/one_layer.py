"""One hidden layer: the exact mean and variance of Theta_n(x, y) at every width.

Theta_n(x, y) = (1/n) sum_i T_i with i.i.d. neuron terms (layer 2 = readout, s = r_2^2 q_2)

    T_i = c_s S_i^2 [ s(u_i) s(v_i) + W_i^2 s'(u_i) s'(v_i) kappa_i ],

S_i = r_2 M_i the readout mask, W_i ~ N(0, 1), (u_i, v_i) the first-layer pre-activations
and kappa_i = r_1^2 sum_j M1_ij x_j y_j the neuron's first-layer NTK (x.y when dense).
S_i, W_i and the first layer are independent, E S^2 = s, E S^4 = s^2/q, E W^4 = 3, so

    E Theta_n = s (m2 + m4) = Theta_lim                          (no finite-width correction)
    n Var Theta_n = s^2 [ (S22 + 2 S24 + 3 S44)/q_2 - (m2 + m4)^2 ]  (exact, every n)

with m, S the first-layer neuron moments of :mod:`theory.variance.duals` (a mixture over
first-layer mask rows when layer 1 is masked).  :func:`one_layer_sym` gives the ReLU
closed form in a = |x|^2, b = |y|^2, theta, q.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from .._errors import InvalidArgument
from ..config import Architecture
from .first_layer import _first_layer_stats
from .ops import MPMATH, NUMPY
from .relu_gauss import relu_moment_closed

__all__ = ["OneLayerMoments", "one_layer_moments", "one_layer_sym"]


@dataclass(frozen=True)
class OneLayerMoments:
    """Exact E Theta_n (= the limit) and n Var Theta_n (independent of n) of a depth-1 net."""

    mean: object
    n_var: object

    def var_at_width(self, width: int):
        return self.n_var / width


def one_layer_moments(arch: Architecture, x, y, *, dps: int | None = None) -> OneLayerMoments:
    """The exact finite-width mean and n Var of a one-hidden-layer network.

    >>> m = one_layer_moments(Architecture.pruned(1, "0.5", rescale=True), [1.0, 0.0], [1.0, 0.0])
    >>> float(m.mean[0]), float(m.n_var[0])     # (6 + 4 + 6) / (1/2) - 4
    (2.0, 28.0)
    """
    if not isinstance(arch, Architecture) or arch.depth != 1:
        raise InvalidArgument("arch", getattr(arch, "depth", arch), "not a depth-1 architecture",
                              "use Architecture.pruned(1, ...); deeper nets: variance_terms")
    q = arch.keep_probs[1] if 2 in arch.masked_layers else Fraction(1)
    s = arch.layer_scales()[1]
    if dps is None:
        ops = NUMPY
        x, y = np.atleast_2d(np.asarray(x, float)), np.atleast_2d(np.asarray(y, float))
        st = _first_layer_stats(arch, x, y, ops)
        sf, qf = float(s), float(q)
    else:
        import mpmath
        with mpmath.workdps(dps):
            st = _first_layer_stats(arch, list(x), list(y), MPMATH)
            sf = mpmath.mpf(s.numerator) / s.denominator
            qf = mpmath.mpf(q.numerator) / q.denominator
    mean = sf * (st["m2"] + st["m4"])
    second = sf ** 2 * (st["S22"] + 2 * st["S24"] + 3 * st["S44"]) / qf
    return OneLayerMoments(mean, second - mean ** 2)


def one_layer_sym(rescale: bool = False):
    """(E Theta_n, n Var Theta_n) of a ReLU net with a dense first layer, in SymPy.

    Symbols: a = |x|^2, b = |y|^2, theta (angle of x, y), q (readout keep probability).
    Derived from the neuron term: E over the readout (Bernoulli and Gaussian moments,
    integrated here) times the ReLU moments J_mk of :mod:`theory.variance.relu_gauss`.

    >>> mean, nvar = one_layer_sym()
    >>> a, b, theta, q = sp.symbols("a b theta q", positive=True)
    >>> sp.simplify(nvar.subs({a: 1, b: 1, theta: 0, q: 1}))
    12
    """
    a, b, theta = sp.symbols("a b theta", positive=True)
    q = sp.Symbol("q", positive=True)
    w = sp.Symbol("w", real=True)
    gauss = sp.exp(-w ** 2 / 2) / sp.sqrt(2 * sp.pi)
    EW2 = sp.integrate(w ** 2 * gauss, (w, -sp.oo, sp.oo))
    EW4 = sp.integrate(w ** 4 * gauss, (w, -sp.oo, sp.oo))
    r2 = 1 / q if rescale else sp.Integer(1)
    ES2, ES4 = r2 * q, r2 ** 2 * q            # S = r M, M ~ Bernoulli(q)
    J = {mk: relu_moment_closed(*mk) for mk in ((0, 0), (1, 1), (2, 2))}
    kappa = sp.sqrt(a * b) * sp.cos(theta)
    c = 2
    # T = c S^2 [relu(u) relu(v) + W^2 1{u>0} 1{v>0} kappa]
    mean = c * ES2 * (J[(1, 1)] + EW2 * J[(0, 0)] * kappa)
    second = c ** 2 * ES4 * (J[(2, 2)] + 2 * EW2 * J[(1, 1)] * kappa + EW4 * J[(0, 0)] * kappa ** 2)
    return sp.simplify(mean), sp.expand(second - mean ** 2)
