"""The data a data-driven pruning method (SNIP, GraSP) scores on.

Default: scikit-learn's bundled handwritten digits (1797 images of 8 x 8 pixels,
64 features, 10 classes; shipped with scikit-learn, no download), each image scaled
to unit Euclidean norm (the paper's setting ||x|| = 1).  A user's own data comes
as a ``.npz`` with arrays ``inputs`` and ``labels`` (or ``X`` and ``y``), or as an
``.npy`` of inputs with a second ``.npy`` of labels; user inputs are used as given.
Labels are integer class labels; they are renumbered 0..K-1 in sorted order.

How a classification loss meets a network with one output: see
:mod:`numerics.masks.gradients` (a K-way readout used only for scoring, whose
first row is the network's output layer).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from theory._errors import InvalidArgument

__all__ = ["ScoringData", "digits", "load_scoring_data", "DATASETS"]

DATASETS = ("digits",)


@dataclass(frozen=True, eq=False)
class ScoringData:
    """Inputs (N, d0) float64, integer labels 0..K-1 (N,), K = ``classes``, and a name."""

    inputs: np.ndarray
    labels: np.ndarray
    classes: int
    source: str

    @property
    def input_dim(self) -> int:
        return int(self.inputs.shape[1])

    def subset(self, samples: int | None) -> "ScoringData":
        """The first ``samples`` rows (all when None or larger than N)."""
        if samples is None or samples >= self.inputs.shape[0]:
            return self
        return ScoringData(self.inputs[:samples], self.labels[:samples], self.classes,
                           f"{self.source}[:{samples}]")


def digits() -> ScoringData:
    """scikit-learn's handwritten digits, each image scaled to unit norm.

    >>> d = digits()
    >>> d.inputs.shape, d.classes, round(float(np.linalg.norm(d.inputs[0])), 12)
    ((1797, 64), 10, 1.0)
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    X = np.asarray(bunch.data, dtype=np.float64)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    y = np.asarray(bunch.target, dtype=np.int64)
    return ScoringData(X, y, 10, "digits")


def _read(path: str, argument: str) -> dict:
    p = Path(path)
    if not p.is_file():
        raise InvalidArgument(argument, path, "no such file",
                              "give 'digits' or a .npz with arrays inputs and labels")
    try:
        if p.suffix.lower() == ".npz":
            with np.load(p, allow_pickle=False) as npz:
                return {k: np.asarray(npz[k]) for k in npz.files}
        if p.suffix.lower() == ".npy":
            return {"inputs": np.asarray(np.load(p, allow_pickle=False))}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidArgument(argument, path, f"unreadable ({reason})",
                              "save plain numeric arrays with numpy.save/numpy.savez") from None
    raise InvalidArgument(argument, path, f"unknown file type '{p.suffix}'",
                          "give a .npz (inputs, labels) or a .npy of inputs with --labels")


def _pick(arrays: dict, names: tuple[str, str], path: str, argument: str):
    for name in names:
        if name in arrays:
            return arrays[name]
    raise InvalidArgument(argument, path, f"has no array '{names[0]}' (found "
                          f"{', '.join(sorted(arrays)) or 'none'})",
                          f"store the {names[0]} as '{names[0]}' (or '{names[1]}')")


def load_scoring_data(data="digits", labels=None, *, argument: str = "--data",
                      labels_argument: str = "--labels") -> ScoringData:
    """``data``: 'digits', a :class:`ScoringData`, or a file path (see the module docstring).

    ``labels``: a .npy of labels when ``data`` is an .npy of inputs.
    """
    if isinstance(data, ScoringData):
        return data
    if data is None or str(data) == "digits":
        if labels is not None:
            raise InvalidArgument(labels_argument, labels, "the digits bring their own labels",
                                  f"drop {labels_argument}, or give your inputs with {argument}")
        return digits()
    path = str(data)
    arrays = _read(path, argument)
    X = _pick(arrays, ("inputs", "X"), path, argument)
    if labels is not None:
        if "labels" in arrays or "y" in arrays:
            raise InvalidArgument(labels_argument, labels, f"{path} already holds labels",
                                  f"drop {labels_argument} or the labels in {path}")
        y = _pick(_read(str(labels), labels_argument), ("inputs", "labels"), str(labels),
                  labels_argument)
    elif path.lower().endswith(".npy"):
        raise InvalidArgument(labels_argument, None, f"{path} holds inputs only",
                              f"give the labels as {labels_argument} LABELS.npy")
    else:
        y = _pick(arrays, ("labels", "y"), path, argument)
    return _validate(np.asarray(X), np.asarray(y), path, argument)


def _validate(X, y, path: str, argument: str) -> ScoringData:
    if X.dtype.kind not in "fiu" or X.ndim != 2 or 0 in X.shape:
        raise InvalidArgument(argument, path, f"inputs of shape {X.shape} ({X.dtype})",
                              "store a non-empty 2-D numeric array, one input per row")
    X = X.astype(np.float64)
    if not np.all(np.isfinite(X)):
        row = int(np.argwhere(~np.isfinite(X))[0][0])
        raise InvalidArgument(argument, path, f"input row {row} is not finite",
                              "give finite numbers only")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise InvalidArgument(argument, path, f"labels of shape {y.shape} for {X.shape[0]} "
                              "inputs", "give one label per input row")
    if y.dtype.kind not in "iub" and not (y.dtype.kind == "f" and np.all(y == np.round(y))):
        raise InvalidArgument(argument, path, f"labels of dtype {y.dtype} are not integers",
                              "give integer class labels")
    values, codes = np.unique(y, return_inverse=True)
    if values.size < 2:
        raise InvalidArgument(argument, path, "all inputs have the same label",
                              "give inputs of at least two classes")
    return ScoringData(X, codes.astype(np.int64), int(values.size), path)
