"""Width bounds N(eps, delta, L, q): safe parsing, symbolic analysis, Monte Carlo checks.

* :func:`parse_bound` - a bound from text (SymPy syntax, strictly whitelisted).
* :func:`analyze_bound` - symbolic: the ratio to Arora et al.'s dense bound at q = 1,
  the exponent of 1/q as eps -> 0, the exponents in 1/eps, 1/delta and L, and
  monotonicity (:class:`SymbolicReport`).
* :func:`check_bound` - Monte Carlo at sample points with exact binomial tests
  (Bonferroni over the points), and the implied constant (:class:`BoundReport`).
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "BoundReport": "check", "check_bound": "check", "default_constant": "check",
    "EmpiricalReport": "empirical", "PointCheck": "empirical",
    "BoundExpression": "expression", "parse_bound": "expression",
    "parse_constant": "expression",
    "ImpliedConstant": "implied", "PointConstant": "implied", "solve_constant": "implied",
    "Exponent": "limits",
    "Monotonicity": "monotone",
    "DEFAULT_POINTS": "points", "SamplePoint": "points", "parse_points": "points",
    "DEFAULT_X": "sampler", "DEFAULT_Y": "sampler",
    "ARORA_BOUND": "symbolic", "SymbolicReport": "symbolic", "analyze_bound": "symbolic",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
