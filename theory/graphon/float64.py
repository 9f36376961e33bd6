r"""The Graphon NTK in float64: Gram matrices, vectorised over pairs and blocks.

Derivation (our conventions, THEORY section 1; neuron i of a width-n_h layer sits
in block a(i) = floor(i K_h / n_h), and widths grow with K fixed).  Conditionally on
layer h, the pre-activation f^(h+1)_i of a neuron in block a is Gaussian with
covariance ``r^2 (c_sigma / n_h) sum_j M_ij sigma(f_j(x)) sigma(f_j(x'))``; the kept
neurons j of block b are a G(a, b) fraction of the block's n_h / K_h, so the sum is
a block average::

    K^(1)_a(x, x')   = r_1^2 sum_j G_1[a, j] x_j x'_j                (mean-field first layer)
    Sigma^(h)_b      = V(K^(h)_b),   Sigma-dot^(h)_b = Vdot(K^(h)_b)
    K^(h+1)_a        = r_{h+1}^2 (1/K_h) sum_b G_{h+1}[a, b] Sigma^(h)_b
    Theta^(1)_a      = K^(1)_a
    Theta^(h+1)_a    = r_{h+1}^2 (1/K_h) sum_b G_{h+1}[a, b] (Sigma^(h)_b + Sigma-dot^(h)_b Theta^(h)_b)
    NTK = Theta^(L+1)_1,   NNGP = K^(L+1)_1        (K_{L+1} = 1)

``Theta^(h)_a`` is the NTK of a pre-activation at position a with respect to the
weights of layers 1..h: the kept weights of layer h+1 contribute the forward term,
the earlier layers reach it through ``W_ij^2 M_ij`` (mean G(a, b)) times
``sigma'(f_j(x)) sigma'(f_j(x'))``.  Unrolled, the NTK is the sum of layer
contributions ``(1/K_h) sum_a beta^(h)_a K^(h)_a`` with the position-dependent
backward signal ``beta^(h)_b = Sigma-dot^(h)_b r_{h+1}^2 (1/K_{h+1}) sum_a G_{h+1}[a, b]
beta^(h+1)_a``, ``beta^(L+1) = 1`` (see :mod:`theory.graphon.latex`); the backward
cross terms vanish as in the dense derivation (the weights of different neurons are
independent and centred).  With G = 1 it is the dense NTK; with constant G_h = q_h it
is the pruned limit of claim C1.  With a second-moment profile V_h (weights selected
by value, :class:`~theory.graphon.spec.GraphonNetwork` ``variances``), V_h replaces G_h
in K^(h) and in the ``Sigma-dot Theta`` term, and G_h stays on the ``Sigma`` term (the
count of trainable weights); K^(1) uses V_1 and Theta^(1) uses G_1.

Numerics.  Blocks with the same (aggregated) row of G compute the same kernel, so
each layer is reduced to its distinct blocks first (a dense or constant layer costs
one block).  Pairs are independent: the Gram is computed in tiles of rows, each a
(blocks, rows, columns) array, so memory stays bounded.  For ReLU the angle of a
mixed covariance is kept accurate near correlation 1 like the mask average of claim
C5: ``1 - cos`` is a Cauchy-Schwarz gap (a weighted variance of the variance
ratios) plus the mixed ``sqrt(ab)(1 - J)``, free of cancellation.

>>> import numpy as np
>>> from .spec import GraphonNetwork
>>> X = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0]])
>>> net = GraphonNetwork.from_layers({2: [[1.0, 0.2], [0.2, 1.0]], 3: [[0.5, 1.0]]}, depth=2)
>>> k = graphon_ntk(net, X)
>>> k.ntk.shape, k.blocks
((2, 2), (3, 2, 2, 1))
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .._errors import InvalidArgument, check_int
from ..kernels.dual_np import STEPS
from ..kernels.first_layer import EXACT_MAX_DIM, relu_one_minus_cos
from ..kernels.geometry import PairGeometry, as_inputs
from .first_layer import first_layer_exact, first_layer_mean_field, weighted_gram
from .spec import GraphonNetwork

__all__ = ["GraphonKernel", "graphon_ntk", "graphon_memory", "effective_layers",
           "GRAPHON_FIRST_LAYER", "DEFAULT_WORK_BYTES"]

GRAPHON_FIRST_LAYER = ("mean_field", "exact")
DEFAULT_WORK_BYTES = 32 << 20    # tile work space: 384 MiB took 1.5x as long (memory-bound tiles)
_ARRAYS_PER_TILE = 24            # live (blocks x rows x cols) float64 arrays, measured upper bound


@dataclass(frozen=True)
class GraphonKernel:
    """The Graphon NTK and NNGP Gram matrices of ``net`` on the inputs.

    ``blocks`` are (K_0, ..., K_{L+1}); ``effective_blocks`` the distinct blocks
    actually computed per layer 1..L; ``method`` says how the first layer was treated.
    """

    net: GraphonNetwork
    ntk: np.ndarray
    nngp: np.ndarray
    method: str
    blocks: tuple
    effective_blocks: tuple


def effective_layers(net: GraphonNetwork, d0: int):
    """Distinct blocks per layer: ``(first_rows, mixers)``.

    ``first_rows`` = (G rows, V rows), each (E_1, d0): the distinct rows of (G_1, V_1)
    taken together; ``mixers[h-2]`` = (wG, wV), each (E_h, E_{h-1}): the distinct rows
    of (1/K_{h-1}) (G_h, V_h) summed over the columns of each distinct block below,
    for h = 2..L+1 (E_{L+1} = 1).  Without a second-moment profile V = G and the two
    members are the same array.
    """
    profiled = net.variances is not None

    def split(rows, width):
        return (rows[:, :width], rows[:, width:]) if profiled else (rows, rows)

    G1 = net.graphon(1, d0)
    both = np.hstack([G1, net.variance(1, d0)]) if profiled else G1
    rows, inverse = np.unique(both, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    first_rows, mixers = split(rows, d0), []
    for h in range(2, net.depth + 2):
        parts = [net.graphon(h, d0)] + ([net.variance(h, d0)] if profiled else [])
        aggs = []
        for M in parts:
            agg = np.zeros((M.shape[0], rows.shape[0]))
            np.add.at(agg.T, inverse, M.T)
            aggs.append(agg / M.shape[1])
        rows, inverse = np.unique(np.hstack(aggs), axis=0, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
        mixers.append(split(rows, aggs[0].shape[1]))
    return first_rows, mixers


def _mix(w: np.ndarray, arr: np.ndarray) -> np.ndarray:
    """sum_b w[a, b] arr[b, ...] for a (E_h, E_{h-1}) mixer."""
    shape = arr.shape
    out = w @ np.ascontiguousarray(arr.reshape(shape[0], -1))
    return out.reshape((w.shape[0],) + shape[1:])


_REFINE_COS = 0.9   # above this correlation, 1 - cos of a mixed ReLU kernel is refined


@dataclass
class _State:
    """Post-activation statistics of one layer's distinct blocks on a tile of pairs."""

    A: np.ndarray      # Sigma_b(x, x),   (E, T, 1)
    B: np.ndarray      # Sigma_b(x', x'), (E, 1, C)
    S: np.ndarray      # Sigma_b(x, x'),  (E, T, C)
    D: np.ndarray      # Sigma-dot_b Theta_b, (E, T, C)
    post: PairGeometry | None  # angle of Sigma_b (ReLU: cos = J accurate, for the refinement)


