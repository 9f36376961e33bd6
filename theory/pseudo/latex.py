"""The LaTeX fragment of the pseudo-network moment formulas (claim C4).

:func:`pseudo_network_latex` prints the formulas of
:func:`theory.pseudo.derivation.derive_pseudo_network` and
:func:`theory.pseudo.moments.relu_product_moments` (no preamble; needs amsmath).
"""

from __future__ import annotations

from ..texprint import escape_text, to_latex
from .derivation import derive_pseudo_network
from .moments import relu_product_moments

__all__ = ["pseudo_network_latex"]


def _eq(left: str, right) -> str:
    return "\\[\n" + left + " = " + (right if isinstance(right, str) else to_latex(right)) \
        + "\n\\]\n"


def pseudo_network_latex(include_relu: bool = True) -> str:
    r"""A LaTeX fragment (no preamble; needs amsmath) with the derived moment formulas.

    Every formula is printed from the SymPy objects of :func:`derive_pseudo_network`
    and :func:`relu_product_moments`.

    >>> tex = pseudo_network_latex(include_relu=False)
    >>> "\\documentclass" in tex, "working definition" in tex
    (False, True)
    """
    fwd, bwd = derive_pseudo_network("forward"), derive_pseudo_network("backward")
    out = [r"\subsection*{Mask-induced pseudo-networks (working definition)}" + "\n",
           escape_text("This is the toolkit's own working definition, not the paper's (whose "
                       "exact definition is not known to us): in the pseudo-network of a masked "
                       "layer $h$, neuron $i$ receives its own masked copy "
                       "$M^{(h)}_{i,:} \\odot g^{(h-1)}$ of the previous layer, with "
                       "$M^{(h)}_{ij}$ iid Bernoulli($q$). Two inputs $x, x'$ meet at neuron "
                       "$i$ through the masked inner product $S_i = \\sum_j M_{ij} a_j$, "
                       "$a_j = g_j(x) g_j(x')$; backwards, neuron $j$ of layer $h-1$ sees "
                       "$T_j = \\sum_i M_{ij} \\beta_i$, $\\beta_i = b_i(x) b_i(x')$ with "
                       "$b = \\partial f / \\partial f^{(h)}$.") + "\n\n"]
    for d, name in ((fwd, "S_i"), (bwd, "T_j")):
        s = d.symbols
        cond = r"\mid " + to_latex(s["w"])
        out.append(escape_text(f"{'Forward' if d.kind == 'forward' else 'Backward'} sum "
                               f"${name}$ over ${to_latex(s['n'])}$ terms, conditionally on the "
                               "weights and with iid weights of moments "
                               f"${to_latex(s['m1'])}$, ${to_latex(s['m2'])}$ "
                               "(independent of the mask):") + "\n")
        out.append(_eq(rf"\operatorname{{E}}[{name} {cond}]", d.conditional_mean))
        out.append(_eq(rf"\operatorname{{Var}}[{name} {cond}]", d.conditional_variance))
        out.append(_eq(rf"\operatorname{{E}}[{name}]", d.mean))
        out.append(_eq(rf"\operatorname{{Var}}[{name}]", d.variance))
    out.append(escape_text("With $\\kappa = m_2 / m_1^2$ the relative fluctuation, the width at "
                           "which it equals $\\epsilon$, and that width's elasticity in the "
                           "sparsity parameter $1/q$ are") + "\n")
    out.append(_eq(r"\frac{\operatorname{sd}(S_i)}{\operatorname{E}[S_i]}",
                   fwd.relative_fluctuation))
    out.append(_eq("n^*", fwd.width_requirement))
    out.append(_eq(r"\frac{d \log n^*}{d \log (1/q)}", fwd.elasticity)
               .replace("\n\\]", r" \xrightarrow[q \to 0]{} " + to_latex(fwd.elasticity_limit)
                        + "\n\\]", 1))
    out.append(escape_text("so the relative fluctuation scales as $(q n)^{-1/2}$ "
                           f"(exponent ${to_latex(fwd.exponent)}$ at fixed $q$) and the width "
                           "requirement is asymptotically linear in $1/q$. ") + "\n\n")
    if include_relu:
        m = relu_product_moments()
        out.append(escape_text("ReLU in the Gaussian limit ($u, v$ standard normal with "
                               "correlation $\\cos\\theta$):") + "\n")
        out.append(_eq(r"\operatorname{E}[\operatorname{relu}(u) \operatorname{relu}(v)]", m.first))
        out.append(_eq(r"\operatorname{E}[\operatorname{relu}(u)^2 \operatorname{relu}(v)^2]",
                       m.second))
        out.append(_eq(r"\kappa(\theta)", m.kappa))
        out.append(escape_text("and for $x = x'$, "
                               "$\\kappa(0) = \\operatorname{E}[\\operatorname{relu}^4] / "
                               f"\\operatorname{{E}}[\\operatorname{{relu}}^2]^2 = "
                               f"{to_latex(m.kappa_parallel)}$.")
                   + "\n")
    return "".join(out)
