"""Read a user's network from a NET.npz file, validating every array.

The file (``numpy.savez``) holds:

* ``W1`` .. ``W{L+1}`` (required): W^(h) of shape (n_h, n_{h-1}), real numbers;
  the last has one row (a scalar output);
* ``M1`` .. ``M{L+1}`` (optional): 0/1 masks of the weights' shapes, 1 keeps a
  weight; a layer without one is dense.  Weights where the mask is 0 are ignored;
* ``rescale`` (optional scalar, default false): kept weights act as W / sqrt(q_h);
* ``keep_probs`` (optional, L+1 values in (0, 1], 1 for dense layers): the q_h of
  rescaled pruning, each read as its shortest decimal (0.3 is 3/10).  Without
  it q_h is the kept fraction of M_h, and a note says so;
* ``activation`` (optional string, default ``relu``): ``relu`` or ``erf``;
* ``mask_info`` (optional JSON string): how the masks were made, written by
  :func:`numerics.masks.save_mask` and ignored here.

Every problem is one :class:`~theory.InvalidArgument` line naming the file, the
array and the fix.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from theory._errors import InvalidArgument, check_keep_prob
from theory.config import ACTIVATIONS

from .network import MaskedNetwork

__all__ = ["LoadedNetwork", "load_network"]

_LAYER_KEY = re.compile(r"^([WM])([1-9][0-9]*)$")
_SCALARS = ("rescale", "keep_probs", "activation", "mask_info")


@dataclass(frozen=True, eq=False)
class LoadedNetwork:
    """A network read from a file, and notes on what was inferred (empty if nothing)."""

    network: MaskedNetwork
    notes: tuple[str, ...] = ()


class _Reader:
    def __init__(self, path: str, argument: str):
        self.path, self.argument = path, argument

    def fail(self, problem: str, fix: str):
        raise InvalidArgument(self.argument, self.path, problem, fix)

    def read(self) -> dict:
        p = Path(self.path)
        if not p.is_file():
            self.fail("no such file", "give the path of a .npz file (numpy.savez)")
        try:
            with open(p, "rb") as fh:
                magic = fh.read(6)
            if magic == b"\x93NUMPY":
                self.fail("holds a single array, not named arrays W1, W2, ...",
                          "save with numpy.savez(path, W1=..., W2=..., ...)")
            if not magic.startswith(b"PK"):
                self.fail("not a .npz archive", "save with numpy.savez(path, W1=..., W2=..., ...)")
            with np.load(p, allow_pickle=False) as npz:
                return {key: np.asarray(npz[key]) for key in npz.files}
        except InvalidArgument:
            raise
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.fail(f"unreadable ({reason})",
                      "save plain numeric arrays with numpy.savez (no pickled objects)")

    def layers(self, arrays: dict) -> tuple[dict, dict]:
        weights, masks, unknown = {}, {}, []
        for key, value in arrays.items():
            match = _LAYER_KEY.match(key)
            if match:
                (weights if match[1] == "W" else masks)[int(match[2])] = value
            elif key not in _SCALARS:
                unknown.append(key)
        if unknown:
            self.fail(f"unknown array(s) {', '.join(sorted(unknown))}",
                      "store only W1..W{L+1}, M1..M{L+1}, rescale, keep_probs, activation, "
                      "mask_info")
        if not weights:
            self.fail("no weight matrices W1, W2, ...", "store W1..W{L+1} (numpy.savez)")
        count = max(weights)
        missing = [h for h in range(1, count + 1) if h not in weights]
        if missing:
            have = ", ".join(f"W{h}" for h in sorted(weights))
            self.fail(f"W{missing[0]} is missing (found {have})",
                      f"store every layer's weights W1..W{count}")
        if count < 2:
            self.fail("only W1: the network needs a hidden layer and an output layer",
                      "store W1..W{L+1} with L >= 1")
        extra = sorted(h for h in masks if h > count)
        if extra:
            self.fail(f"M{extra[0]} has no weight matrix W{extra[0]} (there are {count} layers)",
                      f"store masks only for layers 1..{count}")
        return weights, masks

    def weight(self, h: int, W: np.ndarray, rows: int | None, last: bool) -> np.ndarray:
        if W.dtype.kind not in "fiu":
            self.fail(f"W{h} holds {W.dtype} data, not real numbers", "store float64 weights")
        if W.ndim != 2 or 0 in W.shape:
            self.fail(f"W{h} has shape {W.shape}, not a non-empty matrix",
                      f"store W{h} as an (n_{h}, n_{h - 1}) matrix")
        if rows is not None and W.shape[1] != rows:
            self.fail(f"shapes do not chain: W{h} has shape {W.shape} but W{h - 1} has "
                      f"{rows} rows", f"give W{h} {rows} columns (n_{h - 1} = {rows})")
        if last and W.shape[0] != 1:
            self.fail(f"the last layer W{h} has {W.shape[0]} outputs, not 1",
                      f"give W{h} shape (1, {W.shape[1]}): the network has a scalar output")
        W = W.astype(np.float64, copy=False)
        if not np.all(np.isfinite(W)):
            i, j = np.argwhere(~np.isfinite(W))[0]
            self.fail(f"W{h}[{i}, {j}] = {W[i, j]} is not finite", "store finite weights")
        return W

    def mask(self, h: int, M: np.ndarray, shape) -> np.ndarray:
        if M.dtype.kind not in "biuf":
            self.fail(f"M{h} holds {M.dtype} data, not 0/1", "store 0/1 or boolean masks")
        if M.shape != shape:
            self.fail(f"M{h} has shape {M.shape} but W{h} has shape {shape}",
                      f"give M{h} the shape of W{h}")
        if M.dtype.kind != "b" and not np.all((M == 0) | (M == 1)):
            bad = M[(M != 0) & (M != 1)].flat[0]
            self.fail(f"M{h} has an entry {bad}, not 0 or 1", "store 0/1 masks: 1 keeps a weight")
        return M != 0

    def rescale(self, value) -> bool:
        if value is None:
            return False
        if value.size != 1 or value.dtype.kind not in "biuf" or float(value.flat[0]) not in (0, 1):
            self.fail(f"rescale = {value.tolist()} is not a boolean",
                      "store rescale=True or False")
        return bool(value.flat[0])

    def activation(self, value) -> str:
        if value is None:
            return "relu"
        if value.size != 1 or value.dtype.kind not in "US":
            self.fail(f"activation holds {value.dtype} data of shape {value.shape}",
                      f"store a string: one of {', '.join(ACTIVATIONS)}")
        name = str(value.flat[0].decode() if value.dtype.kind == "S" else value.flat[0])
        if name not in ACTIVATIONS:
            self.fail(f"activation '{name}' is unknown", f"store one of {', '.join(ACTIVATIONS)}")
        return name

    def keep_probs(self, value, masks: list) -> tuple | None:
        if value is None:
            return None
        if value.dtype.kind not in "iuf" or value.ndim != 1 or value.size != len(masks):
            self.fail(f"keep_probs has shape {value.shape} ({value.dtype})",
                      f"store {len(masks)} numbers, one per weight layer (1 for dense ones)")
        out = []
        for h, (q, M) in enumerate(zip(value.tolist(), masks), start=1):
            try:    # the shortest decimal of a float: 0.3 is read as 3/10
                q = check_keep_prob(repr(float(q)), f"keep_probs[{h}]")
            except InvalidArgument:
                self.fail(f"keep_probs[{h}] = {q} is not in (0, 1]",
                          "store keep probabilities with 0 < q <= 1")
            if M is None and q != 1:
                self.fail(f"keep_probs[{h}] = {q} but layer {h} has no mask M{h}",
                          f"store M{h}, or 1 as its keep probability")
            out.append(q)
        return tuple(out)


def load_network(path, argument: str = "--weights") -> LoadedNetwork:
    """Read and validate NET.npz (see the module docstring); errors name ``argument``.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "net.npz")
    >>> np.savez(path, W1=np.ones((4, 3)), W2=np.ones((1, 4)), M2=[[1, 1, 0, 0]], rescale=True)
    >>> loaded = load_network(path)
    >>> loaded.network.masked_layers, [str(q) for q in loaded.network.keep_probs]
    ((2,), ['1', '1/2'])
    >>> loaded.notes[0]
    'keep_probs not stored: rescaling uses the kept fraction of each mask (layer 2: 1/2)'
    """
    reader = _Reader(str(path), argument)
    arrays = reader.read()
    Ws, Ms = reader.layers(arrays)
    weights, masks, notes, rows = [], [], [], None
    for h in range(1, len(Ws) + 1):
        W = reader.weight(h, Ws[h], rows, last=h == len(Ws))
        rows = W.shape[0]
        M = reader.mask(h, Ms[h], W.shape) if h in Ms else None
        weights.append(W)
        masks.append(M)
    rescale = reader.rescale(arrays.get("rescale"))
    keep_probs = reader.keep_probs(arrays.get("keep_probs"), masks)
    if keep_probs is None:
        keep_probs = []
        for h, M in enumerate(masks, start=1):
            kept = 1 if M is None else Fraction(int(M.sum()), M.size)
            if kept == 0:
                reader.fail(f"M{h} keeps no weight, so its keep probability cannot be "
                            "inferred", "store keep_probs (or keep at least one weight)")
            keep_probs.append(Fraction(kept))
        if rescale and any(M is not None for M in masks):
            fractions = ", ".join(f"layer {h}: {q}" for h, (q, M)
                                  in enumerate(zip(keep_probs, masks), start=1) if M is not None)
            notes.append("keep_probs not stored: rescaling uses the kept fraction of each "
                         f"mask ({fractions})")
    net = MaskedNetwork(tuple(weights), tuple(masks), rescale, tuple(keep_probs),
                        reader.activation(arrays.get("activation")))
    return LoadedNetwork(net, tuple(notes))