def _after_step(g0: PairGeometry, theta: np.ndarray, activation: str) -> _State:
    nngp, deriv, nxt = STEPS[activation](g0)
    deriv *= theta
    return _State(np.broadcast_to(nxt.var_x, nngp.shape[:-1] + (1,)),
                  np.broadcast_to(nxt.var_y, nngp.shape[:-2] + (1, nngp.shape[-1])),
                  nngp, deriv, nxt if activation == "relu" else None)


def _refined_one_minus_cos(w: np.ndarray, st: _State, rows, cols) -> np.ndarray:
    """1 - cos of sum_b w_ab Sigma_b at the pairs (rows[k], cols[k]), shape (E_h, P).

    A Cauchy-Schwarz gap written as an A-weighted variance of the ratios
    rho_b = sqrt(B_b / A_b) about a reference ratio, plus the mixed sqrt(A B)(1 - J),
    as in the mask average of claim C5 (``relu_one_minus_cos``): no cancellation.
    """
    # contiguous copies: NumPy multiplies oddly strided operands without BLAS (~1000x slower)
    A = np.ascontiguousarray(st.A[:, rows, 0])
    B = np.ascontiguousarray(st.B[:, 0, cols])
    cos, sin = st.post.cos[:, rows, cols], st.post.sin[:, rows, cols]
    root_ab = np.sqrt(A * B)
    with np.errstate(invalid="ignore", divide="ignore"):
        one_minus_j = np.where(cos > 0, sin * sin / (1.0 + cos), 1.0 - cos)
        mean_a, mean_b = A.mean(axis=0), B.mean(axis=0)
        ref = np.where(mean_a > 0, np.sqrt(mean_b / np.where(mean_a > 0, mean_a, 1.0)), 0.0)
        dev = np.where(A > 0, np.sqrt(B / np.where(A > 0, A, 1.0)), 0.0) - ref
    adev = A * dev
    dead = A == 0
    z = w @ (B * dead) if np.any(dead) else 0.0
    return relu_one_minus_cos(w @ A, w @ B, w @ adev, w @ (adev * dev), w @ root_ab,
                               w @ (root_ab * one_minus_j), z)


