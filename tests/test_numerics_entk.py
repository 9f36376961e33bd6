"""The finite-width networks and their exact empirical NTK (numerics).

Expected values come from independent routes: an explicit parameter Jacobian
built by forward-mode chain rule (itself checked against finite differences),
a loop-by-loop forward pass written from the conventions, the documented
random-stream layout rebuilt with plain NumPy, the array-API strict namespace,
and the infinite-width limit of ``theory.limit_kernel``.
"""

import math
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import array_api_strict as xps
import numpy as np
import pytest

import numerics.entk.gram as entk_module
import numerics.networks.network as network_module
from numerics import (
    MaskedNetwork,
    backward,
    empirical_ntk,
    empirical_ntk_bruteforce,
    estimate_memory,
    forward,
    network_key,
    parameter_jacobian,
    sample_network,
)
from theory import Architecture, InvalidArgument, limit_kernel

RNG = np.random.default_rng(20240607)
X5 = RNG.normal(size=(5, 4))
Y3 = RNG.normal(size=(3, 4))

CONFIGS = {
    "dense": dict(),
    "masked": dict(keep_prob="0.5"),
    "rescaled": dict(keep_prob="0.6", rescale=True),
    "masked-first-layer": dict(keep_prob="0.7", prune_first_layer=True, rescale=True),
    "erf-masked": dict(keep_prob="0.6", activation="erf"),
    "erf-rescaled-first": dict(keep_prob="0.7", activation="erf", prune_first_layer=True,
                               rescale=True),
}


def tiny(name, seed=5, widths=(16, 12), depth=2):
    return sample_network(Architecture.pruned(depth, **CONFIGS[name]), widths, seed,
                          input_dim=4)


def assert_kernel_close(K, ref, dx, dy, tol=1e-12):
    """|K - ref| <= tol sqrt(Theta(x,x) Theta(y,y)), the Cauchy-Schwarz scale of an entry."""
    assert np.all(dx > 0) and np.all(dy > 0), "degenerate network: pick another seed"
    scale = np.sqrt(np.outer(dx, dy))
    err = np.max(np.abs(K - ref) / scale)
    assert err <= tol, err


# ----------------------------------------------------------------- exactness
@pytest.mark.parametrize("name", CONFIGS)
def test_entk_equals_bruteforce_jacobian(name):
    net = tiny(name)
    if name != "dense":   # the masks must actually prune something
        assert all(not M.all() for M in net.masks if M is not None)
    ref = empirical_ntk_bruteforce(net, X5)
    assert_kernel_close(empirical_ntk(net, X5), ref, np.diag(ref), np.diag(ref))


@pytest.mark.parametrize("name", ["masked", "rescaled", "erf-rescaled-first"])
def test_entk_n_by_m_equals_bruteforce(name):
    net = tiny(name, widths=(14, 10))
    ref = empirical_ntk_bruteforce(net, X5, Y3)
    dx = np.diag(empirical_ntk_bruteforce(net, X5))
    dy = np.diag(empirical_ntk_bruteforce(net, Y3))
    K = empirical_ntk(net, X5, Y3)
    assert K.shape == (5, 3)
    assert_kernel_close(K, ref, dx, dy)


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_jacobian_matches_central_differences(activation):
    net = sample_network(Architecture.pruned(2, "0.6", rescale=True, activation=activation),
                         (5, 4), seed=2, input_dim=3)
    X = RNG.normal(size=(3, 3))
    fwd = forward(net, X)
    # ReLU: no pre-activation within 1e-4 of the kink, so a 1e-6 step never crosses it
    assert min(np.min(np.abs(f)) for f in fwd.preactivations[:-1]) > 1e-4
    J = parameter_jacobian(net, X)
    assert J.shape == (3, net.num_kept())
    eps, cols = 1e-6, []
    for h, (W, M) in enumerate(zip(net.weights, net.masks)):
        for i, j in zip(*np.nonzero(np.ones(W.shape, bool) if M is None else M)):
            out = []
            for step in (eps, -eps):
                ws = list(net.weights)
                ws[h] = W.copy()
                ws[h][i, j] += step
                out.append(forward(MaskedNetwork(ws, net.masks, net.rescale, net.keep_probs,
                                                 activation), X).output)
            cols.append((out[0] - out[1]) / (2 * eps))
    # central differences: truncation ~eps^2, rounding ~1e-16/eps = 1e-10
    np.testing.assert_allclose(J, np.array(cols).T, rtol=0, atol=1e-7 * np.max(np.abs(J)))


