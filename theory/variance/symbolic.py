"""Exact SymPy form of the leading-order variance V of a ReLU network (dense first layer).

The recursion of :mod:`theory.variance.deep`, written with one angle symbol per layer:
layer h has pre-activation covariance K^(h) = (A_h, sqrt(A_h B_h) cos(theta_h), B_h) with
A_h = a prod_{k=2}^{h} s_k (ReLU keeps the diagonal: c_s E[relu(u)^2] = a), and the angles
obey the arc-cosine map cos(theta_{h+1}) = (sin(theta_h) + (pi - theta_h) cos(theta_h))/pi
(:attr:`SymbolicVariance.angle_relations`).  Every coefficient is then an explicit
expression in a = |x|^2, b = |y|^2, theta_1..theta_L, the keep probabilities and the
width ratios: V is a polynomial in the s_h, 1/q_{L+1} and 1/alpha_h with coefficients
in sin, cos and pi - theta_h.

>>> sv = symbolic_variance(1)
>>> sp.simplify(sv.n_var.subs(sv.substitutions({"theta_1": 0, "a": 1, "b": 1, "q_2": 1})))
12
>>> print(sv.evaluate({"theta_1": 0, "a": 1, "b": 1, "q_2": 1}, dps=20))
12.0
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sympy as sp

from .._errors import InvalidArgument, check_depth
from .relu_gauss import relu_moment_closed

__all__ = ["SymbolicVariance", "symbolic_variance", "evaluate_dag"]

_a0, _b0, _t0 = sp.symbols("a b theta", positive=True)


@dataclass(frozen=True)
class SymbolicVariance:
    """V, Theta_lim and the per-layer parts as SymPy expressions, with their symbols.

    ``angles``: theta_1..theta_L; ``keep_probs``: q_2..q_{L+1} (the default masked
    layers); ``ratios``: alpha_1..alpha_L; ``angle_relations``: Eq(cos theta_{h+1}, ...).
    """

    depth: int
    rescale: bool
    limit: sp.Expr
    n_var: sp.Expr
    hidden: tuple
    readout_offdiag: sp.Expr
    readout_mask: sp.Expr
    a: sp.Symbol
    b: sp.Symbol
    angles: tuple
    keep_probs: tuple
    ratios: tuple
    angle_relations: tuple
    elapsed: float

    def substitutions(self, values: dict) -> dict:
        """Symbol -> value for ``values`` keyed by symbol name; the later angles follow
        from theta_1 through the arc-cosine map (exact SymPy numbers stay exact).

        Keep probabilities and width ratios not given default to 1.
        """
        out = self._given(values)
        theta = out.get(self.angles[0])
        if theta is None:
            raise InvalidArgument("values", sorted(values), "theta_1 is missing",
                                  "give the input angle theta_1")
        for nxt in self.angles[1:]:
            rho = (sp.sin(theta) + (sp.pi - theta) * sp.cos(theta)) / sp.pi
            theta = sp.acos(rho) if not rho.is_Float else sp.acos(rho).evalf(30)
            out[nxt] = theta
        return out

    def _given(self, values: dict) -> dict:
        """Symbol -> SymPy value for the names given; keep probabilities and ratios
        default to 1."""
        names = {str(s): s for s in (self.a, self.b, *self.angles, *self.keep_probs, *self.ratios)}
        unknown = set(values) - set(names)
        if unknown:
            raise InvalidArgument("values", sorted(unknown), "unknown symbol names",
                                  f"use some of {', '.join(sorted(names))}")
        out = {names[k]: sp.sympify(v) for k, v in values.items()}
        for s in (*self.keep_probs, *self.ratios):
            out.setdefault(s, sp.Integer(1))
        return out

    def evaluate(self, values: dict, dps: int = 30):
        """V at the given symbol values (by name), as an mpmath number at ``dps`` digits.

        Evaluates the expression ``n_var`` itself, one distinct subexpression at a time
        (:func:`evaluate_dag`: the tree grows exponentially with depth, its distinct
        nodes only linearly - 575 at depth 6), and follows the angles
        theta_2..theta_L from theta_1 through the arc-cosine map.
        """
        import mpmath
        subs = self._given({k: v for k, v in values.items()
                            if not k.startswith("theta_") or k == "theta_1"})
        if self.angles[0] not in subs:
            raise InvalidArgument("values", sorted(values), "theta_1 is missing",
                                  "give the input angle theta_1")
        with mpmath.workdps(dps):
            theta = mpmath.mpf(str(subs[self.angles[0]].evalf(dps + 5)))
            env = {}
            for sym in self.symbols:
                if sym not in self.angles:
                    env[sym] = mpmath.mpf(str(subs[sym].evalf(dps + 5)))
            env[self.angles[0]] = theta
            for k in range(1, len(self.angles)):
                prev = theta
                theta = mpmath.acos((mpmath.sin(prev) + (mpmath.pi - prev) * mpmath.cos(prev))
                                    / mpmath.pi)
                env[self.angles[k]] = theta
            return evaluate_dag(self.n_var, env)

    @property
    def symbols(self) -> tuple:
        """The free symbols in a fixed order: a, b, angles, keep probabilities, ratios."""
        return (self.a, self.b, *self.angles, *self.keep_probs, *self.ratios)


_MP_FUNCTIONS = {sp.sin: "sin", sp.cos: "cos", sp.acos: "acos", sp.asin: "asin",
                 sp.atan: "atan", sp.exp: "exp", sp.log: "log", sp.erf: "erf"}


def evaluate_dag(expr: sp.Expr, env: dict):
    """``expr`` with mpmath numbers ``env`` (symbol -> number) at the current precision,
    each distinct subexpression evaluated once (a SymPy tree shares equal subtrees).

    >>> import mpmath
    >>> x = sp.Symbol("x")
    >>> e = sp.sin(x) ** 2 + sp.cos(x) ** 2 + sp.Rational(1, 3) * sp.pi
    >>> with mpmath.workdps(30):
    ...     err = evaluate_dag(e, {x: mpmath.mpf(2)}) - 1 - mpmath.pi / 3
    >>> bool(abs(err) < 1e-29)
    True
    """
    import mpmath
    cache: dict = {}

    def ev(node):
        hit = cache.get(node)
        if hit is not None:
            return hit
        if node in env:
            val = env[node]
        elif node.is_Integer:
            val = mpmath.mpf(int(node))
        elif node.is_Rational:
            val = mpmath.mpf(int(node.p)) / int(node.q)
        elif node.is_Float:
            val = mpmath.mpf(node._mpf_)
        elif node is sp.pi:
            val = +mpmath.pi
        elif node.is_Add:
            val = mpmath.fsum(ev(a) for a in node.args)
        elif node.is_Mul:
            val = mpmath.fprod(ev(a) for a in node.args)
        elif node.is_Pow:
            base, ex = node.args
            val = ev(base) ** (int(ex) if ex.is_Integer else ev(ex))
        elif node.func in _MP_FUNCTIONS:
            val = getattr(mpmath, _MP_FUNCTIONS[node.func])(ev(node.args[0]))
        else:
            raise InvalidArgument("expr", str(node.func), "not a function evaluate_dag knows",
                                  "use +, *, powers, pi and sin, cos, acos, asin, atan, exp, "
                                  "log, erf")
        cache[node] = val
        return val

    return ev(expr)


def _moment(m, k, A, B, th):
    return relu_moment_closed(m, k).subs({_a0: A, _b0: B, _t0: th}, simultaneous=True)


def _layer(A, B, th, T):
    """m, S (covariance entries), the dual derivatives of one ReLU layer (exact)."""
    J = {mk: _moment(*mk, A, B, th) for mk in ((0, 0), (1, 1), (2, 0), (0, 2), (2, 2),
                                               (3, 1), (1, 3))}
    c = sp.sqrt(A * B) * sp.cos(th)
    rD = sp.sqrt(A * B) * sp.sin(th)
    e = sp.pi - th
    m = (A, 2 * J[(1, 1)], B, e / sp.pi * T)
    S = {(0, 0): 6 * A ** 2, (0, 1): 4 * J[(3, 1)], (0, 2): 4 * J[(2, 2)],
         (0, 3): 4 * J[(2, 0)] * T, (1, 1): 4 * J[(2, 2)], (1, 2): 4 * J[(1, 3)],
         (1, 3): 4 * J[(1, 1)] * T, (2, 2): 6 * B ** 2, (2, 3): 4 * J[(0, 2)] * T,
         (3, 3): 4 * J[(0, 0)] * T ** 2}
    cov = {k: v - m[k[0]] * m[k[1]] for k, v in S.items()}
    duals = {"Vd": e / sp.pi,
             "dVxy": (rD / (2 * sp.pi * A), e / sp.pi, rD / (2 * sp.pi * B)),
             "dVd": (-c / (2 * sp.pi * A * rD), 1 / (sp.pi * rD), -c / (2 * sp.pi * B * rD))}
    return m, S, cov, duals


def _quad(cov, g):
    return sum((1 if i == j else 2) * g[i] * g[j] * v for (i, j), v in cov.items())


def symbolic_variance(depth: int, *, rescale: bool = False) -> SymbolicVariance:
    """The leading-order variance of a ReLU network with a dense first layer, layers
    2..L+1 masked with keep probabilities q_2..q_{L+1} (set one to 1 to unmask it).

    >>> sv = symbolic_variance(2, rescale=True)
    >>> sv.n_var.has(sv.keep_probs[0])   # a rescaled hidden mask does not enter V
    False
    """
    L = check_depth(depth)
    start = time.perf_counter()
    angles = sp.symbols(f"theta_1:{L + 1}", positive=True)
    qs = sp.symbols(f"q_2:{L + 2}", positive=True)
    alphas = sp.symbols(f"alpha_1:{L + 1}", positive=True)
    s = [sp.Integer(1)] + [sp.Integer(1) if rescale else q for q in qs]   # s_1..s_{L+1}
    A, B = _a0, _b0
    T = sp.sqrt(A * B) * sp.cos(angles[0])        # first-layer NTK = x.y
    layers = []
    for h in range(1, L + 1):
        if h > 1:
            A, B = s[h - 1] * A, s[h - 1] * B
        m, S, cov, duals = _layer(A, B, angles[h - 1], T)
        layers.append((A, B, T, m, S, cov, duals))
        T = s[h] * (m[1] + m[3])                  # Theta^(h+1)
    limit = T
    s_out = s[L]
    gG, gP = [0, s_out, 0], s_out
    hidden = [None] * L
    for h in range(L, 0, -1):
        A, B, Th, m, S, cov, d = layers[h - 1]
        hidden[h - 1] = _quad(cov, (gG[0], gG[1], gG[2], gP)) / alphas[h - 1]
        if h == 1:
            break
        lam_t = gP * d["Vd"]
        lam = [gG[0] + d["dVxy"][0] * gG[1] + gP * Th * d["dVd"][0],
               d["dVxy"][1] * gG[1] + gP * Th * d["dVd"][1],
               gG[2] + d["dVxy"][2] * gG[1] + gP * Th * d["dVd"][2]]
        sh = s[h - 1]
        gG, gP = [sh * lam[0], sh * (lam[1] + lam_t), sh * lam[2]], sh * lam_t
    nX = layers[0][4][(3, 3)] / alphas[0]
    nY = nX
    for h in range(2, L + 1):
        S, d = layers[h - 1][4], layers[h - 1][6]
        nX = s[h - 1] ** 2 * nX + S[(3, 3)] / alphas[h - 1]            # d2 = 1 for ReLU
        nY = s[h - 1] ** 2 * d["Vd"] ** 2 * nY + S[(3, 3)] / alphas[h - 1]
    S_last = layers[-1][4]
    offdiag = s_out ** 2 * (nX + nY)
    mask = (s_out ** 2 * (1 / qs[-1] - 1) * (S_last[(1, 1)] + 2 * S_last[(1, 3)]
                                               + 3 * S_last[(3, 3)]) / alphas[-1])
    n_var = sum(hidden) + offdiag + mask
    relations = tuple(sp.Eq(sp.cos(angles[h]), (sp.sin(angles[h - 1]) + (sp.pi - angles[h - 1])
                                                 * sp.cos(angles[h - 1])) / sp.pi)
                      for h in range(1, L))
    return SymbolicVariance(L, bool(rescale), limit, n_var, tuple(hidden), offdiag, mask,
                            _a0, _b0, angles, qs, alphas, relations,
                            time.perf_counter() - start)
