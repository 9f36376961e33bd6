"""Every pruning method against an independent computation (numerics.masks.methods).

A new method registered in METHODS must get an entry in INDEPENDENT_CHECKS (the test
that checks it against something it does not share code with), or
test_every_registered_method_has_an_independent_check fails.
"""

from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from numerics.masks import (
    METHODS,
    PruningSpec,
    ScoringData,
    draw_weights,
    erk_densities,
    keep_top,
    kept_count,
    masked_network,
    prune,
)
from numerics.masks.synflow import synflow_scores
from numerics.networks.sampling import sample_network
from theory import Architecture

INDEPENDENT_CHECKS = {
    "random": "test_random_masks_are_sample_networks_bernoulli_draws",
    "uniform": "test_uniform_keeps_exact_counts_and_every_weight_equally_often",
    "erk": "test_erk_densities_against_the_direct_formula_and_enumerated_caps",
    "magnitude": "test_magnitude_threshold_against_a_full_sort",
    "snip": "test_masks_gradients.py::test_snip_scores_and_mask_against_finite_difference_gradients",
    "grasp": "test_masks_gradients.py::"
             "test_grasp_keeps_the_lowest_scores_of_finite_difference_hessian_gradient_products",
    "synflow": "test_synflow_against_a_direct_implementation",
}


def test_every_registered_method_has_an_independent_check():
    assert set(INDEPENDENT_CHECKS) == set(METHODS)
    for name, check in INDEPENDENT_CHECKS.items():
        if "::" not in check:
            assert callable(globals()[check]), name


def _data(d0, seed=0, n=12, classes=3):
    rng = np.random.default_rng(seed)
    return ScoringData(rng.standard_normal((n, d0)), np.arange(n) % classes, classes, "test")


# ---------------------------------------------------------------- random / uniform / ERK
def test_random_masks_are_sample_networks_bernoulli_draws():
    """The same seed and trial give bit for bit the masks and weights of sample_network."""
    for q, depth, width, trial in (("0.5", 2, 33, 0), ("0.3", 3, 70, 4), ("0.05", 1, 300, 9)):
        arch = Architecture.pruned(depth, q)
        net = sample_network(arch, width, seed=7, trial=trial, input_dim=5)
        shape = (5, *[width] * depth, 1)
        mask = prune("random", shape, q, seed=7, trial=trial)
        for M, Mref in zip(mask.layers, net.masks):
            assert (M is None and Mref is None) or np.array_equal(M, Mref)
        mine = masked_network(mask, 7, trial, keep_probs="nominal")
        for W, Wref in zip(mine.weights, net.weights):
            assert np.array_equal(W, Wref)
        assert mine.keep_probs == net.keep_probs


def test_random_density_is_binomial():
    """Kept count of 40 masks of 200 x 200 at d = 0.3: a two-sided binomial test at level
    1e-6 (the false-alarm rate of this fixed-seed check)."""
    shape = (3, 200, 200, 1)
    kept = sum(prune("random", shape, "0.3", seed=3, trial=t).kept[1] for t in range(40))
    n = 40 * 200 * 200
    assert stats.binomtest(kept, n, 0.3).pvalue > 1e-6


def test_uniform_keeps_exact_counts_and_every_weight_equally_often():
    """Exact counts; over 400 trials each of the 60 weights of a 6 x 10 layer is kept
    Binomial(400, 1/4) times: a chi-square test of equal frequencies at level 1e-6."""
    shape = (2, 10, 6, 1)
    counts = np.zeros((6, 10))
    for t in range(400):
        m = prune("uniform", shape, "0.25", seed=0, trial=t, layers=(2,), scope="per-layer")
        assert m.kept[1] == 15
        counts += m.layers[1]
    g = prune("uniform", (4, 30, 30, 1), "0.2", scope="global", seed=1)
    assert sum(g.kept[1:]) == round(0.2 * (900 + 30))
    assert stats.chisquare(counts.ravel()).pvalue > 1e-6


