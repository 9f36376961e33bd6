"""The one mask type: which weights of each layer a network keeps, and where that came from.

A :class:`Mask` covers the weight layers h = 1..L+1 of a network of shape
(d0, n_1, ..., n_L, 1): ``layers[h-1]`` is a read-only boolean array of shape
(n_h, n_{h-1}) (True keeps a weight) or None for a layer that is not pruned.
``nominal`` holds each layer's target density (1 for layers that are not pruned;
under a global budget, the global density), ``method`` and ``params`` say how the
mask was made.  Every routine that takes a mask (sampling, the empirical NTK,
graphon estimation, topology) takes this type; :mod:`numerics.masks.maskfile`
writes and reads it as a NET.npz file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Mapping

import numpy as np

from theory._errors import InvalidArgument, check_keep_prob
from theory.config import Architecture

from ..networks.network import MaskedNetwork

__all__ = ["Mask"]


def _layer(value, h: int, argument: str):
    if value is None:
        return None
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise InvalidArgument(argument, f"layer {h} of dtype {arr.dtype}", "not 0/1 values",
                              "give boolean or 0/1 arrays (True/1 keeps a weight)")
    if arr.ndim != 2 or 0 in arr.shape:
        raise InvalidArgument(argument, f"layer {h} of shape {arr.shape}",
                              "need a non-empty 2-D array (n_h, n_{h-1})",
                              f"give layer {h} one row per unit of layer {h}")
    if arr.dtype.kind != "b":
        bad = (arr != 0) & (arr != 1)
        if bad.any():
            raise InvalidArgument(argument, f"layer {h} entry {arr[bad].flat[0]!r}",
                                  "mask entries must be 0 or 1",
                                  "store 0/1 (or boolean) masks: 1 keeps a weight")
        arr = arr != 0
    else:
        arr = arr.copy()
    arr.flags.writeable = False
    return arr


def _chain(layers, shape, argument: str) -> tuple[int, ...]:
    """The network shape (d0, n_1, ..., n_L, 1) from the arrays and/or the given shape."""
    count = len(layers)
    dims: list[int | None] = [None] * (count + 1)
    dims[-1] = 1
    if shape is not None:
        shape = tuple(int(n) for n in shape)
        if len(shape) != count + 1 or min(shape) < 1:
            raise InvalidArgument("shape", shape, f"need {count + 1} positive sizes "
                                  "(d0, n_1, ..., n_L, 1) for "f"{count} weight layers",
                                  "give the input dimension, the hidden widths and 1")
        dims = list(shape)
    for h, M in enumerate(layers, start=1):
        if M is None:
            continue
        rows, cols = M.shape
        for index, size, what in ((h, rows, "rows"), (h - 1, cols, "columns")):
            if dims[index] is None:
                dims[index] = size
            elif dims[index] != size:
                if index == count:
                    problem = f"the last layer has {rows} rows, not 1 (a scalar output)"
                    fix = f"give layer {h} shape (1, {cols})"
                else:
                    problem = (f"shapes do not chain: layer {h} has {size} {what} but "
                               f"n_{index} = {dims[index]}")
                    fix = f"give layer {h} shape (n_{h}, n_{h - 1}) = ({dims[h]}, {dims[h - 1]})"
                raise InvalidArgument(argument, f"layer {h} of shape {M.shape}", problem, fix)
    missing = [i for i, n in enumerate(dims) if n is None]
    if missing:
        raise InvalidArgument(argument, f"{count} layers", f"the size n_{missing[0]} is not "
                              "implied by any mask (both adjacent layers are dense)",
                              "pass shape=(d0, n_1, ..., n_L, 1)")
    return tuple(int(n) for n in dims)


def _jsonable(params: Mapping) -> MappingProxyType:
    try:
        text = json.dumps(dict(params), sort_keys=True)
    except (TypeError, ValueError):
        raise InvalidArgument("params", params, "not JSON-serialisable",
                              "give strings, numbers, lists and dicts only") from None
    return MappingProxyType(json.loads(text))


@dataclass(frozen=True, eq=False)
class Mask:
    """Per-layer 0/1 masks of a network with one scalar output, and their provenance.

    ``layers``: L+1 entries, None for a layer that is not pruned or a 0/1 array of
    shape (n_h, n_{h-1}) (stored as a read-only bool copy).  ``shape`` (d0, n_1, ...,
    n_L, 1) is needed only where no array implies a size.  ``nominal``: target density
    per layer (default: the kept fraction; 1 for unpruned layers).

    >>> m = Mask((None, [[1, 0, 1]]), shape=(2, 3, 1), method="example")
    >>> m.depth, m.widths, m.masked_layers, m.kept, [str(d) for d in m.densities]
    (1, (3,), (2,), (6, 2), ['1', '2/3'])
    >>> Mask((None, [[1, 0]]), shape=(2, 3, 1))
    Traceback (most recent call last):
    ...
    theory._errors.InvalidArgument: masks='layer 2 of shape (1, 2)' is invalid: shapes do not chain: layer 2 has 2 columns but n_1 = 3; fix: give layer 2 shape (n_2, n_1) = (1, 3)
    """

    layers: tuple
    shape: tuple | None = None
    method: str = "given"
    params: Mapping = field(default_factory=dict)
    nominal: tuple | None = None

    def __post_init__(self) -> None:
        layers = tuple(self.layers)
        if len(layers) < 2:
            raise InvalidArgument("masks", f"{len(layers)} layer(s)",
                                  "a network needs at least one hidden layer and an output layer",
                                  "give L+1 >= 2 entries (None for a dense layer)")
        layers = tuple(_layer(M, h, "masks") for h, M in enumerate(layers, start=1))
        object.__setattr__(self, "layers", layers)
        object.__setattr__(self, "shape", _chain(layers, self.shape, "masks"))
        object.__setattr__(self, "method", str(self.method))
        object.__setattr__(self, "params", _jsonable(self.params))
        object.__setattr__(self, "nominal", self._check_nominal())

    def _check_nominal(self) -> tuple:
        if self.nominal is None:
            return self.densities
        values = tuple(self.nominal)
        if len(values) != len(self.layers):
            raise InvalidArgument("nominal", values, f"need one density per weight layer "
                                  f"({len(self.layers)})", "give L+1 values, 1 for dense layers")
        out = []
        for h, (d, M) in enumerate(zip(values, self.layers), start=1):
            d = check_keep_prob(d, f"nominal[{h}]")
            if M is None and d != 1:
                raise InvalidArgument("nominal", [str(v) for v in values],
                                      f"layer {h} is not pruned but has target density {d}",
                                      "give 1 for layers without a mask")
            out.append(d)
        return tuple(out)

    def __reduce__(self):
        """Pickle through the constructor (worker processes receive masks this way)."""
        return (Mask, (self.layers, self.shape, self.method, dict(self.params), self.nominal))

    # ------------------------------------------------------------------ builders
    @classmethod
    def dense(cls, shape) -> "Mask":
        """The mask that keeps every weight of a network of shape (d0, n_1, ..., 1)."""
        shape = tuple(shape)
        return cls((None,) * (len(shape) - 1), shape=shape, method="dense")

    # ------------------------------------------------------------------ derived
    @property
    def depth(self) -> int:
        """L, the number of hidden layers."""
        return len(self.layers) - 1

    @property
    def input_dim(self) -> int:
        return self.shape[0]

    @property
    def widths(self) -> tuple[int, ...]:
        """Hidden widths n_1..n_L."""
        return self.shape[1:-1]

    @property
    def layer_shapes(self) -> tuple[tuple[int, int], ...]:
        """(n_h, n_{h-1}) for h = 1..L+1."""
        return tuple((self.shape[h], self.shape[h - 1]) for h in range(1, len(self.shape)))

    @property
    def masked_layers(self) -> tuple[int, ...]:
        """The layers that carry an array (pruned layers)."""
        return tuple(h for h, M in enumerate(self.layers, start=1) if M is not None)

    @property
    def sizes(self) -> tuple[int, ...]:
        """n_h n_{h-1}, the number of weights of each layer."""
        return tuple(a * b for a, b in self.layer_shapes)

    @property
    def kept(self) -> tuple[int, ...]:
        """The number of kept weights of each layer."""
        return tuple(size if M is None else int(np.count_nonzero(M))
                     for size, M in zip(self.sizes, self.layers))

    @property
    def densities(self) -> tuple[Fraction, ...]:
        """The kept fraction of each layer, exactly (1 for unpruned layers)."""
        return tuple(Fraction(k, n) for k, n in zip(self.kept, self.sizes))

    def density(self, layers=None) -> Fraction:
        """The kept fraction over ``layers`` (default: the pruned ones; all if none is)."""
        chosen = tuple(layers) if layers is not None else (self.masked_layers or
                                                           tuple(range(1, len(self.layers) + 1)))
        return Fraction(sum(self.kept[h - 1] for h in chosen),
                        sum(self.sizes[h - 1] for h in chosen))

    def array(self, h: int) -> np.ndarray:
        """Layer h as a bool array (all True for an unpruned layer)."""
        M = self.layers[h - 1]
        return np.ones(self.layer_shapes[h - 1], dtype=bool) if M is None else M

    def collapsed_layers(self) -> tuple[int, ...]:
        """Layers that keep no weight at all (the network's output is then constant)."""
        return tuple(h for h, k in enumerate(self.kept, start=1) if k == 0)

    def digest(self) -> str:
        """SHA-256 (hex) of the shape and the bits: equal masks give equal digests."""
        sha = hashlib.sha256(("pruned-ntk.mask.v1|" + ",".join(map(str, self.shape))).encode())
        for h, M in enumerate(self.layers, start=1):
            sha.update(f"|{h}:".encode())
            sha.update(b"dense" if M is None else np.packbits(M, axis=None).tobytes())
        return sha.hexdigest()

    # ------------------------------------------------------------------ networks
    def check_weights(self, weights) -> tuple:
        """``weights`` as float arrays whose shapes are this mask's layer shapes."""
        weights = tuple(weights)
        if len(weights) != len(self.layers):
            raise InvalidArgument("weights", f"{len(weights)} layers",
                                  f"the mask has {len(self.layers)} weight layers",
                                  "give one weight matrix per layer")
        out = []
        for h, (W, shape) in enumerate(zip(weights, self.layer_shapes), start=1):
            W = np.asarray(W)
            if W.shape != shape:
                raise InvalidArgument("weights", f"layer {h} of shape {W.shape}",
                                      f"the mask's layer {h} has shape {shape}",
                                      "draw the weights for the mask's network shape")
            out.append(W)
        return tuple(out)

    def network(self, weights, *, rescale: bool = False, keep_probs="kept",
                activation: str = "relu") -> MaskedNetwork:
        """A :class:`MaskedNetwork` with these masks on ``weights`` (pruned weights zeroed).

        ``keep_probs`` (used by rescaled pruning): ``"kept"`` (each layer's kept
        fraction), ``"nominal"`` (the target densities) or L+1 explicit values.

        >>> m = Mask((None, [[1, 0]]), shape=(3, 2, 1))
        >>> net = m.network([np.ones((2, 3)), np.array([[2.0, 5.0]])], rescale=True)
        >>> net.weights[1], net.layer_factors()
        (array([[2., 0.]]), (1.0, 1.4142135623730951))
        """
        weights = self.check_weights(weights)
        if isinstance(keep_probs, str) and keep_probs in ("kept", "nominal"):
            if keep_probs == "nominal":
                qs = self.nominal
            elif self.collapsed_layers():
                qs = self.nominal         # a collapsed layer has no kept fraction to use
            else:
                qs = self.densities
        else:
            qs = keep_probs
        return MaskedNetwork(weights, self.layers, rescale=rescale, keep_probs=qs,
                             activation=activation)

    def architecture(self, *, rescale: bool = False, activation: str = "relu",
                     keep_probs="kept") -> Architecture:
        """The random-mask architecture with these layers masked at these densities: the
        limit a Bernoulli mask of the same densities converges to (claim C1)."""
        if keep_probs not in ("kept", "nominal"):
            raise InvalidArgument("keep_probs", keep_probs, "unknown choice",
                                  "pass 'kept' or 'nominal'")
        qs = self.nominal if keep_probs == "nominal" else self.densities
        if 0 in qs:
            raise InvalidArgument("mask", f"layer {qs.index(0) + 1}", "keeps no weight",
                                  "use keep_probs='nominal' or a mask that keeps weights")
        return Architecture(self.depth, tuple(qs), self.masked_layers, bool(rescale), activation)

    # ------------------------------------------------------------------ reports
    def summary(self) -> dict:
        """A JSON-able description: method, parameters, and per-layer shapes and densities."""
        layers = []
        for h, (shape, M, k, n, d) in enumerate(zip(self.layer_shapes, self.layers, self.kept,
                                                    self.sizes, self.nominal), start=1):
            layers.append({"layer": h, "shape": list(shape), "pruned": M is not None,
                           "nominal_density": str(d), "density": k / n, "kept": k, "size": n})
        pruned = self.masked_layers
        return {"method": self.method, "params": dict(self.params), "shape": list(self.shape),
                "depth": self.depth, "masked_layers": list(pruned), "layers": layers,
                "density": float(self.density()),
                "kept": sum(self.kept[h - 1] for h in pruned) if pruned else sum(self.kept),
                "collapsed_layers": list(self.collapsed_layers()), "digest": self.digest()}

    def __repr__(self) -> str:
        dens = ", ".join("dense" if M is None else f"{float(d):.4g}"
                         for M, d in zip(self.layers, self.densities))
        return f"Mask(method={self.method!r}, shape={self.shape}, densities=[{dens}])"