def _mixed_geometry(w: np.ndarray, st: _State, scale: float) -> PairGeometry:
    """Geometry of K_a = scale * sum_b w_ab Sigma_b, accurate near correlation 1 for ReLU.

    Below correlation 0.9 the plain covariance-to-angle route loses at most a few
    ulps of 1 - cos; above it (few pairs, unless inputs are nearly parallel) the
    refined 1 - cos is computed on those pairs only.
    """
    va, vb = _mix(w, st.A), _mix(w, st.B)
    cov = _mix(w, st.S)
    geom = PairGeometry.from_covariance(va * scale, vb * scale, cov * scale)
    if st.post is None:
        return geom
    near = geom.cos > _REFINE_COS
    rows, cols = np.nonzero(np.any(near, axis=0))
    if rows.size == 0:
        return geom
    omc = _refined_one_minus_cos(w, st, rows, cols)
    cos, sin = geom.cos, geom.sin           # fresh arrays of from_covariance: edit in place
    sel = near[:, rows, cols]
    cos[:, rows, cols] = np.where(sel, 1.0 - omc, cos[:, rows, cols])
    sin[:, rows, cols] = np.where(sel, np.sqrt(np.maximum(omc, 0.0) * (2.0 - omc)),
                                  sin[:, rows, cols])
    return PairGeometry(geom.var_x, geom.var_y, cos, sin)


def _first_mean_field(net, rows1, Xt, Yt, r2) -> _State:
    g_rows, v_rows = rows1
    g0 = first_layer_mean_field(v_rows, Xt, Yt, r2)
    theta = g0.cov if g_rows is v_rows else r2 * weighted_gram(g_rows, Xt, Yt)
    return _after_step(g0, theta, net.activation)


def _first_exact(net, rows1, Xt, Yt, r2) -> _State:
    A, B, S, D, cos, sin = first_layer_exact(rows1[0], Xt, Yt, r2, net.activation)
    post = PairGeometry(A, B, cos, sin) if net.activation == "relu" else None
    return _State(A, B, S, D, post)


def _tile(net, rows1, mixers, scales, Xt, Yt, first_layer):
    build = _first_mean_field if first_layer == "mean_field" else _first_exact
    st = build(net, rows1, Xt, Yt, scales[0])
    for h, (wg, wv) in enumerate(mixers, start=2):
        s = scales[h - 1]
        # the kept weights of layer h count with the density G, the rest with V
        theta = _mix(wg, st.S + st.D) if wg is wv else _mix(wg, st.S) + _mix(wv, st.D)
        theta *= s
        if h == net.depth + 1:
            return theta[0], _mix(wv, st.S)[0] * s
        st = _after_step(_mixed_geometry(wv, st, s), theta, net.activation)
    raise AssertionError("unreachable")


