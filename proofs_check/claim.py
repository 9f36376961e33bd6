"""Claims as data: a statement, its hypotheses, a symbolic and a numeric check.

A :class:`Claim` is a frozen record.  :meth:`Claim.run` checks its hypotheses
against the claim's ``parameters`` first: a claim applied outside them is
:attr:`~proofs_check.verdict.Verdict.NOT_APPLICABLE`, with the reason, and no
check runs.  Otherwise the symbolic and numeric checks run (each a function of
the :class:`Context`) and their outcomes are combined
(:func:`~proofs_check.verdict.combine`).

>>> import sympy as sp
>>> from proofs_check.verdict import CheckOutcome, Verdict
>>> q = sp.Symbol("q", positive=True)
>>> claim = Claim(
...     id="demo", title="q is at most 1",
...     statement=sp.Le(q, 1),
...     hypotheses=(Hypothesis("q in (0, 1]",
...                            lambda p: None if 0 < p["q"] <= 1 else f"q = {p['q']}"),),
...     symbolic=lambda ctx, p: CheckOutcome(Verdict.VERIFIED, "symbolic", "by definition"),
...     parameters={"q": 0.5})
>>> claim.run(Context()).verdict
<Verdict.VERIFIED: 'verified'>
>>> r = claim.with_parameters(q=2).run(Context())
>>> r.verdict, r.explanation
(<Verdict.NOT_APPLICABLE: 'not_applicable'>, 'not applicable: q in (0, 1] fails (q = 2)')
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import sympy as sp

from theory._errors import InvalidArgument
from theory.plaintext import plain_text

from .budgets import BUDGETS, Budget
from .verdict import CheckOutcome, ClaimResult, Verdict, combine

__all__ = ["Claim", "Hypothesis", "Context"]


@dataclass(frozen=True)
class Context:
    """Where and how hard checks run: the budget, the base seed, the device, the output folder.

    ``out`` (a folder or None) receives the figures; ``progress`` is passed to
    sweeps ("auto", False or a Progress); ``store`` (a
    :class:`numerics.ResultStore` or None) keeps every Monte Carlo trial, so a rerun
    after an interruption computes only the missing ones.
    """

    budget: Budget = BUDGETS["quick"]
    seed: int = 0
    device: str = "cpu"
    backend: str = "numpy"
    out: Path | None = None
    workers: int | None = 1
    progress: object = False
    store: object = None

    def figure_path(self, name: str) -> Path | None:
        if self.out is None:
            return None
        folder = Path(self.out) / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name


@dataclass(frozen=True)
class Hypothesis:
    """A precondition: ``check(parameters)`` returns None when it holds, else the reason."""

    name: str
    check: Callable[[dict], str | None]

    def failure(self, parameters: dict) -> str | None:
        return self.check(parameters)


Check = Callable[[Context, dict], CheckOutcome]


@dataclass(frozen=True)
class Claim:
    """One verifiable claim.

    ``statement`` is a SymPy expression (typically an ``Eq``) and
    ``statement_latex`` its LaTeX (default: ``sympy.latex(statement)``);
    ``symbolic`` and ``numeric`` are checks (either may be None);
    ``summarize(outcomes, parameters)`` makes the table's key-evidence text
    (default: the explanations joined); ``key_numbers(outcomes, parameters)`` lists the
    numbers a report shows, as (label, value) pairs with human labels (default: none, and
    the report lists the checks' data).  A check may put ``parameters_used`` in its data:
    the values it chose where a parameter was left to the budget (None), which the
    result's ``parameters`` then show.  The title, description, hypothesis names,
    summaries and check explanations are English with inline math between ``$``
    signs; a result carries them as plain text and, in ``latex``, as written.
    """

    id: str
    title: str
    statement: sp.Basic
    hypotheses: tuple[Hypothesis, ...] = ()
    symbolic: Check | None = None
    numeric: Check | None = None
    parameters: dict = field(default_factory=dict)
    statement_latex: str = ""
    description: str = ""
    summarize: Callable[[tuple[CheckOutcome, ...], dict], str] | None = None
    key_numbers: Callable[[tuple[CheckOutcome, ...], dict], list] | None = None

    @property
    def latex(self) -> str:
        return self.statement_latex or sp.latex(self.statement)

    def with_parameters(self, **changes) -> "Claim":
        unknown = set(changes) - set(self.parameters)
        if unknown:
            name = sorted(unknown)[0]
            raise InvalidArgument(name, changes[name], f"claim {self.id} has no such parameter",
                                  f"use one of {sorted(self.parameters)}")
        return replace(self, parameters={**self.parameters, **changes})

    def unmet_hypothesis(self) -> str | None:
        for hyp in self.hypotheses:
            reason = hyp.failure(self.parameters)
            if reason is not None:
                return f"{hyp.name} fails ({reason})"
        return None

    def run(self, context: Context) -> ClaimResult:
        start = time.perf_counter()
        reason = self.unmet_hypothesis()
        if reason is not None:
            outcome = CheckOutcome(Verdict.NOT_APPLICABLE, "hypotheses", reason)
            return self._result((outcome,), context, start, f"not applicable: {reason}")
        outcomes = tuple(check(context, self.parameters)
                         for check in (self.symbolic, self.numeric) if check is not None)
        return self._result(outcomes, context, start)

    def _result(self, outcomes, context, start, explanation=None) -> ClaimResult:
        verdict = combine(outcomes)
        key = (self.summarize(outcomes, self.parameters) if self.summarize
               else "; ".join(o.explanation for o in outcomes))
        if explanation is None:
            explanation = _explain(verdict, outcomes, key)
        rate = min(1.0, sum(o.error_rate for o in outcomes))
        figures = tuple(f for o in outcomes for f in o.data.get("figures", ()))
        hypotheses = tuple(h.name for h in self.hypotheses)
        used = dict(self.parameters)
        for o in outcomes:
            used.update(o.data.get("parameters_used", {}))
        numbers = ()
        if self.key_numbers is not None and verdict is not Verdict.NOT_APPLICABLE:
            numbers = tuple((str(k), v) for k, v in self.key_numbers(outcomes, self.parameters))
        marked = {"title": self.title, "explanation": explanation, "key_evidence": key,
                  "description": self.description, "hypotheses": hypotheses}
        return ClaimResult(self.id, plain_text(self.title), verdict, plain_text(explanation),
                           plain_text(key), outcomes, used, context.seed, rate,
                           figures, time.perf_counter() - start, self.latex,
                           plain_text(self.description),
                           tuple(plain_text(h) for h in hypotheses), marked, numbers)


def _rate(outcomes) -> str:
    rate = min(1.0, sum(o.error_rate for o in outcomes))
    return "exact decisions" if rate == 0 else f"statistical error rate $\\le {rate:.3g}$"


def _explain(verdict: Verdict, outcomes, key: str) -> str:
    """One line a person can read: which checks decided, at what error rate, and why.

    Verified claims are explained by the key evidence; refuted and inconclusive ones
    by the check that decided (the full explanations stay in the checks).
    """
    kinds = " and ".join(dict.fromkeys(o.kind for o in outcomes))
    if verdict is Verdict.VERIFIED:
        return f"Supported by the {kinds} checks ({_rate(outcomes)}): {key}"
    if verdict is Verdict.REFUTED:
        deciding = [o for o in outcomes if o.verdict is Verdict.REFUTED]
        first = deciding[0]
        return (f"Contradicted by the {first.kind} check ({_rate([first])}): "
                f"{first.explanation}")
    if verdict is Verdict.INCONCLUSIVE:
        open_ = [o for o in outcomes if o.verdict is not Verdict.VERIFIED] or list(outcomes)
        return "Not decided: " + "; ".join(f"{o.kind}: {o.explanation}" for o in open_)
    return verdict.message
