"""A network whose masks are sampled from step graphons: :class:`GraphonNetwork`.

Layer h (weights W^(h), shape n_h x n_{h-1}) keeps weight (i, j) with probability
``W_h(u_i, v_j)``, where u_i in [0, 1) is the position of neuron i of layer h and
v_j that of neuron j of layer h-1.  A *step* graphon is constant on K_h x K_{h-1}
equal-sized blocks and is stored as the matrix ``G_h`` of shape (K_h, K_{h-1}):

* ``K_0 = d0``: the first layer has one column per input coordinate (coordinates are
  labelled, not exchangeable, so they are not averaged);
* ``K_{L+1} = 1``: the output has one neuron;
* ``None`` means a dense layer (G_h = 1 on every block).

Rescaled pruning multiplies every kept weight of layer h by one factor,
``r_h = 1 / sqrt(d_h)`` with ``d_h`` = the layer density = the mean of ``G_h`` over
its (equal-sized) blocks = the expected fraction of layer h's weights that is kept.
That is what a practitioner does (one factor per layer, known from the density).
For a constant graphon it gives back the dense kernel exactly (claim C2); for a
non-constant one it does not: a neuron at position u sees the variance
``r_h^2 * mean_b G_h(u, b) Sigma_b``, which equals the dense variance only where its
own in-density ``mean_b G_h(u, b)`` equals d_h.  (Rescaling each neuron by its own
in-density would restore the variance, not the kernel, and is not what pruning
code does.)

>>> import numpy as np
>>> net = GraphonNetwork.from_layers({2: np.array([[1.0, 0.5], [0.5, 0.0]]),
...                                   3: np.array([[1.0, 1.0]])}, depth=2, input_dim=3)
>>> net.blocks, net.densities()
((3, 2, 2, 1), (1.0, 0.5, 1.0))
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping

import numpy as np

from .._errors import InvalidArgument, check_depth, check_int
from ..config import ACTIVATIONS

__all__ = ["GraphonNetwork", "validate_graphon"]


def validate_graphon(G, name: str, *, probabilities: bool = True) -> np.ndarray:
    """``G`` as a float64 matrix with entries in [0, 1], or a one-line error naming ``name``.

    ``probabilities=False`` accepts any finite value >= 0 (a second-moment profile).

    >>> validate_graphon([[0.5, 1]], "G2").shape
    (1, 2)
    >>> validate_graphon([[1.5]], "G2")
    Traceback (most recent call last):
    ...
    theory._errors.InvalidArgument: G2='entry (0, 0) = 1.5' is invalid: graphon values are probabilities; fix: give values in [0, 1]
    """
    try:
        arr = np.array(G, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument(name, G, "not an array of numbers",
                              "store a (K_h, K_{h-1}) array of probabilities") from None
    if arr.ndim != 2 or 0 in arr.shape:
        raise InvalidArgument(name, f"array of shape {arr.shape}", "need a non-empty 2-D array",
                              "store a (K_h, K_{h-1}) matrix of block probabilities")
    top = 1.0 if probabilities else np.inf
    bad = np.argwhere(~np.isfinite(arr) | (arr < 0) | (arr > top))
    if bad.size:
        i, j = (int(v) for v in bad[0])
        if probabilities:
            raise InvalidArgument(name, f"entry ({i}, {j}) = {arr[i, j]:.6g}",
                                  "graphon values are probabilities", "give values in [0, 1]")
        raise InvalidArgument(name, f"entry ({i}, {j}) = {arr[i, j]:.6g}",
                              "a second moment is finite and >= 0", "give values >= 0")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class GraphonNetwork:
    """Depth, per-layer step graphons, input dimension, rescaling and activation.

    ``layers`` holds L+1 entries, ``G_1..G_{L+1}`` (None: dense).  ``input_dim`` is
    d0; it must equal ``G_1``'s column count and may be None only while layer 1 is
    dense (then the inputs fix it).  Build with :meth:`from_layers` or :meth:`constant`.

    ``variances`` (optional, L+1 entries) is the *second-moment* profile
    ``V_h[a, b] = E[M_ij W_ij^2]`` on the blocks of a graphon layer, for networks whose
    kept weights are selected (e.g. by magnitude) rather than independent of the mask;
    None, or a None entry, means ``V_h = G_h`` (N(0, 1) weights independent of the
    mask, the paper's model).  V_h drives the forward covariances and the backward
    signal; the density G_h still counts the trainable weights.
    """

    layers: tuple
    input_dim: int | None = None
    rescale: bool = False
    activation: str = "relu"
    variances: tuple | None = None

    def __post_init__(self) -> None:
        layers = tuple(self.layers)
        depth = check_depth(len(layers) - 1, "layers") if len(layers) >= 2 else None
        if depth is None:
            raise InvalidArgument("layers", f"{len(layers)} layer(s)",
                                  "a network needs at least one hidden layer",
                                  "give L+1 >= 2 entries G1..G{L+1} (None for dense)")
        fixed = tuple(None if G is None else validate_graphon(G, f"G{h}")
                      for h, G in enumerate(layers, start=1))
        if self.activation not in ACTIVATIONS:
            raise InvalidArgument("activation", self.activation, "unknown activation",
                                  f"choose one of {', '.join(ACTIVATIONS)}")
        if not isinstance(self.rescale, (bool, np.bool_)):
            raise InvalidArgument("rescale", self.rescale, "not a boolean", "pass True or False")
        d0 = self.input_dim
        if fixed[0] is not None:
            if d0 is None:
                d0 = fixed[0].shape[1]
            elif check_int(d0, "input_dim", 1) != fixed[0].shape[1]:
                raise InvalidArgument("G1", f"array of shape {fixed[0].shape}",
                                      f"needs one column per input coordinate (d0 = {d0})",
                                      f"give G1 shape (K_1, {d0})")
        elif d0 is not None:
            d0 = check_int(d0, "input_dim", 1)
        last = fixed[-1]
        if last is not None and last.shape[0] != 1:
            raise InvalidArgument(f"G{len(fixed)}", f"array of shape {last.shape}",
                                  "the output layer has one neuron (K_{L+1} = 1)",
                                  f"give G{len(fixed)} shape (1, K_L)")
        for h in range(2, len(fixed) + 1):
            below, here = fixed[h - 2], fixed[h - 1]
            if below is not None and here is not None and here.shape[1] != below.shape[0]:
                raise InvalidArgument(f"G{h}", f"array of shape {here.shape}",
                                      f"G{h - 1} has {below.shape[0]} row blocks, so layer "
                                      f"{h - 1} has K_{h - 1} = {below.shape[0]}",
                                      f"give G{h} shape ({here.shape[0]}, {below.shape[0]})")
        for h, G in enumerate(fixed, start=1):
            if self.rescale and G is not None and not np.any(G > 0):
                raise InvalidArgument(f"G{h}", "an all-zero graphon",
                                      "rescaled pruning divides by the layer density, here 0",
                                      "use plain pruning or keep some weights")
        object.__setattr__(self, "layers", fixed)
        object.__setattr__(self, "variances", self._check_variances(fixed))
        object.__setattr__(self, "input_dim", d0)
        object.__setattr__(self, "rescale", bool(self.rescale))

    def _check_variances(self, fixed) -> tuple | None:
        if self.variances is None:
            return None
        vs = tuple(self.variances)
        if len(vs) != len(fixed):
            raise InvalidArgument("variances", f"{len(vs)} entries",
                                  f"need one per weight layer ({len(fixed)})",
                                  "give V1..V{L+1}, None where V_h = G_h")
        out = []
        for h, (V, G) in enumerate(zip(vs, fixed), start=1):
            if V is None:
                out.append(None)
                continue
            if G is None:
                raise InvalidArgument(f"V{h}", "a second-moment profile of a dense layer",
                                      "only graphon layers take a profile",
                                      f"give G{h} too (all ones for a dense mask)")
            V = validate_graphon(V, f"V{h}", probabilities=False)
            if V.shape != G.shape:
                raise InvalidArgument(f"V{h}", f"array of shape {V.shape}",
                                      f"G{h} has shape {G.shape}", "give V_h the shape of G_h")
            out.append(V)
        return tuple(out) if any(v is not None for v in out) else None

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_layers(cls, graphons: Mapping[int, object], depth: int, *,
                    input_dim: int | None = None, rescale: bool = False,
                    activation: str = "relu",
                    variances: Mapping[int, object] | None = None) -> "GraphonNetwork":
        """From ``{h: G_h}`` for the masked layers (missing layers are dense) and optional
        second-moment profiles ``{h: V_h}``."""
        L = check_depth(depth)
        for h in graphons:
            if not isinstance(h, (int, np.integer)) or not 1 <= h <= L + 1:
                raise InvalidArgument("graphons", f"layer {h}", "no such weight layer",
                                      f"number weight layers 1..{L + 1}")
        layers = tuple(graphons.get(h) for h in range(1, L + 2))
        vs = None if not variances else tuple(variances.get(h) for h in range(1, L + 2))
        return cls(layers, input_dim, rescale, activation, vs)

    @classmethod
    def constant(cls, depth: int, keep_probs, *, input_dim: int | None = None,
                 blocks: int = 1, rescale: bool = False,
                 activation: str = "relu") -> "GraphonNetwork":
        """Constant graphons: ``keep_probs`` has L+1 values (1 and None mean dense).

        Each hidden layer gets ``blocks`` equal blocks (the value is the same on all of
        them); a masked first layer needs ``input_dim``.
        """
        L = check_depth(depth)
        K = check_int(blocks, "blocks", 1)
        qs = list(keep_probs)
        if len(qs) != L + 1:
            raise InvalidArgument("keep_probs", qs, f"need {L + 1} values for depth {L}",
                                  "give one value per weight layer, 1 for dense layers")
        layers = []
        for h, q in enumerate(qs, start=1):
            if q is None or Fraction(str(q)) == 1:
                layers.append(None)
                continue
            rows = 1 if h == L + 1 else K
            if h == 1 and input_dim is None:
                raise InvalidArgument("input_dim", None, "a masked first layer has one "
                                      "column per input coordinate",
                                      "pass input_dim (d0)")
            cols = input_dim if h == 1 else K
            layers.append(np.full((rows, cols), float(Fraction(str(q)))))
        return cls(tuple(layers), input_dim, rescale, activation)

    # ------------------------------------------------------------------ derived
    @property
    def depth(self) -> int:
        return len(self.layers) - 1

    @property
    def blocks(self) -> tuple:
        """(K_0, K_1, ..., K_{L+1}): block counts, K_0 = d0 (None while unknown).

        A dense hidden layer next to a graphon takes that graphon's block count; a
        hidden layer with no graphon on either side has one block.
        """
        L = self.depth
        out = [self.input_dim]
        for h in range(1, L + 1):
            here, above = self.layers[h - 1], self.layers[h]
            out.append(here.shape[0] if here is not None else
                       above.shape[1] if above is not None else 1)
        return tuple(out) + (1,)

    def graphon(self, h: int, input_dim: int | None = None) -> np.ndarray:
        """G_h as a full matrix (ones for a dense layer)."""
        K = list(self.blocks)
        if K[0] is None:
            K[0] = input_dim
        G = self.layers[h - 1]
        if G is not None:
            return G
        if K[h - 1] is None:
            raise InvalidArgument("input_dim", None, "the dense first layer's input dimension "
                                  "is unknown", "pass input_dim or the inputs")
        return np.ones((K[h], K[h - 1]))

    def variance(self, h: int, input_dim: int | None = None) -> np.ndarray:
        """V_h as a full matrix: the second-moment profile, G_h when none was given."""
        if self.variances is not None and self.variances[h - 1] is not None:
            return self.variances[h - 1]
        return self.graphon(h, input_dim)

    def densities(self) -> tuple:
        """d_h = mean of G_h (1 for dense layers): the expected kept fraction."""
        return tuple(1.0 if G is None else float(np.mean(G)) for G in self.layers)

    def layer_scales(self) -> tuple:
        """r_h^2 per layer: 1/d_h for rescaled pruning of a graphon layer, else 1."""
        return tuple(1.0 / d if self.rescale and G is not None else 1.0
                     for d, G in zip(self.densities(), self.layers))

    @property
    def masked_layers(self) -> tuple:
        return tuple(h for h, G in enumerate(self.layers, start=1) if G is not None)

    def describe(self) -> str:
        parts = []
        for h, G in enumerate(self.layers, start=1):
            parts.append(f"G{h} dense" if G is None else
                         f"G{h} {G.shape[0]}x{G.shape[1]} (density {np.mean(G):.4g})")
        kind = "rescaled" if self.rescale else "plain"
        profile = "" if self.variances is None else ", second-moment profiles on layers " + \
            ", ".join(str(h) for h, V in enumerate(self.variances, 1) if V is not None)
        return (f"{self.activation} network, depth L={self.depth}, step graphons: "
                + ", ".join(parts) + f", {kind} pruning" + profile)