def _erk_reference(shapes, density):
    """Enumerate every set D of dense layers; the valid one has all others below 1 and
    all of D at or above 1 under the eps that meets the budget."""
    sizes = [a * b for a, b in shapes]
    raw = [(a + b) / (a * b) for a, b in shapes]
    budget = density * sum(sizes)
    for r in range(len(shapes) + 1):
        for D in combinations(range(len(shapes)), r):
            free = [i for i in range(len(shapes)) if i not in D]
            if not free:
                continue
            eps = (budget - sum(sizes[i] for i in D)) / sum(raw[i] * sizes[i] for i in free)
            if all(eps * raw[i] <= 1 for i in free) and all(eps * raw[i] > 1 for i in D):
                return [1.0 if i in D else eps * raw[i] for i in range(len(shapes))]
    raise AssertionError("no consistent set of dense layers")


def test_erk_densities_against_the_direct_formula_and_enumerated_caps():
    shapes = [(300, 20), (300, 300), (40, 300), (1, 40)]
    for d in (0.05, 0.2, 0.5, 0.9):
        got = erk_densities(shapes, Fraction(d))
        np.testing.assert_allclose(got, _erk_reference(shapes, d), rtol=1e-13)
        sizes = [a * b for a, b in shapes]
        assert sum(g * n for g, n in zip(got, sizes)) == pytest.approx(d * sum(sizes), rel=1e-13)
    # no cap: eps = d sum(N) / sum(n_in + n_out) and d_h = eps (n_in + n_out) / (n_in n_out)
    shapes = [(50, 60), (70, 50)]
    eps = 0.1 * (3000 + 3500) / (110 + 120)
    np.testing.assert_allclose(erk_densities(shapes, Fraction(1, 10)),
                               [eps * 110 / 3000, eps * 120 / 3500], rtol=1e-14)
    m = prune("erk", (20, 300, 300, 40, 1), "0.2", layers=(1, 2, 3, 4))
    assert sum(m.kept) == round(0.2 * sum(m.sizes))
    ref = _erk_reference([(300, 20), (300, 300), (40, 300), (1, 40)], 0.2)
    assert all(abs(k - r * n) <= 1 for k, r, n in zip(m.kept, ref, m.sizes))


# ---------------------------------------------------------------- magnitude
def test_magnitude_threshold_against_a_full_sort():
    shape = (8, 40, 30, 1)
    W = draw_weights(shape, seed=2)
    g = prune("magnitude", shape, "0.3", seed=2)
    allw = np.sort(np.abs(np.concatenate([W[1].ravel(), W[2].ravel()])))[::-1]
    k = round(0.3 * (1200 + 30))
    assert sum(g.kept[1:]) == k
    for h in (2, 3):
        np.testing.assert_array_equal(g.layers[h - 1], np.abs(W[h - 1]) >= allw[k - 1])
    p = prune("magnitude", shape, "0.3", seed=2, scope="per-layer")
    for h in (2, 3):
        row = np.sort(np.abs(W[h - 1]).ravel())[::-1]
        kh = kept_count(Fraction(3, 10), W[h - 1].size)
        np.testing.assert_array_equal(p.layers[h - 1], np.abs(W[h - 1]) >= row[kh - 1])


def test_keep_top_breaks_ties_by_position_and_handles_large_inputs():
    s = [np.array([[1.0, 2.0, 2.0]]), np.array([[2.0, 0.5]])]
    assert [m.astype(int).tolist() for m in keep_top(s, 2)] == [[[0, 1, 1]], [[0, 0]]]
    rng = np.random.default_rng(0)
    big = [np.round(rng.standard_normal((700, 800)), 2), rng.standard_normal((3, 5))]
    for k in (1, 1000, 280_000, 559_999):
        kept = keep_top(big, k)
        assert sum(int(m.sum()) for m in kept) == k
        flat = np.concatenate([b.ravel() for b in big])
        order = np.lexsort((np.arange(flat.size), -flat))    # descending, then by position
        ref = np.zeros(flat.size, bool)
        ref[order[:k]] = True
        np.testing.assert_array_equal(np.concatenate([m.ravel() for m in kept]), ref)


