"""``pntk bound`` and ``pntk claim width-law``: sanity checks of a width bound N(eps, delta, L, q).

``pntk bound --expr "C*L**6/eps**4*log(L/delta)" --constant C=1`` analyses the
bound symbolically (its ratio to the dense bound of Arora et al. 2019 at q = 1,
its exponent of 1/q as eps -> 0, its exponents in 1/eps, 1/delta and L, its
monotonicity) and checks it by Monte Carlo at sample points: at width
ceil(N) is P(|Theta_n(x, y) - limit| > error) <= delta?  The verdict is that
check's: refuted (with the witness point), verified (at the sample points only)
or inconclusive; it also reports the smallest constant consistent with the data.
Exit code: 0 when the bound is not refuted, 1 when it is (as ``pntk verify`` and
``pntk claim``), 2 on bad input.

``pntk claim width-law --expr "C/(q*eps**2)" --constant C=30`` asks the same
question with error = eps: is this width enough for |Theta_n - limit| <= eps with
probability >= 1 - delta at the sampled points?
"""

from __future__ import annotations

import json
import math

from theory._errors import InvalidArgument

from ...bounds.points import DEFAULT_POINTS
from ...budgets import BUDGETS, budget
from ...verdict import Verdict
from .._common import WORKERS_HELP, parse_int, parse_pair, parse_workers
from .._compute import add_arguments as add_compute_arguments
from .._compute import compute_target

__all__ = ["add_parser", "add_width_law", "run", "run_width_law"]

#: proofs_check.decisions.DEFAULT_ALPHA, repeated so that the parser imports no SciPy
#: (a test checks the two agree)
DEFAULT_ALPHA = 0.01

_NAMES = {"expr": "--expr", "error": "--error", "constant": "--constant",
          "points": "--points", "max_width": "--max-width", "solve_for": "--solve-for",
          "trials": "--trials", "masked_layers": "--masked-layers"}
_DEFAULT_POINTS_TEXT = "; ".join(
    f"L={pt.depth},eps={pt.eps:g},delta={pt.delta:g},q={pt.keep_prob}" for pt in DEFAULT_POINTS)


