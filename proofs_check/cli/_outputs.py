"""What commands write: atomic files, saved Gram matrices, and no silent overwriting.

A command that writes into a folder (``pntk verify``, ``pntk scaling``, ``pntk
experiment``) names the run those files belong to (its settings, a JSON-able dict)
and calls :func:`guard_folder` before any work: files left there by a run with other
settings are never replaced silently.  The command refuses with the usual one-line
error unless ``--overwrite`` is given; rerunning the same settings (to resume with
``--db``, or to recompute) replaces that run's own files.  Files the user names
explicitly (``--latex FILE``, ``--save FILE``, ``pntk export --csv FILE``) are written
where told, as ``cp`` or ``numpy.save`` would.
"""

from __future__ import annotations

import json
from pathlib import Path

from theory._errors import InvalidArgument

from ..atomic import write_atomic

__all__ = ["OVERWRITE_HELP", "guard_folder", "write_atomic", "save_gram", "check_save_path"]

OVERWRITE_HELP = ("replace files that another run (other settings) left in the output "
                  "folder; without it such a folder is refused")


def _describe(run: dict) -> str:
    shown = ", ".join(f"{k} {v}" for k, v in run.items() if not isinstance(v, (list, dict)))
    return shown if len(shown) <= 120 else shown[:117] + "..."


def _recorded_run(manifest: Path, read_run) -> dict | None:
    try:
        doc = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return None
    return read_run(doc) if isinstance(doc, dict) else None


def guard_folder(folder, files, run: dict, *, manifest: str, argument: str = "--out",
                 overwrite: bool = False, read_run=lambda doc: doc.get("run")) -> None:
    """Refuse (InvalidArgument on ``argument``) to write ``files`` (names inside
    ``folder``) when one of them exists and belongs to another run, or when ``folder``
    exists and is not a directory.

    ``manifest`` is the name of the JSON file the run writes; ``read_run(doc)`` returns
    the settings recorded in it (default: its "run" entry), compared with ``run``.
    Existing files whose run is unknown (no readable manifest) count as another run's.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "r.json").write_text('{"run": {"seed": 0}}') and None
    >>> guard_folder(d, ["r.json"], {"seed": 0}, manifest="r.json")      # same run: fine
    >>> guard_folder(d, ["r.json"], {"seed": 1}, manifest="r.json")
    Traceback (most recent call last):
    ...
    theory._errors.InvalidArgument: --out=... is invalid: r.json there holds another run's output (seed 0); fix: choose another --out folder, or pass --overwrite to replace it
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InvalidArgument(argument, str(folder), "exists and is not a directory",
                              "give a directory path")
    if overwrite or not folder.is_dir():
        return
    existing = [name for name in files if (folder / name).exists()]
    if not existing:
        return
    recorded = _recorded_run(folder / manifest, read_run)
    if recorded == run:
        return
    what = f"({_describe(recorded)})" if recorded else "(of unknown settings)"
    raise InvalidArgument(argument, str(folder),
                          f"{existing[0]} there holds another run's output {what}",
                          f"choose another {argument} folder, or pass --overwrite to replace it")


def check_save_path(text: str | None, argument: str = "--save") -> Path | None:
    """``--save FILE.npy``: a path in an existing folder ending in .npy (checked before work)."""
    if text is None:
        return None
    p = Path(text)
    if p.suffix.lower() != ".npy":
        raise InvalidArgument(argument, text, "not a .npy file name",
                              "give a file name ending in .npy (numpy.load reads it)")
    if p.is_dir() or not p.parent.is_dir():
        raise InvalidArgument(argument, text, "not a file path in an existing folder",
                              "give a file name in an existing folder")
    return p


def save_gram(path: Path, matrix) -> None:
    """Save a Gram matrix (float64, or strings of mpmath digits) as .npy, atomically."""
    import io

    import numpy as np
    buf = io.BytesIO()
    arr = np.asarray(matrix)
    np.save(buf, arr if arr.dtype.kind != "O" else arr.astype(str), allow_pickle=False)
    write_atomic(path, buf.getvalue())