# ---------------------------------------------------------------- SynFlow
def _direct_saliency(thetas):
    """dR/dtheta . theta from explicit matrix products (no flows, no rescaling)."""
    L1 = len(thetas)
    out = []
    for h in range(L1):
        above = np.ones((1, thetas[-1].shape[0]))
        for k in range(L1 - 1, h, -1):
            above = above @ thetas[k]
        below = np.ones((thetas[0].shape[1], 1))
        for k in range(h):
            below = thetas[k] @ below
        out.append(above.T @ below.T * thetas[h])
    return out


def test_synflow_saliency_is_conserved_per_layer():
    """With positive weights sum_ij S^(h)_ij = R for every layer (Tanaka et al., Thm 1)."""
    rng = np.random.default_rng(4)
    thetas = [np.abs(rng.standard_normal(s)) for s in ((9, 5), (11, 9), (7, 11), (1, 7))]
    thetas[1][rng.random((11, 9)) < 0.4] = 0.0            # masked weights included
    R = float((np.ones((1, 1)) @ thetas[3] @ thetas[2] @ thetas[1] @ thetas[0]
               @ np.ones((5, 1)))[0, 0])
    scores = synflow_scores(thetas, (1, 2, 3, 4))
    for h, S in scores.items():
        assert float(S.sum()) == pytest.approx(R, rel=1e-13)
        np.testing.assert_allclose(S, _direct_saliency(thetas)[h - 1], rtol=1e-13)


def test_synflow_scores_survive_overflow_of_the_path_norm():
    """Width-1 layers with weights 2^200: R = 2^1000 * 2^200 overflows nothing in the
    mantissa/exponent form, and the ranking matches the log-domain scores."""
    thetas = [np.array([[2.0 ** 200, 2.0 ** 199]])] + [np.array([[2.0 ** 200]])] * 5
    scores = synflow_scores(thetas, (1, 6), true_scale=False)
    assert np.all(np.isfinite(scores[1])) and scores[1][0, 0] == 2 * scores[1][0, 1]


def _direct_synflow(W, layers, density, rounds):
    thetas = [np.abs(w) for w in W]
    masks = {}
    for r in range(1, rounds + 1):
        d = Fraction(density) if r == rounds else Fraction(float(density) ** (r / rounds))
        sal = _direct_saliency(thetas)
        flat = np.concatenate([sal[h - 1].ravel() for h in layers])
        k = kept_count(d, flat.size)
        order = np.lexsort((np.arange(flat.size), -flat))
        keep = np.zeros(flat.size, bool)
        keep[order[:k]] = True
        offsets = np.cumsum([0] + [sal[h - 1].size for h in layers])
        for i, h in enumerate(layers):
            masks[h] = keep[offsets[i]:offsets[i + 1]].reshape(sal[h - 1].shape)
            thetas[h - 1] = thetas[h - 1] * masks[h]
    return masks


def test_synflow_against_a_direct_implementation():
    shape = (6, 12, 10, 8, 1)
    W = draw_weights(shape, seed=11)
    for density, rounds in (("0.1", 100), ("0.5", 1), ("0.25", 7)):
        m = prune("synflow", shape, density, seed=11, rounds=rounds)
        ref = _direct_synflow(W, (2, 3, 4), Fraction(density), rounds)
        for h in (2, 3, 4):
            np.testing.assert_array_equal(m.layers[h - 1], ref[h])


