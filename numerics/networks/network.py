"""Finite-width masked networks: the container, its validation, forward and backward passes.

Conventions (see the README): L hidden layers, weight layers h = 1..L+1, input
x in R^{d0}, one output::

    f^(1) = (W1 . S1) x,   g^(h) = sqrt(c_sigma / n_h) sigma(f^(h)),
    f^(h+1) = (W^(h+1) . S^(h+1)) g^(h),   f = f^(L+1),

with S^(h) = M^(h) r_h, M^(h) a 0/1 mask (all ones for a dense layer) and
r_h = 1/sqrt(q_h) for rescaled pruning, else 1.  ``weights[h-1]`` holds
W^(h) . M^(h): a pruned weight is stored as 0 (it has no effect on f or on the
NTK), so the matrix layer h applies is ``r_h * weights[h-1]``.

The arrays may come from any array-API library (NumPy, CuPy, ...); the passes
below use only the standard namespace of the arrays.  Random networks are drawn
by :func:`numerics.networks.sampling.sample_network`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from theory._errors import InvalidArgument, check_keep_prob
from theory.config import ACTIVATIONS, Architecture

from ..backend.xp import activation as _sigma
from ..backend.xp import activation_derivative as _sigma_prime
from ..backend.xp import c_sigma_float, device, is_numpy_namespace, namespace

__all__ = ["MaskedNetwork", "Forward", "forward", "backward", "as_batch"]


def _as_array(value, argument: str, what: str):
    """``value`` itself when it is an array of an array-API library, else a NumPy array."""
    try:
        namespace(value)
        return value
    except InvalidArgument:
        pass
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise InvalidArgument(argument, what, "not an array", "pass NumPy (or CuPy) arrays") \
            from None
    if arr.dtype.kind not in "biuf":
        raise InvalidArgument(argument, f"{what} of dtype {arr.dtype}", "not real numbers",
                              "store real numbers")
    return arr


@dataclass(frozen=True, eq=False)
class MaskedNetwork:
    """A fully connected network with masked weight layers and one scalar output.

    ``weights``: L+1 arrays, W^(h) of shape (n_h, n_{h-1}), the last of shape
    (1, n_L); integer arrays become float64.  ``masks``: one entry per layer, None
    for a dense layer or a 0/1 (bool or numeric) array of W^(h)'s shape, stored
    as bool.  ``keep_probs``: q_h per layer (1 for dense layers); only rescaled
    pruning uses them, and None means the kept fraction of each mask.
    Construction zeroes pruned weights (copying ``weights[h-1]`` only if needed).

    >>> W1, W2 = np.ones((2, 3)), np.array([[1.0, -1.0]])
    >>> net = MaskedNetwork((W1, W2), (None, np.array([[1, 0]])), rescale=True)
    >>> net.depth, net.widths, net.masked_layers, [str(q) for q in net.keep_probs]
    (1, (2,), (2,), ['1', '1/2'])
    >>> net.weights[1], net.layer_factors()
    (array([[1., 0.]]), (1.0, 1.4142135623730951))
    """

    weights: tuple
    masks: tuple
    rescale: bool = False
    keep_probs: tuple | None = None
    activation: str = "relu"

    def __post_init__(self) -> None:
        weights, masks = tuple(self.weights), tuple(self.masks)
        if len(weights) < 2:
            raise InvalidArgument("weights", f"{len(weights)} layer(s)",
                                  "a network needs at least one hidden layer",
                                  "give L+1 >= 2 weight matrices W1..W{L+1}")
        if len(masks) != len(weights):
            raise InvalidArgument("masks", f"{len(masks)} entries",
                                  f"need one entry per weight layer ({len(weights)})",
                                  "use None for dense layers")
        if self.activation not in ACTIVATIONS:
            raise InvalidArgument("activation", self.activation, "unknown activation",
                                  f"choose one of {', '.join(ACTIVATIONS)}")
        if not isinstance(self.rescale, (bool, np.bool_)):
            raise InvalidArgument("rescale", self.rescale, "not a boolean", "pass True or False")
        weights = tuple(_as_array(W, "weights", f"layer {h}") for h, W in enumerate(weights, 1))
        xp = namespace(*weights)
        fixed_w, fixed_m = [], []
        rows = None
        for h, (W, M) in enumerate(zip(weights, masks), start=1):
            W = self._check_weight(xp, W, h, rows, last=h == len(weights))
            rows = W.shape[0]
            if M is not None:
                M = self._check_mask(xp, _as_array(M, "masks", f"layer {h}"), W.shape, h)
                if bool(xp.any(xp.logical_and(xp.logical_not(M), W != 0))):
                    W = xp.where(M, W, xp.zeros_like(W))
            fixed_w.append(W)
            fixed_m.append(M)
        object.__setattr__(self, "weights", tuple(fixed_w))
        object.__setattr__(self, "masks", tuple(fixed_m))
        object.__setattr__(self, "rescale", bool(self.rescale))
        object.__setattr__(self, "keep_probs", self._check_keep_probs(xp))

    # ------------------------------------------------------------------ validation
    @staticmethod
    def _check_weight(xp, W, h: int, rows, last: bool):
        if W.ndim != 2 or 0 in W.shape:
            raise InvalidArgument("weights", f"layer {h} of shape {tuple(W.shape)}",
                                  "need a non-empty 2-D array (n_h, n_{h-1})",
                                  "store W^(h) with one row per unit of layer h")
        if rows is not None and W.shape[1] != rows:
            raise InvalidArgument("weights", f"layer {h} of shape {tuple(W.shape)}",
                                  f"shapes do not chain: layer {h - 1} has {rows} outputs",
                                  f"give layer {h} {rows} columns")
        if last and W.shape[0] != 1:
            raise InvalidArgument("weights", f"layer {h} of shape {tuple(W.shape)}",
                                  "the last layer must have exactly 1 output",
                                  "give the output layer shape (1, n_L)")
        if not xp.isdtype(W.dtype, "real floating"):
            if not xp.isdtype(W.dtype, "integral"):
                raise InvalidArgument("weights", f"layer {h} of dtype {W.dtype}",
                                      "not real numbers", "store float64 weights")
            W = xp.astype(W, xp.float64)
        if not bool(xp.all(xp.isfinite(W))):
            raise InvalidArgument("weights", f"layer {h}", "NaN or infinite entry",
                                  "store finite weights")
        return W

    @staticmethod
    def _check_mask(xp, M, shape, h: int):
        if tuple(M.shape) != tuple(shape):
            raise InvalidArgument("masks", f"layer {h} of shape {tuple(M.shape)}",
                                  f"does not match its weights' shape {tuple(shape)}",
                                  "give each mask the shape of its weight matrix")
        if M.dtype == xp.bool:
            return M
        if not xp.isdtype(M.dtype, ("integral", "real floating")) or \
                not bool(xp.all(xp.logical_or(M == 0, M == 1))):
            raise InvalidArgument("masks", f"layer {h}", "entries other than 0 and 1",
                                  "store 0/1 (or boolean) masks: 1 keeps a weight")
        return M != 0

    def _check_keep_probs(self, xp) -> tuple:
        L1 = len(self.weights)
        if self.keep_probs is None:
            out = []
            for M in self.masks:
                if M is None:
                    out.append(Fraction(1))
                    continue
                kept = int(xp.sum(xp.astype(M, xp.int64)))
                if kept == 0:
                    raise InvalidArgument("keep_probs", None, "a mask keeps no weight, so its "
                                          "keep probability cannot be inferred",
                                          "pass keep_probs explicitly")
                out.append(Fraction(kept, math.prod(M.shape)))
            return tuple(out)
        qs = tuple(self.keep_probs)
        if len(qs) != L1:
            raise InvalidArgument("keep_probs", qs, f"need one value per weight layer ({L1})",
                                  "give L+1 values, 1 for dense layers")
        qs = tuple(check_keep_prob(q, f"keep_probs[{h}]") for h, q in enumerate(qs, 1))
        for h, (q, M) in enumerate(zip(qs, self.masks), start=1):
            if M is None and q != 1:
                raise InvalidArgument("keep_probs", [str(v) for v in qs],
                                      f"layer {h} has no mask but keep probability {q}",
                                      "set q = 1 for dense layers or give the layer a mask")
        return qs

    @classmethod
    def _trusted(cls, weights, masks, rescale, keep_probs, activation) -> "MaskedNetwork":
        """Skip validation: for callers that build valid arrays themselves (sampling)."""
        net = object.__new__(cls)
        for name, value in (("weights", tuple(weights)), ("masks", tuple(masks)),
                            ("rescale", bool(rescale)), ("keep_probs", tuple(keep_probs)),
                            ("activation", activation)):
            object.__setattr__(net, name, value)
        return net

    # ------------------------------------------------------------------ derived
    @property
    def depth(self) -> int:
        """L, the number of hidden layers."""
        return len(self.weights) - 1

    @property
    def input_dim(self) -> int:
        return int(self.weights[0].shape[1])

    @property
    def widths(self) -> tuple[int, ...]:
        """Hidden widths n_1..n_L."""
        return tuple(int(W.shape[0]) for W in self.weights[:-1])

    @property
    def masked_layers(self) -> tuple[int, ...]:
        return tuple(h for h, M in enumerate(self.masks, start=1) if M is not None)

    @property
    def xp(self):
        """The array namespace of the weights."""
        return namespace(*self.weights)

    @property
    def dtype(self):
        return self.weights[0].dtype

    def layer_factors(self) -> tuple[float, ...]:
        """r_h per layer: 1/sqrt(q_h) for masked layers under rescaled pruning, else 1."""
        return tuple(math.sqrt(float(1 / Fraction(q))) if self.rescale and M is not None else 1.0
                     for q, M in zip(self.keep_probs, self.masks))

    def num_kept(self) -> int:
        """The number of trainable (kept) weights, the rows of the parameter Jacobian."""
        xp = self.xp
        return sum(math.prod(W.shape) if M is None else int(xp.sum(xp.astype(M, xp.int64)))
                   for W, M in zip(self.weights, self.masks))

    def architecture(self) -> Architecture:
        """The architecture whose limit kernels this network's eNTK approaches."""
        return Architecture(self.depth, self.keep_probs, self.masked_layers, self.rescale,
                            self.activation)

    def to_namespace(self, xp, device=None) -> "MaskedNetwork":
        """The same network with every array converted by ``xp.asarray`` (e.g. to CuPy)."""
        conv = (lambda a: xp.asarray(a)) if device is None else \
            (lambda a: xp.asarray(a, device=device))
        return MaskedNetwork._trusted([conv(W) for W in self.weights],
                                      [None if M is None else conv(M) for M in self.masks],
                                      self.rescale, self.keep_probs, self.activation)


