"""Exact float64 limit kernels (NNGP and NTK Gram matrices) of pruned networks.

The recursion (derived in ``theory.symbolic.recursion``; s_h = r_h^2 q_h, see ``Architecture``)::

    K^(1)      = first-layer covariance (per mask row when layer 1 is masked)
    Sigma^(h)  = V(K^(h)),  Sigma-dot^(h) = Vdot(K^(h))
    K^(h+1)    = s_{h+1} Sigma^(h)
    Theta_f^(2)   = s_2 (Sigma^(1) + E_m[K_m Vdot(K_m)])
    Theta_f^(h+1) = s_{h+1} (Sigma^(h) + Sigma-dot^(h) Theta_f^(h))     h = 2..L
    NTK = Theta_f^(L+1),  NNGP = K^(L+1)

With every s_h = 1 this is the dense NTK of Arora et al. (2019).

>>> import numpy as np
>>> from theory.config import Architecture
>>> X = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0]])
>>> dense = limit_kernel(Architecture.pruned(depth=2), X)
>>> float(dense.ntk[0, 0])            # Theta(x, x) = (L + 1) |x|^2 for dense ReLU
3.0
>>> pruned = limit_kernel(Architecture.pruned(depth=2, keep_prob=0.5), X)
>>> bool(np.allclose(pruned.ntk, 0.25 * dense.ntk, rtol=1e-15, atol=0))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .._errors import InvalidArgument
from ..closed_forms import positively_homogeneous
from ..config import Architecture
from .bulk_gram import deterministic_gram
from .dual_np import propagate
from .first_layer import EXACT_MAX_DIM, deterministic_description, first_layer_stats
from .geometry import as_inputs

__all__ = ["LimitKernel", "limit_kernel", "theory_scale_factor", "FIRST_LAYER_METHODS",
           "EXACT_BUDGET", "FirstLayerGap", "first_layer_gap"]

FIRST_LAYER_METHODS = ("auto", "exact", "monte_carlo", "mean_field")


@dataclass(frozen=True)
class LimitKernel:
    """Infinite-width NNGP and NTK Gram matrices of one architecture.

    ``ntk_stderr``/``nngp_stderr`` are None for exact methods and Monte Carlo
    standard errors otherwise.  ``scale_factor`` is the exact ratio to the dense
    limit when the theory gives one (claims C1, C2), else None.
    """

    arch: Architecture
    ntk: np.ndarray
    nngp: np.ndarray
    method: str
    scale_factor: Fraction | None
    ntk_stderr: np.ndarray | None = None
    nngp_stderr: np.ndarray | None = None

    @property
    def exact(self) -> bool:
        return self.ntk_stderr is None


def theory_scale_factor(arch: Architecture, first_layer: str = "exact") -> Fraction | None:
    """Exact NTK ratio pruned/dense predicted by claims C1/C2, or None if there is none.

    The ratio is ``prod_h s_h`` (s_h = r_h^2 q_h) whenever the scaled covariances
    pass through the activation unchanged in shape: for a positively homogeneous
    activation (ReLU, claim C1), or when every hidden layer 1..L has s_h = 1
    (rescaled pruning, claim C2, or only the output layer masked).  A masked first
    layer at fixed input dimension gives a mask average with no exact factor in
    general (claim C5) unless treated in the mean-field idealisation.

    >>> str(theory_scale_factor(Architecture.pruned(1, "0.5", activation="erf")))
    '1/2'
    >>> theory_scale_factor(Architecture.pruned(2, "0.5", activation="erf")) is None
    True
    """
    if arch.first_layer_masked and first_layer != "mean_field":
        return None
    hidden_unscaled = all(s == 1 for s in arch.layer_scales()[:-1])
    if hidden_unscaled or positively_homogeneous(arch.activation):
        return arch.scale_factor()
    return None


EXACT_BUDGET = 1 << 25  # mask patterns x input pairs that "auto" enumerates (~ seconds)


def _resolve_method(arch: Architecture, first_layer: str, n_relevant: int, pairs: int) -> str:
    if first_layer not in FIRST_LAYER_METHODS:
        raise InvalidArgument("first_layer", first_layer, "unknown method",
                              f"choose one of {', '.join(FIRST_LAYER_METHODS)}")
    if not arch.first_layer_masked:
        return "dense"
    if first_layer == "auto":
        cheap = n_relevant <= EXACT_MAX_DIM and (pairs << n_relevant) <= EXACT_BUDGET
        return "exact" if cheap else "monte_carlo"
    if first_layer == "exact" and n_relevant > EXACT_MAX_DIM:
        raise InvalidArgument("first_layer", first_layer,
                              f"exact enumeration needs <= {EXACT_MAX_DIM} non-zero input "
                              f"coordinates, these inputs have {n_relevant}",
                              "use first_layer='monte_carlo' (or 'auto')")
    return first_layer


def limit_kernel(arch: Architecture, X, Y=None, *, first_layer: str = "auto",
                 mask_samples: int | None = None, seed: int = 0) -> LimitKernel:
    """NNGP and NTK Gram matrices (N x N for ``Y=None``, else N x M) in float64.

    ``first_layer`` matters only when layer 1 is masked: ``"auto"`` enumerates the
    2^k mask patterns of the k non-zero input coordinates exactly when k <= 16 and
    2^k x (number of pairs) <= 2^25, and otherwise samples ``mask_samples`` rows
    (seeded by ``seed``, with jackknife standard errors; by default as many as the
    same budget allows, between 1024 and 16384); ``"exact"`` forces the
    enumeration (k <= 16, any cost); ``"mean_field"`` uses the d0 -> infinity
    idealisation.
    """
    X = as_inputs(X, "X")
    if Y is not None:
        Y = as_inputs(Y, "Y")
        if Y.shape[1] != X.shape[1]:
            raise InvalidArgument("Y", f"inputs of dimension {Y.shape[1]}",
                                  f"X has dimension {X.shape[1]}",
                                  "give both input sets the same number of coordinates")
    Yv = X if Y is None else Y
    n_relevant = int(np.count_nonzero(np.any(X != 0, axis=0) | np.any(Yv != 0, axis=0)))
    pairs = X.shape[0] * Yv.shape[0]
    method = _resolve_method(arch, first_layer, n_relevant, pairs)
    if mask_samples is None:
        mask_samples = int(min(1 << 14, max(1 << 10, EXACT_BUDGET // pairs)))
    scale_factor = theory_scale_factor(arch, method)
    if method in ("dense", "mean_field"):
        # plain recursion on the bulk, the accurate path on the pairs near +-1
        gram = deterministic_gram(arch, X, Y)
        return LimitKernel(arch, gram.ntk, gram.nngp, deterministic_description(method),
                           scale_factor)
    stats, se_ntk, se_nngp, desc = first_layer_stats(
        arch, X, Y, method=method, mask_samples=mask_samples, seed=seed,
        propagate=lambda st: propagate(arch, st))
    ntk, nngp = propagate(arch, stats)
    return LimitKernel(arch, ntk, nngp, desc, scale_factor, se_ntk, se_nngp)


@dataclass(frozen=True)
class FirstLayerGap:
    """How far the exact masked-first-layer limit is from its mean-field form (claim C5).

    ``mean_field_ntk`` is the kernel with K^(1) = s_1 x.x' - for ReLU that is the
    dense NTK times prod_h s_h (the "scaled dense kernel").  ``relative_gap`` is
    (exact - mean_field) / |mean_field| entrywise, and ``max_relative_gap`` its
    largest absolute value; with a Monte Carlo first layer ``gap_stderr`` carries
    the standard error of the gap.
    """

    exact: LimitKernel
    mean_field: LimitKernel
    relative_gap: np.ndarray
    max_relative_gap: float
    gap_stderr: np.ndarray | None


def first_layer_gap(arch: Architecture, X, Y=None, **kwargs) -> FirstLayerGap:
    """Compare the mask-averaged limit NTK with the mean-field one (first layer masked).

    >>> X = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0]])
    >>> gap = first_layer_gap(Architecture.pruned(2, "0.5", prune_first_layer=True,
    ...                                           rescale=True), X)
    >>> round(gap.max_relative_gap, 5)
    0.00676
    """
    if not arch.first_layer_masked:
        raise InvalidArgument("arch", arch.describe(), "the first layer is not masked",
                              "pass prune_first_layer=True (claim C5 concerns a masked first layer)")
    exact = limit_kernel(arch, X, Y, **kwargs)
    mean_field = limit_kernel(arch, X, Y, first_layer="mean_field")
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = (exact.ntk - mean_field.ntk) / np.abs(mean_field.ntk)
        se = None if exact.ntk_stderr is None else exact.ntk_stderr / np.abs(mean_field.ntk)
    finite = np.isfinite(rel)
    worst = float(np.max(np.abs(rel[finite]))) if np.any(finite) else 0.0
    return FirstLayerGap(exact, mean_field, rel, worst, se)