def test_forward_follows_the_conventions_loop_by_loop():
    W1, W2, W3 = RNG.normal(size=(3, 2)), RNG.normal(size=(4, 3)), RNG.normal(size=(1, 4))
    M2 = np.array([[1, 0, 1], [1, 1, 0], [0, 1, 1], [1, 1, 1]])
    M3 = np.array([[1, 0, 1, 1]])
    q2, q3 = Fraction(2, 3), Fraction(3, 4)
    net = MaskedNetwork((W1, W2, W3), (None, M2, M3), rescale=True, keep_probs=(1, q2, q3))
    x = np.array([0.7, -1.3])
    g1 = [math.sqrt(2 / 3) * max(0.0, sum(W1[i, j] * x[j] for j in range(2))) for i in range(3)]
    f2 = [sum(W2[i, j] * M2[i, j] / math.sqrt(q2) * g1[j] for j in range(3)) for i in range(4)]
    g2 = [math.sqrt(2 / 4) * max(0.0, v) for v in f2]
    f = sum(W3[0, j] * M3[0, j] / math.sqrt(q3) * g2[j] for j in range(4))
    assert forward(net, x).output[0] == pytest.approx(f, rel=1e-14)
    assert net.weights[1][0, 1] == 0 and W2[0, 1] != 0     # stored as W . M, input untouched


def test_symmetric_psd_and_consistent_with_the_n_by_m_route():
    net = sample_network(Architecture.pruned(3, "0.5"), 64, seed=9, input_dim=4)
    X = RNG.normal(size=(12, 4))
    K = empirical_ntk(net, X)
    assert np.array_equal(K, K.T)
    assert np.min(np.linalg.eigvalsh(K)) > -1e-12 * np.max(K)
    np.testing.assert_allclose(K, empirical_ntk(net, X, X), rtol=1e-13, atol=0)


def test_chunks_and_blocks_do_not_change_the_result(monkeypatch):
    net = sample_network(Architecture.pruned(2, "0.5", rescale=True), (40, 30), 4, input_dim=4)
    X = RNG.normal(size=(9, 4))
    ref_sym, ref_xy = empirical_ntk(net, X), empirical_ntk(net, X, Y3)
    assert_kernel_close(ref_sym, empirical_ntk_bruteforce(net, X), np.diag(ref_sym),
                        np.diag(ref_sym))
    monkeypatch.setattr(entk_module, "BLOCK_BYTES", 1)          # one mask row per block
    monkeypatch.setattr(network_module, "_BLOCK_BYTES", 1)      # one weight row per product
    for cache in (entk_module.MASK_CACHE_BYTES, 0):             # float mask once / per block
        monkeypatch.setattr(entk_module, "MASK_CACHE_BYTES", cache)
        for chunk in (1, 8 * 70 * 5 + 1, 8 * 70 * 13):         # one pair; rows split mid-way
            np.testing.assert_allclose(empirical_ntk(net, X, chunk_bytes=chunk), ref_sym,
                                       rtol=1e-13, atol=1e-13 * np.max(ref_sym))
            np.testing.assert_allclose(empirical_ntk(net, X, Y3, chunk_bytes=chunk), ref_xy,
                                       rtol=1e-13, atol=1e-13 * np.max(ref_sym))


def test_rescaled_relu_kernel_is_the_plain_one_over_prod_q_at_finite_width():
    """Same (seed, trial) => same weights and masks; ReLU is homogeneous (claim C1/C2)."""
    X = RNG.normal(size=(6, 4))
    plain = sample_network(Architecture.pruned(3, "0.4"), 50, seed=3, trial=2, input_dim=4)
    resc = sample_network(Architecture.pruned(3, "0.4", rescale=True), 50, 3, 2, input_dim=4)
    np.testing.assert_allclose(empirical_ntk(resc, X), empirical_ntk(plain, X) / 0.4**3,
                               rtol=1e-12)


# ----------------------------------------------------------------- sampling
def test_sampling_is_counter_based_and_order_independent():
    arch = Architecture.pruned(2, "0.3")
    draw = lambda t: sample_network(arch, (20, 16), seed=77, trial=t, input_dim=5)  # noqa: E731
    forwards = [draw(t) for t in range(6)]
    sample_network(Architecture.pruned(2, "0.9"), 33, seed=77, input_dim=5)   # in between
    backwards = [draw(t) for t in reversed(range(6))][::-1]
    with ThreadPoolExecutor(max_workers=3) as pool:
        threaded = list(pool.map(draw, [3, 0, 5, 1, 4, 2]))
    threaded = [threaded[[3, 0, 5, 1, 4, 2].index(t)] for t in range(6)]
    for a, b, c in zip(forwards, backwards, threaded):
        for h in range(3):
            assert np.array_equal(a.weights[h], b.weights[h])
            assert np.array_equal(a.weights[h], c.weights[h])
            if h:
                assert np.array_equal(a.masks[h], b.masks[h])
                assert np.array_equal(a.masks[h], c.masks[h])
    assert not np.array_equal(forwards[0].weights[1], forwards[1].weights[1])
    other_seed = sample_network(arch, (20, 16), seed=78, input_dim=5)
    assert not np.array_equal(forwards[0].weights[0], other_seed.weights[0])


