"""LaTeX export: the derivation of the finite-width variance and V for one configuration.

:func:`variance_latex` returns a complete document (or, with ``fragment=True``, the body
only, for inclusion in another document): the model, the exact depth-1 result, the
leading-order recursion at any depth with its two kinds of layer terms, the identities
with their status, and the numbers of the given architecture and input pair.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..config import Architecture
from ..texprint import display, escape_text, number_latex
from .deep import variance_terms
from .one_layer import one_layer_sym

__all__ = ["variance_latex", "DERIVATION_TEX"]

_PREAMBLE = ("\\documentclass[11pt]{article}\n\\usepackage[margin=2.2cm]{geometry}\n"
             "\\usepackage{amsmath,amssymb,graphicx}\n\\allowdisplaybreaks\n")

DERIVATION_TEX = r"""
\subsection*{Setting}
Weight layers $h = 1, \dots, L+1$, widths $n_h = \alpha_h n$, masked weights
$w = r_h M W$ with $M \sim \mathrm{Bernoulli}(q_h)$, $W \sim N(0,1)$, so
$E w^2 = s_h = r_h^2 q_h$ and $E w^4 = 3 s_h^2 / q_h$.  A neuron of a layer with
pre-activation covariance $K = (a, c, b)$ at the inputs $(x, y)$ and neuron-diagonal NTK
$T$ contributes
\[ z = \bigl(c_\sigma \sigma(u)^2,\ c_\sigma \sigma(u)\sigma(v),\ c_\sigma \sigma(v)^2,\
   c_\sigma \sigma'(u)\sigma'(v)\, T\bigr), \qquad (u, v) \sim N(0, K), \]
with mean $m$ and second moments $S_{ij} = E z_i z_j$.  The layer's collective variables
are $G_h = \frac{1}{n_h}\sum_i z_{i,1:3}$ (its kernel) and $P_h = \frac{1}{n_h}\sum_i z_{i,4}$
(its back-propagated NTK); the limit recursion maps them to
$\Theta^{(h+1)} = s_{h+1}(G_{h,xy} + P_h)$, $K^{(h+1)} = s_{h+1} G_h$.

\subsection*{One hidden layer (exact at every width)}
$\Theta_n = \frac{1}{n}\sum_i T_i$ with i.i.d.\ terms
$T_i = c_\sigma S_i^2 [\sigma(u_i)\sigma(v_i) + W_i^2 \sigma'(u_i)\sigma'(v_i)\kappa_i]$,
$\kappa_i$ the neuron's first-layer NTK.  Independence of the readout from the first layer
gives $E\Theta_n = s(m_2 + m_4) = \Theta_{\lim}$ and
\[ n\,\mathrm{Var}\,\Theta_n = s^2\Bigl[\frac{S_{22} + 2 S_{24} + 3 S_{44}}{q} - (m_2 + m_4)^2\Bigr]. \]
A masked first layer makes $(u, v, \kappa)$ a mixture over mask rows, which is why the
variance then depends on the coordinates of $x$ and $y$.

\subsection*{Any depth (leading order in $1/n$)}
With $F_h$ the weights and masks up to layer $h$,
$\mathrm{Var}\,\Theta = \sum_{h=1}^{L+1} E\,\mathrm{Var}(E[\Theta \mid F_h] \mid F_{h-1})$.
\emph{Hidden layer $h \le L$:} $E[\Theta\mid F_h] = N_h(G_h, P_h) + o_p(n^{-1/2})$ with
$N_h$ the limit map to the output; given $F_{h-1}$ the neurons of layer $h$ are i.i.d., so
layer $h$ adds $\frac{1}{\alpha_h} g_h^\top \mathrm{Cov}(z^{(h)}) g_h$ to $n\,\mathrm{Var}$,
$g_h = \nabla N_h$ computed backwards through the dual maps $V$, $\dot V$.  A mask of
layer $h$ changes each neuron's covariance only by $O((q n)^{-1/2})$, which averages out
over the $n_h$ neurons: $q_h$ enters only through $s_h$ (at order $1/(q n^2)$ otherwise).
\emph{Readout:} $\Theta = \sum_j S_j^2 A_j + w^\top \Psi w$ with
$A_j = g_j(x) g_j(y)$, $\Psi_{jl} = g'_j(x) g'_l(y) \Theta^{(L)}_{jl}$, hence
\[ \mathrm{Var}(\Theta \mid F_L) = s^2 (X_L + Y_L)
   + s^2\Bigl(\frac{1}{q} - 1\Bigr) \sum_j (A_j^2 + 2 A_j \Psi_{jj} + 3 \Psi_{jj}^2), \]
