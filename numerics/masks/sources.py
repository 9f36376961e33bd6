"""Where a command's masks come from: a mask file or a method name (``--mask FILE|METHOD``).

A *mask source* is either a fixed :class:`Mask` (every Monte Carlo trial puts fresh
Gaussian weights under the same masks) or a :class:`PruningSpec` (every trial
draws its weights and prunes them with the method, so masks and weights belong
together as the method made them).  Commands need three things from it:

* :func:`mask_source`: parse ``--mask`` (a registered method name, else a file);
* :func:`trial_network`: the network of trial t;
* :func:`source_description`: what it contributes to a run's key in a store.
"""

from __future__ import annotations

from theory._errors import InvalidArgument

from ..networks.network import MaskedNetwork
from .mask import Mask
from .maskfile import load_mask
from .methods import METHODS
from .pruning import PruningSpec, masked_network

__all__ = ["mask_source", "trial_network", "source_description"]


def mask_source(value, *, density=None, argument: str = "--mask", **settings):
    """A :class:`Mask` or :class:`PruningSpec` from ``value``: a Mask or PruningSpec
    (returned as is), a method name (then ``density`` and ``settings`` of
    :class:`PruningSpec` apply) or the path of a mask file.

    >>> mask_source("magnitude", density="0.5").scope
    'global'
    """
    if isinstance(value, (Mask, PruningSpec)):
        return value
    text = str(value)
    if text in METHODS:
        if density is None:
            raise InvalidArgument(argument, text, "a method needs a target density",
                                  "give the density (the keep probability) too")
        return PruningSpec(text, density, **settings)
    if not text.lower().endswith(".npz"):
        raise InvalidArgument(argument, text, "neither a pruning method nor a .npz file",
                              f"give a mask file or one of {', '.join(METHODS)}")
    return load_mask(text, argument)


def trial_network(source, shape, seed: int, trial: int, *, rescale: bool = False,
                  activation: str = "relu", keep_probs="kept") -> MaskedNetwork:
    """Network ``trial`` of ``seed`` for shape (d0, n_1, ..., n_L, 1) under ``source``.

    A Mask must have this shape; a PruningSpec prunes the trial's own weights (scored
    with the spec's activation; the network gets ``activation``).
    """
    shape = tuple(shape)
    if isinstance(source, Mask):
        if source.shape != shape:
            raise InvalidArgument("--mask", f"a mask of shape {list(source.shape)}",
                                  f"the network has shape {list(shape)}",
                                  "use the mask's input dimension, depth and widths")
        return masked_network(source, seed, trial, rescale=rescale, keep_probs=keep_probs,
                              activation=activation)
    if isinstance(source, PruningSpec):
        net = source.network(shape, seed, trial, rescale=rescale, keep_probs=keep_probs)
        if net.activation != activation:
            net = MaskedNetwork(net.weights, net.masks, net.rescale, net.keep_probs, activation)
        return net
    raise InvalidArgument("mask", type(source).__name__, "not a mask source",
                          "pass a Mask or a PruningSpec (see mask_source)")


def source_description(source) -> dict:
    """JSON-able: the mask's digest and provenance, or the method's settings."""
    if isinstance(source, Mask):
        return {"mask": "file", "digest": source.digest(), "method": source.method,
                "shape": list(source.shape)}
    if isinstance(source, PruningSpec):
        return {"mask": "method", **source.description()}
    raise InvalidArgument("mask", type(source).__name__, "not a mask source",
                          "pass a Mask or a PruningSpec (see mask_source)")