def graphon_memory(net: GraphonNetwork, n_x: int, n_y: int | None = None, *,
                   work_bytes: int = DEFAULT_WORK_BYTES, input_dim: int = 0) -> int:
    """Peak bytes of :func:`graphon_ntk` (mean-field first layer): the two outputs, the
    per-input arrays and one tile - ``work_bytes``, or one row's work if that is larger
    (rows are not split).  ``input_dim`` defaults to the graphon's d0.

    >>> net = GraphonNetwork.constant(2, [1, 0.5, 0.5])
    >>> graphon_memory(net, 1000) < graphon_memory(net, 2000)
    True
    """
    n_x = check_int(n_x, "n_x", 1)
    n_y = n_x if n_y is None else check_int(n_y, "n_y", 1)
    d0 = net.input_dim or check_int(input_dim, "input_dim", 0)
    widest = max(k for k in net.blocks[1:] if k is not None)
    one_row = (_ARRAYS_PER_TILE * n_y + d0) * widest * 8
    out = 2 * n_x * n_y * 8
    per_input = 4 * (n_x + n_y) * (widest + d0) * 8
    return out + per_input + max(check_int(work_bytes, "work_bytes", 1), one_row)


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def graphon_ntk(net: GraphonNetwork, X, Y=None, *, first_layer: str = "mean_field",
                work_bytes: int = DEFAULT_WORK_BYTES,
                memory_limit: int | None = None) -> GraphonKernel:
    """Graphon NTK and NNGP Gram matrices (N x N for ``Y=None``, else N x M), float64.

    ``first_layer="mean_field"`` is the graphon treatment (K^(1)_a is the
    G_1-weighted inner product); ``"exact"`` averages the first layer's dual maps
    over the masks Bernoulli(G_1[a, j]) of the non-zero input coordinates (at most
    16), the analogue of claim C5 at fixed d0.  ``work_bytes`` bounds one tile's work
    space; a request over ``memory_limit`` bytes (default: half the physical memory)
    is refused with an estimate.
    """
    if not isinstance(net, GraphonNetwork):
        raise InvalidArgument("net", type(net).__name__, "not a GraphonNetwork",
                              "build one with GraphonNetwork.from_layers(...)")
    if first_layer not in GRAPHON_FIRST_LAYER:
        raise InvalidArgument("first_layer", first_layer, "unknown method",
                              f"choose one of {', '.join(GRAPHON_FIRST_LAYER)}")
    X = as_inputs(X, "X")
    sym = Y is None
    Yv = X if sym else as_inputs(Y, "Y")
    if Yv.shape[1] != X.shape[1]:
        raise InvalidArgument("Y", f"inputs of dimension {Yv.shape[1]}",
                              f"X has dimension {X.shape[1]}", "give both the same dimension")
    d0 = X.shape[1]
    if net.input_dim is not None and net.input_dim != d0:
        raise InvalidArgument("X", f"inputs of dimension {d0}",
                              f"G1 has {net.input_dim} columns (K_0 = d0)",
                              f"give inputs of dimension {net.input_dim}")
    n_x, n_y = X.shape[0], Yv.shape[0]
    limit = _physical_memory() // 2 if memory_limit is None else \
        check_int(memory_limit, "memory_limit", 1)
    need = graphon_memory(net, n_x, None if sym else n_y, work_bytes=work_bytes, input_dim=d0)
    if need > limit:
        raise InvalidArgument("X", f"{n_x} x {n_y} Gram matrix",
                              f"needs about {need / 2**30:.3g} GiB, over the limit of "
                              f"{limit / 2**30:.3g} GiB",
                              "use fewer inputs or raise memory_limit")
    rows1, mixers = effective_layers(net, d0)
    if first_layer == "exact":
        if net.variances is not None:
            raise InvalidArgument("first_layer", first_layer, "the exact mask average assumes "
                                  "Gaussian weights independent of the mask",
                                  "use first_layer='mean_field' with a second-moment profile")
        k = int(np.count_nonzero(np.any(X != 0, axis=0) | np.any(Yv != 0, axis=0)))
        if k > EXACT_MAX_DIM:
            raise InvalidArgument("first_layer", first_layer,
                                  f"exact averaging needs <= {EXACT_MAX_DIM} non-zero input "
                                  f"coordinates, these inputs have {k}",
                                  "use first_layer='mean_field' or fewer coordinates")
    widest = max([rows1[0].shape[0]] + [w[0].shape[0] for w in mixers])
    per_row = (_ARRAYS_PER_TILE * n_y + d0) * widest * 8   # + the weighted input copies
    if first_layer == "exact":
        per_row *= 1 << k
    tile = max(1, check_int(work_bytes, "work_bytes", 1) // per_row)
    scales = net.layer_scales()
    ntk = np.empty((n_x, n_y))
    nngp = np.empty((n_x, n_y))
    for p0 in range(0, n_x, tile):
        p1 = min(n_x, p0 + tile)
        c0 = p0 if sym else 0       # symmetric: the upper trapezoid, mirrored below
        t_ntk, t_nngp = _tile(net, rows1, mixers, scales, X[p0:p1], Yv[c0:], first_layer)
        ntk[p0:p1, c0:] = t_ntk
        nngp[p0:p1, c0:] = t_nngp
    if sym:
        lower = np.tril_indices(n_x, -1)
        ntk[lower] = ntk.T[lower]
        nngp[lower] = nngp.T[lower]
    method = ("first layer: graphon (mean-field) covariance sum_j G1[a,j] x_j x'_j"
              if first_layer == "mean_field" else
              "first layer: exact average over Bernoulli(G1[a,j]) masks of the input coordinates")
    return GraphonKernel(net, ntk, nngp, method, (d0,) + net.blocks[1:],
                         (rows1[0].shape[0],) + tuple(w[0].shape[0] for w in mixers[:-1]))
