"""The Graphon NTK (theory.graphon): reductions, three independent evaluators, accuracy,
the first-layer boundary, the proofs, the LaTeX export and the G.npz reader.

References are independent of the code under test: the dense and i.i.d.-pruned
limit kernels (theory.kernels), the mpmath textbook recursion (block by block, no
reduction to distinct blocks), exact SymPy evaluation, and relabelling invariance.
Errors are measured on the kernel's own scale sqrt(Theta(x,x) Theta(y,y)) because an
off-diagonal entry can be a cancelling sum close to 0 (then a relative error means
nothing about the arithmetic).
"""

from __future__ import annotations

import re

import mpmath
import numpy as np
import pytest
import sympy as sp

from theory import Architecture, InvalidArgument, limit_kernel, limit_kernel_mp
from theory.graphon import (
    GraphonNetwork,
    graphon_first_layer_gap,
    graphon_latex,
    graphon_ntk,
    graphon_ntk_mp,
    graphon_ntk_sym,
    load_graphon_file,
    prove_graphon_constant,
    prove_graphon_dense,
    save_graphon_file,
)
from theory.symbolic.proofs import check_monomial_factor
from theory.symbolic.recursion import input_symbols, symbolic_kernel


def scaled_error(a: np.ndarray, b: np.ndarray) -> float:
    d = np.sqrt(np.abs(np.outer(np.diag(b), np.diag(b))))
    return float(np.max(np.abs(a - b) / d))


def random_inputs(n=40, d=8, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d))


def random_net(depth=3, d0=6, seed=3, **kw):
    rng = np.random.default_rng(seed)
    K = [d0] + [int(k) for k in rng.integers(2, 6, size=depth)] + [1]
    layers = {h: rng.uniform(size=(K[h], K[h - 1])) for h in range(1, depth + 2)}
    return GraphonNetwork.from_layers(layers, depth, **kw)


@pytest.mark.parametrize("activation", ["relu", "erf"])
@pytest.mark.parametrize("rescale", [False, True])
@pytest.mark.parametrize("depth", [1, 2, 4])
def test_all_ones_graphon_is_the_dense_limit(activation, rescale, depth):
    X = random_inputs()
    dense = limit_kernel(Architecture.pruned(depth, activation=activation), X)
    for K in (1, 5):
        layers = {h: np.ones((K, K)) for h in range(2, depth + 1)}
        layers[depth + 1] = np.ones((1, K))
        layers[1] = np.ones((K, X.shape[1]))
        net = GraphonNetwork.from_layers(layers, depth, rescale=rescale, activation=activation)
        k = graphon_ntk(net, X)
        assert scaled_error(k.ntk, dense.ntk) <= 1e-14
        assert scaled_error(k.nngp, dense.nngp) <= 1e-14


@pytest.mark.parametrize("activation", ["relu", "erf"])
@pytest.mark.parametrize("rescale", [False, True])
def test_constant_graphon_is_the_iid_pruned_limit(activation, rescale):
    X = random_inputs(seed=1)
    qs = [1, 0.3, 0.7, 0.5]
    arch = Architecture.pruned(3, qs, rescale=rescale, activation=activation)
    ref = limit_kernel(arch, X)
    net = GraphonNetwork.constant(3, qs, blocks=4, rescale=rescale, activation=activation)
    k = graphon_ntk(net, X)
    assert k.effective_blocks == (1, 1, 1)
    assert scaled_error(k.ntk, ref.ntk) <= 1e-14
    if activation == "relu" and not rescale:     # claim C1: prod q times dense
        dense = limit_kernel(arch.dense(), X)
        assert scaled_error(k.ntk, 0.3 * 0.7 * 0.5 * dense.ntk) <= 1e-14


@pytest.mark.parametrize("activation", ["relu", "erf"])
@pytest.mark.parametrize("keep", [[1, 1, 1], [1, "1/2", "3/8"]])
def test_constant_graphon_mp_matches_limit_kernel_mp(activation, keep):
    """W = 1 and constant (dyadic, so exact in float64) graphons against the i.i.d. mpmath
    reference, 38 digits."""
    net = GraphonNetwork.constant(2, keep, blocks=3, activation=activation)
    if keep[1] == 1:
        net = GraphonNetwork.from_layers({2: np.ones((3, 3)), 3: np.ones((1, 3))}, 2,
                                         activation=activation)
    arch = Architecture.pruned(2, keep, activation=activation)
    x, y = [1.0, 0.5, -0.25], [0.5, 2.0, 0.75]
    a = graphon_ntk_mp(net, x, y, dps=40)
    b = limit_kernel_mp(arch, x, y, dps=40)
    assert abs(a.ntk - b.ntk) <= mpmath.mpf(10) ** -38 * abs(b.ntk)
    assert abs(a.nngp - b.nngp) <= mpmath.mpf(10) ** -38 * abs(b.nngp)


