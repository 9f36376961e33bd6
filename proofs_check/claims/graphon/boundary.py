r"""Claim G-boundary (ours): where the Graphon NTK's hypotheses stop holding.

1. **Masked first layer at fixed d0.**  The Graphon NTK gives a first-layer neuron the
   *mean* covariance r_1^2 sum_j G_1[a, j] x_j x'_j and then applies the dual maps;
   at fixed input dimension the per-neuron covariance stays random at infinite
   width, and the limit is the mask average of claim C5 (``first_layer="exact"`` of
   :func:`theory.graphon.graphon_ntk`).  Exact part: the scaled gap of
   :func:`theory.graphon.graphon_first_layer_gap` (d0 = 3, depth 1, G_1 = ``first_keep``
   on every coordinate, the orthogonal pair x = (1, 1, 0)/sqrt 2, y = (1, -1, 0)/sqrt 2)
   must exceed 1e-12 (float error).  Statistical part: graphon-sampled networks
   (:func:`numerics.graphons.graphon_trials`) - is the mean eNTK consistent with the
   mask average and inconsistent with the Graphon NTK?
2. **Magnitude-pruned weights.**  The paper's model keeps N(0, 1) weights with
   probability W (the density graphon); magnitude pruning at initialisation keeps the
   *large* weights, whose second moment V(q) = q + 2 t phi(t) (t = Phi^-1(1 - q/2))
   exceeds q (:func:`theory.graphon.magnitude_second_moment`).  Networks (3, n, n, 1)
   pruned by :func:`numerics.masks.prune` ("magnitude", per layer, layers 2 and 3 at
   ``density``) with their own weights: is the mean eNTK consistent with the Graphon NTK
   of the second-moment profile and inconsistent with the density graphon's (C1's
   q^2 Theta)?  The estimated block second moments of the real masks are reported
   beside V(q).

Each "consistent" is the bias-allowing intercept test of
:func:`numerics.graphons.analyse_convergence` (means fitted as Theta' + c/n over the
widths, Bonferroni over the three entries) at alpha/4 (family-wise 1%).  A part is
verified when the data reject the paper's limit and accept ours, refuted when they
accept the paper's and reject ours, inconclusive otherwise.  ``stated="paper"`` states
the paper's limits instead (the Graphon NTK holds in both cases), with the decisions
mirrored.

>>> boundary_claim().id
'G-boundary'
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import sympy as sp

from numerics.entk.gram import empirical_ntk
from numerics.graphons.convergence import GraphonTrials, analyse_convergence, graphon_trials
from numerics.graphons.estimate import estimate_graphon
from numerics.masks.pruning import PruningSpec, check_density, draw_weights
from theory._errors import InvalidArgument
from theory.graphon.boundary import graphon_first_layer_gap
from theory.graphon.float64 import graphon_ntk
from theory.graphon.selection import magnitude_second_moment
from theory.graphon.spec import GraphonNetwork

from ...claim import Claim, Context
from ...decisions import DEFAULT_ALPHA
from ...verdict import CheckOutcome, Verdict
from ._common import check_choice, check_param_int, overall, stored_trials

__all__ = ["boundary_claim", "DEFAULTS"]

DEFAULTS = {"first_keep": 0.3, "density": "0.2", "depth": 2, "widths": None, "trials": None,
            "stated": "ours"}
STATED = ("ours", "paper")
_FIRST_X = (1 / math.sqrt(2), 1 / math.sqrt(2), 0.0)
_FIRST_Y = (1 / math.sqrt(2), -1 / math.sqrt(2), 0.0)
_X, _Y = (1.0, 0.0, 0.0), (0.6, 0.8, 0.0)
_FLOAT_GAP = 1e-12


def _sizes(context: Context, p: dict):
    b = context.budget
    widths = p["widths"] or tuple(n for n in b.widths if n <= b.max_width // 2)
    trials = p["trials"] or max(20, b.trials // 2)
    return tuple(widths), trials


def _consistent(runs: GraphonTrials, limit: np.ndarray, alpha: float, seed: int):
    conv = analyse_convergence(replace(runs, limit=np.asarray(limit, dtype=np.float64)),
                               alpha=alpha, seed=seed, resamples=100)
    return conv.mean_consistent, [float(z) for z in conv.intercept_z]


def _decide(ours_ok: bool, paper_ok: bool, stated: str) -> Verdict:
    """Verified when the stated limit is accepted and the other rejected, refuted when the
    other is accepted and the stated one rejected."""
    if stated == "paper":
        ours_ok, paper_ok = paper_ok, ours_ok
    if ours_ok and not paper_ok:
        return Verdict.VERIFIED
    if paper_ok and not ours_ok:
        return Verdict.REFUTED
    return Verdict.INCONCLUSIVE


def _first_layer(context, p, widths, trials, alpha):
    q = float(p["first_keep"])
    if not 0 < q < 1:
        raise InvalidArgument("first_keep", p["first_keep"], "the first layer must be masked",
                              "give a keep probability in (0, 1)")
    net = GraphonNetwork.from_layers({1: np.full((1, 3), q)}, 1, input_dim=3)
    X = np.array([_FIRST_X, _FIRST_Y])
    gap = graphon_first_layer_gap(net, X)
    runs = graphon_trials(net, _FIRST_X, _FIRST_Y, widths, trials, seed=context.seed,
                          store=context.store)
    pick = lambda K: [K[0, 1], K[0, 0], K[1, 1]]            # noqa: E731
    ours_ok, z_ours = _consistent(runs, pick(gap.exact.ntk), alpha, context.seed)
    paper_ok, z_paper = _consistent(runs, pick(gap.graphon.ntk), alpha, context.seed)
    exact_gap = gap.max_scaled_gap > _FLOAT_GAP
    verdict = _decide(ours_ok, paper_ok, p["stated"])
    if not exact_gap:       # no gap: the two limits coincide, the boundary is not there
        verdict = Verdict.REFUTED if p["stated"] == "ours" else verdict
    return verdict, {"keep_prob": q, "max_scaled_gap": gap.max_scaled_gap,
                     "graphon_xy": float(gap.graphon.ntk[0, 1]),
                     "exact_xy": float(gap.exact.ntk[0, 1]),
                     "mean_xy": float(runs.values[widths[-1]][:, 0].mean()),
                     "z_exact": z_ours, "z_graphon": z_paper,
                     "exact_consistent": ours_ok, "graphon_consistent": paper_ok}


def _magnitude(context, p, widths, trials, alpha):
    q = check_density(p["density"])
    L = p["depth"]
    spec = PruningSpec("magnitude", q, scope="per-layer")
    X = np.array([_X, _Y])
    values = {}
    for n in widths:
        shape = (3,) + (n,) * L + (1,)

        def one(t, shape=shape):
            K = empirical_ntk(spec.network(shape, context.seed, t), X)
            return K[0, 1], K[0, 0], K[1, 1]

        values[n] = stored_trials(context, {"kind": "graphon-claim-magnitude-entk",
                                            "width": n, "depth": L, "density": str(q)},
                                  trials, one)
    G = np.full((1, 1), float(q))
    V = magnitude_second_moment(G)
    layers = {h: G for h in range(2, L + 2)}
    density_net = GraphonNetwork.from_layers(layers, L)
    second_net = GraphonNetwork.from_layers(layers, L, variances={h: V for h in layers})
    lim = {k: graphon_ntk(net, X).ntk for k, net in (("density", density_net),
                                                     ("second", second_net))}
    runs = GraphonTrials(density_net, X[0], X[1], widths, values,
                         np.array([lim["density"][0, 1], lim["density"][0, 0],
                                   lim["density"][1, 1]]), context.seed)
    pick = lambda K: [K[0, 1], K[0, 0], K[1, 1]]            # noqa: E731
    ours_ok, z_ours = _consistent(runs, pick(lim["second"]), alpha, context.seed)
    paper_ok, z_paper = _consistent(runs, pick(lim["density"]), alpha, context.seed)
    shape = (3,) + (widths[-1],) * L + (1,)
    weights = draw_weights(shape, context.seed, 0)
    mask = spec.mask(shape, context.seed, 0, weights)
    est = estimate_graphon(mask.array(2), 4, weights=weights[1])
    kept = mask.array(2)
    return _decide(ours_ok, paper_ok, p["stated"]), {
        "density": str(q), "second_moment_theory": float(V[0, 0]),
        "second_moment_estimated": [float(est.second_moment.min()),
                                    float(est.second_moment.max())],
        "second_moment_layer": float(np.mean(np.where(kept, weights[1] ** 2, 0.0))),
        "density_xy": float(lim["density"][0, 1]), "second_xy": float(lim["second"][0, 1]),
        "mean_xy": float(values[widths[-1]][:, 0].mean()),
        "z_second": z_ours, "z_density": z_paper,
        "second_consistent": ours_ok, "density_consistent": paper_ok}


def _numeric(context: Context, params: dict) -> CheckOutcome:
    p = dict(params, trials=check_param_int(params["trials"], "trials", 3),
             stated=check_choice(params["stated"], "stated", STATED))
    widths, trials = _sizes(context, p)
    alpha = DEFAULT_ALPHA / 4
    v1, first = _first_layer(context, p, widths, trials, alpha)
    v2, mag = _magnitude(context, p, widths, trials, alpha)
    zmax = lambda zs: max(abs(z) for z in zs)               # noqa: E731
    text = (f"first layer ($q_1 = {first['keep_prob']}$, $d_0 = 3$): Graphon NTK "
            f"{first['graphon_xy']:.4f}, mask average {first['exact_xy']:.4f}, eNTK mean "
            f"{first['mean_xy']:.4f}; max $|z|$ vs mask average {zmax(first['z_exact']):.2f}, "
            f"vs Graphon NTK {zmax(first['z_graphon']):.2f}; magnitude ($d = {mag['density']}$,"
            f" $V(d) = {mag['second_moment_theory']:.4f}$): density graphon "
            f"{mag['density_xy']:.4f}, second-moment graphon {mag['second_xy']:.4f}, eNTK mean "
            f"{mag['mean_xy']:.4f}; max $|z|$ vs second moment {zmax(mag['z_second']):.2f}, "
            f"vs density {zmax(mag['z_density']):.2f}")
    data = {"first_layer": first, "magnitude": mag, "widths": list(widths), "trials": trials,
            "verdicts": {"first_layer": v1.value, "magnitude": v2.value},
            "alpha_per_test": alpha,
            "parameters_used": {"widths": list(widths), "trials": trials}}
    return CheckOutcome(overall([v1, v2]), "statistical", text, data, DEFAULT_ALPHA)


def _summary(outcomes, params) -> str:
    for o in outcomes:
        if "first_layer" in o.data:
            f, m = o.data["first_layer"], o.data["magnitude"]
            return (f"first layer $d_0 = 3$: graphon {f['graphon_xy']:.3f} vs mask avg "
                    f"{f['exact_xy']:.3f}, eNTK {f['mean_xy']:.3f}; magnitude: density "
                    f"{m['density_xy']:.3f} vs 2nd moment {m['second_xy']:.3f}, eNTK "
                    f"{m['mean_xy']:.3f}")
    return "; ".join(o.explanation for o in outcomes)


def _numbers(outcomes, params) -> list:
    out = []
    for o in outcomes:
        if "first_layer" not in o.data:
            continue
        f, m = o.data["first_layer"], o.data["magnitude"]
        zs = lambda v: ", ".join(f"{z:+.2f}" for z in v)      # noqa: E731
        out += [("widths, trials per width", f"{', '.join(map(str, o.data['widths']))}; "
                 f"{o.data['trials']}"),
                ("first layer: Graphon NTK, mask average (C5), mean eNTK at the widest width "
                 "($\\Theta(x, y)$)",
                 f"{f['graphon_xy']:.5f}, {f['exact_xy']:.5f}, {f['mean_xy']:.5f}"),
                ("first layer: largest scaled gap (exact)", round(f["max_scaled_gap"], 6)),
                ("first layer: $z$ of the eNTK against the mask average / the Graphon NTK",
                 f"{zs(f['z_exact'])} / {zs(f['z_graphon'])}"),
                ("magnitude: $V(d)$ in theory; $E[(M W)^2]$ of layer 2 at the widest width "
                 "(its degree-sorted $4 \\times 4$ block range)",
                 f"{m['second_moment_theory']:.4f}; {m['second_moment_layer']:.4f} "
                 f"({m['second_moment_estimated'][0]:.4f}..{m['second_moment_estimated'][1]:.4f})"),
                ("magnitude: density graphon, second-moment graphon, mean eNTK "
                 "($\\Theta(x, y)$)",
                 f"{m['density_xy']:.5f}, {m['second_xy']:.5f}, {m['mean_xy']:.5f}"),
                ("magnitude: $z$ of the eNTK against the second-moment / the density graphon",
                 f"{zs(m['z_second'])} / {zs(m['z_density'])}")]
    return out


def boundary_claim(**overrides) -> Claim:
    """Claim G-boundary with :data:`DEFAULTS` changed by ``overrides``."""
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidArgument(name, overrides[name], "claim G-boundary has no such parameter",
                              f"use one of {sorted(DEFAULTS)}")
    check_choice({**DEFAULTS, **overrides}["stated"], "stated", STATED)
    x, xp = sp.Symbol("x"), sp.Symbol("x'")
    return Claim(
        id="G-boundary",
        title="Where the Graphon NTK fails: a masked first layer at fixed $d_0$, and "
              "magnitude-selected weights",
        statement=sp.Ne(sp.Function("Theta_W")(x, xp), sp.Function("Theta_infty")(x, xp)),
        statement_latex=(r"\Theta_\infty = \mathbb{E}_m[\ldots] \ne \Theta_W"
                         r"\ (\text{masked first layer, fixed } d_0),\quad "
                         r"\Theta_\infty = \Theta_{W, V} \ne \Theta_W\ (\text{magnitude: }"
                         r"V(q) = q + 2t\varphi(t))"),
        numeric=_numeric, parameters={**DEFAULTS, **overrides},
        description=("Ours: the Graphon NTK's hypotheses fail (i) at a masked first layer "
                     "with fixed input dimension, where the limit is the mask average of C5, "
                     "and (ii) for weights selected by magnitude, where the limit uses the "
                     "second moment $V(q) = q + 2t\\varphi(t)$ of the kept weights instead "
                     "of the density $q$.  The finite-width eNTK decides which limit holds."),
        summarize=_summary, key_numbers=_numbers)
