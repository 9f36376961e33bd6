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

Here SymPy *derives* (nothing is typed in as an answer; each derived expression
is compared with the stated closed form, like :mod:`theory.derivation` does):

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

For ReLU in the Gaussian limit (a_j proportional to relu(u) relu(v) with (u, v)
standard bivariate normal with correlation cos theta), :func:`relu_product_moments`
derives E[relu(u)^k relu(v)^k] for k = 1, 2 from polar integrals, so
kappa(theta) = 2 pi J_2(theta) / J_1(theta)^2 (Cho and Saul's J_n) and kappa(0) = 6
(for x = x': E[relu^4] / E[relu^2]^2 = (3/2) / (1/2)^2).

:func:`masked_sum_moments_exact` and :func:`iid_masked_sum_moments_exact` are a
second algorithm: exact rational enumeration over all 2^n masks (and all value
assignments), used to cross-check the formulas for small n.

>>> d = derive_pseudo_network()
>>> d.holds, d.relative_fluctuation
(True, sqrt(kappa - q)/(sqrt(n)*sqrt(q)))
>>> d.elasticity, d.elasticity_limit
(kappa/(kappa - q), 1)
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import sympy as sp
from sympy.concrete.delta import deltasummation
from sympy.stats import Bernoulli
from sympy.stats import E as expectation

from ._errors import InvalidArgument, check_int, check_keep_prob
from .latex import escape_text, to_latex

__all__ = ["PseudoNetworkDerivation", "ReluMoments", "derive_pseudo_network",
           "relu_product_moments", "masked_sum_moments_exact", "iid_masked_sum_moments_exact",
           "relative_fluctuation", "width_elasticity", "relu_kappa", "relu_correlation_map",
           "pseudo_network_latex", "KINDS", "q", "kappa", "epsilon"]

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


# ------------------------------------------------------------------ ReLU moments
@dataclass(frozen=True)
class ReluMoments:
    """E[relu(u)^k relu(v)^k] (k = 1, 2) for unit-variance (u, v) at angle theta, and kappa.

    ``first`` and ``second`` are derived from polar integrals; ``kappa`` =
    second / first^2 as a function of theta; ``kappa_parallel`` = E[relu^4] /
    E[relu^2]^2 from two one-dimensional integrals (the case x = x').
    """

    theta: sp.Symbol
    first: sp.Expr
    second: sp.Expr
    kappa: sp.Expr
    kappa_parallel: sp.Expr
    steps: tuple
    checks: dict

    @property
    def holds(self) -> bool:
        return all(self.checks.values())


@functools.lru_cache(maxsize=None)
def relu_product_moments() -> ReluMoments:
    """Derive the ReLU moments that fix kappa in the Gaussian limit.

    >>> m = relu_product_moments()
    >>> m.kappa_parallel, m.holds
    (6, True)
    """
    theta = sp.Symbol("theta", positive=True)
    phi = sp.Symbol("phi", real=True)
    r = sp.Symbol("r", positive=True)
    z = sp.Symbol("z", real=True)
    moments, steps = [], []
    for power in (1, 2):
        radial = sp.integrate(r**(2 * power + 1) * sp.exp(-r**2 / 2), (r, 0, sp.oo))
        angular = sp.simplify(sp.integrate(sp.cos(phi)**power * sp.cos(phi - theta)**power,
                                           (phi, theta - sp.pi / 2, sp.pi / 2)))
        value = sp.simplify(radial * angular / (2 * sp.pi))
        moments.append(value)
        steps.append((f"$E[\\operatorname{{relu}}(u)^{power} \\operatorname{{relu}}(v)^{power}]$: "
                      f"$u = r \\cos\\phi$, $v = r \\cos(\\phi - \\theta)$, both positive for "
                      f"$\\phi \\in (\\theta - \\pi/2, \\pi/2)$; radial integral "
                      f"${to_latex(radial)}$", value))
    j1 = sp.sin(theta) + (sp.pi - theta) * sp.cos(theta)
    j2 = 3 * sp.sin(theta) * sp.cos(theta) + (sp.pi - theta) * (1 + 2 * sp.cos(theta)**2)
    density = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    m2, m4 = (sp.integrate(z**p * density, (z, 0, sp.oo)) for p in (2, 4))
    kappa_parallel = sp.simplify(m4 / m2**2)
    kappa_theta = sp.simplify(moments[1] / moments[0]**2)
    checks = {
        "E[relu relu] = J_1/(2 pi)": sp.simplify(moments[0] - j1 / (2 * sp.pi)) == 0,
        "E[relu^2 relu^2] = J_2/(2 pi)":
            sp.simplify(sp.expand_trig(moments[1] - j2 / (2 * sp.pi))) == 0,
        "kappa(theta -> 0) = E[relu^4]/E[relu^2]^2": sp.simplify(
            sp.limit(kappa_theta, theta, 0, "+") - kappa_parallel) == 0,
    }
    steps += [("For $x = x'$: $E[\\operatorname{relu}(z)^2]$, $E[\\operatorname{relu}(z)^4]$",
               sp.Tuple(m2, m4)),
              ("so $\\kappa(0) = E[\\operatorname{relu}^4] / E[\\operatorname{relu}^2]^2$",
               kappa_parallel),
              ("In general $\\kappa(\\theta)$", kappa_theta)]
    if all(checks.values()):        # shown in Cho and Saul's form once proven equal
        moments = [j1 / (2 * sp.pi), j2 / (2 * sp.pi)]
        kappa_theta = 2 * sp.pi * j2 / j1**2
    return ReluMoments(theta, moments[0], moments[1], kappa_theta, kappa_parallel, tuple(steps),
                       checks)


# ------------------------------------------------------------------ numbers
def relative_fluctuation(kappa_value: float, keep_prob, n: float) -> float:
    """sqrt((kappa - q) / (q n)): sd/mean of a masked sum of n iid terms with kappa = m2/m1^2.

    >>> relative_fluctuation(6.0, "0.5", 1100)
    0.1
    """
    qv = float(check_keep_prob(keep_prob))
    k = _kappa_value(kappa_value)
    if not (isinstance(n, (int, float)) and not isinstance(n, bool) and n > 0):
        raise InvalidArgument("n", n, "the number of terms must be positive",
                              "pass the fan-in (or fan-out) of the masked layer")
    return math.sqrt((k - qv) / (qv * n))


def width_elasticity(kappa_value: float, keep_prob) -> float:
    """kappa / (kappa - q) = d log n* / d log(1/q); 1 in the limit q -> 0.

    >>> width_elasticity(6.0, 1)
    1.2
    """
    qv = float(check_keep_prob(keep_prob))
    k = _kappa_value(kappa_value)
    if k <= qv:
        raise InvalidArgument("kappa", kappa_value, f"kappa must exceed keep_prob = {qv:g} "
                              "(kappa >= 1 >= q by Jensen, equality only for constant terms)",
                              "pass m2/m1^2 of the summed terms")
    return k / (k - qv)


def _kappa_value(value) -> float:
    try:
        k = float(value)
    except (TypeError, ValueError):
        raise InvalidArgument("kappa", value, "not a number", "pass m2/m1^2 >= 1") from None
    if not (math.isfinite(k) and k >= 1):
        raise InvalidArgument("kappa", value, "must be finite and >= 1 (Jensen: m2 >= m1^2)",
                              "pass m2/m1^2 of the summed terms")
    return k


def relu_kappa(cos_angle: float) -> float:
    """kappa = 2 pi J_2 / J_1^2 of a_j ~ relu(u) relu(v), corr(u, v) = cos_angle (float64).

    The angle is taken as atan2(sqrt(1 - c^2), c); antiparallel inputs (c = -1)
    have E[a] = 0 and no finite kappa.

    >>> relu_kappa(1.0), round(relu_kappa(0.0), 12) == round(math.pi**2, 12)
    (6.0, True)
    """
    try:
        c = float(cos_angle)
    except (TypeError, ValueError):
        raise InvalidArgument("cos_angle", cos_angle, "not a number",
                              "pass a correlation in (-1, 1]") from None
    if not -1 < c <= 1:
        raise InvalidArgument("cos_angle", cos_angle, "must lie in (-1, 1] (at -1 E[a] = 0)",
                              "pass the cosine of the angle between the two inputs")
    theta = math.atan2(math.sqrt(max(0.0, 1 - c * c)), c)
    s = math.sin(theta)
    j1 = s + (math.pi - theta) * c
    j2 = 3 * s * c + (math.pi - theta) * (1 + 2 * c * c)
    return 2 * math.pi * j2 / (j1 * j1)


def relu_correlation_map(cos_angle: float, steps: int = 1) -> float:
    """The correlation of the next layer's pre-activations in the Gaussian limit (ReLU):
    c -> J_1(theta) / pi, applied ``steps`` times.  Masks and norms do not change it
    (ReLU is positively homogeneous and a masked layer scales the covariance).

    >>> relu_correlation_map(1.0, 3), round(relu_correlation_map(0.0), 12) == round(1 / math.pi, 12)
    (1.0, True)
    """
    steps = check_int(steps, "steps", 0)
    c = float(cos_angle)
    if not -1 <= c <= 1:
        raise InvalidArgument("cos_angle", cos_angle, "must lie in [-1, 1]",
                              "pass the cosine of an angle")
    for _ in range(steps):
        theta = math.atan2(math.sqrt(max(0.0, 1 - c * c)), c)
        c = min(1.0, (math.sin(theta) + (math.pi - theta) * c) / math.pi)
    return c


# ------------------------------------------------------------------ exact enumeration
def _fractions(values, argument: str) -> tuple[Fraction, ...]:
    try:
        out = tuple(v if isinstance(v, Fraction) else Fraction(str(v)) if isinstance(v, str)
                    else Fraction(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        raise InvalidArgument(argument, values, "not a sequence of finite numbers",
                              "pass rationals, integers or finite floats") from None
    return out


def masked_sum_moments_exact(weights: Sequence, keep_prob) -> tuple[Fraction, Fraction]:
    """E and Var of sum_j M_j a_j by enumerating all 2^n masks, in exact arithmetic.

    An independent check of the conditional formulas (n <= 16).

    >>> masked_sum_moments_exact([1, 2, 3], "1/2")
    (Fraction(3, 1), Fraction(7, 2))
    """
    a = _fractions(weights, "weights")
    if not 1 <= len(a) <= 16:
        raise InvalidArgument("weights", f"{len(a)} values", "enumeration needs 1 to 16 terms",
                              "use the closed forms for more terms")
    qv = check_keep_prob(keep_prob)
    first = second = Fraction(0)
    for mask in itertools.product((0, 1), repeat=len(a)):
        kept = sum(mask)
        prob = qv**kept * (1 - qv)**(len(a) - kept)
        value = sum(x for x, m in zip(a, mask) if m)
        first += prob * value
        second += prob * value * value
    return first, second - first * first


def iid_masked_sum_moments_exact(values: Sequence, probabilities: Sequence, n: int,
                                 keep_prob) -> tuple[Fraction, Fraction]:
    """E and Var of sum_{j<=n} M_j a_j with a_j iid on ``values`` (with ``probabilities``),
    by enumerating every assignment of values and masks (|values|^n 2^n terms).

    >>> iid_masked_sum_moments_exact([0, 1], ["1/2", "1/2"], 2, 1)
    (Fraction(1, 1), Fraction(1, 2))
    """
    vals = _fractions(values, "values")
    probs = _fractions(probabilities, "probabilities")
    if len(vals) != len(probs) or not vals:
        raise InvalidArgument("probabilities", probabilities,
                              f"need one probability per value ({len(vals)})",
                              "give matching, non-empty sequences")
    if any(p < 0 for p in probs) or sum(probs) != 1:
        raise InvalidArgument("probabilities", probabilities, "not a probability vector",
                              "give non-negative probabilities that sum to 1")
    n = check_int(n, "n", 1)
    if len(vals)**n * 2**n > 1 << 20:
        raise InvalidArgument("n", n, "too many terms to enumerate",
                              "keep |values|^n 2^n <= 2^20")
    qv = check_keep_prob(keep_prob)
    per_term = [(v * m, p * (qv if m else 1 - qv)) for v, p in zip(vals, probs) for m in (0, 1)]
    first = second = Fraction(0)
    for combo in itertools.product(per_term, repeat=n):
        prob = math.prod((p for _, p in combo), start=Fraction(1))
        value = sum(v for v, _ in combo)
        first += prob * value
        second += prob * value * value
    return first, second - first * first


# ------------------------------------------------------------------ LaTeX
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
