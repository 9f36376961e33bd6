r"""Claim G-constant (Pham et al. 2025): a constant graphon c_h on layers 2..L+1 gives
claim C1's scaled NTK, Theta_G = (prod_h c_h) Theta, so the Gram matrix's eigenvalues
scale by prod_h c_h and its normalised spectrum lambda_i / sum_j lambda_j does not
change with the density.

* Symbolic (exact): :func:`theory.graphon.prove_graphon_constant` - the graphon
  recursion with constant blocks is the i.i.d. pruned recursion (any activation), and
  for ReLU, by positive homogeneity, the built kernel is the product times the dense
  one (an induction with a symbolic block count, and the depth-``depth`` kernel).
  For another activation only the first part holds: the check is then inconclusive.
* Numeric (exact up to rounding, error rate 0): on the first N digits inputs (N from
  the budget: 256 quick, 512 standard, 1024 thorough) the Graphon NTK Gram of a
  constant graphon with ``blocks`` blocks per hidden layer
  (:func:`theory.graphon.graphon_ntk`) against a second algorithm, the dense limit
  Gram of :func:`theory.kernels.float64.limit_kernel`, for every density in
  ``densities`` (every masked layer at that density): the entrywise ratio
  Theta_G / ((prod c_h) Theta) must be 1 within ``rtol`` (rounding of two
  independent float64 recursions), and the normalised spectra (``numpy.linalg.eigvalsh``
  of each Gram over its trace) must agree within ``spectrum_atol``.  Any excess refutes.

With erf (not homogeneous) the constant graphon is still the i.i.d. pruned kernel, but
not a multiple of the dense one: the numeric check refutes the claim for erf and shows
how the normalised spectrum moves with the density.

>>> constant_graphon_claim().id
'G-constant'
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from numerics.masks.data import digits
from theory._errors import InvalidArgument, check_depth, check_int
from theory.config import ACTIVATIONS, Architecture
from theory.graphon.float64 import graphon_ntk
from theory.graphon.proofs import prove_graphon_constant
from theory.graphon.spec import GraphonNetwork
from theory.kernels.float64 import limit_kernel

from ...claim import Claim, Context
from ...verdict import CheckOutcome, Verdict

__all__ = ["constant_graphon_claim", "DEFAULTS"]

DEFAULTS = {"depth": 3, "densities": ("1/2", "1/5", "1/20"), "blocks": 4,
            "activation": "relu", "inputs": None, "rtol": 1e-12, "spectrum_atol": 1e-12}
_TOP = 5


def _validated(p: dict) -> dict:
    if p["activation"] not in ACTIVATIONS:
        raise InvalidArgument("activation", p["activation"], "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    dens = tuple(Fraction(str(d)) for d in p["densities"])
    if not dens or any(not 0 < d <= 1 for d in dens):
        raise InvalidArgument("densities", p["densities"], "densities must lie in (0, 1]",
                              "give e.g. ('1/2', '1/5', '1/20')")
    return dict(p, depth=check_depth(p["depth"]), densities=dens,
                blocks=check_int(p["blocks"], "blocks", 1),
                inputs=None if p["inputs"] is None else check_int(p["inputs"], "inputs", 2))


def _symbolic(context: Context, params: dict) -> CheckOutcome:
    p = _validated(params)
    proof = prove_graphon_constant(p["activation"], depth=p["depth"], blocks=2)
    steps = [(desc, bool(val == 0 or val is sp.true)) for desc, val in proof.steps]
    data = {"proof": proof.claim, "holds": proof.holds, "steps": [d for d, _ in steps],
            "product": sp.sstr(proof.data.get("product", ""))}
    if not proof.holds:
        return CheckOutcome(Verdict.REFUTED, "symbolic", "a step of the proof failed: "
                            + "; ".join(d for d, ok in steps if not ok), data)
    if p["activation"] != "relu":
        return CheckOutcome(Verdict.INCONCLUSIVE, "symbolic",
                            "proved: a constant graphon is the i.i.d. pruned recursion with "
                            "$q_h = c_h$; the product form needs positive homogeneity "
                            f"(ReLU), not {p['activation']}", data)
    return CheckOutcome(Verdict.VERIFIED, "symbolic",
                        f"proved at depth {p['depth']} (induction with $K$ blocks, built "
                        "kernel $= \\prod_h c_h \\cdot \\Theta$)", data)


def _normalised_spectrum(A: np.ndarray) -> np.ndarray:
    lam = np.linalg.eigvalsh(A)[::-1]
    return lam / lam.sum()


def _numeric(context: Context, params: dict) -> CheckOutcome:
    p = _validated(params)
    L, act = p["depth"], p["activation"]
    N = p["inputs"] or min(1024, context.budget.input_pairs * 4)
    X = digits().inputs[:N]
    dense = limit_kernel(Architecture.dense(L, activation=act), X).ntk
    s_dense = _normalised_spectrum(dense)
    rows, bad = [], []
    for c in p["densities"]:
        net = GraphonNetwork.constant(L, [1] + [c] * L, blocks=p["blocks"], activation=act)
        G = graphon_ntk(net, X).ntk
        factor = float(c) ** L
        ratio_dev = float(np.max(np.abs(G / (factor * dense) - 1.0)))
        s_G = _normalised_spectrum(G)
        spec_dev = float(np.max(np.abs(s_G - s_dense)))
        ok = ratio_dev <= p["rtol"] and spec_dev <= p["spectrum_atol"]
        rows.append({"density": str(c), "product": factor, "max_ratio_dev": ratio_dev,
                     "max_spectrum_dev": spec_dev, "top5": float(s_G[:_TOP].sum()),
                     "lambda1_ratio": float(s_G[0] * np.trace(G) / (s_dense[0] * np.trace(dense))
                                            / factor)})
        if not ok:
            bad.append(str(c))
    verdict = Verdict.REFUTED if bad else Verdict.VERIFIED
    top_dense = float(s_dense[:_TOP].sum())
    text = (f"{N} digits, depth {L}, {act}: max $|\\Theta_G / (\\prod c_h \\Theta) - 1|$ = "
            f"{max(r['max_ratio_dev'] for r in rows):.2g}, normalised spectra within "
            f"{max(r['max_spectrum_dev'] for r in rows):.2g}; top-5 energy "
            f"{top_dense:.4f} (dense), "
            + ", ".join(f"{r['top5']:.4f} ($c = {r['density']}$)" for r in rows))
    if bad:
        text = f"ratio or spectrum off beyond rounding at $c$ = {', '.join(bad)}: " + text
    return CheckOutcome(verdict, "numeric", text,
                        {"rows": rows, "inputs": N, "top5_dense": top_dense,
                         "parameters_used": {"inputs": N}})


def _summary(outcomes, params) -> str:
    parts = []
    for o in outcomes:
        if o.kind == "symbolic":
            parts.append("exact: $\\prod_h c_h \\, \\Theta$ (proof)" if o.verdict is Verdict.VERIFIED
                         else f"proof: {o.verdict.value}")
        elif "rows" in o.data:
            rows = o.data["rows"]
            parts.append(f"{o.data['inputs']} digits: ratio dev "
                         f"{max(r['max_ratio_dev'] for r in rows):.1g}, top-5 energy "
                         f"{o.data['top5_dense']:.3f} $\\to$ "
                         + "/".join(f"{r['top5']:.3f}" for r in rows))
    return "; ".join(parts)


def _numbers(outcomes, params) -> list:
    out = []
    for o in outcomes:
        if o.kind == "symbolic":
            out.append(("symbolic proof (induction over layers, built kernel)",
                        o.verdict.value))
        elif "rows" in o.data:
            out.append(("digits inputs", o.data["inputs"]))
            out.append(("top-5 energy share of the dense Gram", round(o.data["top5_dense"], 6)))
            for r in o.data["rows"]:
                out.append((f"$c = {r['density']}$: max $|\\Theta_G / (c^L \\Theta) - 1|$, max "
                            "normalised-spectrum difference, top-5 energy share",
                            f"{r['max_ratio_dev']:.2g}, {r['max_spectrum_dev']:.2g}, "
                            f"{r['top5']:.6f}"))
    return out


def constant_graphon_claim(**overrides) -> Claim:
    """Claim G-constant with :data:`DEFAULTS` changed by ``overrides``."""
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidArgument(name, overrides[name], "claim G-constant has no such parameter",
                              f"use one of {sorted(DEFAULTS)}")
    x, xp = sp.Symbol("x"), sp.Symbol("x'")
    h, L = sp.Symbol("h", integer=True, positive=True), sp.Symbol("L", integer=True,
                                                                   positive=True)
    rhs = sp.Product(sp.IndexedBase("c")[h], (h, 2, L + 1)) * sp.Function("Theta")(x, xp)
    return Claim(
        id="G-constant",
        title="A constant graphon gives C1's scaled NTK and leaves the normalised spectrum unchanged",
        statement=sp.Eq(sp.Function("Theta_G")(x, xp), rhs, evaluate=False),
        statement_latex=(r"\Theta_{c}(x, x') = \Bigl(\prod_{h=2}^{L+1} c_h\Bigr)\,"
                         r"\Theta(x, x'),\qquad \frac{\lambda_i(\Theta_c)}{\operatorname{tr}"
                         r"\Theta_c} = \frac{\lambda_i(\Theta)}{\operatorname{tr}\Theta}"),
        symbolic=_symbolic, numeric=_numeric, parameters={**DEFAULTS, **overrides},
        description=("Pham et al. (2025): a constant graphon $c$ gives $c^L \\Theta$; so the "
                     "eigenvalues of the Gram scale by $\\prod_h c_h$ and its normalised "
                     "spectrum (decay, effective rank, top-5 energy) is the same at every "
                     "density.  Dense first layer, plain pruning, checked on digits Grams "
                     "against the dense limit kernel."),
        summarize=_summary, key_numbers=_numbers)
