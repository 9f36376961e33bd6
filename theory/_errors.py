"""Argument errors that name the argument, the offending value and the fix.

Every public entry point of the toolkit validates its inputs and raises
:class:`InvalidArgument` with a one-line message, so that the command-line
front end can print it verbatim and exit with status 2.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Integral, Real

__all__ = ["InvalidArgument", "check_keep_prob", "check_depth", "check_dps", "check_int",
           "check_unit_open"]


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class InvalidArgument(ValueError):
    """A bad argument: ``argument=value`` is invalid, why, and how to fix it.

    >>> str(InvalidArgument("depth", 0, "must be >= 1", "pass a depth of at least 1"))
    'depth=0 is invalid: must be >= 1; fix: pass a depth of at least 1'
    """

    def __init__(self, argument: str, value: object, problem: str, fix: str):
        self.argument = argument
        self.value = value
        self.problem = problem
        self.fix = fix
        super().__init__(f"{argument}={_show(value)} is invalid: {problem}; fix: {fix}")


def check_keep_prob(value: object, argument: str = "keep_prob") -> Fraction:
    """Return ``value`` as an exact fraction in (0, 1] or raise :class:`InvalidArgument`.

    Strings are parsed exactly (``"0.3"`` and ``"3/10"`` are 3/10).  A float means the
    decimal it prints as (its shortest round-trip ``repr``), as on the command line:
    ``0.3`` is 3/10, not the binary double 5404319552844595/18014398509481984.  For a
    value such as 1/3, which no float holds, pass ``Fraction(1, 3)`` or ``"1/3"``
    (the float ``1/3`` means 3333333333333333/10^16).

    >>> check_keep_prob("0.25"), check_keep_prob(0.3), check_keep_prob(1)
    (Fraction(1, 4), Fraction(3, 10), Fraction(1, 1))
    """
    try:
        if isinstance(value, Fraction):
            q = value
        elif isinstance(value, str):
            q = Fraction(value.strip())
        elif isinstance(value, bool):
            raise TypeError
        elif isinstance(value, Integral):
            q = Fraction(int(value))
        elif isinstance(value, Real):
            as_float = float(value)
            if not math.isfinite(as_float):
                raise ValueError
            q = Fraction(repr(as_float))
        else:
            q = Fraction(str(value))
    except (TypeError, ValueError, ZeroDivisionError):
        raise InvalidArgument(argument, value, "not a finite number",
                              "give a keep probability q with 0 < q <= 1") from None
    if not 0 < q <= 1:
        raise InvalidArgument(argument, value, "a keep probability must lie in (0, 1]",
                              "give 0 < q <= 1 (q = 1 - prune_prob; q = 1 means no pruning)")
    return q


def check_int(value: object, argument: str, minimum: int = 0) -> int:
    """Return an integer (not a bool) that is at least ``minimum``.

    >>> check_int(3, "trials", 2)
    3
    """
    if isinstance(value, bool) or not isinstance(value, Integral) \
            or type(value).__name__ == "bool_":
        raise InvalidArgument(argument, value, "not an integer", f"pass an integer >= {minimum}")
    if value < minimum:
        raise InvalidArgument(argument, value, f"must be >= {minimum}",
                              f"pass an integer >= {minimum}")
    return int(value)


def check_unit_open(value: object, argument: str, example: str = "0.95") -> float:
    """Return a real number strictly between 0 and 1 (a probability or confidence level)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < float(value) < 1:
        raise InvalidArgument(argument, value, "must lie strictly between 0 and 1",
                              f"pass e.g. {argument}={example}")
    return float(value)


def check_depth(value: object, argument: str = "depth") -> int:
    """Return the number of hidden layers L as an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            as_int = int(str(value))
        except ValueError:
            raise InvalidArgument(argument, value, "not an integer",
                                  "pass the number of hidden layers, an integer >= 1") from None
        value = as_int
    if value < 1:
        raise InvalidArgument(argument, value, "the network needs at least one hidden layer",
                              "pass an integer depth >= 1")
    return int(value)


def check_dps(value: object, argument: str = "dps") -> int:
    """Return a decimal precision of at least 15 digits (float64 already gives ~16)."""
    try:
        dps = int(str(value))
    except ValueError:
        raise InvalidArgument(argument, value, "not an integer",
                              "pass a number of decimal digits >= 15") from None
    if dps < 15:
        raise InvalidArgument(argument, value, "below float64 precision",
                              "pass --dps 15 or more, or omit it for float64")
    return dps
