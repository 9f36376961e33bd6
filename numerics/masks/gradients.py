"""Exact loss gradients and Hessian-vector products of our network, in NumPy.

Our network has one output; a classification loss over K classes needs K logits.
The scoring network keeps the hidden layers exactly as they are (conventions of
:mod:`numerics.networks.network`: f^(1) = W1 x, g^(h) = sqrt(c_sigma / n_h)
sigma(f^(h))) and replaces the 1 x n_L output layer W^(L+1) by a K x n_L readout
``head`` whose **first row is W^(L+1)** and whose other K - 1 rows are extra
N(0, 1) weights that exist only for scoring::

    z = head g^(L)(x)            (K logits; z_0 = f(x), the network's own output)
    loss = mean_i [ logsumexp(z_i) - z_i[y_i] ]       (softmax cross-entropy)

Why: SNIP and GraSP are defined through the cross-entropy of a K-way classifier;
with this head the scores of the hidden layers are exactly those of the K-way MLP
the methods were designed for, and the output layer W^(L+1) is scored as the row
of that classifier it is.  Nothing of the head but its first row survives into
the pruned network.  (A squared loss on the scalar output against a one-vs-rest
target would score a different, binary problem; a scalar-to-K map z = a f(x) + b
would give rank-one logits that no method was designed for.)

Gradients are backpropagation; the Hessian-vector product H v is the exact
directional derivative of the gradient along v (Pearlmutter's R-operator: one
forward and one backward pass of directional derivatives), with sigma'' = 0 for
ReLU (away from its kink) and sigma''(z) = -2 z sigma'(z) for erf.  Parameters
are the tuple (W^(1), ..., W^(L), head).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory._errors import InvalidArgument

from ..backend.xp import activation as _sigma
from ..backend.xp import activation_derivative as _sigma_prime
from ..backend.xp import c_sigma_float

__all__ = ["ScoringNet", "scoring_loss", "loss_gradient", "hessian_vector",
           "gradient_and_hessian_gradient"]


@dataclass(frozen=True, eq=False)
class ScoringNet:
    """Hidden weights W^(1)..W^(L) (shapes (n_h, n_{h-1})), the K x n_L head, the activation.

    >>> net = ScoringNet((np.ones((3, 2)),), np.ones((4, 3)), "relu")
    >>> net.depth, net.classes
    (1, 4)
    """

    hidden: tuple
    head: np.ndarray
    activation: str = "relu"

    @property
    def depth(self) -> int:
        return len(self.hidden)

    @property
    def classes(self) -> int:
        return int(self.head.shape[0])

    @property
    def params(self) -> tuple:
        return (*self.hidden, self.head)

    def with_params(self, params) -> "ScoringNet":
        params = tuple(params)
        return ScoringNet(params[:-1], params[-1], self.activation)

    def gains(self) -> tuple[float, ...]:
        c = c_sigma_float(self.activation)
        return tuple(math.sqrt(c / W.shape[0]) for W in self.hidden)


def _check(net: ScoringNet, X, labels):
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    if X.ndim != 2 or X.shape[1] != net.hidden[0].shape[1]:
        raise InvalidArgument("inputs", f"array of shape {X.shape}",
                              f"need (N, {net.hidden[0].shape[1]})",
                              "give one input of the network's dimension per row")
    if labels.shape != (X.shape[0],) or labels.min() < 0 or labels.max() >= net.classes:
        raise InvalidArgument("labels", f"array of shape {labels.shape}",
                              f"need one label in 0..{net.classes - 1} per input",
                              "renumber the classes 0..K-1")
    return X, labels


def _second_derivative(name: str, f, d1):
    return np.zeros_like(f) if name == "relu" else -2.0 * f * d1


def _forward(net: ScoringNet, X):
    acts, pres = [X], []
    for W, c in zip(net.hidden, net.gains()):
        f = acts[-1] @ W.T
        pres.append(f)
        acts.append(c * _sigma(np, net.activation, f))
    z = acts[-1] @ net.head.T
    return acts, pres, z


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def scoring_loss(net: ScoringNet, X, labels) -> float:
    """Mean softmax cross-entropy of the K logits (see the module docstring)."""
    X, labels = _check(net, X, labels)
    z = _forward(net, X)[2]
    m = z.max(axis=1)
    lse = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
    return float(np.mean(lse - z[np.arange(z.shape[0]), labels]))


def _backward(net: ScoringNet, acts, pres, z, labels):
    N = z.shape[0]
    p = _softmax(z)
    dz = p.copy()
    dz[np.arange(N), labels] -= 1.0
    dz /= N
    grads = [None] * (net.depth + 1)
    grads[-1] = dz.T @ acts[-1]
    da = dz @ net.head
    dfs = [None] * net.depth
    for h in range(net.depth - 1, -1, -1):
        c = net.gains()[h]
        df = da * (c * _sigma_prime(np, net.activation, pres[h]))
        dfs[h] = (df, da)
        grads[h] = df.T @ acts[h]
        if h:
            da = df @ net.hidden[h]
    return p, dz, dfs, grads


def loss_gradient(net: ScoringNet, X, labels) -> tuple[float, tuple]:
    """(loss, gradient): the gradient is a tuple shaped like ``net.params``."""
    X, labels = _check(net, X, labels)
    acts, pres, z = _forward(net, X)
    m = z.max(axis=1)
    lse = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
    loss = float(np.mean(lse - z[np.arange(z.shape[0]), labels]))
    return loss, tuple(_backward(net, acts, pres, z, labels)[3])


def hessian_vector(net: ScoringNet, X, labels, vector) -> tuple:
    """H v, H the Hessian of :func:`scoring_loss` over all parameters, v shaped like
    ``net.params`` (exact, by the R-operator; see the module docstring)."""
    X, labels = _check(net, X, labels)
    v = tuple(np.asarray(a, dtype=np.float64) for a in vector)
    if len(v) != len(net.params) or any(a.shape != b.shape for a, b in zip(v, net.params)):
        raise InvalidArgument("vector", f"{len(v)} arrays", "not shaped like net.params",
                              "give one array per weight layer and the head")
    acts, pres, z = _forward(net, X)
    p, dz, dfs, _ = _backward(net, acts, pres, z, labels)
    return _r_operator(net, acts, pres, z, p, dz, dfs, v)


def gradient_and_hessian_gradient(net: ScoringNet, X, labels) -> tuple[tuple, tuple]:
    """(g, H g): the gradient and the Hessian times it, sharing one forward and one
    backward pass (what GraSP needs)."""
    X, labels = _check(net, X, labels)
    acts, pres, z = _forward(net, X)
    p, dz, dfs, grads = _backward(net, acts, pres, z, labels)
    grads = tuple(grads)
    return grads, _r_operator(net, acts, pres, z, p, dz, dfs, grads)


def _r_operator(net, acts, pres, z, p, dz, dfs, v) -> tuple:
    gains = net.gains()
    # forward directional derivatives R(f^(h)), R(a^(h))
    r_acts, r_pres = [np.zeros_like(acts[0])], []
    for h, W in enumerate(net.hidden):
        rf = acts[h] @ v[h].T
        if h:
            rf += r_acts[h] @ W.T
        r_pres.append(rf)
        r_acts.append(gains[h] * _sigma_prime(np, net.activation, pres[h]) * rf)
    rz = r_acts[-1] @ net.head.T + acts[-1] @ v[-1].T
    # backward: R(dz) = d(dz)/dz . R(z), with d(dz)/dz = (diag p - p p^T) / N per row
    rdz = (p * rz - p * np.sum(p * rz, axis=1, keepdims=True)) / z.shape[0]
    out = [None] * len(v)
    out[-1] = rdz.T @ acts[-1] + dz.T @ r_acts[-1]
    rda = rdz @ net.head + dz @ v[-1]
    for h in range(net.depth - 1, -1, -1):
        df, da = dfs[h]
        d1 = _sigma_prime(np, net.activation, pres[h])
        rdf = gains[h] * (rda * d1 + da * _second_derivative(net.activation, pres[h], d1)
                          * r_pres[h])
        out[h] = rdf.T @ acts[h]
        if h:
            out[h] += df.T @ r_acts[h]
            rda = rdf @ net.hidden[h] + df @ v[h]
    return tuple(out)