def _common_arguments(p, *, with_error: bool) -> None:
    p.add_argument("--expr", required=True,
                   help="the width bound, a SymPy formula in eps, delta, L, q (the keep "
                        "probability) and declared constants; functions log, exp, sqrt, Max, "
                        "Min, Abs, floor, ceiling; ^ or ** for powers; e.g. "
                        "\"C*L**6/eps**4*log(L/delta)\" (a formula starting with '-' needs "
                        "--expr=...)")
    p.add_argument("--constant", action="append", default=[], metavar="NAME=VALUE",
                   help="a constant of the formula and its value (repeat for several; default: "
                        "none)")
    if with_error:
        p.add_argument("--error", help="the error tolerance, a formula in the same symbols "
                                       "(default: eps; Arora et al. state (L+1)*eps)")
    p.add_argument("--keep-prob-symbol", default="q",
                   help="the formula's name for the keep probability (default q)")
    p.add_argument("--points", help="sample points 'L=..,eps=..,delta=..,q=..;...' (q defaults "
                                    f"to 1; default: {_DEFAULT_POINTS_TEXT})")
    p.add_argument("--budget", default="quick",
                   help=f"trials and width cap: {', '.join(BUDGETS)} (default quick: "
                        f"{BUDGETS['quick'].trials} trials, widths up to "
                        f"{BUDGETS['quick'].max_width})")
    p.add_argument("--max-width", help="skip points whose width exceeds this (default: the "
                                       "budget's max width); also caps the width grid")
    p.add_argument("--trials", help="networks per point and width (default: the budget's)")
    p.add_argument("--alpha", default=str(DEFAULT_ALPHA),
                   help=f"family-wise false-alarm rate (default {DEFAULT_ALPHA}; Bonferroni "
                        "over the points)")
    p.add_argument("--rescale", action="store_true",
                   help="rescaled pruning (kept weights x 1/sqrt(q); limit = dense limit). "
                        "Default: plain pruning against its scaled limit, dense limit x "
                        "prod_h q_h")
    p.add_argument("--masked-layers", metavar="LAYERS",
                   help="weight layers each point's q masks, e.g. 3 (the readout only) or "
                        "1,2,3 (default: 2..L+1, the first layer dense); they must exist at "
                        "every point's depth L, and the plain limit is then the dense one "
                        "times q^(number of masked layers)")
    p.add_argument("--x", default="1,0,0", help="first input (default 1,0,0; norm <= 1 as "
                                                "Arora et al.'s theorem needs)")
    p.add_argument("--y", default="0.6,0.8,0", help="second input (default 0.6,0.8,0)")
    p.add_argument("--solve-for", help="the constant whose implied value is reported "
                                       "(default: C, or the only declared constant)")
    p.add_argument("--no-implied-constant", action="store_true",
                   help="skip the width grids that estimate the implied constant")
    p.add_argument("--seed", default="0", help="seed of the networks (>= 0)")
    p.add_argument("--workers", default="auto", help=WORKERS_HELP)
    add_compute_arguments(p)
    p.add_argument("--db", help="SQLite file storing the trials (a rerun resumes; default: "
                                 "in memory, no resume)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def add_parser(sub) -> None:
    """Add ``pntk bound`` to the top-level subparsers."""
    p = sub.add_parser(
        "bound", help="sanity checks of a width bound N(eps, delta, L, q): symbolic and "
                      "Monte Carlo",
        description="Analyse a width bound symbolically (ratio to Arora et al.'s dense bound "
                    "L^6/eps^4 log(L/delta) at q = 1, exponent of 1/q as eps -> 0, exponents "
                    "in 1/eps and L, monotonicity) and test it by Monte Carlo: at each sample "
                    "point, is P(|Theta_n(x, y) - limit| > error) <= delta at width ceil(N)? "
                    "Exact binomial tests, Bonferroni over the tested points; the verdict is "
                    "refuted (with a witness), verified (at the sample points only) or "
                    "inconclusive.  Also reports the smallest constant consistent with the "
                    "data.  Exit code 1 when the bound is refuted, else 0 (2 on bad input).")
    _common_arguments(p, with_error=True)
    p.set_defaults(run=run)


def add_width_law(claim_subparsers) -> None:
    """Add ``width-law`` to an existing ``pntk claim`` subparsers object."""
    p = claim_subparsers.add_parser(
        "width-law", help="is this width enough for |Theta_n - limit| <= eps with probability "
                          ">= 1 - delta at the sampled points?",
        description="Claim: the width N(eps, delta, L, q) suffices for |Theta_n(x, y) - limit| "
                    "<= eps with probability >= 1 - delta.  Checked like 'pntk bound' with "
                    "error = eps: exact binomial tests at the sample points (Bonferroni), "
                    "refuted with a witness point, verified at the sample points only, or "
                    "inconclusive; plus the symbolic analysis and the implied constant.")
    _common_arguments(p, with_error=False)
    p.set_defaults(run=run_width_law)


def _settings(args) -> dict:
    from ...bounds import parse_constant, parse_points
    from ...bounds.expression import check_name
    chosen = budget(args.budget, "--budget")
    kp = check_name(args.keep_prob_symbol, "--keep-prob-symbol", "the keep-probability symbol")
    constants = [parse_constant(c, "--constant") for c in args.constant]
    try:
        alpha = float(args.alpha)
    except ValueError:
        alpha = math.nan
    if not 0 < alpha < 1:
        raise InvalidArgument("--alpha", args.alpha, "must lie strictly between 0 and 1",
                              "give e.g. --alpha 0.01")
    x, y = parse_pair(args)
    return {
        "budget": chosen, "keep_prob_symbol": kp, "constants": constants, "alpha": alpha,
        "points": None if args.points is None else parse_points(args.points, kp, "--points"),
        "max_width": None if args.max_width is None else parse_int(args.max_width,
                                                                   "--max-width", 1),
        "trials": None if args.trials is None else parse_int(args.trials, "--trials", 1),
        "seed": parse_int(args.seed, "--seed", 0), "workers": parse_workers(args.workers),
        "x": tuple(float(v) for v in x), "y": tuple(float(v) for v in y),
        "masked_layers": None if args.masked_layers is None else _layers(args.masked_layers),
    }


def _layers(text: str) -> tuple[int, ...]:
    """'2,3' -> (2, 3); whether each layer exists is checked against the points' depths."""
    items = [t for t in str(text).replace(" ", "").split(",") if t != ""]
    if not items:
        raise InvalidArgument("--masked-layers", text, "no layer given",
                              "list weight layers, e.g. --masked-layers 2,3")
    layers = [parse_int(t, "--masked-layers", 1) for t in items]
    if len(set(layers)) != len(layers):
        raise InvalidArgument("--masked-layers", text, "has repeated layers",
                              "list each layer once")
    return tuple(sorted(layers))


def _check(args, error, command: str) -> int:
    from numerics.sweeps.store import ResultStore

    from ...bounds import check_bound
    from ...claim import Context
    s = _settings(args)
    progress = not (args.quiet or args.json)
    with compute_target(args) as (backend, client):
        store = ResultStore(args.db, argument="--db") if args.db else None
        try:
            ctx = Context(budget=s["budget"], seed=s["seed"], device=args.device,
                          backend=backend, workers=s["workers"], progress=progress)
            report = check_bound(
                args.expr, s["constants"], error=error, keep_prob_symbol=s["keep_prob_symbol"],
                points=s["points"], context=ctx, trials=s["trials"], max_width=s["max_width"],
                rescale=args.rescale, x=s["x"], y=s["y"], masked_layers=s["masked_layers"],
                alpha=s["alpha"],
                implied=not args.no_implied_constant, solve_for=args.solve_for,
                scheduler=client, store=store, argument_names=_NAMES, command=command)
        finally:
            if store is not None:
                store.close()
    result = report.to_json()
    result["device"] = args.device
    result["db"] = args.db
    if args.json:
        print(json.dumps(result))
    else:
        print(format_text(result))
    return 1 if report.verdict is Verdict.REFUTED else 0


def run(args) -> int:
    return _check(args, args.error, "pntk bound")


def run_width_law(args) -> int:
    return _check(args, None, "pntk claim width-law")


# ---------------------------------------------------------------------------- text output
def _float(v):
    """A JSON number back as a float ('inf' and 'nan' are strings in the JSON)."""
    return float(v) if isinstance(v, str) else v


def _num(v, digits: int = 4) -> str:
    v = _float(v)
    if v is None:
        return "-"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.{digits}g}"