@pytest.mark.parametrize("activation", ["relu", "erf"])
@pytest.mark.parametrize("rescale", [False, True])
def test_float64_against_mpmath_on_random_graphons(activation, rescale):
    net = random_net(activation=activation, rescale=rescale)
    X = random_inputs(n=6, d=6, seed=4)
    k = graphon_ntk(net, X)
    ref = np.array([[float(graphon_ntk_mp(net, X[i], X[j], dps=30).ntk) for j in range(6)]
                    for i in range(6)])
    assert scaled_error(k.ntk, ref) <= 1e-14


@pytest.mark.parametrize("angle", [1e-3, 1e-6, 1e-9, 0.3, 0.45, 0.5, 0.7, 1.0, 2.0, 2.1, 2.3,
                                   2.8, np.pi - 1e-4, np.pi - 1e-7])
def test_relu_near_parallel_pairs_keep_their_digits(angle):
    """Mixing blocks of different variances: 1 - cos is computed without cancellation
    (the plain covariance-to-angle route loses ~1e-10 here); nearly antiparallel inputs
    keep pi - theta in the weighted first layer (exact rational arithmetic).  The angles
    0.3 .. 2.8 put the weighted first-layer correlations on both sides of the bands
    (above 0.9, below -0.5) where the plain quotient is used without refinement."""
    net = random_net()
    rng = np.random.default_rng(5)
    x, v = rng.normal(size=6), rng.normal(size=6)
    v -= v @ x / (x @ x) * x
    y = 1.3 * (np.cos(angle) * x + np.sin(angle) * v / np.linalg.norm(v) * np.linalg.norm(x))
    k = graphon_ntk(net, np.array([x, y]))
    ref = graphon_ntk_mp(net, x, y, dps=30)
    assert abs(k.ntk[0, 1] - float(ref.ntk)) <= 1e-14 * abs(float(ref.ntk))
    assert abs(k.nngp[0, 1] - float(ref.nngp)) <= 1e-14 * abs(float(ref.nngp))


@pytest.mark.parametrize("activation", ["relu", "erf"])
@pytest.mark.parametrize("rescale", [False, True])
def test_exact_sympy_matches_mpmath(activation, rescale):
    r = sp.Rational
    G = [[[1, r(1, 2)], [r(1, 4), 1], [r(1, 2), r(1, 2)]], [[1, r(1, 4), r(1, 2)], [r(3, 4), r(1, 2), 0]],
         [[r(1, 2), 1]]]
    x, y = [r(1, 2), r(-5, 4)], [r(3, 2), r(3, 4)]
    exact = graphon_ntk_sym([sp.Matrix(g) for g in G], x=x, y=y, activation=activation,
                            rescale=rescale)
    net = GraphonNetwork.from_layers({h: np.array(g, dtype=float) for h, g in enumerate(G, 1)},
                                     2, activation=activation, rescale=rescale)
    mp = graphon_ntk_mp(net, [float(v) for v in x], [float(v) for v in y], dps=40)
    with mpmath.workdps(45):
        assert abs(mpmath.mpf(str(sp.N(exact.ntk, 45))) - mp.ntk) <= mpmath.mpf(10) ** -37
        assert abs(mpmath.mpf(str(sp.N(exact.nngp, 45))) - mp.nngp) <= mpmath.mpf(10) ** -37


def test_relabelling_blocks_leaves_the_kernel_unchanged():
    """Positions are labels: permuting the blocks of a hidden layer (rows of G_h and
    columns of G_{h+1} together) must not change the NTK."""
    net = random_net(depth=2)
    X = random_inputs(n=10, d=6, seed=7)
    G = [net.graphon(h) for h in (1, 2, 3)]
    perm1 = np.random.default_rng(0).permutation(G[0].shape[0])
    perm2 = np.random.default_rng(1).permutation(G[1].shape[0])
    moved = {1: G[0][perm1], 2: G[1][perm2][:, perm1], 3: G[2][:, perm2]}
    k1 = graphon_ntk(net, X).ntk
    k2 = graphon_ntk(GraphonNetwork.from_layers(moved, 2), X).ntk
    assert scaled_error(k2, k1) <= 1e-14
    # ... but moving only one side of a layer is a different network
    wrong = {1: G[0][perm1], 2: G[1], 3: G[2]}
    assert scaled_error(graphon_ntk(GraphonNetwork.from_layers(wrong, 2), X).ntk, k1) > 1e-3


