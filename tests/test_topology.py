"""Mask topology against closed-form spectra (complete bipartite, circulant biregular,
disjoint unions), a second solver (svds, dense SVD), and the constant-graphon view."""

import math

import numpy as np
import pytest

from numerics.topology.classes import iterative_mean
from numerics.topology.graphon import constant_graphon_prediction, ramanujan_threshold
from numerics.topology.inputs import read_masks
from numerics.topology.spectral import layer_metrics, top_singular_values
from theory._errors import InvalidArgument


@pytest.mark.parametrize("a,b", [(3, 4), (5, 5), (400, 350)])
def test_complete_bipartite_spectrum(a, b):
    m = layer_metrics(np.ones((a, b)))
    assert m.mu_0 == pytest.approx(math.sqrt(a * b), rel=1e-12)
    assert abs(m.mu_hat) < 1e-9 * m.mu_0
    assert m.delta_r == pytest.approx(math.sqrt(a - 1) + math.sqrt(b - 1) - m.mu_hat, rel=1e-12)


def circulant(n, offsets):
    M = np.zeros((n, n), dtype=bool)
    for s in offsets:
        M[np.arange(n), (np.arange(n) + s) % n] = True
    return M


@pytest.mark.parametrize("n", [60, 500])       # the dense path and the Lanczos path
def test_circulant_biregular_spectrum_is_its_dft(n):
    offsets = [0, 1, 3, 7, 12]
    dft = np.abs(np.exp(2j * np.pi * np.outer(np.arange(n), offsets) / n).sum(axis=1))
    expected = np.sort(dft)[::-1]
    m = layer_metrics(circulant(n, offsets))
    assert m.mu_0 == pytest.approx(len(offsets), rel=1e-10)          # d-regular: sigma_1 = d
    assert m.mu_hat == pytest.approx(expected[1], rel=1e-9)
    assert m.delta_r == pytest.approx(2 * math.sqrt(len(offsets) - 1) - expected[1], rel=1e-9)


def test_disjoint_complete_blocks_have_a_repeated_top_value():
    M = np.kron(np.eye(4, dtype=bool), np.ones((5, 7), dtype=bool))
    m = layer_metrics(M)
    assert m.mu_0 == pytest.approx(math.sqrt(35)) and m.mu_hat == pytest.approx(math.sqrt(35))


def test_lanczos_svds_and_dense_svd_agree():
    rng = np.random.default_rng(0)
    B = (rng.random((900, 700)) < 0.05).astype(float)
    dense = np.linalg.svd(B, compute_uv=False)[:2]
    for solver in ("lanczos", "svds"):
        assert top_singular_values(B, 2, solver=solver) == pytest.approx(dense, rel=1e-9)


def test_isolated_nodes_are_removed_and_the_degree_rule_applies():
    rng = np.random.default_rng(1)
    M = rng.random((40, 30)) < 0.3
    padded = np.zeros((45, 38), dtype=bool)
    padded[:40, :30] = M
    a, b = layer_metrics(M), layer_metrics(padded)
    assert (b.left, b.right) == (a.left, a.right) and b.delta_r == pytest.approx(a.delta_r)
    sparse = layer_metrics(np.eye(10, dtype=bool))       # degrees 1 < 3
    assert not sparse.computed and sparse.delta_r is None and "skipped" in sparse.note


def test_weighted_gap_with_unit_weights_is_the_unweighted_gap():
    M = circulant(50, [0, 2, 5, 11])
    m = layer_metrics(M, weights=np.ones(M.shape))
    assert m.weighted_gap == pytest.approx(m.mu_0 - m.mu_hat)
    w = layer_metrics(M, weights=3 * np.ones(M.shape))
    assert w.weighted_gap == pytest.approx(3 * (m.mu_0 - m.mu_hat))


def test_iterative_mean_of_a_left_regular_graph_is_its_own_gap():
    M = circulant(64, [0, 1, 4, 9])          # every input has degree 4: one class
    cm, m = iterative_mean(M), layer_metrics(M)
    assert cm.classes == 1 and cm.delta_r == pytest.approx(m.delta_r)
    two = np.concatenate([circulant(64, [0, 1, 4, 9]), circulant(64, [0, 2, 5, 11, 20])], axis=1)
    assert iterative_mean(two).classes == 2