def _exponent(e: dict) -> str:
    if e["value"] is None:
        return "undetermined"
    shown = e["exact"] if e["exact"] is not None else _num(e["value"], 3)
    return shown if e["method"] == "symbolic limit" else f"{shown} (numeric)"


def _monotone(m: dict) -> str:
    answer = {True: "yes", False: "NO", None: "?"}[m["holds"]]
    how = "" if m["method"] == "symbolic" else " (grid)"
    return f"{m['variable']} {'constant' if m['constant'] else m['expected']}: {answer}{how}"


def format_text(r: dict) -> str:
    """The readable multi-line summary of a bound check's JSON."""
    consts = ", ".join(f"{k} = {v}" for k, v in r["constants"].items())
    vec = lambda v: "(" + ", ".join(f"{t:g}" for t in v) + ")"  # noqa: E731
    masked = r.get("masked_layers", "2..L+1")
    first = not isinstance(masked, str) and 1 in masked
    masked = masked if isinstance(masked, str) else ", ".join(map(str, masked))
    pruning = f"limit = {r['limit']}"
    lines = [f"bound:      N = {r['expression']}" + (f"   ({consts})" if consts else ""),
             f"question:   P(|Theta_n(x, y) - limit| > {r['error']}) <= delta at width "
             f"ceil(N)?",
             f"network:    ReLU, q masks layers {masked}"
             + (" (the first layer too)" if first else "") + f"; {pruning}; x = {vec(r['x'])}, "
             f"y = {vec(r['y'])}"]
    sym = r["symbolic"]
    if sym is not None:
        kp = sym["keep_prob_symbol"]
        polylog = {True: "polylogarithmic", False: "NOT polylogarithmic",
                   None: "undecided"}[sym["polylog"]]
        lines.append(f"symbolic:   N({kp}=1) / [{sym['dense_bound']}] = {sym['ratio_to_dense']}"
                     f"  ({polylog} in 1/eps, 1/delta, L)")
        qe = sym["q_exponent"]
        linear = {True: "linear", False: "not linear", None: "undecided"}[sym["linear_in_inv_q"]]
        lines.append(f"            exponent of 1/{kp} as eps -> 0: {_exponent(qe)} ({linear})")
        exps = ", ".join(f"{e['variable']} {_exponent(e)}" for e in sym["exponents"])
        lines.append(f"            leading powers (lim log N / log x): {exps}")
        mono = ", ".join(_monotone(m) for m in sym["monotone"])
        lines.append(f"            monotone: {mono}")
        lines.append("            as the paper's bound (dense match, monotone"
                     + (f", linear in 1/{kp}" if sym["depends_on_keep_prob"] else "")
                     + f"): {sym['verdict']} ({sym['kind']})")
    lines.append(f"points:     {r['tested']} tested, {r['skipped']} skipped (width above "
                 f"{r['max_width']}); {r['trials']} trials each; seed {r['seed']}; "
                 f"each test at level {_num(r['per_point_alpha'], 3)}")
    for pt in r["points"]:
        head = f"  L={pt['L']} eps={pt['eps']:g} delta={pt['delta']:g} q={pt['q']:g}"
        if pt["status"] == "skipped":
            bound = _float(pt["bound"])
            need = str(math.ceil(bound)) if bound < 1e15 else _num(bound)
            lines.append(f"{head:<40} width {need:>9}  skipped (above the cap)")
            continue
        lines.append(f"{head:<40} width {pt['width']:>9}  exceed {pt['exceed']:>4}/"
                     f"{pt['trials']:<5} P in [{pt['ci'][0]:.3f}, {pt['ci'][1]:.3f}]  "
                     f"{pt['verdict']}")
    lines.append(f"verdict:    {r['verdict'].upper()}: {r['explanation']}")
    w = r["witness"]
    lines.append("witness:    " + ("none" if w is None else
                 f"L={w['L']}, eps={w['eps']:g}, delta={w['delta']:g}, q={w['q']:g}, width "
                 f"{w['width']}: {w['exceed']}/{w['trials']} exceed {w['error']:.4g}, P(exceed) "
                 f"in [{w['ci'][0]:.3f}, {w['ci'][1]:.3f}] (one-sided {w['ci_level']:.4%} "
                 f"bounds)"))
    c = r["implied_constant"]
    if c is not None:
        if c["value"] is None and c["estimate"] is None:
            lines.append(f"constant:   not estimated ({c['reason']})")
        else:
            side = "smallest" if c["consistent_side"] == "above" else "largest"
            suff = _float(c["sufficient"])
            enough = (f"every point verified from {c['name']} = {_num(suff)}"
                      if suff is not None and 0 < suff < math.inf else
                      "some point is not verified on the grid up to the cap")
            lines.append(f"constant:   {side} {c['name']} consistent with the data: "
                         f"{_num(c['value'])} (estimate {_num(c['estimate'])}; {enough})"
                         + (f"; {c['reason']}" if c["reason"] else ""))
    lines.append(f"error rate: family-wise alpha = {r['alpha']:g} for the verdict "
                 f"(Bonferroni over the tested points); {r['computed']} networks computed in "
                 f"{r['seconds']:.1f} s")
    for note in r["notes"]:
        lines.append(f"note:       {note}")
    return "\n".join(lines)
