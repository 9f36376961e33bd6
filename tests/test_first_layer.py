"""Claim C5: a masked first layer at fixed input dimension (mask-averaged limit)."""


import numpy as np
import pytest
from scipy import stats

from theory import InvalidArgument
from theory.config import Architecture
from theory.kernels.float64 import limit_kernel
from theory.kernels.mp import gram_mp


def _arr(m):
    return np.array([[float(v) for v in row] for row in m])


@pytest.mark.parametrize("activation", ["relu", "erf"])
@pytest.mark.parametrize("rescale", [False, True])
def test_exact_enumeration_matches_mpmath(activation, rescale):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(4, 5))
    arch = Architecture.pruned(3, "0.35", prune_first_layer=True, rescale=rescale,
                               activation=activation)
    k = limit_kernel(arch, X, first_layer="exact")
    t, n = gram_mp(arch, X, dps=25)
    # generic (not near-parallel) inputs: the float64 mask average keeps ~1e-15
    np.testing.assert_allclose(k.ntk, _arr(t), rtol=1e-14, atol=0)
    np.testing.assert_allclose(k.nngp, _arr(n), rtol=1e-14, atol=0)


@pytest.mark.parametrize("gap", [1e-6, 1e-9, 1e-12])
@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_mask_average_keeps_1e_14_near_parallel_and_antiparallel(gap, activation):
    """The averaged ReLU kernel's angle comes from a weighted variance of the masked
    norm ratios (no cancellation), so nearly parallel inputs keep full accuracy."""
    x = np.array([1.0, 2.0, -0.5])
    X = np.array([x, x + np.array([0.0, gap, 2 * gap]), -x + np.array([gap, 0.0, 0.0])])
    arch = Architecture.pruned(3, "0.5", prune_first_layer=True, activation=activation)
    k = limit_kernel(arch, X, first_layer="exact")
    t, n = gram_mp(arch, X, dps=25)
    np.testing.assert_allclose(k.ntk, _arr(t), rtol=1e-14, atol=0)
    np.testing.assert_allclose(k.nngp, _arr(n), rtol=1e-14, atol=0)


@pytest.mark.parametrize("rescale", [False, True])
def test_patterns_that_mask_out_one_input_entirely(rescale):
    """x = e1 vanishes under every mask without coordinate 1, while y does not."""
    X = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.0, 2.0]])
    arch = Architecture.pruned(2, "0.5", prune_first_layer=True, rescale=rescale)
    k = limit_kernel(arch, X)
    t, n = gram_mp(arch, X, dps=25)
    np.testing.assert_allclose(k.ntk, _arr(t), rtol=1e-14, atol=0)
    np.testing.assert_allclose(k.nngp, _arr(n), rtol=1e-14, atol=0)


def test_zero_coordinates_are_summed_out():
    X = np.array([[1.0, 0.5], [0.2, -0.7]])
    padded = np.hstack([X[:, :1], np.zeros((2, 3)), X[:, 1:], np.zeros((2, 2))])
    arch = Architecture.pruned(2, "0.3", prune_first_layer=True)
    a, b = limit_kernel(arch, X), limit_kernel(arch, padded)
    np.testing.assert_array_equal(a.ntk, b.ntk)
    assert "2^2 mask patterns" in b.method


def test_c5_effect_rescaled_first_layer_mask_changes_off_diagonal_only():
    """With rescaling, E_m[K_m(x,x)] = |x|^2, so ReLU diagonals match the dense kernel,
    but the off-diagonal mask average differs: no scale factor exists."""
    X = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0]])
    arch = Architecture.pruned(2, "0.5", prune_first_layer=True, rescale=True)
    pruned, dense = limit_kernel(arch, X), limit_kernel(arch.dense(), X)
    assert pruned.scale_factor is None
    np.testing.assert_allclose(np.diag(pruned.ntk), np.diag(dense.ntk), rtol=1e-15)
    # measured gap 6.8e-3, eleven orders above the ~1e-14 evaluation error
    assert abs(pruned.ntk[0, 1] / dense.ntk[0, 1] - 1) > 1e-3


