"""Arbitrary-precision limit kernels (mpmath): the reference for every float64 result.

This evaluator is deliberately the plain textbook recursion on (a, b, c) triples,
with no float64 stability tricks, which makes it an independent check of
:func:`theory.kernels.float64.limit_kernel`.  Float64 inputs are converted exactly.

It gets its accuracy from working precision, chosen adaptively: the recursion is
run at ``dps + 10`` digits, then with the guard doubled, until two successive runs
agree to ``dps + 2`` digits in both outputs.  Near-antiparallel pairs need this
(the ReLU kernel is O(eps^3) at angle pi - eps, and its closed form cancels
~3 log10(1/eps) digits).

>>> import mpmath
>>> from theory.config import Architecture
>>> k = limit_kernel_mp(Architecture.pruned(depth=1), [1, 0], [0, 1], dps=30)
>>> mpmath.nstr(k.ntk, 30)        # 1/pi for orthogonal unit inputs, depth 1
'0.318309886183790671537767526745'
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import mpmath

from .._errors import InvalidArgument, check_dps
from ..closed_forms import V_mp, Vdot_mp
from ..config import Architecture
from .first_layer import EXACT_MAX_DIM
from .geometry import as_inputs

__all__ = ["MpKernel", "limit_kernel_mp", "limit_kernel_entries_mp", "gram_mp"]

_GUARD = 10
_MAX_GUARD = 2560


@dataclass(frozen=True)
class MpKernel:
    """NTK and NNGP of one input pair at ``dps`` digits."""

    ntk: mpmath.mpf
    nngp: mpmath.mpf
    dps: int
    working_dps: int  # the precision at which two successive evaluations agreed


def _mpf(v) -> mpmath.mpf:
    """Exact conversion of Fractions, ints and floats at the working precision."""
    if isinstance(v, Fraction):
        return mpmath.mpf(v.numerator) / v.denominator
    if isinstance(v, int):
        return mpmath.mpf(v)
    return mpmath.mpf(float(v)) if not isinstance(v, mpmath.mpf) else v


def _dot(u, v):
    return mpmath.fsum(_mpf(a) * _mpf(b) for a, b in zip(u, v))


def _propagate(act: str, scales, sig, drive, depth: int):
    """From Sigma^(1) = (sxx, syy, sxy) and the drive: (ntk, nngp)."""
    s = scales[1]
    ntk = s * (sig[2] + drive)
    a, b, c = (s * v for v in sig)
    for h in range(2, depth + 1):
        S = V_mp(act, a, b, c)
        Sd = Vdot_mp(act, a, b, c)
        s = scales[h]
        ntk = s * (S + Sd * ntk)
        a, b, c = s * V_mp(act, a, a, a), s * V_mp(act, b, b, b), s * S
    return ntk, c


def _first_layer(act, x, y, weights_and_masks, r2):
    """Mask-averaged (Sigma^(1) triple, drive)."""
    sxx = syy = sxy = drive = mpmath.mpf(0)
    for w, m in weights_and_masks:
        a = r2 * _dot([u * k for u, k in zip(x, m)], x)
        b = r2 * _dot([u * k for u, k in zip(y, m)], y)
        c = r2 * _dot([u * k for u, k in zip(x, m)], y)
        sxx += w * V_mp(act, a, a, a)
        syy += w * V_mp(act, b, b, b)
        sxy += w * V_mp(act, a, b, c)
        drive += w * c * Vdot_mp(act, a, b, c)
    return (sxx, syy, sxy), drive


def _agree(u, v, digits: int) -> bool:
    scale = max(abs(u), abs(v))
    return scale == 0 or abs(u - v) <= scale * mpmath.mpf(10) ** (-digits)


def limit_kernel_mp(arch: Architecture, x, y, *, dps: int = 50,
                    first_layer: str = "exact") -> MpKernel:
    """Limit NTK and NNGP of the pair (x, y) at ``dps`` significant digits.

    A masked first layer is averaged exactly over the mask patterns of the non-zero
    coordinates (at most 16), or treated in the mean-field idealisation with
    ``first_layer="mean_field"``.  There is no Monte Carlo here: random estimates do
    not have digits to spare.
    """
    dps = check_dps(dps)
    x = as_inputs(x, "x")[0]
    y = as_inputs(y, "y")[0]
    if x.shape != y.shape:
        raise InvalidArgument("y", f"a vector of length {y.shape[0]}",
                              f"x has length {x.shape[0]}", "give x and y the same length")
    return adaptive_precision(dps, lambda: _evaluate(arch, x, y, first_layer))


def limit_kernel_entries_mp(arch: Architecture, xx, yy, xy, *, dps: int = 50) -> MpKernel:
    """The same, from the Gram entries (|x|^2, |x'|^2, x.x') instead of the vectors.

    Entries are mpmath-convertible (numbers or strings such as ``"1/2"``).  A masked
    first layer is treated in the mean-field idealisation (the entries do not
    determine the mask average).

    >>> arch = Architecture.pruned(depth=2, keep_prob="1/2")
    >>> mpmath.nstr(limit_kernel_entries_mp(arch, 1, 1, "1/2").ntk, 15)
    '0.337869890280871'
    """
    dps = check_dps(dps)

    def run():
        a, b, c = (_mpf(Fraction(v.strip()) if isinstance(v, str) else v)
                   for v in (xx, yy, xy))
        scales = [_mpf(s) for s in arch.layer_scales()]
        return _dense_first_layer(arch.activation, scales, a, b, c, arch.depth)

    return adaptive_precision(dps, run)


def adaptive_precision(dps: int, evaluate):
    """Run ``evaluate`` at growing precision until two runs agree to dps + 2 digits."""
    guard, previous = _GUARD, None
    while True:
        with mpmath.workdps(dps + guard):
            current = evaluate()
            if previous is not None and all(_agree(u, v, dps + 2)
                                            for u, v in zip(current, previous)):
                break
        if guard > _MAX_GUARD:
            raise ArithmeticError(f"no convergence up to {dps + guard} digits")
        previous, guard = current, 2 * guard
    with mpmath.workdps(dps):
        return MpKernel(+current[0], +current[1], dps, dps + guard)


def _dense_first_layer(act, scales, a, b, c, depth):
    s1 = scales[0]
    a, b, c = s1 * a, s1 * b, s1 * c
    sig = (V_mp(act, a, a, a), V_mp(act, b, b, b), V_mp(act, a, b, c))
    drive = c * Vdot_mp(act, a, b, c)
    return _propagate(act, scales, sig, drive, depth)


def _evaluate(arch: Architecture, x, y, first_layer: str):
    scales = [_mpf(s) for s in arch.layer_scales()]
    if arch.first_layer_masked and first_layer == "exact":
        relevant = [j for j in range(len(x)) if x[j] != 0 or y[j] != 0]
        if len(relevant) > EXACT_MAX_DIM:
            raise InvalidArgument(
                "x", f"{len(relevant)} non-zero coordinates",
                f"exact mask enumeration handles at most {EXACT_MAX_DIM}",
                "use the float64 evaluator's Monte Carlo (drop --dps)")
        q = _mpf(arch.keep_probs[0])
        xr, yr = x[relevant], y[relevant]
        k = len(relevant)
        pats = ((q ** sum(m) * (1 - q) ** (k - sum(m)), m)
                for m in itertools.product((0, 1), repeat=k))
        r2 = 1 / q if arch.rescale else mpmath.mpf(1)
        sig, drive = _first_layer(arch.activation, xr, yr, pats, r2)
    elif arch.first_layer_masked and first_layer != "mean_field":
        raise InvalidArgument("first_layer", first_layer, "unknown method here",
                              "choose exact or mean_field")
    else:
        return _dense_first_layer(arch.activation, scales, _dot(x, x), _dot(y, y), _dot(x, y),
                                  arch.depth)
    return _propagate(arch.activation, scales, sig, drive, arch.depth)


def gram_mp(arch: Architecture, X, Y=None, *, dps: int = 50, first_layer: str = "exact"):
    """Gram matrices (lists of lists of mpf) of NTK and NNGP, entry by entry."""
    X = as_inputs(X, "X")
    Yv = X if Y is None else as_inputs(Y, "Y")
    ntk, nngp = [], []
    for i, x in enumerate(X):
        row_t, row_n = [], []
        for j, y in enumerate(Yv):
            if Y is None and j < i:
                row_t.append(ntk[j][i])
                row_n.append(nngp[j][i])
                continue
            k = limit_kernel_mp(arch, x, y, dps=dps, first_layer=first_layer)
            row_t.append(k.ntk)
            row_n.append(k.nngp)
        ntk.append(row_t)
        nngp.append(row_n)
    return ntk, nngp