def test_tiles_and_block_reduction_do_not_change_the_result():
    net = random_net(depth=2)
    X = random_inputs(n=30, d=6, seed=8)
    whole = graphon_ntk(net, X).ntk
    tiled = graphon_ntk(net, X, work_bytes=1).ntk          # one row per tile
    assert np.array_equal(whole, whole.T)
    assert scaled_error(tiled, whole) <= 1e-15
    Y = random_inputs(n=7, d=6, seed=9)
    cross = graphon_ntk(net, X, Y).ntk
    joint = graphon_ntk(net, np.vstack([X, Y])).ntk[:30, 30:]
    assert np.max(np.abs(cross - joint)) <= 1e-14 * np.max(np.abs(joint))


def test_first_layer_exact_matches_claim_c5_and_differs_from_graphon():
    X = random_inputs(n=6, d=4, seed=1)
    for activation in ("relu", "erf"):
        net = GraphonNetwork.constant(2, [0.5, 0.5, 0.5], input_dim=4, blocks=3,
                                      activation=activation)
        arch = Architecture.pruned(2, 0.5, prune_first_layer=True, activation=activation)
        gap = graphon_first_layer_gap(net, X)
        exact = limit_kernel(arch, X, first_layer="exact").ntk
        mean_field = limit_kernel(arch, X, first_layer="mean_field").ntk
        assert scaled_error(gap.exact.ntk, exact) <= 1e-14
        assert scaled_error(gap.graphon.ntk, mean_field) <= 1e-14
        assert gap.max_scaled_gap > 1e-3      # the graphon first layer is not exact at d0 = 4


def test_first_layer_exact_for_nonconstant_graphon_by_enumeration():
    """One hidden layer, one input pair, d0 = 3: the mask average computed by hand from
    the 8 patterns (closed-form ReLU maps in mpmath) against the vectorised average."""
    from theory.closed_forms import V_mp, Vdot_mp
    G1 = np.array([[0.9, 0.2, 0.5], [0.3, 0.6, 1.0]])
    G2 = np.array([[1.0, 0.4]])
    net = GraphonNetwork.from_layers({1: G1, 2: G2}, 1)
    x, y = np.array([1.0, -0.5, 0.25]), np.array([0.3, 0.8, -1.1])
    total = mpmath.mpf(0)
    for a in range(2):
        block = mpmath.mpf(0)
        for code in range(8):
            m = [(code >> j) & 1 for j in range(3)]
            w = np.prod([G1[a, j] if m[j] else 1 - G1[a, j] for j in range(3)])
            kxx, kyy, kxy = (sum(m[j] * u[j] * v[j] for j in range(3))
                             for u, v in ((x, x), (y, y), (x, y)))
            block += w * (V_mp("relu", kxx, kyy, kxy) + kxy * Vdot_mp("relu", kxx, kyy, kxy))
        total += G2[0, a] * block / 2
    k = graphon_ntk(net, np.array([x, y]), first_layer="exact")
    assert abs(k.ntk[0, 1] - float(total)) <= 1e-14 * abs(float(total))


def test_proofs_hold_and_are_not_vacuous():
    assert prove_graphon_dense(3).holds
    assert prove_graphon_constant("relu", 3).holds
    assert prove_graphon_constant("erf", 2).holds
    # the checks they rely on reject a non-constant graphon
    q = sp.Symbol("q_2", positive=True)
    layers = [None, sp.Matrix([[q, 1], [1, q]]), sp.Matrix([[q, q]])]
    g = graphon_ntk_sym(layers, entries=input_symbols(), activation="relu")
    dense = symbolic_kernel(Architecture.pruned(2))
    assert not check_monomial_factor(g.ntk, dense.ntk, q**2).holds


