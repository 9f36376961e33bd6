"""LaTeX export: the pruned recursion, closed forms, scaling theorem and proof steps.

:func:`latex_document` returns a standalone document (``article``, amsmath/amssymb,
graphicx) or, with ``fragment=True``, only the equations and prose, for
``\\input`` into a paper whose preamble loads ``amsmath``, ``amssymb`` and
``graphicx``.  Every formula comes from the SymPy objects of ``theory.symbolic.derivation``,
``theory.symbolic.recursion`` and ``theory.symbolic.proofs``; nothing is typed in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy as sp

from ..closed_forms import V_sym, Vdot_sym, c_sigma
from .._errors import InvalidArgument
from ..config import Architecture
from ..kernels.float64 import theory_scale_factor
from ..texprint import DIGITS, display, escape_text, number_latex, to_latex
from .derivation import check_price_theorem, derive, derive_c_sigma
from .proofs import (
    prove_homogeneity,
    prove_rescaled_equals_dense,
    prove_scaling_expansion,
    prove_scaling_induction,
)
from .recursion import INPUT_LATEX, symbolic_kernel
from .result import MEAN_FIELD_NOTE, activation_name
from .witness import erf_witness

__all__ = ["LatexOptions", "latex_document", "latex_rescaled_companion", "PREAMBLE"]

@dataclass(frozen=True)
class LatexOptions:
    """What to include: ``symbolic_keep_prob`` prints q instead of its value;
    ``expansion_depth`` is the largest L of the direct-expansion check."""

    symbolic_keep_prob: bool = False
    expansion_depth: int = 10


def _architecture_text(arch: Architecture, symbolic: bool) -> str:

    kind = ("rescaled pruning (kept weights times $1 / \\sqrt{q_h}$)" if arch.rescale
            else "plain pruning")
    masked = ", ".join(str(h) for h in arch.masked_layers) or "none"
    if symbolic:
        qtext = "a symbolic keep probability $q$ on every masked layer"
    else:
        qtext = ("keep probabilities $(" + ", ".join(str(q) for q in arch.keep_probs)
                 + ")$ on the weight layers")
    return (f"Fully connected {escape_text(activation_name(arch.activation))} network with "
            f"$L = {arch.depth}$ hidden layers (weight layers $h = 1, \\dots, {arch.depth + 1}$), "
            f"masked layers {masked}, {qtext}, {kind}. Weights $W^{{(h)}}_{{ij}} \\sim N(0, 1)$, "
            f"masks $M^{{(h)}}_{{ij}} \\sim \\mathrm{{Bernoulli}}(q_h)$, "
            f"$c_\\sigma = 1 / \\mathbb{{E}}[\\sigma(z)^2]$, NTK parameterisation; a masked layer "
            f"scales the covariance it forwards by $s_h = r_h^2 q_h$.\n\n")


def _closed_forms(activation: str) -> str:
    a, b = sp.symbols("a b", positive=True)
    c = sp.Symbol("c", real=True)
    V, Vd = sp.Function("V"), sp.Function(r"\dot{V}")
    out = [r"\subsection*{Dual kernels}",
           "For $(u, v) \\sim N\\left(0, \\begin{pmatrix} a & c \\\\ c & b \\end{pmatrix}\\right)$, "
           "$V = c_\\sigma \\mathbb{E}[\\sigma(u)\\sigma(v)]$ and "
           "$\\dot V = c_\\sigma \\mathbb{E}[\\sigma'(u)\\sigma'(v)]$:\n",
           display(sp.Eq(sp.Symbol(r"c_\sigma"), c_sigma(activation), evaluate=False)),
           display(sp.Eq(V(a, b, c), V_sym(activation, a, b, c), evaluate=False)),
           display(sp.Eq(Vd(a, b, c), Vdot_sym(activation, a, b, c), evaluate=False))]
    return "".join(out)


def _steps(steps) -> str:
    out = []
    for text, expr in steps:
        out.append(escape_text(text) + ":\n" + display(expr))
    return "".join(out)


def _hypotheses(hypotheses) -> str:
    items = "".join(f"\\item {escape_text(h)}\n" for h in hypotheses)
    return ("Hypotheses:\n\\begin{itemize}\\setlength{\\itemsep}{0pt}\\setlength{\\parskip}{0pt}\n"
            + items + "\\end{itemize}\n")


_TITLES = {"nngp": "The NNGP map $V$", "ntk_derivative": r"The derivative map $\dot V$",
           "c_sigma": r"The constant $c_\sigma$",
           "price_theorem": r"Price's theorem, $\partial V / \partial c = \dot V$"}


def _derivations(activation: str) -> str:

    out = [r"\subsection*{Derivation of the dual kernels}"]
    items = [derive_c_sigma(activation), derive(activation, "nngp"),
             derive(activation, "ntk_derivative"), check_price_theorem(activation)]
    for d in items:
        verdict = "agree" if d.symbolic_equal else "are NOT shown equal"
        where = ("largest relative difference at 24 random points"
                 if d.derived.free_symbols | d.closed_form.free_symbols else "relative difference")
        out.append(f"\\paragraph{{{escape_text(_TITLES.get(d.quantity, d.quantity))}.}} ")
        out.append(_steps(d.steps))
        out.append(f"Derived and closed forms {verdict} symbolically; their {where}, "
                   f"evaluated to 50 digits, is "
                   f"${number_latex(d.max_numeric_discrepancy)}$.\n\n")
    return "".join(out)


def _recursion(arch: Architecture, symbolic: bool) -> str:

    k = symbolic_kernel(arch, keep_prob_symbols="uniform" if symbolic else False)
    out = [r"\subsection*{The pruned recursion}",
           "For inputs $x, x'$"
           + (" (the first layer is masked: this is its mean-field form, exact only as "
              "$d_0 \\to \\infty$; at fixed $d_0$ the limit averages over the first-layer mask)"
              if arch.first_layer_masked else "")
           + ":\n"]
    out += [display(to_latex(eq, symbol_names=INPUT_LATEX)) for eq in k.equations()]
    return "".join(out), k


@dataclass(frozen=True)
class _Proofs:
    """The proofs a document shows, run once: the theorem cites them, the proof section
    prints them, so the two cannot disagree."""

    homogeneity: object
    induction: object
    expansion: object | None      # ReLU only
    rescaled: object
    direct: object | None         # this depth's kernels expanded (plain erf, output layer only)


def _run_proofs(arch: Architecture, opts: LatexOptions) -> _Proofs:
    direct = None
    if (arch.activation != "relu" and not arch.rescale
            and theory_scale_factor(arch, "mean_field") is not None):
        direct = prove_scaling_expansion(arch.depth, activation=arch.activation,
                                         depth_min=arch.depth)
    return _Proofs(prove_homogeneity(arch.activation), prove_scaling_induction(arch.activation),
                   prove_scaling_expansion(opts.expansion_depth)
                   if arch.activation == "relu" else None,
                   prove_rescaled_equals_dense(arch.depth, None), direct)


def _basis(arch: Architecture, proofs: _Proofs, where: str = "below") -> tuple[str, bool]:
    """(the reason the scaling theorem holds, whether the proof behind it went through);
    ``where`` says where the proof is printed."""
    if arch.rescale:
        return (f"rescaling makes every $s_h = 1$, for any activation (proof {where})",
                proofs.rescaled.holds)
    if arch.activation == "relu":
        return (f"ReLU is positively homogeneous (induction {where})",
                proofs.homogeneity.holds and proofs.induction.holds)
    return (f"only the output layer is scaled (the kernels of depth $L = {arch.depth}$ "
            f"expanded {where})", proofs.direct is not None and proofs.direct.holds)


def _theorem(arch: Architecture, kernel, symbolic: bool, proofs: _Proofs,
             where: str = "below") -> str:

    out = [r"\subsection*{Scaling theorem}"]
    exact = theory_scale_factor(arch, "mean_field")
    if exact is None:
        out.append("No scalar factor: plain pruning of hidden layers changes the shape of the "
                   f"{escape_text(activation_name(arch.activation))} kernel, not only its "
                   "scale.\n\n")
        return "".join(out)
    reason, proved = _basis(arch, proofs, where)
    factor = kernel.scale_factor if symbolic else sp.Rational(exact.numerator, exact.denominator)
    tex = (r"\Theta_{\mathrm{pruned}}(x, x') = \Theta_{\mathrm{dense}}(x, x')" if factor == 1 else
           r"\Theta_{\mathrm{pruned}}(x, x') = " + to_latex(factor)
           + r" \, \Theta_{\mathrm{dense}}(x, x')")
    if not proved:
        out.append("The recursion suggests\n" + display(tex) + "but its proof did not go through "
                   f"(it would rest on: {reason}), so it is not stated as a theorem here.\n\n")
        return "".join(out)
    out.append("For every pair of inputs the pruned limit NTK "
               + ("equals the dense one,\n" if factor == 1 else "is the dense one times\n"))
    out.append(display(tex))
    out.append(f"because {reason}. ")
    if arch.first_layer_masked:
        out.append("With the first layer masked this holds in the mean-field treatment only; "
                   "at fixed input dimension the exact limit is a mask average without a "
                   "scalar factor in general. ")
    out.append("\n\n")
    return "".join(out)


def _verdict(holds: bool) -> str:
    return "holds" if holds else "fails"


_NOTHING_FOLLOWS = ("This check fails, so nothing is concluded from it; in particular it "
                    "gives no scalar factor.\n")


def _proof_paragraph(result, title: str | None = None) -> str:
    """A proof as a paragraph: heading with its outcome, hypotheses, steps, and - when it
    failed - the sentence that nothing follows (the steps never state a refuted conclusion)."""
    out = [f"\\paragraph{{{escape_text(title or result.title)} ({_verdict(result.holds)}).}} "]
    if result.hypotheses:
        out.append(_hypotheses(result.hypotheses))
    out.append(_steps(result.steps))
    if not result.holds:
        out.append(_NOTHING_FOLLOWS)
    return "".join(out)


def _proofs(arch: Architecture, proofs: _Proofs, opts: LatexOptions) -> str:

    out = [r"\subsection*{Symbolic proof}"]
    out.append(_proof_paragraph(proofs.homogeneity))
    out.append(_proof_paragraph(proofs.induction))
    exp = proofs.expansion
    if exp is not None:
        out.append(f"\\paragraph{{Direct expansion, $L = 1, \\dots, {opts.expansion_depth}$ "
                   f"({_verdict(exp.holds)}).}} ")
        out.append("Pruned and dense kernels expanded in $(\\|x\\|^2, \\|x'\\|^2, x \\cdot x')$ "
                   "with a symbolic $q$; the table says at which $L$ the pruned NTK and NNGP "
                   "equal $q^L$ times the dense ones.\n")
        out.append("\\begin{center}\\begin{tabular}{rrrr}\n$L$ & holds & distinct nodes & "
                   "tree nodes \\\\ \\hline\n")
        for row in exp.data["rows"]:
            out.append(f"{row['depth']} & {'yes' if row['holds'] else 'no'} & {row['dag_nodes']} "
                       f"& {row['tree_nodes']} \\\\\n")
        out.append("\\end{tabular}\\end{center}\n")
    if proofs.direct is not None:
        out.append(_proof_paragraph(proofs.direct, f"Direct expansion at $L = {arch.depth}$"))
    out.append(_proof_paragraph(proofs.rescaled, proofs.rescaled.title + ", any activation"))
    if theory_scale_factor(arch, "mean_field") is None:
        out.append(_erf_witness(arch))
    return "".join(out)


def _erf_witness(arch: Architecture) -> str:
    """The witness that the pruned NTK is no scalar multiple of the dense one, as a table."""

    if arch.activation != "erf" or arch.rescale:
        return ""
    w = erf_witness(depth=arch.depth, keep_prob=arch.keep_probs[-1],
                    prune_first_layer=arch.first_layer_masked)
    prof, ratios = w.data["profile"], w.data["ratios"]

    def num(value) -> str:
        return "$" + mpmath.nstr(value, DIGITS) + "$"

    def span(pair) -> str:
        return "$[" + ", ".join(mpmath.nstr(v, DIGITS) for v in pair) + "]$"

    norms = f"[{float(min(prof.norms)):g}, {float(max(prof.norms)):g}]"
    predicted = str(prof.predicted)  # a Fraction: "1/4"
    rows = [
        (r"Ratio at $x = x'$, $\|x\| = 1$", num(ratios["x = x'"])),
        (r"Ratio at unit $x, x'$ with $x \cdot x' = 1/2$", num(ratios["angle pi/3"])),
        (r"Their difference", num(w.data["difference"])),
        None,
        (rf"Range of $\rho(\theta)$ over {len(prof.angles)} angles $\theta \in (0, \pi)$",
         span(prof.offdiag_range)),
        (r"Minimax scalar $c^*$, the midpoint of that range", num(prof.minimax_scalar)),
        (r"\quad its error $\max_\theta |\rho(\theta) - c^*|$", num(prof.minimax_error)),
        (r"Least-squares scalar $\hat c$", num(prof.least_squares_scalar)),
        (r"\quad its error $\max_\theta |\rho(\theta) - \hat c|$", num(prof.least_squares_error)),
        (rf"Ratio range on the diagonal $x = x'$, $\|x\|^2 \in {norms}$", span(prof.diag_range)),
        None,
        (r"\rule{0pt}{3ex}$\prod_h q_h$, the factor C1 gives for ReLU", f"${predicted}$"),
    ]
    body = "".join("\\hline\n" if row is None else f"{row[0]} & {row[1]} \\\\\n" for row in rows)
    verdict = "holds" if w.holds else "fails"
    lead = ("the ratio of pruned to dense limit NTK depends on the inputs, so no scalar factor "
            "relates them" if w.holds else
            "the two witness ratios agree to the working precision, so this witness shows nothing")
    note = (" Note that " + escape_text(MEAN_FIELD_NOTE) + "." if arch.first_layer_masked else "")
    return (f"\\paragraph{{{escape_text(w.title)} ({verdict}).}} "
            f"For the erf network with plain pruning ({escape_text(w.hypotheses[1])}), {lead}. "
            f"The kernels are evaluated with mpmath at 50 digits; an independent mpmath recursion "
            f"reproduces both ratios (largest relative difference "
            f"${number_latex(w.data['cross_check'])}$).{note} "
            r"Below, $\rho(\theta)$ is the ratio at unit inputs with $x \cdot x' = \cos\theta$; "
            r"$|\rho(\theta) - c|$ is the relative error "
            r"$|\Theta_{\mathrm{pruned}} - c \, \Theta_{\mathrm{dense}}| / |\Theta_{\mathrm{dense}}|$"
            r" of the scalar $c$."
            "\n\\begin{center}\n\\begin{tabular}{lr}\n\\hline\n" + body
            + "\\hline\n\\end{tabular}\n\\end{center}\n")


# The preamble of every standalone document the toolkit writes.
PREAMBLE = ("\\documentclass[11pt]{article}\n\\usepackage[margin=2.2cm]{geometry}\n"
            "\\usepackage{amsmath,amssymb,graphicx}\n\\allowdisplaybreaks\n")


def latex_document(arch: Architecture, *, fragment: bool = False,
                   options: LatexOptions = LatexOptions()) -> str:
    """The LaTeX source: recursion, closed forms, scaling theorem with its factor, proof."""
    recursion, kernel = _recursion(arch, options.symbolic_keep_prob)
    proofs = _run_proofs(arch, options)
    body = "".join([
        r"\section*{Limit NTK of a randomly pruned network}" + "\n",
        _architecture_text(arch, options.symbolic_keep_prob),
        recursion,
        _closed_forms(arch.activation),
        _theorem(arch, kernel, options.symbolic_keep_prob, proofs),
        _derivations(arch.activation),
        _proofs(arch, proofs, options),
    ])
    if fragment:
        return body
    return PREAMBLE + "\\begin{document}\n" + body + "\\end{document}\n"


def latex_rescaled_companion(arch: Architecture, *,
                             options: LatexOptions = LatexOptions()) -> str:
    """A fragment for rescaled pruning that follows :func:`latex_document` of the same
    network with plain pruning: its set-up, recursion and scaling theorem, while the dual
    kernels, their derivations and the proofs - identical in both - are cited from the
    plain document instead of repeated (that document proves rescaled = dense at the
    same depth).  ``arch`` must have rescaled pruning."""
    if not arch.rescale:
        raise InvalidArgument("arch", arch.describe(), "not rescaled pruning",
                              "pass an architecture built with rescale=True")
    _, kernel = _recursion(arch, options.symbolic_keep_prob)
    proofs = _run_proofs(arch, options)
    scales = sp.Tuple(*kernel.layer_scales)
    recursion = (r"\subsection*{The pruned recursion}"
                 "It is the recursion of the plain-pruning section with each layer's factor "
                 "replaced by its scale $s_h = r_h^2 q_h$, $r_h = 1 / \\sqrt{q_h}$:\n"
                 + display(r"(s_1, \dots, s_{" + str(arch.depth + 1) + "}) = " + to_latex(scales))
                 + "so every covariance is forwarded unchanged and the recursion is the dense "
                   "one.\n")
    shared = (r"\subsection*{Shared with plain pruning}"
              "The dual kernels $V$, $\\dot V$ and $c_\\sigma$, their derivation from the "
              "Gaussian integrals and the symbolic proofs are those of the plain-pruning "
              "section above; the proof that applies here is its paragraph "
              f"``{escape_text(proofs.rescaled.title)}, any activation'' "
              f"({_verdict(proofs.rescaled.holds)}), for depth $L = {arch.depth}$.\n\n")
    return "".join([_architecture_text(arch, options.symbolic_keep_prob), recursion,
                    _theorem(arch, kernel, options.symbolic_keep_prob, proofs,
                             "in the plain-pruning section above"), shared])