def test_constant_graphon_one_value_of_order_n_the_rest_order_sqrt_n():
    """mu_0 / n -> c and mu_hat / sqrt(n) -> 2 sqrt(c (1 - c)); the bulk edge's
    Tracy-Widom fluctuations are O(n^(-2/3)) relative, so 5 n^(-2/3) is a wide margin."""
    c = 0.2
    for n in (512, 2048):
        M = np.random.default_rng(n).random((n, n)) < c
        m, pred = layer_metrics(M), constant_graphon_prediction(n, n, c)
        assert m.mu_0 / n == pytest.approx(c, rel=4 / math.sqrt(n))      # binomial edge count
        assert m.mu_hat == pytest.approx(pred.mu_hat, rel=5 * n ** (-2 / 3))
        assert m.mu_hat / math.sqrt(n) == pytest.approx(2 * math.sqrt(c * (1 - c)), rel=0.05)


def test_random_masks_are_near_ramanujan_above_one_over_sqrt_n():
    """Measured: at n = 1024 every seed has Delta_r > 0 at density 2/sqrt(n) and < 0 at
    1/(2 sqrt(n)); the predicted threshold is exactly 1/sqrt(n) for square masks."""
    n = 1024
    assert ramanujan_threshold(n, n) == pytest.approx(1 / math.sqrt(n), rel=1e-9)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        above = layer_metrics(rng.random((n, n)) < 2 / math.sqrt(n))
        below = layer_metrics(rng.random((n, n)) < 0.5 / math.sqrt(n))
        assert above.delta_r > 0 > below.delta_r


def test_read_masks_random_is_reproducible_and_files_round_trip(tmp_path):
    a = read_masks("random", density="0.3", widths=(20, 10, 5), seed=4)
    b = read_masks("random", density="0.3", widths=(20, 10, 5), seed=4)
    assert all(np.array_equal(x, y) for x, y in zip(a.masks, b.masks))
    np.savez(tmp_path / "m.npz", M1=a.masks[0], M2=a.masks[1].astype(int))
    c = read_masks(str(tmp_path / "m.npz"))
    assert all(np.array_equal(x, y) for x, y in zip(a.masks, c.masks))
    np.savez(tmp_path / "net.npz", W1=np.ones((10, 20)), W2=np.ones((1, 10)), M2=[[1] * 5 + [0] * 5])
    net = read_masks(str(tmp_path / "net.npz"))
    assert net.masks[0].all() and net.masks[1].sum() == 5 and net.weights is not None


@pytest.mark.parametrize("kwargs, fix", [
    (dict(source="random"), "--density"),
    (dict(source="nowhere.npz"), "random"),
    (dict(source="random", density="2", widths=(3, 3)), "density"),
    (dict(source="random", density="0.5", widths=(3,)), "widths"),
])
def test_read_masks_bad_input(kwargs, fix):
    with pytest.raises(InvalidArgument) as info:
        read_masks(**kwargs)
    assert fix in str(info.value)


def test_read_masks_rejects_non_binary_and_unchained_files(tmp_path):
    np.savez(tmp_path / "a.npz", M1=np.full((3, 3), 2))
    np.savez(tmp_path / "b.npz", M1=np.ones((3, 4)), M2=np.ones((2, 5)))
    np.savez(tmp_path / "c.npz", X=np.ones(3))
    for name, problem in (("a", "0/1"), ("b", "columns"), ("c", "not masks")):
        with pytest.raises(InvalidArgument, match=problem):
            read_masks(str(tmp_path / f"{name}.npz"))


# ------------------------------------------------------------------ masks of pruning methods
@pytest.mark.parametrize("method", ["uniform", "magnitude", "snip"])
def test_method_masks_are_the_pruned_networks_own(method):
    """``read_masks(METHOD)`` is the mask numerics.masks.prune makes for the same network
    (d0, n_1, n_2, 1) and seed, with the weights it pruned; the first layer stays dense."""
    from numerics.masks import draw_weights, prune
    widths, shape = (64, 32, 24), (64, 32, 24, 1)
    got = read_masks(method, density="0.25", widths=widths, seed=3)
    mask = prune(method, shape, "0.25", seed=3, weights=draw_weights(shape, 3))
    assert len(got.masks) == 3 and got.masks[0].all()
    for h in (2, 3):
        assert np.array_equal(got.masks[h - 1], mask.array(h))
        assert np.array_equal(got.weights[h - 1] != 0, mask.array(h))
    assert got.label.startswith(method)


def test_a_method_sweep_leaves_out_the_layers_the_method_keeps_dense():
    from numerics.topology.report import density_sweep
    rows = density_sweep((16, 24, 24), [0.25, 0.5], method="uniform")
    assert {r.layer for r in rows} == {2, 3}
    # uniform prunes each layer to its exact count: the density is the requested one
    assert all(abs(r.metrics["density"] - r.density) <= 1 / (24 * 24) for r in rows if r.layer == 2)


def test_a_method_without_a_density_is_refused_in_one_line():
    with pytest.raises(InvalidArgument, match="--masks.*need a density and widths"):
        read_masks("snip", widths=(64, 8, 8))
