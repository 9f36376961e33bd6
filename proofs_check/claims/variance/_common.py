"""Helpers the variance claims share: a proof as a check outcome, union-bound thresholds,
the inputs and the Monte Carlo sizes per budget."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ...verdict import CheckOutcome, Verdict

__all__ = ["ALPHA", "INPUTS", "proofs_outcome", "two_sided_threshold", "one_sided_threshold",
           "mc_trials"]

ALPHA = 0.01
# e_1, the unit vector at angle 0.93 rad from it, and one at 0.1 rad (near-parallel)
INPUTS = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [np.cos(0.1), np.sin(0.1), 0.0]])


def proofs_outcome(proofs, grid: bool = False) -> CheckOutcome:
    """Verified when every proof holds, refuted otherwise.  ``proofs``: (label, ProofResult)
    pairs; the explanation lists each label, title and outcome (``grid``: a checked
    inequality, not a proof)."""
    ok = all(p.holds for _, p in proofs)
    word = "holds on the grid" if grid else "proved"
    text = "; ".join(f"{label} ({p.title[0].lower() + p.title[1:]}): "
                     f"{word if p.holds else 'FAILS'}" for label, p in proofs)
    data = {label: {"holds": p.holds, "seconds": round(p.elapsed, 3),
                    "steps": {t: str(e) for t, e in p.steps}} for label, p in proofs}
    return CheckOutcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "symbolic", text, data)


def two_sided_threshold(tests: int, alpha: float = ALPHA) -> float:
    """|z| threshold of ``tests`` two-sided z-tests under one union bound at ``alpha``.

    >>> round(two_sided_threshold(1, 0.05), 3)
    1.96
    """
    return float(stats.norm.isf(alpha / (2 * max(tests, 1))))


def one_sided_threshold(tests: int, alpha: float = ALPHA) -> float:
    """z threshold of ``tests`` one-sided z-tests under one union bound at ``alpha``.

    >>> round(one_sided_threshold(1, 0.05), 3)
    1.645
    """
    return float(stats.norm.isf(alpha / max(tests, 1)))


def mc_trials(context, factor: int) -> int:
    """Networks per configuration: ``factor`` times the budget's trials (200 quick)."""
    return int(factor * context.budget.trials)
