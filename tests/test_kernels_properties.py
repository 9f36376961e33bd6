"""Hypothesis properties of the float64 limit kernels.

Tolerances.  Every entry is computed by O(30) floating-point operations per layer,
so its forward error is at most ``c (L+1) u S`` with u = 2^-53 and S the natural
scale sqrt(Theta(x,x) Theta(y,y)) (Cauchy-Schwarz bounds |Theta(x,y)| by S).  We
use c = 64, i.e. ``TOL = 64 (L+1) u S``; the accuracy tests show the realised
errors are far smaller (<= 1e-14 relative).
"""

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from strategies import architectures, input_sets, keep_probs

from theory.config import Architecture
from theory.kernels.float64 import limit_kernel

U = 2.0 ** -53


def _scale(K):
    d = np.sqrt(np.abs(np.diag(K)))
    return np.outer(d, d)


def _tol(arch, K):
    return 64 * (arch.depth + 1) * U * _scale(K)


@given(architectures(), input_sets())
def test_gram_is_exactly_symmetric(arch, X):
    k = limit_kernel(arch, X, first_layer="mean_field")
    np.testing.assert_array_equal(k.ntk, k.ntk.T)
    np.testing.assert_array_equal(k.nngp, k.nngp.T)


@given(architectures(), input_sets(max_n=8))
def test_gram_is_positive_semidefinite(arch, X):
    k = limit_kernel(arch, X, first_layer="mean_field")
    for K in (k.ntk, k.nngp):
        # Weyl: eigenvalues move by at most ||E||_2 <= N max|E_ij| <= N max_ij TOL_ij.
        slack = X.shape[0] * _tol(arch, K).max()
        assert np.linalg.eigvalsh(K).min() >= -slack


@given(st.integers(1, 8), input_sets())
def test_dense_relu_diagonal_is_depth_plus_one_times_norm_squared(depth, X):
    k = limit_kernel(Architecture.pruned(depth), X)
    expected = (depth + 1) * np.sum(X * X, axis=1)
    np.testing.assert_allclose(np.diag(k.ntk), expected, rtol=8 * (depth + 1) * U, atol=0)


@given(architectures(activation="relu"), input_sets(max_n=4),
       st.sampled_from([0.125, 0.5, 2.0, 1024.0]), st.sampled_from([0.25, 1.0, 8.0]))
def test_relu_kernels_are_positively_homogeneous_in_each_input(arch, X, t, t2):
    Y = X[::-1]
    base = limit_kernel(arch, X, Y)
    scaled = limit_kernel(arch, t * X, t2 * Y)
    scale = np.sqrt(np.abs(np.outer(np.diag(limit_kernel(arch, X).ntk),
                                    np.diag(limit_kernel(arch, Y).ntk))))
    tol = 64 * (arch.depth + 1) * U * scale * t * t2
    assert np.all(np.abs(scaled.ntk - t * t2 * base.ntk) <= tol)


@given(architectures(activation="relu", rescale=False), input_sets())
def test_c1_plain_pruning_scales_relu_ntk_by_product_of_keep_probs(arch, X):
    pruned = limit_kernel(arch, X)
    dense = limit_kernel(arch.dense(), X)
    factor = float(np.prod([float(q) for q in arch.keep_probs[1:]]))
    assert pruned.scale_factor == Fraction(np.prod(arch.keep_probs[1:]))
    assert np.all(np.abs(pruned.ntk - factor * dense.ntk) <= factor * _tol(arch, dense.ntk))
    assert np.all(np.abs(pruned.nngp - factor * dense.nngp) <= factor * _tol(arch, dense.nngp))


@given(architectures(activation="relu", rescale=False, prune_first_layer=True), input_sets())
def test_c1_mean_field_first_layer_includes_q1(arch, X):
    pruned = limit_kernel(arch, X, first_layer="mean_field")
    dense = limit_kernel(arch.dense(), X)
    factor = float(arch.scale_factor())
    assert pruned.scale_factor == arch.scale_factor()
    assert np.all(np.abs(pruned.ntk - factor * dense.ntk) <= factor * _tol(arch, dense.ntk))


@given(architectures(rescale=True), input_sets())
def test_c2_rescaled_pruning_equals_dense_for_any_activation(arch, X):
    pruned = limit_kernel(arch, X)
    dense = limit_kernel(arch.dense(), X)
    assert pruned.scale_factor == 1
    np.testing.assert_array_equal(pruned.ntk, dense.ntk)
    np.testing.assert_array_equal(pruned.nngp, dense.nngp)


@given(st.integers(2, 4), keep_probs.filter(lambda q: q <= Fraction(9, 10)))
def test_erf_plain_pruning_of_hidden_layers_is_not_a_scalar_multiple(depth, q):
    arch = Architecture.pruned(depth, q, activation="erf")
    X = np.array([[1.0, 0.0], [3.0, 0.0], [0.6, 0.8]])
    pruned, dense = limit_kernel(arch, X), limit_kernel(arch.dense(), X)
    assert pruned.scale_factor is None
    ratio = pruned.ntk / dense.ntk
    # ratios at (x,x), (3x,3x), (x,3x): entries are accurate to ~1e-14 relative, so a
    # spread above 1e-6 cannot be rounding
    assert np.ptp([ratio[0, 0], ratio[1, 1], ratio[0, 1], ratio[0, 2]]) > 1e-6


@given(keep_probs, input_sets())
def test_masking_only_the_output_layer_scales_any_activation(q, X):
    for act in ("relu", "erf"):
        arch = Architecture.pruned(1, q, activation=act)   # only layer 2 = output is masked
        pruned, dense = limit_kernel(arch, X), limit_kernel(arch.dense(), X)
        assert pruned.scale_factor == q
        assert np.all(np.abs(pruned.ntk - float(q) * dense.ntk)
                      <= float(q) * _tol(arch, dense.ntk))
