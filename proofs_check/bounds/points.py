"""Sample points (L, eps, delta, q) at which a width bound is checked by Monte Carlo.

The default points cover depths 1 and 2, the three keep probabilities 1, 1/2 and
1/4, and two (eps, delta) pairs: a loose gap (eps = 0.5, delta = 0.1) and a tighter
one (eps = 0.25, delta = 0.2) - twelve points.  Depth and keep probability are
crossed fully because they change the network; the gaps are paired with the
deltas instead of crossed to keep the run short.  Points are written on the command
line as ``"L=1,eps=0.5,delta=0.1,q=0.5;L=2,eps=0.25,delta=0.2,q=1"`` (the
keep-probability key is the bound's keep-probability symbol, or ``keep_prob``;
omitted, it is 1).

>>> pts = parse_points("L=1,eps=0.5,delta=0.1,q=0.5; L=2,eps=0.25,delta=0.2")
>>> [pt.as_dict() for pt in pts]
[{'L': 1, 'eps': 0.5, 'delta': 0.1, 'q': 0.5}, {'L': 2, 'eps': 0.25, 'delta': 0.2, 'q': 1.0}]
>>> len(DEFAULT_POINTS)
12
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from theory._errors import InvalidArgument, check_keep_prob

__all__ = ["SamplePoint", "DEFAULT_POINTS", "parse_points", "as_points", "MAX_POINTS"]

MAX_POINTS = 64


@dataclass(frozen=True)
class SamplePoint:
    """Depth L >= 1, gap eps > 0, failure probability delta in (0, 1), keep_prob in (0, 1]."""

    depth: int
    eps: float
    delta: float
    keep_prob: Fraction = Fraction(1)

    def as_dict(self) -> dict:
        """{"L", "eps", "delta", "q"}: the form bound expressions are evaluated at."""
        return {"L": self.depth, "eps": self.eps, "delta": self.delta,
                "q": float(self.keep_prob)}

    def label(self) -> str:
        return (f"L={self.depth}, eps={self.eps:g}, delta={self.delta:g}, "
                f"q={float(self.keep_prob):g}")


DEFAULT_POINTS = tuple(SamplePoint(L, eps, delta, Fraction(q))
                       for L in (1, 2) for q in ("1", "1/2", "1/4")
                       for eps, delta in ((0.5, 0.1), (0.25, 0.2)))


def _number(text: str, key: str, argument: str, item: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidArgument(argument, item, f"{key}={text!r} is not a number",
                              f"write e.g. {key}=0.5") from None
    if not math.isfinite(value):
        raise InvalidArgument(argument, item, f"{key} must be finite", f"write e.g. {key}=0.5")
    return value


def make_point(depth, eps, delta, keep_prob=1, *, argument: str = "points",
               shown=None) -> SamplePoint:
    """A validated :class:`SamplePoint` (errors name ``argument``)."""
    shown = shown if shown is not None else f"L={depth}, eps={eps}, delta={delta}, q={keep_prob}"
    if isinstance(depth, bool) or (isinstance(depth, float) and not depth.is_integer()):
        raise InvalidArgument(argument, shown, "the depth L must be an integer >= 1",
                              "write e.g. L=2")
    try:
        depth = int(str(depth)) if isinstance(depth, str) else int(depth)
    except (TypeError, ValueError):
        raise InvalidArgument(argument, shown, "the depth L must be an integer >= 1",
                              "write e.g. L=2") from None
    if depth < 1:
        raise InvalidArgument(argument, shown, "the depth L must be an integer >= 1",
                              "write e.g. L=2")
    eps, delta = float(eps), float(delta)
    if not (math.isfinite(eps) and eps > 0):
        raise InvalidArgument(argument, shown, "eps must be a positive number",
                              "write e.g. eps=0.5")
    if not 0 < delta < 1:
        raise InvalidArgument(argument, shown, "delta must lie in (0, 1)",
                              "write e.g. delta=0.1")
    try:
        q = check_keep_prob(keep_prob, argument)
    except InvalidArgument as exc:
        raise InvalidArgument(argument, shown, f"q: {exc.problem}", exc.fix) from None
    return SamplePoint(depth, eps, delta, q)


def parse_points(text: str, keep_prob_symbol: str = "q",
                 argument: str = "--points") -> tuple[SamplePoint, ...]:
    """Points separated by ';', each ``L=..,eps=..,delta=..[,q=..]`` (any order)."""
    items = [t.strip() for t in str(text).split(";") if t.strip()]
    if not items:
        raise InvalidArgument(argument, text, "no points",
                              "write e.g. \"L=1,eps=0.5,delta=0.1,q=0.5;L=2,eps=0.25,delta=0.2\"")
    if len(items) > MAX_POINTS:
        raise InvalidArgument(argument, f"{len(items)} points", f"more than {MAX_POINTS}",
                              "check fewer points per run")
    kp_keys = {keep_prob_symbol, "keep_prob"}
    points = []
    for item in items:
        fields: dict[str, str] = {}
        for part in (pt.strip() for pt in item.split(",")):
            key, sep, value = part.partition("=")
            key = key.strip()
            if not sep or not value.strip():
                raise InvalidArgument(argument, item, f"'{part}' is not KEY=VALUE",
                                      "write e.g. L=1,eps=0.5,delta=0.1,q=0.5")
            if key in kp_keys:
                key = "q"
            elif key not in ("L", "eps", "delta"):
                raise InvalidArgument(argument, item, f"unknown key '{key}'",
                                      f"use L, eps, delta and {keep_prob_symbol}")
            if key in fields:
                raise InvalidArgument(argument, item, f"'{key}' given twice",
                                      "give each key once per point")
            fields[key] = value.strip()
        missing = [k for k in ("L", "eps", "delta") if k not in fields]
        if missing:
            raise InvalidArgument(argument, item, f"missing {', '.join(missing)}",
                                  "give L, eps and delta for every point")
        eps = _number(fields["eps"], "eps", argument, item)
        delta = _number(fields["delta"], "delta", argument, item)
        points.append(make_point(fields["L"], eps, delta, fields.get("q", "1"),
                                 argument=argument, shown=item))
    if len(set(points)) != len(points):
        raise InvalidArgument(argument, text, "repeats a point", "list each point once")
    return tuple(points)


def as_points(points, keep_prob_symbol: str = "q") -> tuple[SamplePoint, ...]:
    """Points from None (the defaults), a string, or SamplePoints / dicts / tuples."""
    if points is None:
        return DEFAULT_POINTS
    if isinstance(points, str):
        return parse_points(points, keep_prob_symbol, argument="points")
    out = []
    for pt in points:
        if isinstance(pt, SamplePoint):
            out.append(pt)
        elif isinstance(pt, dict):
            q = pt.get(keep_prob_symbol, pt.get("keep_prob", pt.get("q", 1)))
            out.append(make_point(pt["L"], pt["eps"], pt["delta"], q))
        else:
            out.append(make_point(*pt))
    if not out:
        raise InvalidArgument("points", points, "no points", "give at least one point")
    return tuple(out)
