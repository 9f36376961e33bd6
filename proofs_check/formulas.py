"""``formulas.tex`` of a verification run: the derived formulas and the claims' statements.

The document holds the pruned NTK recursion with its symbolic keep probability
(plain pruning, dense first layer, depth 3) with the closed forms and proofs from
:func:`theory.latex_document`; rescaled pruning's set-up, recursion and theorem from
:func:`theory.symbolic.latex.latex_rescaled_companion`, which cites the shared
derivations and proofs instead of repeating them; the mask-induced pseudo-network
moment formulas (claim C4, :func:`theory.pseudo.latex.pseudo_network_latex`),
and every claim's statement with its verdict.
"""

from __future__ import annotations

from typing import Sequence

from theory.config import Architecture
from theory.pseudo.latex import pseudo_network_latex
from theory.symbolic.latex import LatexOptions, latex_document, latex_rescaled_companion

from .report_tex import formulas_document
from .verdict import ClaimResult

__all__ = ["formulas_tex", "FORMULAS_DEPTH"]

FORMULAS_DEPTH = 3


def formulas_tex(results: Sequence[ClaimResult], *, depth: int = FORMULAS_DEPTH) -> str:
    """The complete LaTeX document (compiles with pdflatex) for ``results``."""
    symbolic = LatexOptions(symbolic_keep_prob=True)
    plain = latex_document(Architecture.pruned(depth, "1/2"), fragment=True, options=symbolic)
    rescaled = latex_rescaled_companion(Architecture.pruned(depth, "1/2", rescale=True),
                                        options=symbolic)
    sections = [
        ("", plain),
        ("Rescaled pruning: kept weights times $1/\\sqrt{q_h}$", rescaled),
        ("Mask-induced pseudo-networks (claim C4)", pseudo_network_latex()),
    ]
    return formulas_document(sections, list(results),
                             title="Pruned neural tangent kernels: formulas and verified claims")