def test_latex_export_compiles(tmp_path, compile_latex):
    tex = graphon_latex(random_net(depth=2))
    assert tex.startswith("\\documentclass") and "\\beta^{(h)}" in tex
    frag = graphon_latex(fragment=True, depth=2)
    assert "\\documentclass" not in frag
    (tmp_path / "g.tex").write_text(tex)
    assert "Overfull" not in compile_latex(tmp_path / "g.tex")


def test_npz_round_trip(tmp_path):
    net = random_net(depth=2)
    path = save_graphon_file(tmp_path / "G.npz", net)
    back = load_graphon_file(path)
    assert back.depth == 2 and all(np.array_equal(a, b) for a, b in zip(back.layers, net.layers))
    profiled = GraphonNetwork.from_layers({2: np.full((1, 3), 0.5)}, 1,
                                          variances={2: np.full((1, 3), 0.9)})
    back = load_graphon_file(save_graphon_file(tmp_path / "V.npz", profiled))
    assert np.array_equal(back.variances[1], profiled.variances[1])
    np.savez(tmp_path / "partial.npz", G2=np.full((3, 4), 0.5))
    partial = load_graphon_file(tmp_path / "partial.npz", depth=2)
    assert partial.blocks == (None, 4, 3, 1) and partial.masked_layers == (2,)


@pytest.mark.parametrize("arrays, depth, match", [
    ({"G2": np.full((2, 3), 1.5)}, 2, re.escape("G2='entry (0, 0) = 1.5'")),
    ({"G2": np.full((2, 3), -0.1)}, 2, "values in \\[0, 1\\]"),
    ({"G2": np.full((2, 3), np.nan)}, 2, "probabilities"),
    ({"G2": np.ones(3)}, 2, "2-D"),
    ({"G2": np.ones((2, 3)), "G3": np.ones((2, 4))}, 3, "G3=.*G2 has 2 row blocks"),
    ({"G3": np.ones((2, 2))}, 2, "the output layer has one neuron"),
    ({"W2": np.ones((2, 2))}, 2, "unknown array name"),
    ({"G5": np.ones((1, 2))}, 2, "pass --depth 4"),
    ({"G1": np.ones((2, 3))}, None, "depth is unknown"),
    ({"G2": np.full((1, 3), 0.5), "V2": np.ones((1, 2))}, 1, "V2=.*G2 has shape"),
    ({"G2": np.full((1, 3), 0.5), "V2": np.full((1, 3), -1.0)}, 1, "V2=.*>= 0"),
])
def test_bad_graphon_files_get_one_line_errors(tmp_path, arrays, depth, match):
    np.savez(tmp_path / "G.npz", **arrays)
    with pytest.raises(InvalidArgument, match=match) as err:
        load_graphon_file(tmp_path / "G.npz", depth=depth)
    assert "\n" not in str(err.value)


def test_bad_arguments():
    net = random_net(depth=2)
    with pytest.raises(InvalidArgument, match="G1 has 6 columns"):
        graphon_ntk(net, np.ones((2, 5)))
    with pytest.raises(InvalidArgument, match="first_layer"):
        graphon_ntk(net, np.ones((2, 6)), first_layer="magic")
    with pytest.raises(InvalidArgument, match="GiB"):
        graphon_ntk(net, np.ones((3, 6)), memory_limit=1000)
    with pytest.raises(InvalidArgument, match="rescaled pruning divides"):
        GraphonNetwork.from_layers({2: np.zeros((1, 2))}, 1, rescale=True)
    with pytest.raises(InvalidArgument, match="no such file"):
        load_graphon_file("/nonexistent/G.npz")


def test_magnitude_second_moment_against_quadrature():
    from theory.graphon import magnitude_second_moment, magnitude_threshold
    G = np.array([[1.0, 0.9, 0.5], [0.2, 0.05, 0.0]])
    V = magnitude_second_moment(G)
    T = magnitude_threshold(G)
    for (i, j), g in np.ndenumerate(G):
        if g in (0.0, 1.0):
            assert V[i, j] == g
            continue
        with mpmath.workdps(30):
            kept = 2 * mpmath.quad(mpmath.npdf, [T[i, j], mpmath.inf])
            second = 2 * mpmath.quad(lambda w: w * w * mpmath.npdf(w), [T[i, j], mpmath.inf])
        assert abs(float(kept) - g) <= 1e-14
        assert abs(float(second) - V[i, j]) <= 1e-14 * V[i, j]


