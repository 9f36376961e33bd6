"""Claims, bounds, verdicts and reports (top layer; imports theory and numerics).

* Verdicts: :class:`Verdict` (verified, refuted, inconclusive, not_applicable),
  :class:`CheckOutcome` (one check), :class:`ClaimResult` (a claim's verdict with
  its evidence), and the decision rules of :mod:`proofs_check.decisions` with their
  stated false-alarm rates.
* Claims as data: :class:`Claim`, :class:`Hypothesis`, :class:`Context`,
  :data:`BUDGETS`; the registry (:func:`registry`: C1, C2, C3-dense, C3, C4, C5) and
  the factories that build user claims with other parameters.
* :func:`verify` runs the registry; :func:`write_report`, :func:`format_table` and
  :func:`formulas_tex` write what ``pntk verify`` writes.
* Width bounds: :func:`analyze_bound` (symbolic) and :func:`check_bound` (Monte Carlo).

>>> from proofs_check import Context, rescaled_equals_dense_claim
>>> result = rescaled_equals_dense_claim(2, "1/3").run(Context())
>>> result.verdict, result.claim_id
(<Verdict.VERIFIED: 'verified'>, 'C2')
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "analyze_bound": "bounds", "check_bound": "bounds",
    "BUDGETS": "budgets", "Budget": "budgets", "budget": "budgets",
    "Claim": "claim", "Context": "claim", "Hypothesis": "claim",
    "claim_ids": "claims", "dense_bound_claim": "claims", "first_layer_claim": "claims",
    "pseudo_network_claim": "claims", "registry": "claims",
    "rescaled_equals_dense_claim": "claims", "scaling_claim": "claims",
    "sparsity_claim": "claims",
    "DEFAULT_ALPHA": "decisions", "bonferroni": "decisions", "exceedance_decision": "decisions",
    "interval_decision": "decisions", "mean_decision": "decisions",
    "formulas_tex": "formulas",
    "format_table": "report", "write_report": "report",
    "CheckOutcome": "verdict", "ClaimResult": "verdict", "Verdict": "verdict",
    "combine": "verdict",
    "exit_code": "verification", "verify": "verification",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
