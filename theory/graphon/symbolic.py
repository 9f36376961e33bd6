"""Exact (SymPy) Graphon NTK for symbolic step graphons.

:func:`graphon_ntk_sym` runs the recursion of :mod:`theory.graphon.float64` with SymPy
matrices ``G_h`` whose entries may be rationals or symbols, block by block (sums of
identical terms collapse, so a constant graphon costs one block).  The inputs are
either two vectors (any first layer) or the entries (|x|^2, |x'|^2, x.x') with a
dense first layer.  The proofs that use it are in :mod:`theory.graphon.proofs`.

>>> import sympy as sp
>>> half = sp.Rational(1, 2)
>>> k = graphon_ntk_sym([None, sp.Matrix([[half, 1]])], x=[1, 0], y=[1, 0])
>>> k.ntk, k.nngp            # depth 1, two blocks of density 1/2 and 1, parallel unit inputs
(3/2, 3/4)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import sympy as sp

from .._errors import InvalidArgument
from ..closed_forms import V_sym, Vdot_sym
from ..config import ACTIVATIONS

__all__ = ["SymbolicGraphonKernel", "graphon_ntk_sym", "as_symbolic_layers"]


@dataclass(frozen=True)
class SymbolicGraphonKernel:
    """NTK and NNGP of a pair as SymPy expressions, with the per-layer blocks' entries.

    ``cov[h-1]`` lists, per block of layer h, the triple (K(x,x), K(x',x'), K(x,x'))
    and ``theta[h-1]`` the per-block Theta^(h)(x, x'); ``scales`` are r_h^2.
    """

    ntk: sp.Expr
    nngp: sp.Expr
    cov: tuple
    theta: tuple
    scales: tuple


def as_symbolic_layers(layers: Sequence) -> tuple:
    """Validate a list of L+1 SymPy matrices (or None for dense) for the symbolic recursion."""
    if len(layers) < 2:
        raise InvalidArgument("layers", f"{len(layers)} layer(s)", "need at least two",
                              "give G1..G{L+1} (None for dense layers)")
    out = []
    for h, G in enumerate(layers, start=1):
        if G is None:
            out.append(None)
            continue
        M = sp.Matrix(G)
        if 0 in M.shape:
            raise InvalidArgument(f"G{h}", f"matrix of shape {M.shape}", "empty",
                                  "give a (K_h, K_{h-1}) matrix")
        for v in M:
            if v.is_number and not (0 <= v <= 1):
                raise InvalidArgument(f"G{h}", str(v), "graphon values are probabilities",
                                      "give values in [0, 1] (or symbols)")
        out.append(M)
    if out[-1] is not None and out[-1].shape[0] != 1:
        raise InvalidArgument(f"G{len(out)}", f"matrix of shape {out[-1].shape}",
                              "the output layer has one neuron", f"give G{len(out)} one row")
    for h in range(2, len(out) + 1):
        lo, hi = out[h - 2], out[h - 1]
        if lo is not None and hi is not None and hi.shape[1] != lo.shape[0]:
            raise InvalidArgument(f"G{h}", f"matrix of shape {hi.shape}",
                                  f"G{h - 1} has {lo.shape[0]} rows",
                                  f"give G{h} {lo.shape[0]} columns")
    return tuple(out)


def _full(layers, h, d0):
    """G_h, with a dense layer as a ones matrix of the neighbours' block counts."""
    G = layers[h - 1]
    if G is not None:
        return G
    rows = 1 if h == len(layers) else (layers[h].shape[1] if layers[h] is not None else 1)
    if h == 1:
        return sp.ones(rows, d0) if d0 is not None else None
    below = layers[h - 2]
    return sp.ones(rows, below.shape[0] if below is not None else 1)


def graphon_ntk_sym(layers: Sequence, x=None, y=None, *, entries=None, activation: str = "relu",
                    rescale: bool = False, maps=None) -> SymbolicGraphonKernel:
    """The Graphon NTK of a pair for SymPy step graphons ``layers`` = (G_1, ..., G_{L+1}).

    Give the inputs as vectors ``x``, ``y``, or (dense first layer only) as
    ``entries=(xx, yy, xy)``.  ``maps=(V, Vdot)`` replaces the closed forms of
    ``activation`` (e.g. undefined ``sympy.Function`` objects: any activation).
    ``rescale`` multiplies layer h by r_h^2 = 1 / mean(G_h).
    """
    layers = as_symbolic_layers(layers)
    if maps is None:
        if activation not in ACTIVATIONS:
            raise InvalidArgument("activation", activation, "unknown activation",
                                  f"choose one of {', '.join(ACTIVATIONS)}")
        V = lambda a, b, c: V_sym(activation, a, b, c)          # noqa: E731
        Vdot = lambda a, b, c: Vdot_sym(activation, a, b, c)    # noqa: E731
    else:
        V, Vdot = maps
    L1 = len(layers)
    scales = []
    for h in range(1, L1 + 1):
        G = layers[h - 1]
        scales.append(sp.Integer(1) if not rescale or G is None
                      else 1 / (sum(G) / (G.shape[0] * G.shape[1])))
    if entries is not None:
        if layers[0] is not None or x is not None or y is not None:
            raise InvalidArgument("entries", entries, "entries fix only a dense first layer",
                                  "give vectors x and y for a masked first layer")
        xx, yy, xy = (sp.sympify(v) for v in entries)
        rows = layers[1].shape[1] if layers[1] is not None else 1
        cov = [(xx, yy, xy)] * rows
    else:
        if x is None or y is None or len(x) != len(y):
            raise InvalidArgument("y", y, "need two input vectors of the same length",
                                  "pass x and y (or entries=(xx, yy, xy))")
        xs, ys = [sp.sympify(v) for v in x], [sp.sympify(v) for v in y]
        G1 = _full(layers, 1, len(xs))
        if G1.shape[1] != len(xs):
            raise InvalidArgument("x", f"a vector of length {len(xs)}",
                                  f"G1 has {G1.shape[1]} columns", "match d0")
        s = scales[0]
        cov = [tuple(s * sum(G1[a, j] * p[j] * q[j] for j in range(len(xs)))
                     for p, q in ((xs, xs), (ys, ys), (xs, ys))) for a in range(G1.shape[0])]
    covs, thetas = [tuple(cov)], [tuple(c[2] for c in cov)]
    theta = list(thetas[0])
    for h in range(2, L1 + 1):
        G, s = _full(layers, h, None), scales[h - 1]
        K = G.shape[1]
        if K != len(cov):
            raise InvalidArgument(f"G{h}", f"matrix of shape {G.shape}",
                                  f"layer {h - 1} has {len(cov)} blocks", "match the block counts")
        post = [(V(a, a, a), V(b, b, b), V(a, b, c)) for a, b, c in cov]
        drive = [Vdot(a, b, c) * t for (a, b, c), t in zip(cov, theta)]
        cov = [tuple(s * sp.Add(*(G[r, k] * post[k][i] for k in range(K))) / K for i in range(3))
               for r in range(G.shape[0])]
        theta = [s * sp.Add(*(G[r, k] * (post[k][2] + drive[k]) for k in range(K))) / K
                 for r in range(G.shape[0])]
        covs.append(tuple(cov))
        thetas.append(tuple(theta))
    return SymbolicGraphonKernel(theta[0], cov[0][2], tuple(covs), tuple(thetas), tuple(scales))
