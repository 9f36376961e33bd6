"""Parameters shared by claims C1, C2 and C5: validation, exponents, the architecture, titles.

:func:`as_exponent` reads an exponent exactly; :func:`validated` checks and
normalises a claim's parameters, raising :class:`theory._errors.InvalidArgument`
(one line: the argument, its value and the fix) for an invalid one - an invalid
argument is an error, not a claim "outside its hypotheses".  The factories call
it when a claim is built and every check calls it again, since
:meth:`~proofs_check.claim.Claim.with_parameters` replaces parameters unchecked.
:func:`architecture` builds the claim's :class:`theory.Architecture` and
:func:`describe` its settings for a title.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Integral, Real

import sympy as sp

from theory import Architecture
from theory._errors import InvalidArgument, check_int, check_keep_prob
from theory.config import ACTIVATIONS

__all__ = ["as_exponent", "validated", "check_activation", "check_flag", "architecture",
           "describe"]


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


def check_activation(value, argument: str = "activation") -> str:
    """A known activation name, else :class:`InvalidArgument`.

    >>> check_activation("erf")
    'erf'
    """
    if not isinstance(value, str) or value not in ACTIVATIONS:
        raise InvalidArgument(argument, value, "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    return value


def check_flag(value, argument: str) -> bool:
    """A True/False switch (Python or NumPy bool), else :class:`InvalidArgument`."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise InvalidArgument(argument, value, "not True or False", f"pass {argument}=True or False")


def validated(p: dict) -> dict:
    """``p`` with every known parameter checked and normalised (exact keep
    probability and exponent, integer depth and d0, bool switches).

    Raises :class:`InvalidArgument` naming the first invalid parameter.

    >>> validated({"depth": 2, "keep_prob": "0.5", "exponent": "5/2", "d0": 3,
    ...            "activation": "relu", "rescale": False})["keep_prob"]
    Fraction(1, 2)
    >>> validated({"depth": 0, "keep_prob": "1/2"})
    Traceback (most recent call last):
    ...
    theory._errors.InvalidArgument: depth=0 is invalid: must be >= 1; fix: pass an integer >= 1
    """
    out = dict(p)
    if "depth" in p:
        out["depth"] = check_int(p["depth"], "depth", 1)
    if "keep_prob" in p:
        out["keep_prob"] = check_keep_prob(p["keep_prob"])
    if "exponent" in p:
        out["exponent"] = as_exponent(p["exponent"])
    if "activation" in p:
        out["activation"] = check_activation(p["activation"])
    if "d0" in p:
        out["d0"] = check_int(p["d0"], "d0", 1)
    for flag in ("prune_first_layer", "rescale"):
        if flag in p:
            out[flag] = check_flag(p[flag], flag)
    if p.get("masked_layers") is not None:
        layers = p["masked_layers"]
        if isinstance(layers, str) or not hasattr(layers, "__iter__"):
            raise InvalidArgument("masked_layers", layers, "not a list of weight layers",
                                  "pass e.g. masked_layers=(2, 3)")
        out["masked_layers"] = tuple(sorted({check_int(h, "masked_layers", 1) for h in layers}))
        if not out["masked_layers"]:
            raise InvalidArgument("masked_layers", layers, "no layer given",
                                  "list at least one weight layer, or pass None (2..L+1)")
        if "depth" in out and out["masked_layers"][-1] > out["depth"] + 1:
            raise InvalidArgument("masked_layers", list(layers),
                                  f"layer {out['masked_layers'][-1]} does not exist at depth "
                                  f"{out['depth']}", f"weight layers are 1..{out['depth'] + 1}")
    elif "masked_layers" in p and "depth" in out:
        out["masked_layers"] = default_masked_layers(out["depth"],
                                                     out.get("prune_first_layer", False))
    return out


def default_masked_layers(depth: int, prune_first_layer: bool = False) -> tuple:
    """The weight layers masked by default: 2..L+1, plus layer 1 with a masked first layer.

    >>> default_masked_layers(3), default_masked_layers(2, True)
    ((2, 3, 4), (1, 2, 3))
    """
    return tuple(range(1 if prune_first_layer else 2, depth + 2))


def architecture(p: dict, *, rescale=None) -> Architecture:
    """The claim's architecture from its parameters (validated first)."""
    p = validated(p)
    return Architecture.pruned(p["depth"], p["keep_prob"],
                               rescale=p.get("rescale", False) if rescale is None else rescale,
                               prune_first_layer=p["prune_first_layer"],
                               masked_layers=p.get("masked_layers"),
                               activation=p["activation"])


def describe(p: dict) -> str:
    """The settings for a title (math between ``$`` signs): L and q, then whatever differs
    from the defaults.

    >>> describe({"depth": 3, "keep_prob": "1/2", "prune_first_layer": True,
    ...           "activation": "relu", "d0": 3})
    '$L = 3$, $q = 1/2$, masked first layer'
    """
    parts = [f"$L = {p['depth']}$", f"$q = {p['keep_prob']}$"]
    layers = p.get("masked_layers")
    if layers is not None and tuple(layers) != default_masked_layers(
            p["depth"], p.get("prune_first_layer", False)):
        parts.append("masked layers " + ", ".join(map(str, layers)))
    if p.get("prune_first_layer"):
        parts.append("masked first layer")
    if p.get("rescale"):
        parts.append("rescaled")
    if p.get("activation") != "relu":
        parts.append(str(p.get("activation")))
    if p.get("d0") != 3:
        parts.append(f"$d_0 = {p.get('d0')}$")
    return ", ".join(parts)
