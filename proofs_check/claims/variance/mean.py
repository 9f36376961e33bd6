r"""Claim V-mean: which means of the empirical NTK have no finite-width correction.

E Theta_n(x, x') = Theta(x, x') at every width for one hidden layer (any pair, any masks,
plain or rescaled), and E Theta_n(x, x) = Theta(x, x) for ReLU at every depth, width and
mask (the diagonal); elsewhere E Theta_n = Theta + m/n + O(1/n^2) with m != 0
(:func:`theory.variance.mean.mean_correction`).

* Symbolic (exact): identities V1 (the depth-1 mean and variance, plain and rescaled) and
  V2 (the ReLU diagonal: two Gaussian lemmas and a sign-flip symmetry) of
  :mod:`theory.variance.identities`.
* Numeric (Monte Carlo at the smallest widths, where a correction would be largest):
  z-tests of the sample mean against the limit, one union bound at 1% over every test -
  depth 1 (rescaled with a dense first layer; plain with every layer masked, whose mean
  depends on the coordinates), and the ReLU diagonal at depth ``depth``.  The off-diagonal
  entry of the same network at the smallest width is reported beside it, with the z of its
  mean against the limit (the correction the identity says the diagonal lacks) and
  against Theta + m/n: evidence that the test can see a correction where one exists.

>>> mean_exact_claim().id
'V-mean'
"""

from __future__ import annotations

import sympy as sp

from numerics.variance.checks import check_variance
from theory._errors import InvalidArgument, check_depth, check_int
from theory.config import Architecture
from theory.variance.identities import prove_one_layer_exact, prove_relu_diagonal_mean

from ...claim import Claim, Context
from ...verdict import CheckOutcome, Verdict
from ._common import ALPHA, INPUTS, mc_trials, proofs_outcome, two_sided_threshold

__all__ = ["mean_exact_claim"]

_TRIALS = 10      # networks per configuration: this times the budget's trials


def _configs(p):
    q = p["keep_prob"]
    return (("depth 1, rescaled", Architecture.pruned(1, q, rescale=True), [(0, 1), (1, 1)]),
            ("depth 1, plain, every layer masked",
             Architecture.pruned(1, q, prune_first_layer=True), [(0, 1), (0, 2)]),
            (f"depth {p['depth']}, ReLU diagonal", Architecture.pruned(p["depth"], q,
                                                                       rescale=True),
             [(1, 1), (0, 1)]))


def _symbolic(context: Context, params: dict) -> CheckOutcome:
    return proofs_outcome([("V1, plain", prove_one_layer_exact(False)),
                           ("V1, rescaled", prove_one_layer_exact(True)),
                           ("V2", prove_relu_diagonal_mean())])


def _numeric(context: Context, params: dict) -> CheckOutcome:
    widths = tuple(params["widths"])
    trials = mc_trials(context, _TRIALS)
    tests, contrast = [], None
    for name, arch, pairs in _configs(params):
        check = check_variance(arch, widths, INPUTS, pairs, trials, seed=context.seed,
                               store=context.store)
        for e in check.entries:
            for key, z in e.z.items():
                if key.startswith("mean@"):
                    tests.append({"config": name, "pair": list(e.pair), "width": int(key[5:]),
                                  "z": z})
            if arch.depth > 1 and e.pair[0] != e.pair[1]:
                pt = e.points[0]
                m = e.mean_1_over_n_pred
                contrast = {"width": pt.width, "limit": e.limit, "mean": pt.moments.mean,
                            "se": pt.moments.mean_se, "m": m,
                            "z_vs_limit": (pt.moments.mean - e.limit) / pt.moments.mean_se,
                            "z_vs_corrected": (pt.moments.mean - e.limit - m / pt.width)
                            / pt.moments.mean_se}
    z_star = two_sided_threshold(len(tests))
    worst = max(tests, key=lambda t: abs(t["z"]))
    ok = abs(worst["z"]) <= z_star
    text = (f"{len(tests)} z-tests of $E\\,\\Theta_n = \\Theta$ at widths "
            f"{', '.join(map(str, widths))} ({trials} networks each): largest $|z| = "
            f"{abs(worst['z']):.2f}$ ({worst['config']}, width {worst['width']}) against "
            f"{z_star:.2f} (1% over all tests)")
    if contrast is not None:
        text += (f"; the off-diagonal entry at width {contrast['width']} sits "
                 f"$z = {contrast['z_vs_limit']:+.1f}$ from $\\Theta$ and "
                 f"$z = {contrast['z_vs_corrected']:+.1f}$ from $\\Theta + m/n$")
    return CheckOutcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "statistical", text,
                        {"tests": tests, "z_threshold": z_star, "trials": trials,
                         "widths": list(widths), "off_diagonal": contrast}, ALPHA)


