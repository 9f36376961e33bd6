"""Read, validate and write a graphon file ``G.npz``.

The file holds arrays ``G1`` .. ``G{L+1}``: ``G{h}`` has shape (K_h, K_{h-1}) with
K_0 = d0 (one column per input coordinate) and K_{L+1} = 1, values in [0, 1] on
equal-sized blocks.  A missing ``G{h}`` is a dense layer.  Optional ``V{h}`` (the
shape of ``G{h}``, values >= 0) are second-moment profiles E[M W^2] of selected
weights (see :class:`~theory.graphon.spec.GraphonNetwork`).  Any other key, a
non-chaining shape or a value out of range is refused with a one-line error.

>>> import io, numpy as np
>>> buf = io.BytesIO()
>>> np.savez(buf, G2=np.full((1, 4), 0.5))
>>> _ = buf.seek(0)
>>> net = load_graphon_file(buf, depth=1)
>>> net.blocks, net.masked_layers
((None, 4, 1), (2,))
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .._errors import InvalidArgument, check_depth
from .spec import GraphonNetwork

__all__ = ["load_graphon_file", "save_graphon_file"]

_KEY = re.compile(r"^([GV])([1-9][0-9]*)$")


def load_graphon_file(path, depth: int | None = None, *, input_dim: int | None = None,
                      rescale: bool = False, activation: str = "relu",
                      argument: str = "--graphon") -> GraphonNetwork:
    """The :class:`GraphonNetwork` stored in ``path`` (a file name or an open binary file).

    ``depth`` (L) defaults to the largest stored layer minus one, which assumes the
    output layer is stored; pass it when the output layer is dense.  The other
    arguments are those of :class:`~theory.graphon.spec.GraphonNetwork`; ``argument``
    names the file in error messages.
    """
    shown = str(path) if isinstance(path, (str, Path)) else "<file>"
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise InvalidArgument(argument, shown, "no such file", "give the path of a G.npz") \
            from None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise InvalidArgument(argument, shown, f"not a readable .npz file ({exc})",
                              "save the graphons with numpy.savez(path, G1=..., G2=...)") \
            from None
    if not hasattr(data, "files"):
        raise InvalidArgument(argument, shown, "a single array, not an .npz archive",
                              "save the graphons with numpy.savez(path, G1=..., G2=...)")
    graphons, variances = {}, {}
    with data:
        for key in data.files:
            m = _KEY.match(key)
            if m is None:
                raise InvalidArgument(argument, f"{shown} (array {key!r})", "unknown array name",
                                      "name the arrays G1, G2, ..., G{L+1} (and V{h})")
            (graphons if m.group(1) == "G" else variances)[int(m.group(2))] = data[key]
    if not graphons:
        raise InvalidArgument(argument, shown, "holds no graphon", "store at least one G{h}")
    top = max(list(graphons) + list(variances))
    if depth is None:
        if top < 2:
            raise InvalidArgument("--depth", None, "the file stores only G1, so the depth is "
                                  "unknown", "pass the depth L")
        depth = top - 1
    L = check_depth(depth, "--depth")
    if top > L + 1:
        raise InvalidArgument(argument, f"{shown} (array G{top})",
                              f"depth {L} has weight layers 1..{L + 1}",
                              f"pass --depth {top - 1} or remove G{top}")
    return GraphonNetwork.from_layers(graphons, L, input_dim=input_dim, rescale=rescale,
                                      activation=activation, variances=variances or None)


def save_graphon_file(path, net: GraphonNetwork) -> Path:
    """Write the graphons of ``net`` (masked layers only) to ``path`` atomically."""
    if not isinstance(net, GraphonNetwork):
        raise InvalidArgument("net", type(net).__name__, "not a GraphonNetwork",
                              "build one with GraphonNetwork.from_layers(...)")
    path = Path(path)
    arrays = {f"G{h}": np.asarray(G) for h, G in enumerate(net.layers, start=1) if G is not None}
    for h, V in enumerate(net.variances or (), start=1):
        if V is not None:
            arrays[f"V{h}"] = np.asarray(V)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
