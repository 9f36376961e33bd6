r"""LaTeX export of the Graphon NTK: the derivation, the recursion and the reduction proofs.

:func:`graphon_latex` returns a standalone document (the preamble of
:mod:`theory.symbolic.latex`) or, with ``fragment=True``, the body only (for
``\input`` into a paper loading amsmath, amssymb, graphicx).  The proof steps are
the SymPy objects of :mod:`theory.graphon.proofs`, printed by :mod:`theory.texprint`.

>>> tex = graphon_latex(fragment=True, depth=2)
>>> r"\beta^{(h)}" in tex and "\\documentclass" not in tex
True
"""

from __future__ import annotations

from ..texprint import display, escape_text
from .proofs import prove_graphon_constant, prove_graphon_dense
from .spec import GraphonNetwork

__all__ = ["graphon_latex"]

_SETUP = r"""
\section*{The Graphon NTK}
Network (depth $L$, weight layers $h = 1, \dots, L+1$, no biases):
\[
f^{(1)} = (W^{(1)} \odot S^{(1)}) x, \quad g^{(h)} = \sqrt{c_\sigma / n_h}\,\sigma(f^{(h)}), \quad
f^{(h+1)} = (W^{(h+1)} \odot S^{(h+1)}) g^{(h)},
\]
$W^{(h)}_{ij} \sim N(0, 1)$,
$S^{(h)} = r_h M^{(h)}$ with $M^{(h)}_{ij} \sim \mathrm{Bernoulli}(W_h(u_i, v_j))$ independently,
where neuron $i$ of a width-$n_h$ layer sits at position $u_i$ in block
$a(i) = \lfloor i K_h / n_h \rfloor$ of $K_h$ equal blocks, and $W_h$ is the step graphon with
block values $G_h \in [0, 1]^{K_h \times K_{h-1}}$ ($K_0 = d_0$: one column per input
coordinate; $K_{L+1} = 1$). Plain pruning has $r_h = 1$; rescaled pruning
$r_h = 1/\sqrt{d_h}$ with the layer density $d_h = \frac{1}{K_h K_{h-1}} \sum_{a,b} G_h[a,b]$.
Widths grow with the $K_h$ fixed; $c_\sigma = 1/\mathbb{E}[\sigma(z)^2]$,
$V(K) = c_\sigma \mathbb{E}[\sigma(u)\sigma(v)]$, $\dot V(K) = c_\sigma \mathbb{E}[\sigma'(u)\sigma'(v)]$.
"""

_FORWARD = r"""
\paragraph{Forward covariance, per position.}
Given layer $h$, $f^{(h+1)}_i(x)$ is Gaussian with covariance
""" + display(r"r_{h+1}^2 \frac{c_\sigma}{n_h} \sum_j M_{ij}\, \sigma(f^{(h)}_j(x))\,"
              r"\sigma(f^{(h)}_j(x')) .") + r"""
A block $b$ holds $n_h/K_h$ neurons, of which a fraction $G_{h+1}[a, b]$ is kept by a neuron
of block $a$; by the law of large numbers the sum becomes a block average:
""" + display(r"K^{(h+1)}_a(x,x') = r_{h+1}^2\,\frac{1}{K_h} \sum_{b=1}^{K_h} G_{h+1}[a,b]\,"
              r"\Sigma^{(h)}_b(x,x'),") + display(r"\Sigma^{(h)}_b = V\big(K^{(h)}_b\big),\qquad "
              r"\dot\Sigma^{(h)}_b = \dot V\big(K^{(h)}_b\big),") + r"""
with the first layer in the graphon (mean-field) treatment
""" + display(r"K^{(1)}_a(x,x') = r_1^2 \sum_{j=1}^{d_0} G_1[a,j]\, x_j x'_j .") + r"""
The exact first layer at fixed $d_0$ keeps the per-neuron covariance
$r_1^2 \sum_j M_{ij} x_j x'_j$ random; its limit averages $V$ over the masks rather than
applying $V$ to the averaged covariance (claim C5): the graphon NTK is exact for the first
layer only as $d_0 \to \infty$ with delocalised inputs.
"""

