"""The explicit parameter Jacobian of a small masked network, by forward-mode chain rule.

This is the reference the fast empirical NTK is checked against.  It shares no
code with :func:`numerics.networks.network.backward`: for every kept weight W^(h)_ij it
pushes the tangent of f^(h) (the vector r_h a^(h)_j e_i) forwards through the
later layers, df^(k+1) = r_{k+1} W^(k+1) (sqrt(c_sigma/n_k) sigma'(f^(k)) . df^(k)),
all kept weights of a layer at once.  The result is the exact derivative up to
float rounding (no finite differences); the memory is N x (kept weights of a
layer) x (widest later layer) floats, hence the size guard.
"""

from __future__ import annotations

import math

import numpy as np

from theory._errors import InvalidArgument

from ..backend.xp import activation_derivative, c_sigma_float, is_numpy_namespace
from ..networks.network import MaskedNetwork, forward

__all__ = ["parameter_jacobian", "empirical_ntk_bruteforce", "MAX_TANGENT_ENTRIES"]

MAX_TANGENT_ENTRIES = 1 << 26   # floats in one layer's tangent block (512 MiB)


def parameter_jacobian(net: MaskedNetwork, X) -> np.ndarray:
    """J[p, k] = df(x_p)/dtheta_k over the kept weights, layer by layer, row-major.

    NumPy networks only.

    >>> W1, W2 = np.array([[1.0, 2.0]]), np.array([[3.0]])
    >>> net = MaskedNetwork((W1, W2), (None, None))    # f = 3 sqrt(2) relu(x1 + 2 x2)
    >>> np.round(parameter_jacobian(net, [[1.0, 1.0]]) / np.sqrt(2), 12)
    array([[3., 3., 3.]])
    """
    if not isinstance(net, MaskedNetwork) or not is_numpy_namespace(net.xp):
        raise InvalidArgument("net", type(net).__name__, "not a NumPy MaskedNetwork",
                              "pass a network of NumPy arrays (net.to_namespace(numpy))")
    fwd = forward(net, X)
    n = fwd.layer_inputs[0].shape[0]
    factors = net.layer_factors()
    c = c_sigma_float(net.activation)
    widest = max(W.shape[0] for W in net.weights)
    columns = []
    for h, (W, M) in enumerate(zip(net.weights, net.masks), start=1):
        rows, cols = np.nonzero(np.ones(W.shape, bool) if M is None else M)
        if n * rows.size * widest > MAX_TANGENT_ENTRIES:
            raise InvalidArgument("net", f"layer {h} with {rows.size} kept weights",
                                  f"the tangents of {n} inputs need more than "
                                  f"{MAX_TANGENT_ENTRIES} floats",
                                  "use the brute-force Jacobian on small networks only")
        a = fwd.layer_inputs[h - 1]
        tangent = np.zeros((n, rows.size, W.shape[0]))
        tangent[:, np.arange(rows.size), rows] = factors[h - 1] * a[:, cols]
        for k in range(h, net.depth + 1):          # from df^(k) to df^(k+1)
            f = fwd.preactivations[k - 1]
            gate = math.sqrt(c / f.shape[1]) * activation_derivative(np, net.activation, f)
            tangent = factors[k] * ((tangent * gate[:, None, :]) @ net.weights[k].T)
        columns.append(tangent[:, :, 0])
    return np.concatenate(columns, axis=1)


def empirical_ntk_bruteforce(net: MaskedNetwork, X, Y=None) -> np.ndarray:
    """J(X) J(Y)^T from the explicit Jacobian: the reference for tiny networks."""
    JX = parameter_jacobian(net, X)
    JY = JX if Y is None else parameter_jacobian(net, Y)
    return JX @ JY.T
