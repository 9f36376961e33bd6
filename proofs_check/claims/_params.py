"""Parameters shared by claims C1 and C2: exponents, hypotheses, the architecture, titles.

:func:`as_exponent` reads an exponent exactly, :func:`common_hypotheses` states
the conditions on depth, keep probability, activation and input dimension,
:func:`architecture` builds the claim's :class:`theory.Architecture` and
:func:`describe` its settings for a title.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Integral, Real

import sympy as sp

from theory import Architecture
from theory._errors import InvalidArgument, check_keep_prob
from theory.config import ACTIVATIONS

from ..claim import Hypothesis

__all__ = ["as_exponent", "common_hypotheses", "keep_prob_param", "architecture", "describe"]


def as_exponent(value, argument: str = "exponent") -> Fraction:
    """A finite real exponent as an exact fraction (strings like "5/2" or "2.5" exactly).

    >>> as_exponent("5/2"), as_exponent(3), as_exponent(0.5)
    (Fraction(5, 2), Fraction(3, 1), Fraction(1, 2))
    """
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, Fraction):
            return value
        if isinstance(value, str):
            return Fraction(value.strip())
        if isinstance(value, Real) and math.isfinite(float(value)):
            return Fraction(value) if isinstance(value, (Integral, float)) else Fraction(str(value))
        if isinstance(value, sp.Rational):
            return Fraction(int(value.p), int(value.q))
        raise ValueError
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        raise InvalidArgument(argument, value, "not a finite number",
                              "give the exponent k as a number, e.g. 3, 2.5 or 5/2") from None


def _int_problem(value, name: str, minimum: int):
    if isinstance(value, bool) or not isinstance(value, Integral):
        return f"{name} = {value!r} is not an integer"
    return None if value >= minimum else f"{name} = {value!r} < {minimum}"


def _keep_prob_problem(p):
    try:
        check_keep_prob(p["keep_prob"])
    except InvalidArgument as exc:
        return f"keep_prob = {p['keep_prob']!r}: {exc.problem}"
    return None


def _exponent_problem(p):
    try:
        as_exponent(p["exponent"])
    except InvalidArgument:
        return f"exponent = {p['exponent']!r}"
    return None


def _activation_problem(p):
    act = p["activation"]
    return None if act in ACTIVATIONS else f"activation = {act!r}"


def common_hypotheses() -> tuple[Hypothesis, ...]:
    """depth >= 1, 0 < keep_prob <= 1, a known activation, d0 >= 1 (shared with C2)."""
    return (Hypothesis("depth L >= 1 (an integer)", lambda p: _int_problem(p["depth"], "depth", 1)),
            Hypothesis("0 < keep_prob <= 1", _keep_prob_problem),
            Hypothesis(f"activation in {{{', '.join(ACTIVATIONS)}}}", _activation_problem),
            Hypothesis("input dimension d0 >= 1 (an integer)",
                       lambda p: _int_problem(p["d0"], "d0", 1)))


def keep_prob_param(value):
    """``value`` as an exact keep probability when valid, else as given (reported at run time)."""
    try:
        return check_keep_prob(value)
    except InvalidArgument:
        return value


def architecture(p: dict, *, rescale=None) -> Architecture:
    """The claim's architecture from its (validated) parameters."""
    return Architecture.pruned(p["depth"], check_keep_prob(p["keep_prob"]),
                               rescale=p.get("rescale", False) if rescale is None else rescale,
                               prune_first_layer=p["prune_first_layer"],
                               activation=p["activation"])


def describe(p: dict) -> str:
    """The settings for a title: L and q, then whatever differs from the defaults.

    >>> describe({"depth": 3, "keep_prob": "1/2", "prune_first_layer": True,
    ...           "activation": "relu", "d0": 3})
    'L=3, q=1/2, masked first layer'
    """
    parts = [f"L={p['depth']}", f"q={p['keep_prob']}"]
    if p.get("prune_first_layer"):
        parts.append("masked first layer")
    if p.get("rescale"):
        parts.append("rescaled")
    if p.get("activation") != "relu":
        parts.append(str(p.get("activation")))
    if p.get("d0") != 3:
        parts.append(f"d0={p.get('d0')}")
    return ", ".join(parts)
