"""How far a pruned NTK is from a scalar multiple of the dense NTK (numbers).

:func:`ratio_profile` evaluates pruned/dense NTK ratios with mpmath on a grid:
unit inputs at angles theta in [0, pi] (off-diagonal) and x = x' with varying
squared norm (diagonal).  For ReLU with plain pruning the ratio is the constant
prod_h s_h (claim C1); for erf it is not, and :func:`erf_witness` exhibits two
input pairs with different ratios.

Two best-fit scalars are reported for the off-diagonal grid:

* minimax: c* minimising max_theta |pruned - c dense| / |dense| = max_theta |ratio - c|,
  i.e. the midpoint of the ratio range, with error half the range;
* least squares: c minimising sum_theta (pruned - c dense)^2, i.e.
  sum(pruned dense) / sum(dense^2), with its max relative error.

Note: with a dense first layer and L = 1 the only mask is on the output layer,
which multiplies the NTK by q_2 for *every* activation, so no erf witness exists
there; the default depth is therefore 2.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy as sp

from .._errors import InvalidArgument, check_dps
from ..config import Architecture
from ..texprint import number_latex
from .maps import NTK, DenseNTK, point_symbols
from .recursion import evaluate, numeric_kernel, symbolic_kernel
from .result import MEAN_FIELD_NOTE, ProofResult

__all__ = ["RatioProfile", "ratio_profile", "erf_witness"]


@dataclass(frozen=True)
class RatioProfile:
    """Pruned/dense NTK ratios on an angle grid (unit inputs) and a norm grid (x = x')."""

    architecture: Architecture
    dps: int
    angles: tuple[mpmath.mpf, ...]
    offdiag_ratios: tuple[mpmath.mpf, ...]
    offdiag_range: tuple[mpmath.mpf, mpmath.mpf]
    minimax_scalar: mpmath.mpf
    minimax_error: mpmath.mpf
    least_squares_scalar: mpmath.mpf
    least_squares_error: mpmath.mpf
    norms: tuple[mpmath.mpf, ...]
    diag_ratios: tuple[mpmath.mpf, ...]
    diag_range: tuple[mpmath.mpf, mpmath.mpf]
    predicted: Fraction


def ratio_profile(arch: Architecture, n_angles: int = 180, norms=None, dps: int = 30) -> RatioProfile:
    """Ratios pruned/dense for ``arch`` (closed-form kernels evaluated with mpmath).

    Angles: the midpoints theta_k = (k + 1/2) pi / n_angles, k < n_angles.  With
    n_angles even this avoids theta = pi/2, where both NTKs can vanish, and the
    grid avoids theta = 0 and pi (collinear inputs) where the off-diagonal ReLU
    closed form is singular; x = x' is covered by the diagonal, evaluated on the
    diagonal entries at squared norms ``norms`` (default 41 values from 1/10 to
    10, geometric).

    >>> prof = ratio_profile(Architecture.pruned(depth=2, keep_prob="1/2"), n_angles=8)
    >>> prof.predicted, mpmath.nstr(prof.minimax_scalar, 12), prof.minimax_error < 1e-25
    (Fraction(1, 4), '0.25', True)
    """
    dps = check_dps(dps)
    if int(n_angles) < 2:
        raise InvalidArgument("n_angles", n_angles, "too few angles", "pass at least 2")
    pruned, dense = symbolic_kernel(arch), symbolic_kernel(arch.dense())
    with mpmath.workdps(dps + 10):
        angles = [(k + mpmath.mpf(1) / 2) * mpmath.pi / n_angles for k in range(int(n_angles))]
        if norms is None:
            norms = [mpmath.mpf(10) ** (mpmath.mpf(k) / 20 - 1) for k in range(41)]
        norms = [mpmath.mpf(v) for v in norms]
        pairs_p, pairs_d = [], []
        for theta in angles:
            xy = mpmath.cos(theta)
            pairs_p.append(evaluate(pruned, 1, 1, xy, dps + 10).ntk)
            pairs_d.append(evaluate(dense, 1, 1, xy, dps + 10).ntk)
        ratios = [p / d for p, d in zip(pairs_p, pairs_d)]
        lo, hi = min(ratios), max(ratios)
        ls = mpmath.fsum(p * d for p, d in zip(pairs_p, pairs_d)) / mpmath.fsum(d * d for d in pairs_d)
        ls_err = max(abs(r - ls) for r in ratios)
        diag = [evaluate(pruned, v, v, v, dps + 10, entry="xx").ntk
                / evaluate(dense, v, v, v, dps + 10, entry="xx").ntk for v in norms]
    with mpmath.workdps(dps):
        return RatioProfile(arch, dps, tuple(+t for t in angles), tuple(+r for r in ratios),
                            (+lo, +hi), (lo + hi) / 2, (hi - lo) / 2, +ls, +ls_err,
                            tuple(+v for v in norms), tuple(+r for r in diag),
                            (+min(diag), +max(diag)), arch.scale_factor())


def _float(value, digits: int = 30) -> sp.Float:
    return sp.Float(mpmath.nstr(value, digits), digits)


def _describe(arch: Architecture) -> str:
    qs = ", ".join(str(q) for q in arch.keep_probs)
    masked = ", ".join(str(h) for h in arch.masked_layers) or "none"
    return (f"depth $L = {arch.depth}$, keep probabilities $({qs})$ on the weight layers, "
            f"masked layers {masked}")


def erf_witness(depth: int = 2, keep_prob=Fraction(1, 2), n_angles: int = 180, dps: int = 50,
                prune_first_layer: bool = False):
    """Show that plain pruning of an erf network is not a scalar multiple of the dense NTK.

    Compares the ratio pruned/dense at x = x' (unit norm) with the ratio at unit
    inputs 60 degrees apart; the claim holds when they differ by more than
    ``10**(-dps/2)`` (the evaluation error is about ``10**-dps``).  Both ratios are
    cross-checked with :func:`theory.symbolic.recursion.numeric_kernel`.  ``data`` holds the
    :class:`RatioProfile` (at 30 digits) and the numbers.  Returns a
    :class:`theory.symbolic.proofs.ProofResult` with claim ``"C1-erf-witness"``.
    """
    started = time.perf_counter()
    dps = check_dps(dps)
    arch = Architecture.pruned(depth, keep_prob, activation="erf", prune_first_layer=prune_first_layer)
    pruned, dense = symbolic_kernel(arch), symbolic_kernel(arch.dense())
    pairs = {"x = x'": ((1, 1, 1), "xx"), "angle pi/3": ((1, 1, Fraction(1, 2)), "xy")}
    ratios, cross = {}, mpmath.mpf(0)
    with mpmath.workdps(dps + 10):
        for name, (inputs, entry) in pairs.items():
            p = evaluate(pruned, *inputs, dps=dps + 10, entry=entry).ntk
            d = evaluate(dense, *inputs, dps=dps + 10, entry=entry).ntk
            p_ind = numeric_kernel(arch, *inputs, dps=dps + 10).ntk
            d_ind = numeric_kernel(arch.dense(), *inputs, dps=dps + 10).ntk
            cross = max(cross, abs(p - p_ind) / abs(p), abs(d - d_ind) / abs(d))
            ratios[name] = p / d
        gap = abs(ratios["x = x'"] - ratios["angle pi/3"])
        holds = bool(gap > mpmath.mpf(10) ** -(dps // 2))
    profile = ratio_profile(arch, n_angles=n_angles, dps=30)
    x, xp = point_symbols()
    statement = sp.Ne(NTK(depth, x, x) / DenseNTK(depth, x, x),
                      NTK(depth, x, xp) / DenseNTK(depth, x, xp), evaluate=False)
    steps = (
        (r"Ratio of pruned to dense NTK at $x = x'$, $\|x\| = 1$", _float(ratios["x = x'"])),
        (r"Ratio at unit $x, x'$ with $x \cdot x' = 1/2$", _float(ratios["angle pi/3"])),
        ("Their difference", _float(gap, 20)),
        (r"Off-diagonal ratio range over $\theta \in (0, \pi)$, unit inputs",
         sp.Tuple(*map(_float, profile.offdiag_range))),
        (r"Minimax scalar $c^*$ and $\max_\theta |\mathrm{pruned} - c^* \mathrm{dense}| / "
         r"|\mathrm{dense}|$", sp.Tuple(_float(profile.minimax_scalar), _float(profile.minimax_error))),
        ("Least-squares scalar and its largest relative error",
         sp.Tuple(_float(profile.least_squares_scalar), _float(profile.least_squares_error))),
        (r"Diagonal ratio range over $\|x\|^2 \in [1/10, 10]$",
         sp.Tuple(*map(_float, profile.diag_range))),
        (r"$\prod_h q_h$ (what C1 would give for ReLU)",
         sp.Rational(profile.predicted.numerator, profile.predicted.denominator)),
    )
    hypotheses = ("erf activation, plain pruning", _describe(arch),
                  f"mpmath at {dps} digits; largest relative difference from an independent "
                  f"mpmath recursion ${number_latex(cross)}$")
    if arch.first_layer_masked:
        hypotheses += (MEAN_FIELD_NOTE,)
    data = {"ratios": {k: +v for k, v in ratios.items()}, "difference": gap,
            "threshold": mpmath.mpf(10) ** -(dps // 2), "cross_check": cross, "profile": profile}
    return ProofResult("C1-erf-witness", "Plain pruning of erf is not a rescaling of the dense NTK",
                       statement, hypotheses, steps, holds, time.perf_counter() - started, data)
