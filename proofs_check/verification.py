"""Run the registered claims: the engine behind ``pntk verify``.

:func:`verify` runs each claim of :func:`~proofs_check.claims.registry` (or a
chosen subset) in a :class:`~proofs_check.claim.Context` and returns their
:class:`~proofs_check.verdict.ClaimResult` in registry order.  A claim whose
check raises an unexpected error is reported as inconclusive with the error,
so one broken check cannot hide the others' verdicts.

>>> from proofs_check.claim import Context
>>> [r.verdict.value for r in verify(Context(), only=["C2"])]
['verified']
"""

from __future__ import annotations

import time
from typing import Callable, Iterable

from theory._errors import InvalidArgument
from theory.plaintext import plain_text

from .claim import Claim, Context
from .claims import claim_ids, registry
from .verdict import CheckOutcome, ClaimResult, Verdict

__all__ = ["verify", "select_claims", "exit_code"]


def select_claims(only: Iterable[str] | None = None) -> tuple[Claim, ...]:
    """The registry's claims, or those named in ``only`` (ids, case-insensitive)."""
    claims = registry()
    if only is None:
        return claims
    wanted = [str(c).strip().upper() for c in only if str(c).strip()]
    known = {c.id.upper(): c for c in claims}
    for name in wanted:
        if name not in known:
            raise InvalidArgument("--only", name, "no such claim",
                                  f"choose among {', '.join(claim_ids())}")
    if not wanted:
        raise InvalidArgument("--only", ",".join(only), "names no claim",
                              f"choose among {', '.join(claim_ids())}")
    return tuple(c for c in claims if c.id.upper() in wanted)


def _guarded(claim: Claim, context: Context) -> ClaimResult:
    start = time.perf_counter()
    try:
        return claim.run(context)
    except (KeyboardInterrupt, InvalidArgument):
        raise
    except Exception as exc:      # a bug in one check must not hide the other verdicts
        outcome = CheckOutcome(Verdict.INCONCLUSIVE, "error",
                               f"the check failed: {type(exc).__name__}: {exc}")
        hypotheses = tuple(h.name for h in claim.hypotheses)
        return ClaimResult(claim.id, plain_text(claim.title), Verdict.INCONCLUSIVE,
                           f"check failed with {type(exc).__name__}: {exc}",
                           "check failed (see explanation)", (outcome,), dict(claim.parameters),
                           context.seed, 0.0, (), time.perf_counter() - start, claim.latex,
                           plain_text(claim.description),
                           tuple(plain_text(h) for h in hypotheses),
                           {"title": claim.title, "description": claim.description,
                            "hypotheses": hypotheses})


def verify(context: Context, *, only: Iterable[str] | None = None,
           on_start: Callable[[int, int, Claim], None] | None = None,
           on_done: Callable[[int, int, ClaimResult], None] | None = None
           ) -> list[ClaimResult]:
    """Run the claims in order; ``on_start``/``on_done`` report progress (index, total, ...)."""
    claims = select_claims(only)
    results = []
    for i, claim in enumerate(claims, 1):
        if on_start is not None:
            on_start(i, len(claims), claim)
        result = _guarded(claim, context)
        results.append(result)
        if on_done is not None:
            on_done(i, len(claims), result)
    return results


def exit_code(results: Iterable[ClaimResult]) -> int:
    """0 when no claim is refuted, 1 when one is."""
    return 1 if any(r.verdict is Verdict.REFUTED for r in results) else 0