def test_documented_stream_layout_rebuilt_with_plain_numpy():
    arch = Architecture.pruned(2, "0.3")
    net = sample_network(arch, (300, 200), seed=12, trial=4, input_dim=3)
    key = network_key((3, 300, 200, 1))

    def gen(h, kind):
        ss = np.random.SeedSequence(12, spawn_key=(*key, 4, h, kind))
        return np.random.Generator(np.random.SFC64(ss))
    assert np.array_equal(net.weights[0], gen(1, 0).standard_normal((300, 3)))
    mask = gen(2, 1).random((200, 300)) < 0.3
    assert np.array_equal(net.masks[1], mask)
    assert np.array_equal(net.weights[1], np.where(mask, gen(2, 0).standard_normal((200, 300)), 0))
    kept = mask.mean()
    assert abs(kept - 0.3) < 5 * math.sqrt(0.3 * 0.7 / mask.size)


def test_masks_are_nested_across_keep_probs():
    small = sample_network(Architecture.pruned(2, "0.25"), 40, seed=1, input_dim=3)
    large = sample_network(Architecture.pruned(2, "0.75"), 40, seed=1, input_dim=3)
    for h in (1, 2):
        assert np.all(large.masks[h][small.masks[h]])
        assert small.masks[h].sum() < large.masks[h].sum()
        assert np.array_equal(small.weights[h], np.where(small.masks[h], large.weights[h], 0))


def test_float32_networks_stay_float32():
    arch = Architecture.pruned(2, "0.5", rescale=True)
    net32 = sample_network(arch, 24, seed=3, input_dim=4, dtype="float32")
    assert all(W.dtype == np.float32 for W in net32.weights)
    K32 = empirical_ntk(net32, X5)
    net64 = MaskedNetwork([W.astype(np.float64) for W in net32.weights], net32.masks,
                          True, net32.keep_probs)
    assert K32.dtype == np.float32
    # Forward error of float32 (u = 2^-24): each of the 2L+3 chained dot products (forward,
    # backward, kernel sums) over at most n = 24 terms adds gamma_n ~ n u (Higham), so
    # |K32 - K64| <= (2L+3) n u max|K|, here 1.0e-5 max|K|.
    K64 = empirical_ntk(net64, X5)
    bound = (2 * arch.depth + 3) * 24 * 2.0 ** -24 * np.max(np.abs(K64))
    assert np.max(np.abs(K32 - K64)) <= bound


def test_float_c_sigma_is_the_symbolic_one():
    """The finite networks' c_sigma floats (no SymPy at run time) equal the closed forms."""
    from numerics.backend.xp import c_sigma_float
    from theory.closed_forms import c_sigma
    for name in ("relu", "erf"):
        assert math.isclose(c_sigma_float(name), float(c_sigma(name)), rel_tol=4e-16, abs_tol=0)
    with pytest.raises(InvalidArgument, match="activation"):
        c_sigma_float("gelu")


# ----------------------------------------------------------------- array API
def test_strict_array_api_run_equals_numpy_run():
    net = sample_network(Architecture.pruned(2, "0.5", rescale=True), (11, 9), 6, input_dim=4)
    strict = net.to_namespace(xps)
    Kx = empirical_ntk(strict, xps.asarray(X5))
    Kxy = empirical_ntk(strict, xps.asarray(X5), xps.asarray(Y3))
    assert type(Kx) is type(xps.asarray(1.0)) and Kx.dtype == xps.float64
    np.testing.assert_allclose(np.asarray(Kx), empirical_ntk(net, X5), rtol=1e-14, atol=0)
    np.testing.assert_allclose(np.asarray(Kxy), empirical_ntk(net, X5, Y3), rtol=1e-14, atol=0)
    b_strict = backward(strict, forward(strict, xps.asarray(X5)))
    for b, ref in zip(b_strict, backward(net, forward(net, X5))):
        np.testing.assert_array_equal(np.asarray(b), ref)


