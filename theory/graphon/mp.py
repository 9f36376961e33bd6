"""The Graphon NTK of one input pair in mpmath, at any precision: the reference.

Deliberately the textbook recursion of :mod:`theory.graphon.float64`, block by block
on (a, b, c) triples, with no reduction to distinct blocks and no float64 tricks,
so it checks the vectorised code independently.  Graphon entries and inputs are
float64 numbers converted exactly; precision is raised until two runs agree
(as in :func:`theory.kernels.mp.limit_kernel_mp`).

>>> import mpmath
>>> from .spec import GraphonNetwork
>>> net = GraphonNetwork.constant(1, [1, "1/2"])
>>> mpmath.nstr(graphon_ntk_mp(net, [1, 0], [0, 1], dps=20).ntk, 20)   # (1/2)(1/pi)
'0.15915494309189533577'
"""

from __future__ import annotations

import mpmath

from .._errors import InvalidArgument, check_dps
from ..closed_forms import V_mp, Vdot_mp
from ..kernels.geometry import as_inputs
from ..kernels.mp import MpKernel, adaptive_precision
from .spec import GraphonNetwork

__all__ = ["graphon_ntk_mp"]


def _exact(v) -> mpmath.mpf:
    return mpmath.mpf(float(v))


def _mean(values) -> mpmath.mpf:
    values = list(values)
    return mpmath.fsum(values) / len(values)


def _evaluate(net: GraphonNetwork, x, y):
    act = net.activation
    d0 = len(x)
    Gs = [[[_exact(v) for v in row] for row in net.graphon(h, d0)]
          for h in range(1, net.depth + 2)]
    Vs = [[[_exact(v) for v in row] for row in net.variance(h, d0)]
          for h in range(1, net.depth + 2)]
    # r_h^2: 1 / (exact mean of G_h) when rescaled
    scales = [1 / _mean(v for row in G for v in row)
              if net.rescale and net.layers[h] is not None else mpmath.mpf(1)
              for h, G in enumerate(Gs)]
    xs, ys = [_exact(v) for v in x], [_exact(v) for v in y]
    s = scales[0]

    def gram(row, p, q):
        return s * mpmath.fsum(g * u * v for g, u, v in zip(row, p, q))

    # forward covariances use the second moments V; a layer's own kept weights count with G
    cov = [tuple(gram(row, p, q) for p, q in ((xs, xs), (ys, ys), (xs, ys))) for row in Vs[0]]
    theta = [gram(row, xs, ys) for row in Gs[0]]
    for h in range(2, net.depth + 2):
        G, V, s = Gs[h - 1], Vs[h - 1], scales[h - 1]
        post = [(V_mp(act, a, a, a), V_mp(act, b, b, b), V_mp(act, a, b, c)) for a, b, c in cov]
        drive = [Vdot_mp(act, a, b, c) * t for (a, b, c), t in zip(cov, theta)]
        cov = [tuple(s * _mean(v * p[i] for v, p in zip(vrow, post)) for i in range(3))
               for vrow in V]
        theta = [s * (_mean(g * p[2] for g, p in zip(grow, post))
                      + _mean(v * dr for v, dr in zip(vrow, drive)))
                 for grow, vrow in zip(G, V)]
    return theta[0], cov[0][2]


def graphon_ntk_mp(net: GraphonNetwork, x, y, *, dps: int = 50) -> MpKernel:
    """Graphon NTK and NNGP of the pair (x, y) at ``dps`` significant digits.

    The first layer is the graphon (mean-field) covariance ``sum_j V1[a, j] x_j y_j``
    (V = G without a second-moment profile).
    """
    if not isinstance(net, GraphonNetwork):
        raise InvalidArgument("net", type(net).__name__, "not a GraphonNetwork",
                              "build one with GraphonNetwork.from_layers(...)")
    dps = check_dps(dps)
    x = as_inputs(x, "x")[0]
    y = as_inputs(y, "y")[0]
    if x.shape != y.shape:
        raise InvalidArgument("y", f"a vector of length {y.shape[0]}",
                              f"x has length {x.shape[0]}", "give x and y the same length")
    if net.input_dim is not None and net.input_dim != x.shape[0]:
        raise InvalidArgument("x", f"a vector of length {x.shape[0]}",
                              f"G1 has {net.input_dim} columns", f"give {net.input_dim} coordinates")
    return adaptive_precision(dps, lambda: _evaluate(net, x, y))
