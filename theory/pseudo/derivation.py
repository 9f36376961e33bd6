r"""Mask-induced pseudo-networks (claim C4): the moments of per-neuron masked inner products.

The paper rests its finite-width proof on "mask-induced pseudo-networks"; only the
name is known to us.  **Working definition of this toolkit (ours, not the
paper's):** the pseudo-network of a masked layer h is the network in which
neuron i of layer h receives its own masked copy M^(h)_{i,:} . g^(h-1) of the
previous layer.  Two inputs x, x' then meet, at neuron i, through the masked
inner product

    S_i = sum_{j=1}^{n} M_ij a_j,     a_j = g_j(x) g_j(x'),     n = n_{h-1} (fan-in),

and, in the backward pass, neuron j of layer h-1 through the column sum

    T_j = sum_{i=1}^{n'} M_ij beta_i,  beta_i = b_i(x) b_i(x'),   n' = n_h (fan-out),

where b = df/df^(h) is the backward signal of layer h.  The M_ij are iid
Bernoulli(q), q the keep probability.  Both are sums of the same shape, so one
derivation serves both (``kind`` only renames the symbols).

The derivation conditions on the summed terms and treats the mask as independent
of them.  For the forward sums that is exact (the a_j come from layers < h).  For
the backward sums it is a modelling approximation: beta_i = b_i(x) b_i(x')
contains sigma'(f^(h)_i), and f^(h)_i, proportional to sum_j W_ij M_ij g_j, depends on
row i of the same mask (for h < L the later layers' forward pass adds a similar
weak dependence), so conditionally on beta the M_ij are iid Bernoulli(q) only up
to O(1/n) (P(M_ij = 1 | beta) = q + O(1/n); an all-zero row, probability
(1 - q)^n, forces beta_i = 0 for ReLU).  The backward formulas below are exact
for that model, and hold for the network up to those corrections.  The numeric
check of claim C4 (:mod:`proofs_check.claims.paper.c4_pseudo`) uses the larger of the
plain and the trial-clustered standard error for the standardised sums (valid
under any dependence within a trial, though it does not absorb a bias) and grids
from n = 64 on, where the measured offsets are below the pooled moments'
resolution (numbers in that module).

Here SymPy *derives* (nothing is typed in as an answer; each derived expression
is compared with the stated closed form, like :mod:`theory.symbolic.derivation` does):

* the Bernoulli moments E[M] = E[M^2] = q and E[M M'] = q^2 for independent
  masks (from ``sympy.stats``), hence Cov(M_j, M_k) = q(1 - q) delta_jk;
* conditional on the a_j: E[S] = q sum a_j, Var[S] = q(1 - q) sum a_j^2
  (bilinearity of the covariance, the double sum collapsed by its Kronecker delta);
* with a_j iid, E[a] = m1, E[a^2] = m2, independent of the mask:
  E[S] = n q m1 and Var[S] = n (q m2 - q^2 m1^2), by two routes (directly from
  E[S^2], and by the law of total variance);
* the relative fluctuation sd/mean = sqrt((kappa - q) / (q n)) with
  kappa = m2 / m1^2 (so ~ (q n)^(-1/2) up to the factor sqrt(kappa - q));
  its exponent in q n at fixed q is -1/2;
* the width at which the relative fluctuation reaches eps,
  n* = (kappa - q) / (q eps^2), and its elasticity
  d log n* / d log(1/q) = kappa / (kappa - q), which tends to 1 as q -> 0 (a SymPy
  limit): the width requirement is asymptotically linear in 1/q.

:mod:`theory.pseudo.moments` holds the ReLU moments that fix kappa in the Gaussian
limit, their float64 counterparts and an exact enumeration that cross-checks the
formulas; :mod:`theory.pseudo.latex` exports them as a LaTeX fragment.

>>> d = derive_pseudo_network()
>>> d.holds, d.relative_fluctuation
(True, sqrt(kappa - q)/(sqrt(n)*sqrt(q)))
>>> d.elasticity, d.elasticity_limit
(kappa/(kappa - q), 1)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp
from sympy.concrete.delta import deltasummation
from sympy.stats import Bernoulli
from sympy.stats import E as expectation

from .._errors import InvalidArgument
from ..texprint import to_latex

__all__ = ["PseudoNetworkDerivation", "derive_pseudo_network", "KINDS", "q", "kappa",
           "epsilon"]

KINDS = ("forward", "backward")

q = sp.Symbol("q", positive=True)               # keep probability
kappa = sp.Symbol("kappa", positive=True)       # m2 / m1^2
epsilon = sp.Symbol("epsilon", positive=True)   # target relative fluctuation
_j, _k = sp.symbols("j k", integer=True, positive=True)


def _symbols(kind: str) -> dict:
    """Symbols of one kind of masked sum: the weights, their count and their moments."""
    if kind not in KINDS:
        raise InvalidArgument("kind", kind, "unknown kind of masked sum",
                              "choose forward or backward")
    if kind == "forward":
        return {"w": sp.IndexedBase("a"), "n": sp.Symbol("n", integer=True, positive=True),
                "m1": sp.Symbol("m_1", positive=True), "m2": sp.Symbol("m_2", positive=True),
                "sum": "S_i", "index": _j, "other": _k}
    return {"w": sp.IndexedBase(r"\beta"), "n": sp.Symbol("n'", integer=True, positive=True),
            "m1": sp.Symbol(r"\mu_1", positive=True), "m2": sp.Symbol(r"\mu_2", positive=True),
            "sum": "T_j", "index": _k, "other": _j}


def _collapse(expr: sp.Expr, index, upper) -> sp.Expr:
    """sum_{index=1}^{upper} expr, term by term, Kronecker deltas summed out (no Piecewise:
    the other index runs over the same range)."""
    return sp.Add(*(deltasummation(t, (index, 1, upper), no_piecewise=True)
                    for t in sp.Add.make_args(sp.expand(expr))))


def _double_sum(expr: sp.Expr, first, second, upper) -> sp.Expr:
    """sum over both indices from 1 to ``upper`` of ``expr`` (deltas summed out first)."""
    inner = _collapse(expr, first, upper)
    return sp.expand(sp.summation(inner, (second, 1, upper)).doit())


def _same(left: sp.Expr, right: sp.Expr) -> bool:
    return sp.simplify(sp.expand(left - right)) == 0


@dataclass(frozen=True)
class PseudoNetworkDerivation:
    """The derived moments of one kind of masked sum, with the evidence.

    The expressions use q, kappa, epsilon (module symbols) and ``symbols``
    (``w`` the IndexedBase of the weights a_j or beta_i, ``n`` their count,
    ``m1``, ``m2`` their first two moments).  ``checks`` maps each derived
    quantity to whether it equals its stated closed form; ``steps`` are
    (description, SymPy object) pairs for the LaTeX export.
    """

    kind: str
    symbols: dict
    bernoulli: dict
    conditional_mean: sp.Expr
    conditional_variance: sp.Expr
    mean: sp.Expr
    variance: sp.Expr
    relative_fluctuation: sp.Expr
    exponent: sp.Expr
    width_requirement: sp.Expr
    elasticity: sp.Expr
    elasticity_limit: sp.Expr
    steps: tuple
    checks: dict

    @property
    def holds(self) -> bool:
        return all(self.checks.values())


@functools.lru_cache(maxsize=None)
def derive_pseudo_network(kind: str = "forward") -> PseudoNetworkDerivation:
    """Derive the moments of S_i (``kind="forward"``) or T_j (``"backward"``).

    >>> d = derive_pseudo_network("backward")
    >>> d.conditional_variance
    q*(1 - q)*Sum(\\beta[k]**2, (k, 1, n'))
    """
    s = _symbols(kind)
    w, n, m1, m2, i1, i2 = s["w"], s["n"], s["m1"], s["m2"], s["index"], s["other"]
    checks, steps = {}, []

    # Bernoulli moments, from the distribution itself.
    M, Mo = Bernoulli("M", q), Bernoulli("M'", q)
    EM, EM2, EMMo = (sp.simplify(expectation(M)), sp.simplify(expectation(M**2)),
                     sp.simplify(expectation(M * Mo)))
    var_same = sp.factor(EM2 - EM**2)
    cov_other = sp.simplify(EMMo - EM * sp.simplify(expectation(Mo)))
    checks["bernoulli E[M] = E[M^2] = q"] = _same(EM, q) and _same(EM2, q)
    checks["independent masks uncorrelated"] = cov_other == 0
    cov = cov_other + (var_same - cov_other) * sp.KroneckerDelta(i1, i2)
    steps += [("Bernoulli moments $E[M]$, $E[M^2]$, $E[M M']$ (independent $M, M'$)",
               sp.Tuple(EM, EM2, EMMo)),
              ("Hence the mask covariance", sp.Eq(sp.Function("Cov")(sp.Symbol(f"M_{i1}"),
                                                                     sp.Symbol(f"M_{i2}")),
                                                  cov, evaluate=False))]

    # Conditional on the weights.
    total = sp.Sum(w[i1], (i1, 1, n))
    squares = sp.Sum(w[i1]**2, (i1, 1, n))
    cond_mean = EM * total
    cond_var_raw = _double_sum(w[i1] * w[i2] * cov, i1, i2, n)
    coefficient, summand = _single_sum(cond_var_raw, i2, i1)
    cond_var = coefficient * sp.Sum(summand, (i1, 1, n))
    checks["E[S | a] = q sum a"] = _same(cond_mean, q * total)
    checks["Var[S | a] = q(1-q) sum a^2"] = _same(coefficient * summand, q * (1 - q) * w[i1]**2)
    steps += [("Conditional mean, by linearity", sp.Eq(sp.Symbol(rf"E[{s['sum']} \mid w]"),
                                                        cond_mean, evaluate=False)),
              ("Conditional variance: the double sum of $w w' \\operatorname{Cov}(M, M')$ "
               "collapses on its Kronecker delta",
               sp.Eq(sp.Symbol(rf"\operatorname{{Var}}[{s['sum']} \mid w]"), cond_var,
                     evaluate=False))]

    # Unconditional, weights iid with moments m1, m2, independent of the mask.
    cov_w = (m2 - m1**2) * sp.KroneckerDelta(i1, i2)
    second_w = m1**2 + cov_w
    second_mask = EMMo + (EM2 - EMMo) * sp.KroneckerDelta(i1, i2)
    mean = sp.factor(sp.summation(EM * m1, (i1, 1, n)))
    second = _double_sum(second_mask * second_w, i1, i2, n)
    var_direct = sp.factor(sp.expand(second - mean**2))
    var_total = sp.factor(sp.expand(sp.summation(var_same * m2, (i1, 1, n))     # E[Var(S|w)]
                                    + EM**2 * _double_sum(cov_w, i1, i2, n)))  # Var(E[S|w])
    closed_var = n * (q * m2 - q**2 * m1**2)
    checks["E[S] = n q m1"] = _same(mean, n * q * m1)
    checks["Var[S] = n(q m2 - q^2 m1^2) from E[S^2]"] = _same(var_direct, closed_var)
    checks["Var[S] by the law of total variance"] = _same(var_total, closed_var)
    moments_text = (f"${to_latex(m1)} = E[{to_latex(w)}_{{{i1}}}]$, "
                    f"${to_latex(m2)} = E[{to_latex(w)}_{{{i1}}}^2]$")
    steps += [(f"Weights iid with {moments_text}, independent of the mask: mean", mean),
              ("Second moment $\\sum_{j,k} E[M_j M_k] \\, E[w_j w_k]$", second),
              (f"Variance $E[{s['sum']}^2] - E[{s['sum']}]^2$", var_direct),
              ("The same by the law of total variance, "
               "$E[\\operatorname{Var}(S \\mid w)] + \\operatorname{Var}(E[S \\mid w])$",
               var_total)]

    # Relative fluctuation, its exponent, the width requirement and its elasticity.
    rel_sq = sp.simplify((var_direct / mean**2).subs(m2, kappa * m1**2))
    rel = sp.sqrt(sp.factor(rel_sq))
    closed_rel = sp.sqrt((kappa - q) / (q * n))
    checks["sd/mean = sqrt((kappa - q)/(q n))"] = _same(rel**2, closed_rel**2)
    rel = closed_rel if checks["sd/mean = sqrt((kappa - q)/(q n))"] else rel
    w_qn = sp.Symbol("qn", positive=True)       # the expected number of kept terms
    exponent = sp.simplify(sp.diff(sp.log(rel.subs(n, w_qn / q)), w_qn) * w_qn)
    checks["exponent in q n is -1/2"] = exponent == sp.Rational(-1, 2)
    solutions = sp.solve(sp.Eq(rel**2, epsilon**2), n)
    n_star = sp.factor(solutions[0]) if len(solutions) == 1 else sp.nan
    checks["n* = (kappa - q)/(q eps^2)"] = len(solutions) == 1 and _same(
        n_star, (kappa - q) / (q * epsilon**2))
    u = sp.Symbol("u", positive=True)           # u = 1/q, the sparsity parameter
    elasticity = sp.simplify((sp.diff(sp.log(n_star.subs(q, 1 / u)), u) * u).subs(u, 1 / q))
    elasticity = sp.factor(elasticity)
    checks["elasticity = kappa/(kappa - q)"] = _same(elasticity, kappa / (kappa - q))
    limit = sp.limit(elasticity, q, 0, "+")
    checks["elasticity -> 1 as q -> 0"] = limit == 1
    steps += [(f"Relative fluctuation, with $\\kappa = {to_latex(m2)} / {to_latex(m1)}^2$",
               sp.Eq(sp.Symbol(r"\operatorname{sd}/\operatorname{mean}"), rel, evaluate=False)),
              ("Its exponent in $q n$ at fixed $q$, "
               "$\\partial \\log(\\mathrm{sd}/\\mathrm{mean}) / \\partial \\log(q n)$", exponent),
              ("Width at which the relative fluctuation equals $\\epsilon$",
               sp.Eq(sp.Symbol("n^*"), n_star, evaluate=False)),
              ("Its elasticity $d \\log n^* / d \\log(1/q)$", elasticity),
              ("As $q \\to 0$", limit)]
    bern = {"E[M]": EM, "E[M^2]": EM2, "E[MM']": EMMo}

    def shown(name: str, derived: sp.Expr, closed: sp.Expr) -> sp.Expr:
        """The closed form once the derivation is shown equal to it, else the derived form."""
        return closed if checks[name] else derived

    return PseudoNetworkDerivation(
        kind, s, bern,
        conditional_mean=shown("E[S | a] = q sum a", cond_mean, q * total),
        conditional_variance=shown("Var[S | a] = q(1-q) sum a^2", cond_var,
                                   q * (1 - q) * squares),
        mean=shown("E[S] = n q m1", mean, n * q * m1),
        variance=shown("Var[S] = n(q m2 - q^2 m1^2) from E[S^2]", var_direct, closed_var),
        relative_fluctuation=rel, exponent=exponent,
        width_requirement=shown("n* = (kappa - q)/(q eps^2)", n_star,
                                (kappa - q) / (q * epsilon**2)),
        elasticity=shown("elasticity = kappa/(kappa - q)", elasticity, kappa / (kappa - q)),
        elasticity_limit=limit, steps=tuple(steps), checks=checks)


def _single_sum(expr: sp.Expr, old, new) -> tuple[sp.Expr, sp.Expr]:
    """A sum of single sums over ``old`` as (coefficient, summand in ``new``): the summed
    expression equals coefficient * Sum(summand, (new, 1, upper))."""
    terms = []
    for t in sp.Add.make_args(sp.expand(expr)):
        coeff, rest = t.as_independent(sp.Sum)
        if not isinstance(rest, sp.Sum) or len(rest.limits) != 1 or rest.limits[0][0] != old:
            raise ValueError(f"not a single sum over {old}: {t}")
        terms.append(coeff * rest.function.subs(old, new))
    coefficient, summand = sp.factor(sp.Add(*terms)).as_independent(new)
    return coefficient, summand
