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

>>> result = rescaled_equals_dense_claim(2, "1/3").run(Context())
>>> result.verdict, result.claim_id
(<Verdict.VERIFIED: 'verified'>, 'C2')
"""

from .bounds import analyze_bound, check_bound
from .budget import BUDGETS, Budget, budget
from .claim import Claim, Context, Hypothesis
from .claims import (claim_ids, dense_bound_claim, first_layer_claim, pseudo_network_claim,
                     registry, rescaled_equals_dense_claim, scaling_claim, sparsity_claim)
from .decisions import (DEFAULT_ALPHA, bonferroni, exceedance_decision, interval_decision,
                        mean_decision)
from .formulas import formulas_tex
from .report import format_table, write_report
from .verdict import CheckOutcome, ClaimResult, Verdict, combine
from .verification import exit_code, verify

__all__ = [
    "BUDGETS", "Budget", "CheckOutcome", "Claim", "ClaimResult", "Context", "DEFAULT_ALPHA",
    "Hypothesis", "Verdict", "analyze_bound", "bonferroni", "budget", "check_bound",
    "claim_ids", "combine", "dense_bound_claim", "exceedance_decision", "exit_code",
    "first_layer_claim", "format_table", "formulas_tex", "interval_decision", "mean_decision",
    "pseudo_network_claim", "registry", "rescaled_equals_dense_claim", "scaling_claim",
    "sparsity_claim", "verify", "write_report",
]