def test_synflow_avoids_the_layer_collapse_of_one_shot_scores():
    """At density 0.01 one-shot saliency (rounds = 1) empties the widest layer of a
    bottleneck network, 100 rounds keep every layer connected: the property SynFlow was
    designed for (Tanaka et al. 2020), checked on our network."""
    shape = (8, 200, 200, 10, 1)
    many = prune("synflow", shape, "0.01", seed=0)
    assert many.collapsed_layers() == () and all(k > 0 for k in many.kept)
    one = prune("synflow", shape, "0.01", seed=0, rounds=1)
    assert sum(one.kept[1:]) == sum(many.kept[1:])
    assert one.collapsed_layers() == (2,)


# ---------------------------------------------------------------- every method
@st.composite
def _problems(draw):
    depth = draw(st.integers(1, 3))
    shape = (draw(st.integers(1, 6)), *[draw(st.integers(1, 12)) for _ in range(depth)], 1)
    method = draw(st.sampled_from(sorted(set(METHODS) - {"random"})))
    scope = draw(st.sampled_from(METHODS[method].scopes))
    layers = draw(st.lists(st.integers(1, depth + 1), min_size=1, max_size=depth + 1,
                           unique=True))
    fractions = st.fractions(Fraction(1, 100), 1, max_denominator=100)
    if scope == "per-layer" and draw(st.booleans()):
        density = tuple(draw(fractions) for _ in layers)        # one per pruned layer
    else:
        density = draw(fractions)
    return shape, method, scope, tuple(sorted(layers)), density, draw(st.integers(0, 5))


@given(_problems())
def test_every_mask_has_the_requested_density_within_the_rounding(problem):
    shape, method, scope, layers, density, seed = problem
    settings = {"data": _data(shape[0], seed)} if METHODS[method].uses_data else {}
    if METHODS[method].iterative:
        settings["rounds"] = 5
    m = prune(method, shape, density, seed=seed, scope=scope, layers=layers, **settings)
    assert m.masked_layers == layers
    for h in range(1, len(shape)):
        if h not in layers:
            assert m.layers[h - 1] is None
    sizes = [m.sizes[h - 1] for h in layers]
    kept = [m.kept[h - 1] for h in layers]
    if scope == "per-layer":
        targets = density if isinstance(density, tuple) else (density,) * len(layers)
        for k, n, d in zip(kept, sizes, targets):
            assert abs(k - d * n) <= Fraction(1, 2) or (k == 1 and d * n < 1)
    else:
        total = sum(sizes)
        assert abs(sum(kept) - density * total) <= Fraction(1, 2) or \
            (sum(kept) == 1 and density * total < 1)


def test_one_density_per_layer():
    shape = (4, 30, 20, 1)
    for method in ("random", "uniform", "magnitude", "synflow"):
        m = prune(method, shape, "0.5,0.1", rounds=5)
        assert m.nominal == (1, Fraction(1, 2), Fraction(1, 10)), method
        if method != "random":
            assert m.kept[1:] == (300, 2), method
    bern = [prune("random", (3, 300, 300, 1), (Fraction(1, 2), Fraction(1, 5)), trial=t)
            for t in range(3)]
    kept = sum(m.kept[1] for m in bern)
    assert stats.binomtest(kept, 3 * 90000, 0.5).pvalue > 1e-6     # level 1e-6
    with pytest.raises(Exception, match="densities for 2 pruned layers"):
        prune("magnitude", shape, "0.5,0.1,0.2")
    with pytest.raises(Exception, match="needs a per-layer budget"):
        prune("erk", shape, "0.5,0.1")


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_is_reproducible_and_records_its_provenance(method):
    settings = {"data": _data(4)} if METHODS[method].uses_data else {}
    shape = (4, 9, 7, 1)
    a = prune(method, shape, "0.4", seed=5, trial=2, **settings)
    b = prune(method, shape, "0.4", seed=5, trial=2, **settings)
    assert a.digest() == b.digest()
    assert a.method == method and a.params["seed"] == 5 and a.params["trial"] == 2
    assert a.params["density"] == "2/5" and a.params["layers"] == [2, 3]
    spec = PruningSpec(method, "0.4", **settings)
    net = spec.network(shape, 5, 2)
    assert net.num_kept() == sum(a.kept)
