"""Exact integer forms of float64 weights and points (every float64 is a dyadic rational).

Activation patterns of a ReLU network without biases do not change when a layer's
pre-activations are multiplied by a positive number, so the kept weights W . M (the
factors sqrt(c_sigma / n_h) and 1/sqrt(q_h) are positive) can be replaced by the
integer matrix 2^e (W . M): all pre-activations along a segment or a triangle are then
integer-coefficient affine functions, and every sign the counters need is an exact
integer sign.

>>> m, e = integer_matrix(np.array([[0.5, -3.0]]))
>>> m.tolist(), e
([[1, -6]], 1)
"""

from __future__ import annotations

import math

import numpy as np

from theory._errors import InvalidArgument

__all__ = ["integer_matrix", "integer_affine_points", "hidden_matrices", "check_matrices"]


def integer_matrix(A) -> tuple[np.ndarray, int]:
    """(M, e) with M an object array of Python ints and A = M / 2^e exactly."""
    A = np.asarray(A, dtype=np.float64)
    if not np.all(np.isfinite(A)):
        raise InvalidArgument("weights", "a matrix with NaN or infinity", "not finite",
                              "give finite weights")
    mant, expo = np.frexp(A)                     # A = mant 2^expo, 0.5 <= |mant| < 1
    ints = (mant * 2.0 ** 53).astype(np.int64)   # exact: |mant| 2^53 < 2^53
    nonzero = ints != 0
    if not nonzero.any():
        return np.zeros(A.shape, dtype=object), 0
    shift = 53 - expo                            # A = ints / 2^shift entry-wise
    e = int(shift[nonzero].max())
    out = np.empty(A.shape, dtype=object)
    for idx in np.ndindex(A.shape):
        out[idx] = int(ints[idx]) << (e - int(shift[idx])) if nonzero[idx] else 0
    return _reduce(out, e)


def _reduce(M: np.ndarray, e: int) -> tuple[np.ndarray, int]:
    """Divide out the common power of two (smaller integers, same rational matrix)."""
    g = 0
    for v in M.flat:
        g = math.gcd(g, v)
    if g == 0:
        return M, 0
    twos = min((g & -g).bit_length() - 1, e)
    if twos > 0:
        M = np.vectorize(lambda v: v >> twos, otypes=[object])(M)
    return M, e - twos


def integer_affine_points(points) -> np.ndarray:
    """Columns [x_0, x_1 - x_0, ..., x_m - x_0] of the points, as exact integers up to one
    common positive factor (an object array of shape (dim, m + 1))."""
    P = np.asarray(points, dtype=np.float64)
    # x_i - x_0 is not exact in float64: form it from the exact integers instead
    ints, _ = integer_matrix(P.T)
    out = np.empty((P.shape[1], len(P)), dtype=object)
    out[:, 0] = ints[:, 0]
    for i in range(1, len(P)):
        out[:, i] = ints[:, i] - ints[:, 0]
    return out


def check_matrices(matrices, input_dim: int | None = None) -> tuple[np.ndarray, ...]:
    """The ReLU layers' weight matrices as float64, checked to chain (n_l x n_{l-1})."""
    out, rows = [], input_dim
    for h, A in enumerate(matrices, start=1):
        A = np.asarray(A, dtype=np.float64)
        if A.ndim != 2 or 0 in A.shape:
            raise InvalidArgument("matrices", f"layer {h} of shape {A.shape}",
                                  "not a non-empty matrix", "give (n_l, n_{l-1}) matrices")
        if rows is not None and A.shape[1] != rows:
            raise InvalidArgument("matrices", f"layer {h} of shape {A.shape}",
                                  f"expects {A.shape[1]} inputs but gets {rows}",
                                  "give matrices whose shapes chain")
        if not np.all(np.isfinite(A)):
            raise InvalidArgument("matrices", f"layer {h}", "holds NaN or infinity",
                                  "give finite weights")
        rows = A.shape[0]
        out.append(A)
    if not out:
        raise InvalidArgument("matrices", "[]", "no layer", "give at least one ReLU layer")
    return tuple(out)


def hidden_matrices(network) -> tuple[np.ndarray, ...]:
    """The kept weights W^(h) . M^(h) of the hidden (ReLU) layers h = 1..L of a
    :class:`numerics.networks.MaskedNetwork`; the linear output layer makes no regions."""
    return tuple(np.asarray(W, dtype=np.float64) for W in network.weights[:-1])