@pytest.mark.parametrize("activation", ["relu", "erf"])
@pytest.mark.parametrize("rescale", [False, True])
def test_second_moment_profiles_float64_against_mpmath(activation, rescale):
    rng = np.random.default_rng(2)
    K = [4, 3, 5, 2, 1]
    G = {h: rng.uniform(size=(K[h], K[h - 1])) for h in range(1, 5)}
    V = {h: G[h] * rng.uniform(0.5, 3, size=G[h].shape) for h in (1, 2, 4)}
    net = GraphonNetwork.from_layers(G, 3, variances=V, activation=activation, rescale=rescale)
    X = random_inputs(n=5, d=4, seed=2)
    k = graphon_ntk(net, X)
    ref = np.array([[float(graphon_ntk_mp(net, X[i], X[j], dps=30).ntk) for j in range(5)]
                    for i in range(5)])
    assert scaled_error(k.ntk, ref) <= 1e-14
    # a profile equal to the densities is the plain Graphon NTK
    same = GraphonNetwork.from_layers(G, 3, variances={h: G[h] for h in (1, 2)},
                                      activation=activation, rescale=rescale)
    plain = GraphonNetwork.from_layers(G, 3, activation=activation, rescale=rescale)
    assert scaled_error(graphon_ntk(same, X).ntk, graphon_ntk(plain, X).ntk) <= 1e-15
    assert scaled_error(k.ntk, graphon_ntk(plain, X).ntk) > 1e-2


def test_bad_second_moment_profiles():
    G = {2: np.full((2, 3), 0.5)}
    with pytest.raises(InvalidArgument, match="V2=.*shape"):
        GraphonNetwork.from_layers(G, 2, variances={2: np.ones((3, 2))})
    with pytest.raises(InvalidArgument, match="V2=.*>= 0"):
        GraphonNetwork.from_layers(G, 2, variances={2: np.full((2, 3), -1.0)})
    with pytest.raises(InvalidArgument, match="V3=.*dense layer"):
        GraphonNetwork.from_layers(G, 2, variances={3: np.ones((1, 2))})
    net = GraphonNetwork.from_layers({1: np.full((2, 3), 0.5)}, 1,
                                     variances={1: np.ones((2, 3))})
    with pytest.raises(InvalidArgument, match="Gaussian weights independent of the mask"):
        graphon_ntk(net, np.eye(3), first_layer="exact")


@pytest.mark.parametrize("work_bytes", [1 << 20, 8 << 20, 64 << 20])
def test_peak_memory_stays_within_the_estimate(work_bytes):
    """tracemalloc sees every NumPy allocation: the peak of a tiled Gram must not exceed
    graphon_memory's estimate, whatever the tile budget."""
    import tracemalloc
    from theory.graphon import graphon_memory
    rng = np.random.default_rng(0)
    K, d0 = 16, 10
    net = GraphonNetwork.from_layers({1: rng.uniform(size=(K, d0)), 2: rng.uniform(size=(K, K)),
                                      3: rng.uniform(size=(1, K))}, 2)
    X = rng.normal(size=(300, d0))
    tracemalloc.start()
    try:
        graphon_ntk(net, X, work_bytes=work_bytes)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= graphon_memory(net, 300, work_bytes=work_bytes)


@pytest.mark.parametrize("seed", range(4))
def test_graphon_gram_is_positive_semidefinite(seed):
    """A limit of empirical NTK Grams (each J J^T) is positive semidefinite, for any graphon,
    rescaled or not, with or without a second-moment profile."""
    rng = np.random.default_rng(seed)
    activation = ("relu", "erf")[seed % 2]
    net = random_net(depth=3, seed=seed, activation=activation, rescale=bool(seed // 2))
    X = random_inputs(n=30, d=6, seed=seed)
    for k in (graphon_ntk(net, X).ntk, graphon_ntk(net, X).nngp):
        eig = np.linalg.eigvalsh(k)
        assert eig[0] >= -1e-13 * eig[-1]
    V = {h: net.graphon(h) * rng.uniform(0.5, 2.0, size=net.graphon(h).shape) for h in (1, 2, 3, 4)}
    profiled = GraphonNetwork(net.layers, net.input_dim, net.rescale, net.activation,
                              tuple(V[h] for h in range(1, 5)))
    eig = np.linalg.eigvalsh(graphon_ntk(profiled, X).ntk)
    assert eig[0] >= -1e-13 * eig[-1]
