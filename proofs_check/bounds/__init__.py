"""Width bounds N(eps, delta, L, q): safe parsing, symbolic analysis, Monte Carlo checks.

* :func:`parse_bound` - a bound from text (SymPy syntax, strictly whitelisted).
* :func:`analyze_bound` - symbolic: the ratio to Arora et al.'s dense bound at q = 1,
  the exponent of 1/q as eps -> 0, the exponents in 1/eps, 1/delta and L, and
  monotonicity (:class:`SymbolicReport`).
* :func:`check_bound` - Monte Carlo at sample points with exact binomial tests
  (Bonferroni over the points), and the implied constant (:class:`BoundReport`).
"""

from .check import BoundReport, check_bound, default_constant
from .empirical import EmpiricalReport, PointCheck
from .expression import BoundExpression, parse_bound, parse_constant
from .implied import ImpliedConstant, PointConstant, solve_constant
from .limits import Exponent
from .monotone import Monotonicity
from .points import DEFAULT_POINTS, SamplePoint, parse_points
from .sampler import DEFAULT_X, DEFAULT_Y
from .symbolic import ARORA_BOUND, SymbolicReport, analyze_bound

__all__ = [
    "ARORA_BOUND", "BoundExpression", "BoundReport", "DEFAULT_POINTS", "DEFAULT_X",
    "DEFAULT_Y", "EmpiricalReport", "Exponent", "ImpliedConstant", "Monotonicity",
    "PointCheck", "PointConstant", "SamplePoint", "SymbolicReport", "analyze_bound",
    "check_bound", "default_constant", "parse_bound", "parse_constant", "parse_points",
    "solve_constant",
]