_BACKWARD = r"""
\paragraph{Backward signal, per position.}
With $b^{(h)}_i = \partial f / \partial f^{(h)}_i$ and
$\beta^{(h)}_b(x,x') = \lim n_h\, b^{(h)}_i(x) b^{(h)}_i(x')$ for $i$ in block $b$
(gradient independence; the cross terms average out),
""" + display(r"\beta^{(L+1)} = 1, \qquad \beta^{(h)}_b = \dot\Sigma^{(h)}_b\; r_{h+1}^2\,"
              r"\frac{1}{K_{h+1}} \sum_{a=1}^{K_{h+1}} G_{h+1}[a,b]\,\beta^{(h+1)}_a .") + r"""
\paragraph{The NTK.} Layer $h$ contributes
$r_h^2 \sum_{i,j} M_{ij}\, b_i(x) b_i(x')\, a_j(x) a_j(x')$, with $a = g^{(h-1)}$ (or $x$):
the inner sum over $j$ is $K^{(h)}_{a(i)}$ and the outer one a block average, so
""" + display(r"\Theta_G(x,x') = \sum_{h=1}^{L+1} \frac{1}{K_h} \sum_{a=1}^{K_h} "
              r"\beta^{(h)}_a(x,x')\, K^{(h)}_a(x,x') .") + r"""
Equivalently, with the NTK of a pre-activation at position $a$, $\Theta^{(1)}_a = K^{(1)}_a$,
""" + display(r"\Theta^{(h+1)}_a = r_{h+1}^2\,\frac{1}{K_h} \sum_{b=1}^{K_h} G_{h+1}[a,b]\,"
              r"\big(\Sigma^{(h)}_b + \dot\Sigma^{(h)}_b\, \Theta^{(h)}_b\big), \qquad "
              r"\Theta_G = \Theta^{(L+1)}_1 .") + r"""
For $G_h = 1$ this is the dense recursion of Arora et al.\ (2019); for constant $G_h = c_h$ it
is the i.i.d.\ pruned recursion with $q_h = c_h$, and for ReLU
$\Theta_G = \big(\prod_h c_h\big)\,\Theta$ (claim C1).

\paragraph{Selected weights.} If the kept weights are chosen by their values (magnitude
pruning keeps $|W_{ij}| > t$), $M_{ij}$ and $W_{ij}$ are dependent. The forward covariance and
the backward signal then average $M_{ij} W_{ij}^2$, with block means
$V_h[a,b] = \mathbb{E}[M_{ij} W_{ij}^2]$, while the weight-gradient term of layer $h$ still
counts kept weights (density $G_h$):
""" + display(r"K^{(h+1)}_a = r_{h+1}^2 \frac{1}{K_h}\sum_b V_{h+1}[a,b]\,\Sigma^{(h)}_b, \qquad "
              r"\Theta^{(h+1)}_a = r_{h+1}^2 \frac{1}{K_h}\sum_b \big(G_{h+1}[a,b]\,\Sigma^{(h)}_b "
              r"+ V_{h+1}[a,b]\,\dot\Sigma^{(h)}_b\,\Theta^{(h)}_b\big),") + r"""
and $K^{(1)}_a = r_1^2 \sum_j V_1[a,j] x_j x'_j$, $\Theta^{(1)}_a = r_1^2 \sum_j G_1[a,j] x_j x'_j$.
Independent $N(0,1)$ weights give $V = G$; magnitude selection at density $g$ gives
$V = g + 2 t \varphi(t)$ with $t = \Phi^{-1}(1 - g/2)$.

\paragraph{Rescaled pruning.} One factor per layer, $r_h^2 = 1/d_h$. A neuron at position $a$
then sees the variance $\frac{1}{d_h}\frac{1}{K_{h-1}} \sum_b G_h[a,b]\,\Sigma_b$, which is the
dense one only where its own in-density $\frac{1}{K_{h-1}}\sum_b G_h[a,b]$ equals $d_h$: for a
constant graphon the dense NTK is recovered exactly (claim C2), for a non-constant one it is not.
"""


def _proof(result) -> str:
    out = [r"\paragraph{" + escape_text(result.title) + ".} "
           + ("Holds." if result.holds else "Fails.") + " Hypotheses: "
           + "; ".join(escape_text(h) for h in result.hypotheses) + ".\n"]
    for text, expr in result.steps:
        out.append(escape_text(text) + ":\n" + display(expr))
    return "".join(out)


def graphon_latex(net: GraphonNetwork | None = None, *, fragment: bool = False,
                  depth: int = 3) -> str:
    """The derivation of the Graphon NTK, the reduction proofs at ``depth`` and, if ``net``
    is given, a description of that network."""
    from ..symbolic.latex import PREAMBLE

    parts = [_SETUP, _FORWARD, _BACKWARD, r"\section*{Reductions}" + "\n"]
    parts.append(_proof(prove_graphon_dense(depth)))
    parts.append(_proof(prove_graphon_constant("relu", depth)))
    parts.append(_proof(prove_graphon_constant("erf", depth)))
    if net is not None:
        parts.append(r"\paragraph{This network.} " + escape_text(net.describe()) + ".\n")
    body = "".join(parts)
    if fragment:
        return body
    return PREAMBLE + "\\begin{document}\n" + body + "\\end{document}\n"
