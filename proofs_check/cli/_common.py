"""Shared command-line plumbing: one-line errors, exit codes, argument parsing helpers.

Only the standard library and :mod:`theory._errors` are imported here (NumPy inside
the functions that need it), so that building the parser and ``pntk --help`` stay
fast; every command module follows the same rule and imports its heavy modules
inside its ``run``.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from theory._errors import InvalidArgument

__all__ = ["UsageError", "Parser", "HelpFormatter", "parse_int", "parse_workers",
           "parse_vector", "parse_pair", "parse_positive", "load_inputs", "heartbeat",
           "EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "WORKERS_HELP", "NUMBER_LIST",
           "interrupted"]

WORKERS_HELP = ("worker processes: 'auto' (default: every core when the estimated work is "
                "worth the start-up, else 1) or a number; results are identical for any value")

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
#: A value that starts with '-' but is a number or a comma-separated list of numbers
#: ("-0.5,1", "-1e-3, 2"): argparse must read it as a value, never as an option.
NUMBER_LIST = re.compile(rf"^-{_NUMBER}(?:\s*,\s*[-+]?{_NUMBER})*\s*,?$")


class UsageError(Exception):
    """Raised by the parser instead of printing usage; becomes one line and exit code 2."""


class HelpFormatter(argparse.HelpFormatter):
    """Adds "(default: VALUE)" to an option's help unless the help already names its
    default; flags (store_true) and required options have none to show."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (action.option_strings and "default" not in text and not action.required
                and action.default not in (None, False, argparse.SUPPRESS)
                and action.nargs != 0):
            text += " (default: %(default)s)"
        return text


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line naming the problem and the fix, whose
    help shows every default, and which reads values starting with a minus sign that
    are numbers or lists of numbers (``--x -0.5,1``) as values, not as options.

    >>> p = Parser(prog="demo")
    >>> _ = p.add_argument("--x")
    >>> p.parse_args(["--x", "-0.5,1"]).x
    '-0.5,1'
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        # argparse's own matcher knows single numbers only ("-1", "-.5")
        self._negative_number_matcher = NUMBER_LIST

    def error(self, message: str):  # noqa: D401 - argparse hook
        raise UsageError(f"{message} (in '{self.prog}'); fix: see '{self.prog} --help'")


def parse_int(text, argument: str, minimum: int) -> int:
    """Parse an integer option that must be at least ``minimum``."""
    try:
        value = int(str(text))
    except ValueError:
        raise InvalidArgument(argument, text, "not an integer",
                              f"give an integer >= {minimum}") from None
    if value < minimum:
        raise InvalidArgument(argument, text, f"must be >= {minimum}",
                              f"give an integer >= {minimum}")
    return value


def parse_workers(text) -> int | None:
    """``--workers``: None for 'auto', else an integer >= 1."""
    return None if str(text).strip().lower() == "auto" else parse_int(text, "--workers", 1)