def as_batch(net: MaskedNetwork, X, argument: str = "X"):
    """``X`` as an (N, d0) array of the network's namespace and dtype (1-D: one input)."""
    xp = net.xp
    try:
        namespace(X)
    except InvalidArgument:
        try:
            X = xp.asarray(np.asarray(X, dtype=np.float64), device=device(net.weights[0]))
        except (TypeError, ValueError):
            raise InvalidArgument(argument, X, "not an array of numbers",
                                  "pass real numbers, one input per row") from None
    namespace(X, net.weights[0])  # a one-line error for arrays of two libraries
    if X.ndim == 1:
        X = xp.reshape(X, (1, X.shape[0]))
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] != net.input_dim:
        raise InvalidArgument(argument, f"array of shape {tuple(X.shape)}",
                              f"need a non-empty (N, {net.input_dim}) array",
                              f"pass one input of dimension {net.input_dim} per row")
    if X.dtype != net.dtype:
        X = xp.astype(X, net.dtype)
    if not bool(xp.all(xp.isfinite(X))):
        raise InvalidArgument(argument, "array with NaN or infinite entries",
                              "inputs must be finite", "remove or replace non-finite values")
    return X


_SMALL_BATCH = 16          # at most this many rows: a product is memory-bound
_BLOCK_BYTES = 2 << 20     # ... and reads W in blocks of rows of about an L2 cache


