"""Verdicts: the outcome of checking a claim, the evidence behind it, and how checks combine.

A claim is checked by up to two independent checks (symbolic, numeric); each gives
a :class:`CheckOutcome`.  :func:`combine` turns them into the claim's verdict:
any refutation wins, a claim is verified when every check that ran verified it,
and anything else is inconclusive.

>>> ok = CheckOutcome(Verdict.VERIFIED, "symbolic", "difference simplifies to 0")
>>> unsure = CheckOutcome(Verdict.INCONCLUSIVE, "numeric", "CI straddles delta")
>>> combine([ok, unsure])
<Verdict.INCONCLUSIVE: 'inconclusive'>
>>> combine([ok, CheckOutcome(Verdict.REFUTED, "numeric", "witness found")])
<Verdict.REFUTED: 'refuted'>
>>> Verdict.NOT_APPLICABLE.message
'the claim was applied outside its hypotheses'
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Mapping

from theory.plaintext import plain_text

__all__ = ["Verdict", "CheckOutcome", "ClaimResult", "combine", "jsonable"]


class Verdict(enum.Enum):
    """The four outcomes of checking a claim."""

    VERIFIED = "verified"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"
    NOT_APPLICABLE = "not_applicable"

    @property
    def message(self) -> str:
        return _MESSAGES[self]

    def __str__(self) -> str:
        return self.value


_MESSAGES = {
    Verdict.VERIFIED: "every check that ran supports the claim at its stated error rate",
    Verdict.REFUTED: "a check contradicts the claim (exactly, or at its stated error rate)",
    Verdict.INCONCLUSIVE: "the evidence neither supports nor contradicts the claim clearly",
    Verdict.NOT_APPLICABLE: "the claim was applied outside its hypotheses",
}


def jsonable(value):
    """``value`` with tuples, Fractions, NumPy scalars and non-finite floats made JSON-safe."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, Fraction):
        return str(value)
    if hasattr(value, "item") and not hasattr(value, "__len__"):   # NumPy scalar
        value = value.item()
        if not isinstance(value, float):
            return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if hasattr(value, "tolist"):
        return jsonable(value.tolist())
    for method in ("to_json", "as_dict"):          # records that know their JSON form
        if callable(getattr(value, method, None)):
            return jsonable(getattr(value, method)())
    return str(value)


@dataclass(frozen=True)
class CheckOutcome:
    """One check's verdict, which check it was, one line saying why, and its numbers.

    ``error_rate`` is the probability that this check refutes a true claim (its
    false-alarm rate): 0 for exact symbolic or exact-arithmetic checks.  ``explanation``
    is English with inline math between ``$`` signs (:func:`theory.texprint.escape_text`);
    JSON carries it as plain text and, when that differs, as ``explanation_latex``.
    """

    verdict: Verdict
    kind: str                       # "symbolic" | "numeric" | "statistical" | "hypotheses"
    explanation: str
    data: dict = field(default_factory=dict)
    error_rate: float = 0.0

    def to_json(self) -> dict:
        out = {"kind": self.kind, "verdict": self.verdict.value,
               "explanation": plain_text(self.explanation), "error_rate": self.error_rate,
               "data": jsonable(self.data)}
        if out["explanation"] != self.explanation:
            out["explanation_latex"] = self.explanation
        return out


def combine(outcomes) -> Verdict:
    """Refuted if any check refutes; verified if all verify; not_applicable if all are; else
    inconclusive.  No outcomes at all is inconclusive."""
    verdicts = [o.verdict for o in outcomes]
    if not verdicts:
        return Verdict.INCONCLUSIVE
    if Verdict.REFUTED in verdicts:
        return Verdict.REFUTED
    if all(v is Verdict.NOT_APPLICABLE for v in verdicts):
        return Verdict.NOT_APPLICABLE
    if all(v is Verdict.VERIFIED for v in verdicts):
        return Verdict.VERIFIED
    return Verdict.INCONCLUSIVE


@dataclass(frozen=True)
class ClaimResult:
    """A claim's verdict with its evidence: what a report row and a JSON record are made of.

    ``key_evidence`` is the short text of the table's evidence column;
    ``explanation`` the one-line human reading of the verdict; ``error_rate`` the
    claim's overall false-alarm rate (a union bound over its statistical checks).
    These texts, the title, description and hypotheses are plain text for a terminal;
    ``latex`` holds the same texts with their math between ``$`` signs (keys ``title``,
    ``explanation``, ``key_evidence``, ``description``, ``hypotheses``), which the
    Markdown and LaTeX reports print as math (:meth:`marked`).  ``numbers`` are the
    key numbers a report shows: (label with ``$`` math, value) pairs.
    """

    claim_id: str
    title: str
    verdict: Verdict
    explanation: str
    key_evidence: str
    checks: tuple[CheckOutcome, ...] = ()
    parameters: dict = field(default_factory=dict)
    seed: int | None = None
    error_rate: float = 0.0
    figures: tuple[str, ...] = ()
    seconds: float = 0.0
    statement_latex: str = ""
    description: str = ""
    hypotheses: tuple[str, ...] = ()
    latex: Mapping[str, object] = field(default_factory=dict)
    numbers: tuple[tuple[str, object], ...] = ()

    def marked(self, name: str):
        """The text ``name`` with its math between ``$`` signs (the plain one if none)."""
        return self.latex.get(name, getattr(self, name))

    def to_json(self) -> dict:
        return {
            "id": self.claim_id, "title": self.title, "verdict": self.verdict.value,
            "explanation": self.explanation,
            "evidence": {"summary": self.key_evidence,
                         "checks": [c.to_json() for c in self.checks],
                         "seed": self.seed, "error_rate": self.error_rate},
            "parameters": jsonable(self.parameters), "figures": list(self.figures),
            "seconds": round(self.seconds, 3), "statement_latex": self.statement_latex,
            "description": self.description, "hypotheses": list(self.hypotheses),
            "latex": {("summary" if k == "key_evidence" else k): jsonable(v)
                      for k, v in self.latex.items()},
            "key_numbers": [{"label": plain_text(k), "label_latex": k, "value": jsonable(v)}
                            for k, v in self.numbers],
        }
