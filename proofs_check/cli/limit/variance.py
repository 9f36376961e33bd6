"""``pntk variance``: finite-width mean and variance of the empirical NTK, predicted and checked."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from theory._errors import InvalidArgument, check_dps, check_keep_prob
from theory.config import ACTIVATIONS

from .._common import parse_int, parse_pair

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "variance", help="finite-width mean and variance of the empirical NTK (leading order)",
        description="Predict E Theta_n(x, y) = Theta_lim + m/n and n Var Theta_n -> V of a "
                    "randomly pruned network (exact at every width for one hidden layer), "
                    "optionally checked against Monte Carlo networks (--check).")
    p.add_argument("--depth", required=True, help="number of hidden layers L (>= 1)")
    p.add_argument("--x", required=True, help="first input, comma-separated, e.g. 1,0,0")
    p.add_argument("--y", help="second input (default: --x)")
    p.add_argument("--keep-prob", default="1",
                   help="keep probability q of the masked layers, or L+1 comma-separated values")
    p.add_argument("--masked-layers", default=None,
                   help="comma-separated weight layers to mask (default 2..L+1, with 1 too "
                        "under --prune-first-layer)")
    p.add_argument("--rescale", action="store_true", help="rescale kept weights by 1/sqrt(q)")
    p.add_argument("--prune-first-layer", action="store_true", help="mask the first layer too")
    p.add_argument("--activation", default="relu", help=f"one of {', '.join(ACTIVATIONS)}")
    p.add_argument("--width-ratios", default=None,
                   help="n_h / n for h = 1..L, comma-separated (default all 1)")
    p.add_argument("--width", default=None,
                   help="reference width n: print sqrt(V/n) too (default: none)")
    p.add_argument("--dps", default=None,
                   help="evaluate with mpmath at this many digits (>= 15; default: float64)")
    p.add_argument("--check", action="store_true", help="compare with Monte Carlo networks")
    p.add_argument("--trials", default="400", help="networks per width for --check")
    p.add_argument("--widths", default=None,
                   help="widths for --check, comma-separated (default: --width, or 64,128,256 "
                        "at depth >= 2 where the check fits V + b/n)")
    p.add_argument("--seed", default="0", help="seed of the Monte Carlo networks")
    p.add_argument("--alpha", default="0.01", help="false-alarm rate of all --check z-tests together")
    p.add_argument("--latex", metavar="FILE",
                   help="write the derivation and V as a LaTeX document (default: none)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _keep_probs(text: str, depth: int):
    parts = [v for v in str(text).split(",") if v.strip()]
    if len(parts) == 1:
        return check_keep_prob(parts[0], "--keep-prob")
    if len(parts) != depth + 1:
        raise InvalidArgument("--keep-prob", text, f"{len(parts)} values for {depth + 1} weight layers",
                              "give one value, or one per weight layer 1..L+1")
    return [check_keep_prob(v, "--keep-prob") for v in parts]


def _int_list(text, argument: str, minimum: int):
    try:
        values = [int(v) for v in str(text).split(",") if v.strip()]
    except ValueError:
        raise InvalidArgument(argument, text, "not a comma-separated list of integers",
                              f"write e.g. {argument} 2,3") from None
    if not values or min(values) < minimum:
        raise InvalidArgument(argument, text, f"needs integers >= {minimum}",
                              f"write e.g. {argument} 2,3")
    return values


def _architecture(args):
    from theory.config import Architecture
    if args.activation not in ACTIVATIONS:
        raise InvalidArgument("--activation", args.activation, "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    depth = parse_int(args.depth, "--depth", 1)
    keep = _keep_probs(args.keep_prob, depth)
    masked = None if args.masked_layers is None else \
        _int_list(args.masked_layers, "--masked-layers", 1)
    if isinstance(keep, list) and masked is None:
        masked = [h for h, q in enumerate(keep, 1) if q != 1] or []
        if args.prune_first_layer:
            masked = sorted(set(masked) | {1})
    try:
        return Architecture.pruned(depth, keep, rescale=args.rescale,
                                   prune_first_layer=args.prune_first_layer,
                                   masked_layers=masked, activation=args.activation)
    except InvalidArgument as exc:
        name = {"keep_probs": "--keep-prob", "keep_prob": "--keep-prob",
                "masked_layers": "--masked-layers"}.get(exc.argument, exc.argument)
        raise InvalidArgument(name, exc.value, exc.problem, exc.fix) from None


def _finite(value):
    value = float(value)
    return None if math.isnan(value) else value


def run(args) -> int:
    import numpy as np

    from theory.variance.deep import check_width_ratios, variance_pairs

    arch = _architecture(args)
    x, y = parse_pair(args)
    try:
        ratios = None if args.width_ratios is None else \
            check_width_ratios(arch, str(args.width_ratios).split(","))
    except InvalidArgument as exc:
        raise InvalidArgument("--width-ratios", args.width_ratios, exc.problem, exc.fix) from None
    dps = None if args.dps is None else check_dps(args.dps, "--dps")
    width = None if args.width is None else parse_int(args.width, "--width", 1)
    check = _check_options(args, arch, width) if args.check else None
    if dps is not None and arch.activation == "erf":
        raise InvalidArgument("--dps", args.dps, "erf's fourth moments need two-dimensional "
                              "quadrature, which mpmath does in minutes",
                              "drop --dps (float64 Gauss-Hermite, about 1e-12 accurate)")
    t = variance_pairs(arch, x, y, width_ratios=ratios, dps=dps)
    pick = (lambda v: float(np.asarray(v).ravel()[0])) if dps is None else float
    out = {"limit": pick(t.limit), "n_var": pick(t.n_var),
           "mean_1_over_n": None if t.mean_1_over_n is None else _finite(pick(t.mean_1_over_n)),
           "hidden_layers": [pick(v) for v in t.hidden],
           "readout_offdiag": pick(t.readout_offdiag), "readout_mask": pick(t.readout_mask),
           "exact_at_every_width": arch.depth == 1,
           "width_ratios": [str(a) for a in t.width_ratios],
           "precision": "float64" if dps is None else f"mpmath, {dps} digits",
           "architecture": {"depth": arch.depth, "keep_probs": [str(q) for q in arch.keep_probs],
                            "masked_layers": list(arch.masked_layers), "rescale": arch.rescale,
                            "activation": arch.activation}}
    if dps is None and 1 not in arch.masked_layers:
        # the limit itself from the accurate float64 kernel (1e-14 near parallel and
        # antiparallel inputs, where the variance recursion's plain angles lose digits)
        from theory.kernels import limit_kernel
        out["limit"] = float(limit_kernel(arch, x[None, :], y[None, :]).ntk[0, 0])
    if dps is not None:
        import mpmath
        with mpmath.workdps(dps):
            out["n_var_digits"] = mpmath.nstr(t.n_var, dps)
            out["limit_digits"] = mpmath.nstr(t.limit, dps)
    if width is not None:
        out["width"] = width
        out["std_at_width"] = math.sqrt(out["n_var"] / width)
    if check is not None:
        out["check"] = _run_check(arch, x, y, ratios, check)
    if args.latex:
        from theory.variance.latex import variance_latex
        _write_atomically(Path(args.latex), variance_latex(arch, x, y, width_ratios=ratios,
                                                           width=width))
        out["latex"] = args.latex
    if args.json:
        print(json.dumps(out))
    else:
        _print_text(out)
    return 0 if check is None or out["check"]["passed"] else 1


def _check_options(args, arch, width):
    trials = parse_int(args.trials, "--trials", 8)
    seed = parse_int(args.seed, "--seed", 0)
    try:
        alpha = float(args.alpha)
    except ValueError:
        alpha = float("nan")
    if not 0 < alpha < 1:
        raise InvalidArgument("--alpha", args.alpha, "must lie strictly between 0 and 1",
                              "pass e.g. --alpha 0.01")
    if args.widths is not None:
        widths = _int_list(args.widths, "--widths", 1)
    elif arch.depth == 1:
        widths = [width or 128]
    else:
        widths = [64, 128, 256]
    if arch.depth > 1 and len(widths) < 2:
        raise InvalidArgument("--widths", args.widths, "depth >= 2 is checked by a fit in 1/n",
                              "give at least two widths, e.g. --widths 64,128,256")
    return {"trials": trials, "seed": seed, "alpha": alpha, "widths": widths}


def _run_check(arch, x, y, ratios, opts):
    import numpy as np

    from numerics.variance.checks import check_variance
    X = np.stack([x, y])
    pair = (0, 0) if np.array_equal(x, y) else (0, 1)
    res = check_variance(arch, opts["widths"], X, [pair], opts["trials"], seed=opts["seed"],
                         width_ratios=ratios, alpha=opts["alpha"])
    e = res.entries[0]
    return {"passed": res.passed, "trials": opts["trials"], "widths": opts["widths"],
            "alpha": res.alpha, "tests": res.tests, "z_threshold": res.z_threshold,
            "z": e.z, "points": [{"width": p.width, "mean": p.moments.mean,
                                  "mean_se": p.moments.mean_se, "n_var": p.n_var,
                                  "n_var_se": p.n_var_se} for p in e.points],
            "fit_V": e.fit_V, "fit_b": e.fit_b, "fit_limit": e.fit_mean, "fit_m": e.fit_m}


def _write_atomically(path: Path, text: str) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidArgument("--latex", str(path), "its folder does not exist",
                              "create the folder first or give another path")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _print_text(r) -> None:
    a = r["architecture"]
    print(f"network:        {a['activation']}, depth {a['depth']}, keep_probs {a['keep_probs']}, "
          f"masked layers {a['masked_layers']}, {'rescaled' if a['rescale'] else 'plain'}")
    print(f"limit NTK:      {r['limit']:.10g}")
    m = r["mean_1_over_n"]
    exact = " (exact at every width)" if r["exact_at_every_width"] else ""
    print(f"mean:           Theta_lim + m/n, m = {'not derived' if m is None else f'{m:.10g}'}"
          + exact)
    print(f"n Var -> V:     {r['n_var']:.10g}{exact}")
    shares = ", ".join(f"{v:.6g}" for v in r["hidden_layers"])
    print(f"  hidden layers 1..L: {shares}")
    print(f"  readout: off-diagonal NTK {r['readout_offdiag']:.6g}, mask {r['readout_mask']:.6g}")
    if "std_at_width" in r:
        print(f"std at width {r['width']}: {r['std_at_width']:.6g}   "
              f"(relative {r['std_at_width'] / abs(r['limit']):.4g})")
    if "check" in r:
        c = r["check"]
        print(f"Monte Carlo:    {c['trials']} networks per width, widths {c['widths']}")
        for p in c["points"]:
            print(f"  n={p['width']}: mean {p['mean']:.6g} +- {p['mean_se']:.2g}, "
                  f"n Var {p['n_var']:.6g} +- {p['n_var_se']:.2g}")
        if c["fit_V"] is not None:
            print(f"  fit n Var = V + b/n: V = {c['fit_V'][0]:.6g} +- {c['fit_V'][1]:.2g}, "
                  f"b = {c['fit_b'][0]:.4g} +- {c['fit_b'][1]:.2g}")
        zs = ", ".join(f"{k} {v:+.2f}" for k, v in c["z"].items())
        print(f"  z: {zs}; |z| <= {c['z_threshold']:.2f} (alpha {c['alpha']} over "
              f"{c['tests']} tests): {'PASS' if c['passed'] else 'FAIL'}")
    if "latex" in r:
        print(f"LaTeX:          {r['latex']}")