def _summary(outcomes, params) -> str:
    parts = []
    for o in outcomes:
        if o.kind == "symbolic":
            parts.append("V1, V2 " + ("proved" if o.verdict is Verdict.VERIFIED else "FAIL"))
        elif o.kind == "statistical" and "tests" in o.data:
            worst = max(abs(t["z"]) for t in o.data["tests"])
            parts.append(f"largest $|z| = {worst:.2f}$ of {len(o.data['tests'])} tests "
                         f"(threshold {o.data['z_threshold']:.2f})")
    return "; ".join(parts)


def _numbers(outcomes, params) -> list:
    out = []
    for o in outcomes:
        d = o.data
        if o.kind == "symbolic":
            out += [(f"{k}: holds", v["holds"]) for k, v in d.items()]
        elif o.kind == "statistical" and "tests" in d:
            out += [("networks per configuration and width", d["trials"]),
                    ("z-tests and their union-bound threshold (1%)",
                     f"{len(d['tests'])}, {d['z_threshold']:.3f}"),
                    ("largest $|z|$ of $E\\,\\Theta_n - \\Theta$",
                     round(max(abs(t["z"]) for t in d["tests"]), 3))]
            c = d.get("off_diagonal")
            if c:
                out.append((f"off-diagonal at $n = {c['width']}$: mean, standard error, "
                            "$\\Theta$, $m/n$",
                            f"{c['mean']:.4f}, {c['se']:.4f}, {c['limit']:.4f}, "
                            f"{c['m'] / c['width']:.4f}"))
    return out


def mean_exact_claim(*, depth: int = 3, keep_prob: str = "1/2", widths=(8, 16)) -> Claim:
    """Claim V-mean: no finite-width correction to the mean at depth 1 and on the ReLU
    diagonal, tested at ``widths`` (the smaller, the stronger the test) with a depth-``depth``
    network for the diagonal."""
    depth = check_depth(depth)
    if depth < 2:
        raise InvalidArgument("depth", depth, "the diagonal test needs depth >= 2 "
                              "(depth 1 is tested anyway)", "pass depth=3")
    widths = tuple(check_int(n, "widths", 2) for n in widths)
    if len(widths) < 2:
        raise InvalidArgument("widths", list(widths), "needs two widths",
                              "pass e.g. widths=(8, 16)")
    E = sp.Function("E")
    Th_n, Th = sp.Function("Theta_n"), sp.Function("Theta")
    x = sp.Symbol("x")
    return Claim(
        id="V-mean", title="Finite width: means without correction (depth 1; the ReLU diagonal)",
        statement=sp.Eq(E(Th_n(x, x)), Th(x, x)),
        statement_latex=(r"\mathbb{E}\,\Theta_n(x, x') = \Theta(x, x') \ (L = 1),\qquad "
                         r"\mathbb{E}\,\Theta_n(x, x) = \Theta(x, x) \ "
                         r"(\mathrm{ReLU},\ \text{every } L, n)"),
        symbolic=_symbolic, numeric=_numeric,
        parameters={"depth": depth, "keep_prob": keep_prob, "widths": widths},
        description=("Where the theory says the mean of the empirical NTK has no "
                     "finite-width correction, the Monte Carlo mean at the smallest widths "
                     "must equal the limit; elsewhere the correction $m/n$ of "
                     "pntk variance applies.  Inputs $e_1$, $(0.6, 0.8, 0)$ and "
                     "$(\\cos 0.1, \\sin 0.1, 0)$."),
        summarize=_summary, key_numbers=_numbers)