def _blocks(xp, a, W):
    """Row blocks of W for a memory-bound product on NumPy, else None (one product).

    With a few inputs the product reads W once whatever its shape; taking W in
    cache-sized row blocks keeps each BLAS call small, single-threaded and fast
    (several times faster than one multi-threaded call when the cores are shared).
    """
    if a.shape[0] > _SMALL_BATCH or not is_numpy_namespace(xp):
        return None
    rows = max(1, _BLOCK_BYTES // (W.shape[1] * xp.finfo(W.dtype).bits // 8))
    if rows >= W.shape[0]:
        return None
    return range(0, W.shape[0], rows), rows


def _times_transpose(xp, a, W):
    """a @ W^T: the pre-activations fed by weights W (n_out, n_in) from rows a (N, n_in)."""
    plan = _blocks(xp, a, W)
    if plan is None:
        return a @ xp.matrix_transpose(W)
    starts, rows = plan
    out = xp.empty((a.shape[0], W.shape[0]), dtype=a.dtype, device=device(a))
    for r0 in starts:
        out[:, r0:r0 + rows] = a @ xp.matrix_transpose(W[r0:r0 + rows, :])
    return out


def _times(xp, b, W):
    """b @ W: backward vectors (N, n_out) pulled through weights W (n_out, n_in)."""
    plan = _blocks(xp, b, W)
    if plan is None:
        return b @ W
    starts, rows = plan
    out = None
    for r0 in starts:
        part = b[:, r0:r0 + rows] @ W[r0:r0 + rows, :]
        out = part if out is None else out + part
    return out


@dataclass(frozen=True, eq=False)
class Forward:
    """A forward pass: ``layer_inputs[h-1]`` = a^(h) (X, g^(1), ..., g^(L)) and
    ``preactivations[h-1]`` = f^(h), each with one row per input."""

    layer_inputs: tuple
    preactivations: tuple

    @property
    def output(self):
        """f(x) for every input, shape (N,)."""
        return self.preactivations[-1][:, 0]


def forward(net: MaskedNetwork, X) -> Forward:
    """Run the network on the rows of ``X``.

    >>> net = MaskedNetwork((np.eye(2), np.array([[1.0, 1.0]])), (None, None))
    >>> forward(net, [[1.0, -2.0]]).output     # sqrt(2/2) relu(.) summed: 1 + 0
    array([1.])
    """
    xp = net.xp
    a = as_batch(net, X)
    inputs, pre = [], []
    for h, (W, r) in enumerate(zip(net.weights, net.layer_factors()), start=1):
        f = _times_transpose(xp, a, W)
        if r != 1.0:
            f = f * r
        inputs.append(a)
        pre.append(f)
        if h <= net.depth:
            gain = math.sqrt(c_sigma_float(net.activation) / W.shape[0])
            a = _sigma(xp, net.activation, f) * gain
    return Forward(tuple(inputs), tuple(pre))


def backward(net: MaskedNetwork, fwd: Forward) -> tuple:
    """The backward vectors b^(h) = df/df^(h), h = 1..L+1, each of shape (N, n_h).

    b^(L+1) = 1 and b^(h)_i = sqrt(c_sigma/n_h) sigma'(f^(h)_i) sum_k S_ki W_ki b^(h+1)_k.
    """
    xp = net.xp
    factors = net.layer_factors()
    last = fwd.preactivations[-1]
    b = xp.ones_like(last)
    out = [b]
    for h in range(net.depth, 0, -1):           # layer h receives from layer h+1
        W, r = net.weights[h], factors[h]
        f = fwd.preactivations[h - 1]
        up = _times(xp, b, W)
        scale = math.sqrt(c_sigma_float(net.activation) / f.shape[1]) * r
        b = _sigma_prime(xp, net.activation, f) * up * scale
        out.append(b)
    return tuple(reversed(out))
