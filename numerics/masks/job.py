"""What a pruning method is given: the network at initialisation, the budget, the data.

A :class:`PruneJob` is built by :func:`numerics.masks.pruning.prune`; a method (see
:mod:`numerics.masks.methods`) reads it and returns one boolean array per pruned
layer.  Its random streams are the counter-based ones of
:mod:`numerics.networks.sampling` (seed, network shape, trial, layer, kind), so a
mask never depends on what was drawn before it:

* kind 0: the weights W^(h) (the same draws as ``sample_network``'s);
* kind 1: random mask draws of layer h (Bernoulli uniforms: the same as
  ``sample_network``'s masks; exact-count choices); layer 0 for a global choice;
* kind 2: the K - 1 extra rows of the scoring head (layer L+1).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from theory._errors import InvalidArgument

from ..networks.sampling import layer_generator, network_key
from .budget import keep_top, kept_count
from .data import ScoringData

__all__ = ["PruneJob", "SCOPES", "MASK_STREAM", "HEAD_STREAM"]

SCOPES = ("per-layer", "global")
WEIGHT_STREAM, MASK_STREAM, HEAD_STREAM = 0, 1, 2


@dataclass(frozen=True, eq=False)
class PruneJob:
    """One pruning problem.

    ``shape`` (d0, n_1, ..., n_L, 1); ``layers`` the pruned layers (sorted);
    ``density`` the target kept fraction (per layer or over all pruned layers, as
    ``scope`` says; under a per-layer budget also a tuple, one value per pruned layer); ``weights`` W^(1)..W^(L+1) at initialisation (dense);
    ``data`` the scoring data (None for data-free methods); ``rounds`` the number
    of pruning rounds of iterative methods; ``activation`` of the network;
    ``progress``: None or a callable ``progress(done, total)`` that iterative
    methods call after each round.
    """

    shape: tuple
    layers: tuple
    density: Fraction | tuple
    scope: str
    weights: tuple
    seed: int = 0
    trial: int = 0
    data: ScoringData | None = None
    rounds: int = 100
    activation: str = "relu"
    progress: Callable[[int, int], None] | None = None

    @property
    def depth(self) -> int:
        return len(self.shape) - 2

    def layer_shape(self, h: int) -> tuple[int, int]:
        return (self.shape[h], self.shape[h - 1])

    def size(self, h: int) -> int:
        return self.shape[h] * self.shape[h - 1]

    def generator(self, layer: int, kind: int = MASK_STREAM) -> np.random.Generator:
        """The counter-based stream of ``layer`` and ``kind`` (module docstring)."""
        return layer_generator(self.seed, network_key(self.shape, "float64"), self.trial,
                               layer, kind)

    def target(self, h: int | None = None, power: float = 1.0) -> Fraction:
        """The target density of pruned layer ``h`` (None: the common or global one),
        raised to ``power`` for iterative schedules (exactly the target at power 1)."""
        d = self.density
        if isinstance(d, tuple):
            if h is None:
                raise InvalidArgument("density", [str(v) for v in d], "one density per "
                                      "layer has no global value", "use a per-layer budget")
            d = d[self.layers.index(h)]
        return d if power == 1 else Fraction(float(d) ** power)

    def counts(self, power: float = 1.0) -> dict[int, int]:
        """Kept weights per pruned layer at density target^power, per layer."""
        return {h: kept_count(self.target(h, power), self.size(h)) for h in self.layers}

    def total(self, power: float = 1.0) -> int:
        """Kept weights over all pruned layers at density target^power (global budget)."""
        return kept_count(self.target(None, power), sum(self.size(h) for h in self.layers))

    def select(self, scores: dict, power: float = 1.0,
               check: bool = True) -> dict[int, np.ndarray]:
        """Keep the largest ``scores`` (one array per pruned layer) to the budget at
        density target^power: per layer, or over all pruned layers together (``scope``).
        ``check``: refuse NaN or infinite scores (skip only for scores known finite)."""
        if self.scope == "per-layer":
            counts = self.counts(power)
            return {h: keep_top([scores[h]], counts[h], check=check)[0] for h in self.layers}
        kept = keep_top([scores[h] for h in self.layers], self.total(power), check=check)
        return dict(zip(self.layers, kept))