def test_mask_average_approaches_mean_field_as_input_dimension_grows():
    arch = Architecture.pruned(2, "0.5", prune_first_layer=True)
    gaps = []
    for d in (2, 4, 8, 16):
        x = np.ones(d) / np.sqrt(d)
        y = np.cos(0.7) * x + np.sin(0.7) * np.r_[np.ones(d // 2), -np.ones(d // 2)] / np.sqrt(d)
        exact = limit_kernel(arch, x, y, first_layer="exact").ntk[0, 0]
        mf = limit_kernel(arch, x, y, first_layer="mean_field").ntk[0, 0]
        gaps.append(abs(exact / mf - 1))
    assert all(b < a for a, b in zip(gaps, gaps[1:])), gaps


def test_monte_carlo_agrees_with_exact_within_four_standard_errors():
    """False-alarm rate per entry ~6e-5 (|z| > 4 under the normal approximation)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(3, 6))
    arch = Architecture.pruned(3, "0.4", prune_first_layer=True)
    exact = limit_kernel(arch, X, first_layer="exact")
    mc = limit_kernel(arch, X, first_layer="monte_carlo", mask_samples=8192, seed=11)
    z = (mc.ntk - exact.ntk) / mc.ntk_stderr
    assert np.all(np.abs(z) < 4), z
    assert "Monte Carlo" in mc.method


def test_jackknife_standard_error_is_calibrated():
    """Over R = 40 seeds, sum z^2 ~ chi^2(R) if the standard errors are right.
    Two-sided test at false-alarm rate 1e-3 (seeds fixed, so the outcome is too)."""
    x, y = np.array([1.0, 0.3, -0.4, 0.8]), np.array([0.2, 1.0, 0.5, -0.3])
    arch = Architecture.pruned(2, "0.5", prune_first_layer=True)
    exact = limit_kernel(arch, x, y, first_layer="exact").ntk[0, 0]
    R = 40
    z = []
    for seed in range(R):
        mc = limit_kernel(arch, x, y, first_layer="monte_carlo", mask_samples=1024, seed=seed)
        z.append((mc.ntk[0, 0] - exact) / mc.ntk_stderr[0, 0])
    chi2 = float(np.sum(np.square(z)))
    lo, hi = stats.chi2.ppf([5e-4, 1 - 5e-4], R)
    assert lo < chi2 < hi, (chi2, lo, hi)


def test_monte_carlo_is_reproducible_from_its_seed():
    X = np.random.default_rng(0).normal(size=(2, 20))
    arch = Architecture.pruned(2, "0.5", prune_first_layer=True)
    a = limit_kernel(arch, X, seed=5)
    b = limit_kernel(arch, X, seed=5)
    c = limit_kernel(arch, X, seed=6)
    assert "Monte Carlo" in a.method  # 20 non-zero coordinates > 16: auto samples
    np.testing.assert_array_equal(a.ntk, b.ntk)
    assert not np.array_equal(a.ntk, c.ntk)


def test_exact_refuses_too_many_coordinates():
    X = np.ones((2, 17))
    X[1, 0] = 2.0
    with pytest.raises(InvalidArgument, match="first_layer"):
        limit_kernel(Architecture.pruned(1, "0.5", prune_first_layer=True), X,
                     first_layer="exact")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from strategies import input_sets, keep_probs  # noqa: E402


@settings(max_examples=30)
@given(input_sets(max_n=3, max_dim=4), keep_probs, st.integers(1, 3), st.booleans(),
       st.sampled_from(["relu", "erf"]))
def test_mask_average_matches_mpmath_on_drawn_inputs(X, q, depth, rescale, activation):
    """Forward-error bound as in test_kernels_properties: 64 (L+1) u sqrt(K(x,x) K(y,y))."""
    arch = Architecture.pruned(depth, q, prune_first_layer=True, rescale=rescale,
                               activation=activation)
    k = limit_kernel(arch, X, first_layer="exact")
    t, n = gram_mp(arch, X, dps=20)
    for values, ref in ((k.ntk, _arr(t)), (k.nngp, _arr(n))):
        d = np.sqrt(np.abs(np.diag(ref)))
        tol = 64 * (depth + 1) * 2.0 ** -53 * np.outer(d, d)
        assert np.all(np.abs(values - ref) <= tol)