def test_strict_namespace_refuses_erf_and_mixed_libraries_in_one_line():
    net = sample_network(Architecture.pruned(1, "0.5", activation="erf"), 5, 0, input_dim=4)
    with pytest.raises(InvalidArgument, match="activation.*erf") as err:
        empirical_ntk(net.to_namespace(xps), xps.asarray(X5))
    assert "\n" not in str(err.value)
    relu = sample_network(Architecture.pruned(1, "0.5"), 5, 0, input_dim=4)
    with pytest.raises(InvalidArgument, match="arrays"):
        empirical_ntk(relu, xps.asarray(X5))


# ----------------------------------------------------------------- limits
# Mean over T networks vs the infinite-width limit.  Measured here (T = 4000 at
# width 64): |relative bias| <= 0.05 ~ 3/n and relative sd ~ 5/sqrt(n); so at
# n = 1024, T = 64 the bias (<= 0.3%) is under 0.15 of the standard error (~2%).
# A correct implementation fails only if some |t_63| > 4.5 among 24 entries:
# false-alarm rate < 24 * 4e-5 < 1e-3 (union bound, the bias shift included).
STAT_CASES = [("relu", False), ("relu", True), ("erf", False), ("erf", True)]


@pytest.mark.parametrize("activation,rescale", STAT_CASES)
def test_monte_carlo_mean_agrees_with_the_limit_kernel(activation, rescale):
    X = np.array([[1.0, 0, 0, 0], [0.6, 0.8, 0, 0], [-0.5, 0.5, 0.5, 0.5]])
    arch = Architecture.pruned(2, "0.5", rescale=rescale, activation=activation)
    upper = np.triu_indices(3)
    T, n = 64, 1024
    vals = np.array([empirical_ntk(sample_network(arch, n, seed=31, trial=t, input_dim=4),
                                   X)[upper] for t in range(T)])
    mean, se = vals.mean(axis=0), vals.std(axis=0, ddof=1) / math.sqrt(T)
    z = (mean - limit_kernel(arch, X).ntk[upper]) / se
    assert np.max(np.abs(z)) < 4.5, z
    # the same test tells plain from rescaled pruning (limits 4x apart for ReLU)
    wrong = Architecture.pruned(2, "0.5", rescale=not rescale, activation=activation)
    z_wrong = (mean - limit_kernel(wrong, X).ntk[upper]) / se
    assert np.max(np.abs(z_wrong)) > 4.5


# ----------------------------------------------------------------- guards
def test_memory_estimate_and_refusal():
    net = sample_network(Architecture.pruned(2, "0.5"), 32, 0, input_dim=4)
    small, big = estimate_memory(net, 10), estimate_memory(net, 4000)
    assert 0 < small < big and big > 4000**2 * 8
    with pytest.raises(InvalidArgument, match=r"^X=.*GiB.*memory_limit"):
        empirical_ntk(net, X5, memory_limit=small // 10)
    with pytest.raises(InvalidArgument, match="chunk_bytes"):
        empirical_ntk(net, X5, chunk_bytes=0)


@pytest.mark.parametrize("build,argument", [
    (lambda: MaskedNetwork((np.ones((3, 2)),), (None,)), "weights"),
    (lambda: MaskedNetwork((np.ones((3, 2)), np.ones((1, 4))), (None, None)), "weights"),
    (lambda: MaskedNetwork((np.ones((3, 2)), np.ones((2, 3))), (None, None)), "weights"),
    (lambda: MaskedNetwork((np.ones((3, 2)), np.full((1, 3), np.nan)), (None, None)), "weights"),
    (lambda: MaskedNetwork((np.ones((3, 2)), np.ones((1, 3))), (None, [[0, 2, 1]])), "masks"),
    (lambda: MaskedNetwork((np.ones((3, 2)), np.ones((1, 3))), (None, [[0, 1]])), "masks"),
    (lambda: MaskedNetwork((np.ones((3, 2)), np.ones((1, 3))), (None,)), "masks"),
    (lambda: MaskedNetwork((np.ones((3, 2)), np.ones((1, 3))), (None, None),
                           keep_probs=(0.5, 1)), "keep_probs"),
    (lambda: MaskedNetwork((np.ones((3, 2)), np.ones((1, 3))), (None, None),
                           activation="tanh"), "activation"),
    (lambda: sample_network(Architecture.pruned(2), (3,), 0, input_dim=2), "widths"),
    (lambda: sample_network(Architecture.pruned(2), 3, -1, input_dim=2), "seed"),
    (lambda: sample_network(Architecture.pruned(2), 3, 0, input_dim=0), "input_dim"),
    (lambda: forward(sample_network(Architecture.pruned(1), 3, 0, input_dim=2),
                     np.ones((2, 3))), "X"),
])
def test_bad_arguments_raise_one_line_naming_the_argument(build, argument):
    with pytest.raises(InvalidArgument) as err:
        build()
    assert err.value.argument == argument and "\n" not in str(err.value)