$X = \sum_{jl} \Psi_{jl}^2$, $Y = \sum_{jl}\Psi_{jl}\Psi_{lj}$ carrying the off-diagonal NTK:
$nX_h = s_h^2 d_h(x) d_h(y)\, nX_{h-1} + S_{44}^{(h)}/\alpha_h$,
$nY_h = s_h^2 \dot\Sigma_h^2\, nY_{h-1} + S_{44}^{(h)}/\alpha_h$,
$nX_1 = nY_1 = S_{44}^{(1)}/\alpha_1$, $d_h(x) = c_\sigma E\sigma'(u)^2$.
The readout is the only layer whose keep probability enters $V$ beyond $s$.

\subsection*{Identities}
V1 (proved): depth 1, exact mean and variance as above.
V2 (proved): ReLU, $E\Theta_n(x, x) = \Theta_{\lim}(x, x)$ at every depth and width.
V3 (proved from the recursion): rescaled hidden masks do not enter $V$; $V$ is affine in
$1/q_{L+1}$ with slope $s^2(S_{22} + 2S_{24} + 3S_{44})/\alpha_L \ge 0$; for ReLU,
$V_{\mathrm{plain}} = (\prod_h q_h)^2 V_{\mathrm{rescaled}}$.
V4 (checked, not proved): dense ReLU,
$3\sum_h \alpha_h^{-1} \le V(x,x)/\Theta(x,x)^2 \le 5\sum_h \alpha_h^{-1}$, so at leading
order $E\Theta^2 / (E\Theta)^2 \le \exp(5 \sum_h 1/n_h)$.
Mean (derived, checked by Monte Carlo, not proved): $E\Theta_n = \Theta_{\lim} + m/n$
with $m$ from the exact conditional means $E[G_h\mid F_{h-1}] = E_{\mathrm{mask}} V(K_i)$ and
$E[P_h \mid F_{h-1}]$ (Gaussian integration by parts), expanded to second order in the
collective fluctuations of the layer below, in the row-mask fluctuations (where a hidden
layer's keep probability enters, through $s_h^2(1/q_h - 1)$) and in the neuron-off-diagonal
NTK (ReLU and erf, whose Stein factors $E\,\partial H$ have closed forms).
"""


def _config_section(arch: Architecture, x, y, width_ratios, width) -> str:
    t = variance_terms(arch, np.asarray(x, float)[None], np.asarray(y, float)[None],
                       width_ratios=width_ratios)
    f = lambda v: number_latex(float(np.asarray(v).ravel()[0]), 8)  # noqa: E731
    rows = [f"layer {h} & ${f(v)}$ \\\\" for h, v in enumerate(t.hidden, start=1)]
    rows.append(f"readout, off-diagonal NTK & ${f(t.readout_offdiag)}$ \\\\")
    rows.append(f"readout mask & ${f(t.readout_mask)}$ \\\\")
    m = t.mean_1_over_n
    m_text = ("not derived" if m is None or np.isnan(np.asarray(m, float).ravel()[0])
              else f"${f(m)}$")
    out = [r"\subsection*{This configuration}" + "\n", escape_text(arch.describe()) + ".\n\n",
           "\\noindent "
           f"$x = ({', '.join(number_latex(v, 6) for v in x)})$, "
           f"$y = ({', '.join(number_latex(v, 6) for v in y)})$, width ratios "
           f"$({', '.join(str(a) for a in t.width_ratios)})$.\n",
           display(r"\Theta_{\lim} = " + number_latex(float(t.limit[0]), 12)),
           display("V = " + number_latex(float(t.n_var[0]), 12)),
           f"\\noindent Mean correction $m$: {m_text}.\n\n",
           "\\begin{center}\n\\begin{tabular}{ll}\nshare of $V$ & value \\\\ \\hline\n"
           + "\n".join(rows) + "\n\\end{tabular}\n\\end{center}\n\n"]
    if width is not None:
        out.append(f"\\noindent At width $n = {int(width)}$: standard deviation "
                   f"$\\sqrt{{V/n}} = {f(t.std_at_width(int(width)))}$.\n\n")
    if arch.depth == 1 and arch.activation == "relu" and not arch.first_layer_masked:
        mean, nvar = one_layer_sym(arch.rescale)
        out.append("Closed form ($a = |x|^2$, $b = |y|^2$, $q = q_2$):\n")
        out.append(display(sp.Eq(sp.Symbol(r"n\,\mathrm{Var}\,\Theta_n"), sp.factor(nvar))))
    return "".join(out)


def variance_latex(arch: Architecture, x, y, *, width_ratios=None, width=None,
                   fragment: bool = False) -> str:
    """The LaTeX source of the derivation and of V for ``arch`` at the pair (x, y).

    >>> tex = variance_latex(Architecture.pruned(1, "0.5"), [1.0, 0.0], [0.6, 0.8])
    >>> tex.startswith("\\\\documentclass") and "V1 (proved)" in tex
    True
    """
    body = (r"\section*{Finite-width fluctuations of the pruned NTK}" + "\n" + DERIVATION_TEX
            + _config_section(arch, x, y, width_ratios, width))
    if fragment:
        return body
    return _PREAMBLE + "\\begin{document}\n" + body + "\\end{document}\n"
