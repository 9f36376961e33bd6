"""Masks on disk, in the NET.npz format of :mod:`numerics.networks.netfile`.

:func:`save_mask` writes ``M{h}`` (bool) for every pruned layer, ``mask_info`` (a
JSON string: format, network shape, method, parameters, target densities) and,
when given, the weights ``W1..W{L+1}`` and ``activation``: such a file is a pruned
network at initialisation that ``pntk entk --weights FILE`` reads as it is.  The
file appears complete or not at all (written to a temporary file, then renamed).

:func:`load_mask` reads a mask from such a file, from a user's NET.npz (masks and
weights) or from a file of masks alone (shapes then come from ``mask_info`` or
from the masks themselves).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from theory._errors import InvalidArgument

from ..networks.netfile import load_network
from .mask import Mask

__all__ = ["save_mask", "load_mask", "MASK_FORMAT"]

MASK_FORMAT = "pruned-ntk.mask.v1"
_KEY = re.compile(r"^([WM])([1-9][0-9]*)$")


def save_mask(mask: Mask, path, weights=None, *, activation: str | None = None,
              argument: str = "--out") -> Path:
    """Write ``mask`` (and ``weights``, if given) to ``path`` atomically; returns the path.

    >>> import os, tempfile
    >>> m = Mask((None, [[1, 0, 1]]), shape=(2, 3, 1), method="example")
    >>> path = save_mask(m, os.path.join(tempfile.mkdtemp(), "mask.npz"))
    >>> load_mask(path).digest() == m.digest(), load_mask(path).method
    (True, 'example')
    """
    if not isinstance(mask, Mask):
        raise InvalidArgument("mask", type(mask).__name__, "not a Mask",
                              "make one with numerics.masks.prune")
    path = Path(path)
    if not path.parent.is_dir():
        raise InvalidArgument(argument, str(path), "its folder does not exist",
                              "create the folder first or choose another path")
    info = {"format": MASK_FORMAT, "shape": list(mask.shape), "method": mask.method,
            "params": dict(mask.params), "nominal": [str(d) for d in mask.nominal]}
    arrays = {f"M{h}": M for h, M in enumerate(mask.layers, start=1) if M is not None}
    arrays["mask_info"] = np.array(json.dumps(info, sort_keys=True))
    if weights is not None:
        for h, W in enumerate(mask.check_weights(weights), start=1):
            arrays[f"W{h}"] = np.asarray(W, dtype=np.float64)
        if activation is not None:
            arrays["activation"] = np.array(activation)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _fail(argument, path, problem, fix):
    raise InvalidArgument(argument, str(path), problem, fix)


def _read(path: Path, argument: str) -> dict:
    if not path.is_file():
        _fail(argument, path, "no such file", "give a mask file written by pntk masks "
              "(or a NET.npz with masks M1..M{L+1})")
    try:
        npz = np.load(path, allow_pickle=False)
        if not hasattr(npz, "files"):
            raise ValueError("a single array, not named arrays M1, M2, ...")
        with npz:
            return {k: np.asarray(npz[k]) for k in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        _fail(argument, path, f"unreadable ({reason})",
              "save the masks with numpy.savez(path, M2=..., ...) or pntk masks")


def _info(arrays: dict, path, argument: str) -> dict:
    raw = arrays.get("mask_info")
    if raw is None:
        return {}
    try:
        info = json.loads(str(raw.flat[0]))
        if not isinstance(info, dict):
            raise ValueError
    except (ValueError, IndexError):
        _fail(argument, path, "mask_info is not a JSON object",
              "write the file with pntk masks or numerics.masks.save_mask")
    if info.get("format") != MASK_FORMAT:
        _fail(argument, path, f"mask_info has format {info.get('format')!r}, not {MASK_FORMAT}",
              "rewrite the file with this version of pntk masks")
    return info


def load_mask(path, argument: str = "--mask") -> Mask:
    """Read a :class:`Mask` (see the module docstring); errors name ``argument``."""
    path = Path(path)
    arrays = _read(path, argument)
    info = _info(arrays, path, argument)
    layers = {int(m[2]): arrays[k] for k in arrays if (m := _KEY.match(k)) and m[1] == "M"}
    has_weights = any((m := _KEY.match(k)) and m[1] == "W" for k in arrays)
    if not layers:
        _fail(argument, path, "holds no masks M1..M{L+1}",
              "store a 0/1 array M{h} for every pruned layer h")
    if has_weights:                      # a full network: validate it as pntk entk does
        net = load_network(path, argument).network
        shape = (net.input_dim, *net.widths, 1)
        arrays_by_layer = net.masks
    else:
        shape = info.get("shape")
        count = len(shape) - 1 if shape else max(layers)
        if shape is None and (1 not in layers or np.ndim(layers[count]) != 2
                              or layers[count].shape[0] != 1):
            _fail(argument, path, "the network shape is unknown: without W1..W{L+1} or "
                  "mask_info the masks must include M1 and the one-row output layer",
                  "store the weights with the masks, or write the file with pntk masks")
        extra = [h for h in layers if h > count]
        if extra:
            _fail(argument, path, f"M{extra[0]} lies beyond the {count} weight layers of the "
                  "stored shape", "store masks only for layers 1..L+1")
        arrays_by_layer = tuple(layers.get(h) for h in range(1, count + 1))
    nominal = info.get("nominal")
    if nominal is not None and len(nominal) != len(arrays_by_layer):
        nominal = None
    try:
        return Mask(arrays_by_layer, shape=shape, method=info.get("method", "file"),
                    params=info.get("params", {"file": path.name}), nominal=nominal)
    except InvalidArgument as exc:
        _fail(argument, path, f"{exc.argument}={exc.value} is invalid: {exc.problem}", exc.fix)
