"""Monte Carlo checks of the finite-width mean and variance of the empirical NTK.

* ``sample_entries``: Theta_n entries of T counter-based networks (resumable with a
  ``ResultStore``); ``moments``: mean and variance with standard errors;
  ``second_moment_ratio``: E[v^2]/E[v]^2 with its standard error.
* ``check_variance``: z-tests against :mod:`theory.variance` (exact at depth 1, fits in
  1/n at depth >= 2) under one union bound.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "EntryCheck": "checks", "VarianceCheck": "checks", "WidthPoint": "checks",
    "check_variance": "checks", "wls_line": "checks",
    "Moments": "monte_carlo", "moments": "monte_carlo", "second_moment_ratio": "monte_carlo", "sample_entries": "monte_carlo",
    "hidden_widths": "monte_carlo",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
