"""Where the masks of ``pntk topology`` come from: one small function, :func:`read_masks`.

* a :class:`numerics.masks.Mask` (the toolkit's one mask type), or the name of a pruning
  method of :mod:`numerics.masks` (random, uniform, erk, magnitude, snip, grasp, synflow):
  the network (n_0, n_1, ..., n_L, 1) of ``seed`` pruned at ``density`` with the method's
  defaults (first layer dense, layers 2..L+1 pruned, as THEORY.md), its weights kept
  for the weighted gap;
* a file: NET.npz (weights ``W1..`` and optional masks ``M1..``, read and validated by
  :func:`numerics.networks.load_network`; a layer without a mask is dense) or an .npz
  holding only 0/1 masks ``M1..Mk``;
* ``"random"``: Bernoulli(``density``) masks for layer widths ``widths`` = (n_0, n_1,
  ..., n_L), drawn with NumPy from ``seed`` (mask l has shape n_l x n_{l-1}): every
  layer masked and no scalar readout, the setting of Cai et al. and Hoang et al.  (The
  method ``bernoulli`` is our networks' convention instead: layers 2..L+1, a readout.)

>>> masks = read_masks("random", density="0.5", widths=(4, 3), seed=0)
>>> masks.label, [m.shape for m in masks.masks], masks.weights
('random density 0.5', [(3, 4)], None)
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from theory._errors import InvalidArgument, check_int
from theory.regions.bound import check_widths
from theory.regions.ranks import check_density

__all__ = ["MaskSet", "read_masks", "from_mask"]

_MASK_KEY = re.compile(r"^M([1-9][0-9]*)$")


@dataclass(frozen=True)
class MaskSet:
    """Boolean masks (n_l x n_{l-1}) layer by layer, their weights if known, and a label."""

    masks: tuple
    weights: tuple | None
    label: str


def from_mask(mask, weights=None) -> MaskSet:
    """A :class:`numerics.masks.Mask` as a MaskSet (a layer that is not pruned is all ones)."""
    masks = tuple(np.ones((n_out, n_in), dtype=bool) if M is None else np.asarray(M)
                  for M, (n_out, n_in) in zip(mask.layers, mask.layer_shapes))
    label = mask.method + "".join(f" {k} {v}" for k, v in sorted(mask.params.items())
                                  if k in ("density", "scope"))
    return MaskSet(masks, None if weights is None else tuple(np.asarray(W) for W in weights),
                   label)


def read_masks(source, density=None, widths=None, seed: int = 0,
               argument: str = "--masks") -> MaskSet:
    """The masks named by ``source`` (a Mask, a method name, a file path or ``"random"``;
    see the module doc)."""
    from numerics.masks import METHODS, Mask, draw_weights, prune
    if isinstance(source, Mask):
        return from_mask(source)
    if source in METHODS and source != "random":
        if density is None or widths is None:
            raise InvalidArgument(argument, source, f"{source} masks need a density and widths",
                                  "add --density D --widths n0,n1,...")
        shape = (*check_widths(widths, "--widths"), 1)
        seed = check_int(seed, "--seed", 0)
        weights = draw_weights(shape, seed)
        mask = prune(source, shape, str(density), seed=seed, weights=weights)
        return from_mask(mask, [W * (1 if M is None else M)
                                for W, M in zip(weights, mask.layers)])
    if source == "random":
        if density is None or widths is None:
            raise InvalidArgument(argument, source, "random masks need a density and widths",
                                  "add --density D --widths n0,n1,...")
        widths = check_widths(widths, "--widths")
        p = float(check_density(density, "--density"))
        rng = np.random.default_rng([check_int(seed, "--seed", 0), *widths])
        masks = tuple(rng.random((widths[l], widths[l - 1])) < p
                      for l in range(1, len(widths)))
        return MaskSet(masks, None, f"random density {density}")
    path = Path(source)
    if not path.is_file():
        raise InvalidArgument(argument, source, "no such file and not 'random'",
                              "give NET.npz, an .npz of masks M1..Mk, or 'random'")
    try:
        with np.load(path, allow_pickle=False) as npz:
            keys = list(npz.files)
            if any(k.startswith("W") for k in keys):
                from numerics.networks.netfile import load_network
                net = load_network(source, argument).network
                masks = tuple(np.ones(W.shape, dtype=bool) if M is None else np.asarray(M)
                              for W, M in zip(net.weights, net.masks))
                return MaskSet(masks, tuple(np.asarray(W) for W in net.weights), path.name)
            found = {int(m[1]): np.asarray(npz[k]) for k in keys if (m := _MASK_KEY.match(k))}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidArgument(argument, source, f"unreadable ({reason})",
                              "save masks with numpy.savez(path, M1=..., M2=...)") from None
    if not found or sorted(found) != list(range(1, len(found) + 1)):
        raise InvalidArgument(argument, source, f"holds {sorted(keys)}, not masks M1..Mk",
                              "save masks with numpy.savez(path, M1=..., M2=...)")
    masks = []
    for h in range(1, len(found) + 1):
        M = found[h]
        if M.ndim != 2 or 0 in M.shape or M.dtype.kind not in "biuf" \
                or not np.all((M == 0) | (M == 1)):
            raise InvalidArgument(argument, source, f"M{h} is not a non-empty 0/1 matrix",
                                  "store 0/1 (or boolean) matrices")
        if masks and M.shape[1] != masks[-1].shape[0]:
            raise InvalidArgument(argument, source,
                                  f"M{h} has {M.shape[1]} columns but M{h - 1} has "
                                  f"{masks[-1].shape[0]} rows", "give masks whose shapes chain")
        masks.append(M != 0)
    return MaskSet(tuple(masks), None, path.name)
