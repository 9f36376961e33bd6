"""What a symbolic proof returns: :class:`ProofResult`, and the shared wording of proofs.

Kept apart from :mod:`theory.symbolic.proofs` so that the numeric witnesses
(:mod:`theory.symbolic.witness`) can return the same record without importing the
proofs that re-export them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import sympy as sp

__all__ = ["ProofResult", "MEAN_FIELD_NOTE", "ACTIVATION_NAMES", "activation_name"]

MEAN_FIELD_NOTE = ("a masked first layer enters through $s_1$ (mean-field treatment: exact only as "
                   "the input dimension grows with delocalised inputs; at fixed input dimension "
                   "the exact limit averages over the first-layer mask)")
ACTIVATION_NAMES = {"relu": "ReLU", "erf": "erf"}


def activation_name(activation: str) -> str:
    """How an activation is named in prose.

    >>> activation_name("relu"), activation_name("erf")
    ('ReLU', 'erf')
    """
    return ACTIVATION_NAMES.get(activation, activation)


@dataclass(frozen=True)
class ProofResult:
    """A claim, its hypotheses, the symbolic steps and whether it was established.

    ``steps`` pairs a description with a SymPy object; ``data`` holds numbers
    (timings, witnesses) and is excluded from comparisons.  Descriptions,
    hypotheses and the title are English with inline math between ``$`` signs,
    as :func:`theory.texprint.escape_text` expects.
    """

    claim: str
    title: str
    statement: sp.Basic
    hypotheses: tuple[str, ...]
    steps: tuple[tuple[str, sp.Basic], ...]
    holds: bool
    elapsed: float
    data: Mapping[str, object] = field(default_factory=dict, compare=False)

    def summary(self, digits: int = 6) -> str:
        """One paragraph: the verdict and every numeric step, with inline math in ``$...$``.

        >>> from theory.symbolic.proofs import prove_homogeneity
        >>> print(prove_homogeneity("erf").summary(3))
        C1 (positive homogeneity of the erf dual maps): fails. The differences at $a = b = 1$, $c = 1/2$, $t = 2$ (nonzero): $(-0.367, -0.371)$.
        """
        numbers = []
        for text, expr in self.steps:
            parts = expr.args if isinstance(expr, sp.Tuple) else (expr,)
            if parts and all(isinstance(p, sp.Number) for p in parts):
                shown = [str(sp.N(p, digits)) if isinstance(p, sp.Float) else str(p) for p in parts]
                value = f"({', '.join(shown)})" if len(parts) > 1 else shown[0]
                numbers.append(f"{text}: ${value}$")
        verdict = "holds" if self.holds else "fails"
        title = self.title[:1].lower() + self.title[1:]
        return f"{self.claim} ({title}): {verdict}." + "".join(f" {n}." for n in numbers)
