"""The pruned architecture: depth, masked layers, keep probabilities, rescaling.

Conventions (binding, see the README): L hidden layers, weight layers h = 1..L+1.
Layer h is masked with keep probability ``q_h``; ``prune_prob`` alpha_h = 1 - q_h.
Kept weights are multiplied by r_h = 1 (plain pruning) or r_h = 1/sqrt(q_h)
(rescaled pruning).  By default the first layer is dense and layers 2..L+1 (the
output layer included) are masked.

In the infinite-width limit a masked layer multiplies the covariance it forwards by
``s_h = r_h**2 * q_h``: q_h for plain pruning, exactly 1 when rescaled.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Sequence

from ._errors import InvalidArgument, check_depth, check_keep_prob

__all__ = ["Architecture", "ACTIVATIONS"]

ACTIVATIONS = ("relu", "erf")


class _either_way:
    """A method callable on the class (``Architecture.dense(depth=3)``) and on an
    instance (``arch.dense()``); it receives the class or the instance first."""

    def __init__(self, func):
        self.func = func
        self.__doc__ = func.__doc__
        self.__wrapped__ = func

    def __get__(self, obj, cls):
        return functools.partial(self.func, cls if obj is None else obj)


@dataclass(frozen=True)
class Architecture:
    """A fully connected network with random masks, as seen by its limit kernels.

    Build it with :meth:`pruned` rather than directly.

    >>> arch = Architecture.pruned(depth=2, keep_prob="0.5")
    >>> arch.masked_layers, [str(q) for q in arch.keep_probs]
    ((2, 3), ['1', '1/2', '1/2'])
    >>> str(arch.scale_factor())
    '1/4'
    >>> Architecture.pruned(depth=2, keep_prob="0.5", rescale=True).scale_factor()
    Fraction(1, 1)

    A float keep probability means its decimal, as on the command line:

    >>> Architecture.pruned(depth=3, keep_prob=0.3).keep_probs[-1]
    Fraction(3, 10)

    The dense reference, from an architecture or built directly:

    >>> Architecture.dense(depth=2) == arch.dense()
    True
    >>> Architecture.dense(3, activation="erf").describe()
    'erf network, depth L=3, keep_probs=(1, 1, 1, 1), masked layers none, plain pruning'
    """

    depth: int
    keep_probs: tuple[Fraction, ...]
    masked_layers: tuple[int, ...]
    rescale: bool = False
    activation: str = "relu"

    def __post_init__(self) -> None:
        check_depth(self.depth)
        if len(self.keep_probs) != self.depth + 1:
            raise InvalidArgument("keep_probs", self.keep_probs,
                                  f"need one keep probability per weight layer ({self.depth + 1})",
                                  "give L+1 values, 1 for dense layers")
        masked = frozenset(self.masked_layers)      # a set: O(L) checks, not O(L^2)
        for h, q in enumerate(self.keep_probs, start=1):
            check_keep_prob(q, f"keep_probs[{h}]")
            if h not in masked and q != 1:
                raise InvalidArgument("keep_probs", self.keep_probs,
                                      f"layer {h} is not masked but has keep probability {q}",
                                      "set q = 1 for dense layers or list the layer in masked_layers")
        if self.activation not in ACTIVATIONS:
            raise InvalidArgument("activation", self.activation, "unknown activation",
                                  f"choose one of {', '.join(ACTIVATIONS)}")

    # ------------------------------------------------------------------ builders
    @classmethod
    def pruned(
        cls,
        depth: int,
        keep_prob: object = 1,
        *,
        rescale: bool = False,
        prune_first_layer: bool = False,
        masked_layers: Iterable[int] | None = None,
        activation: str = "relu",
    ) -> "Architecture":
        """Mask the chosen layers with keep probability ``keep_prob``.

        ``keep_prob`` is one value for every masked layer or a sequence of L+1 values
        (entries for unmasked layers must be 1).  ``masked_layers`` defaults to
        2..L+1, plus layer 1 when ``prune_first_layer`` is true.
        """
        L = check_depth(depth)
        if masked_layers is None:
            masked = tuple(range(1 if prune_first_layer else 2, L + 2))
        else:
            masked = tuple(sorted(set(int(h) for h in masked_layers)))
            bad = [h for h in masked if not 1 <= h <= L + 1]
            if bad:
                raise InvalidArgument("masked_layers", list(masked_layers),
                                      f"layer {bad[0]} does not exist",
                                      f"weight layers are numbered 1..{L + 1}")
            if prune_first_layer and 1 not in masked:
                masked = (1,) + masked
        if isinstance(keep_prob, Sequence) and not isinstance(keep_prob, str):
            qs = tuple(check_keep_prob(q, f"keep_prob[{h}]") for h, q in enumerate(keep_prob, 1))
            if len(qs) != L + 1:
                raise InvalidArgument("keep_prob", keep_prob,
                                      f"need {L + 1} per-layer values for depth {L}",
                                      "give one value, or one per weight layer 1..L+1")
        else:
            q = check_keep_prob(keep_prob)
            chosen = frozenset(masked)
            qs = tuple(q if h in chosen else Fraction(1) for h in range(1, L + 2))
        return cls(depth=L, keep_probs=qs, masked_layers=masked, rescale=bool(rescale),
                   activation=activation)

    @_either_way
    def dense(self_or_cls, depth: int | None = None, *,
              activation: str | None = None) -> "Architecture":
        """The dense network (no masks): the reference of claims C1 and C2.

        On an architecture, ``arch.dense()`` is the same network unmasked; on the
        class, ``Architecture.dense(depth=3)`` (or ``dense(3)``, ``activation=``
        optional) builds one the way :meth:`pruned` does (examples in the class
        docstring).
        """
        if isinstance(self_or_cls, Architecture):
            if depth is not None and check_depth(depth) != self_or_cls.depth:
                raise InvalidArgument("depth", depth,
                                      f"this architecture has depth {self_or_cls.depth}",
                                      "call arch.dense() without a depth, or "
                                      "Architecture.dense(depth=...) on the class")
            depth = self_or_cls.depth
            activation = activation or self_or_cls.activation
            cls = type(self_or_cls)
        else:
            if depth is None:
                raise InvalidArgument("depth", None, "no depth given",
                                      "call Architecture.dense(depth=L) with L >= 1")
            cls = self_or_cls
        L = check_depth(depth)
        return cls(L, (Fraction(1),) * (L + 1), (), False, activation or "relu")

    # ------------------------------------------------------------------ derived
    @property
    def prune_probs(self) -> tuple[Fraction, ...]:
        """alpha_h = 1 - q_h per weight layer."""
        return tuple(1 - q for q in self.keep_probs)

    @property
    def first_layer_masked(self) -> bool:
        return 1 in self.masked_layers and self.keep_probs[0] != 1

    def layer_scales(self) -> tuple[Fraction, ...]:
        """s_h = r_h**2 q_h for h = 1..L+1: q_h (plain) or 1 (rescaled)."""
        if self.rescale:
            return (Fraction(1),) * (self.depth + 1)
        return self.keep_probs

    def scale_factor(self) -> Fraction:
        """prod_h s_h: the factor C1/C2 predict between pruned and dense limit NTKs.

        It is the exact ratio when the scaled covariances pass through the activation
        unchanged in shape: a positively homogeneous activation (ReLU), rescaled
        pruning (every s_h = 1, any activation), or only the output layer scaled - with
        a dense first layer, or a masked one in the mean-field treatment.  Use
        ``theory.kernels.float64.theory_scale_factor`` to ask whether it applies.
        """
        out = Fraction(1)
        for s in self.layer_scales():
            out *= s
        return out

    def describe(self) -> str:
        qs = ", ".join(str(q) for q in self.keep_probs)
        kind = "rescaled" if self.rescale else "plain"
        return (f"{self.activation} network, depth L={self.depth}, keep_probs=({qs}), "
                f"masked layers {list(self.masked_layers) or 'none'}, {kind} pruning")