def parse_vector(text: str, argument: str):
    """Parse '1,0,0' into a float64 vector (finite, non-empty)."""
    import numpy as np
    try:
        values = [float(v) for v in text.replace(" ", "").split(",") if v != ""]
    except ValueError:
        raise InvalidArgument(argument, text, "not a comma-separated list of numbers",
                              "write e.g. --x 1,0,0") from None
    if not values:
        raise InvalidArgument(argument, text, "empty vector", "write e.g. --x 1,0,0")
    arr = np.array(values, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise InvalidArgument(argument, text, "NaN or infinite entry",
                              "give finite numbers only")
    if not np.any(arr != 0):
        raise InvalidArgument(argument, text, "the zero vector has no angle to other inputs",
                              "give a non-zero input vector")
    return arr


def parse_pair(args):
    """``--x`` and ``--y`` (default: y = x) as vectors of the same length."""
    x = parse_vector(args.x, "--x")
    y = parse_vector(args.y, "--y") if args.y else x
    if x.shape != y.shape:
        raise InvalidArgument("--y", args.y, f"has {y.size} entries but --x has {x.size}",
                              "give x and y the same length")
    return x, y


def parse_positive(text, argument: str) -> float:
    """A finite number > 0 (a gap eps, say)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InvalidArgument(argument, text, "not a number", "give a number > 0") from None
    if not (math.isfinite(value) and value > 0):
        raise InvalidArgument(argument, text, "must be a positive finite number",
                              "give a number > 0")
    return value


def load_inputs(path: str, argument: str = "--inputs"):
    """Read inputs, one per row, from a .npy or .csv file."""
    import numpy as np
    p = Path(path)
    if not p.is_file():
        raise InvalidArgument(argument, path, "no such file", "give the path of a .npy or .csv file")
    try:
        if p.suffix.lower() == ".npy":
            arr = np.load(p, allow_pickle=False)
        elif p.suffix.lower() in (".csv", ".txt"):
            arr = np.loadtxt(p, delimiter=",", ndmin=2, dtype=np.float64)
        else:
            raise InvalidArgument(argument, path, f"unknown file type '{p.suffix}'",
                                  "save the inputs as .npy or .csv (one input per row)")
    except InvalidArgument:
        raise
    except (OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidArgument(argument, path, f"unreadable ({reason})",
                              "write one input per row: numpy.save or comma-separated text") from None
    arr = np.asarray(arr)
    if arr.dtype.kind not in "fiu":
        raise InvalidArgument(argument, path, f"holds {arr.dtype} data, not numbers",
                              "store a numeric array")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.size == 0:
        raise InvalidArgument(argument, path, f"array of shape {arr.shape}",
                              "store a non-empty 2-D array, one input per row")
    return arr.astype(np.float64)


def gram_or_pair_inputs(args):
    """(X, Y, gram): --inputs/--against as Gram inputs (Y None: X against itself), or the
    pair --x/--y as one-row arrays; --save needs a Gram."""
    if args.inputs:
        if args.x or args.y:
            raise InvalidArgument("--x", args.x, "cannot be combined with --inputs",
                                  "use either --x/--y or --inputs")
        X = load_inputs(args.inputs)
        Y = load_inputs(args.against, "--against") if args.against else None
        if Y is not None and Y.shape[1] != X.shape[1]:
            raise InvalidArgument("--against", args.against,
                                  f"inputs of dimension {Y.shape[1]}, --inputs has {X.shape[1]}",
                                  "give both files the same number of columns")
        return X, Y, True
    if not args.x:
        raise InvalidArgument("--x", None, "no input given", "pass --x (and --y) or --inputs FILE")
    if args.save:
        raise InvalidArgument("--save", args.save, "a single pair has no Gram matrix to save",
                              "use --inputs FILE for a Gram matrix, or drop --save")
    x, y = parse_pair(args)
    return x[None, :], y[None, :], False


def interrupted(command: str, what: str, db) -> int:
    """After Ctrl-C: one line saying where the finished work is (``db``: the --db file, or
    None: in memory, lost), and the exit status 130."""
    where = f"kept in {db}; rerun to resume" if db else "lost (no --db)"
    print(f"{command}: interrupted; {what} {where}", file=sys.stderr)
    return EXIT_INTERRUPTED


def fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_BAD_INPUT


@contextmanager
def heartbeat(label: str, *, enabled: bool = True, every: float = 10.0, stream=None):
    """While the block runs, print "LABEL ... still working (N s)" on stderr every
    ``every`` seconds (after the first ``every`` seconds), so that work without a finer
    progress measure (a symbolic derivation, one large Gram matrix) is visibly alive.

    >>> with heartbeat("pntk demo", every=60):
    ...     pass
    """
    if not enabled:
        yield
        return
    out = sys.stderr if stream is None else stream
    stop = threading.Event()
    t0 = time.monotonic()

    def beat():
        while not stop.wait(every):
            print(f"{label} ... still working ({time.monotonic() - t0:.0f} s)", file=out,
                  flush=True)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
