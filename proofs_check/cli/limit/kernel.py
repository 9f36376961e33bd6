"""``pntk kernel``: limit NTK/NNGP of a pruned network for a pair or a Gram matrix."""

from __future__ import annotations

import json

import mpmath
import numpy as np

from theory._errors import InvalidArgument, check_dps, check_keep_prob
from theory.config import ACTIVATIONS, Architecture
from theory.kernels.float64 import (
    FIRST_LAYER_METHODS,
    limit_kernel,
    theory_scale_factor,
)
from theory.kernels.mp import gram_mp, limit_kernel_mp

from .._common import load_inputs, parse_int, parse_pair

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "kernel", help="infinite-width NTK and NNGP of a pruned network",
        description="Evaluate the limit NTK and NNGP of a randomly pruned network for one "
                    "input pair (--x, --y) or a Gram matrix (--inputs), next to the dense "
                    "network's, with the exact scale factor when the theory gives one.")
    p.add_argument("--depth", required=True, help="number of hidden layers L (>= 1)")
    p.add_argument("--x", help="first input, comma-separated, e.g. 1,0,0")
    p.add_argument("--y", help="second input (default: --x)")
    p.add_argument("--inputs", metavar="FILE", help=".npy or .csv, one input per row: Gram matrices")
    p.add_argument("--against", metavar="FILE", help="second input set for an N x M Gram matrix")
    p.add_argument("--keep-prob", default="1", help="keep probability q in (0, 1] of the masked layers")
    p.add_argument("--rescale", action="store_true", help="rescale kept weights by 1/sqrt(q)")
    p.add_argument("--prune-first-layer", action="store_true", help="mask the first layer too")
    p.add_argument("--activation", default="relu", help=f"one of {', '.join(ACTIVATIONS)}")
    p.add_argument("--first-layer", default="auto",
                   help="masked first layer: auto, exact, monte_carlo or mean_field")
    p.add_argument("--mask-samples", default=None,
                   help="Monte Carlo mask rows (first layer); default: 1024..16384 by problem size")
    p.add_argument("--seed", default="0", help="seed of the Monte Carlo mask rows")
    p.add_argument("--dps", help="evaluate with mpmath at this many significant digits (>= 15)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _inputs(args):
    if args.inputs:
        if args.x or args.y:
            raise InvalidArgument("--x", args.x, "cannot be combined with --inputs",
                                  "use either --x/--y or --inputs")
        X = load_inputs(args.inputs)
        Y = load_inputs(args.against, "--against") if args.against else None
        if Y is not None and Y.shape[1] != X.shape[1]:
            raise InvalidArgument("--against", args.against,
                                  f"inputs of dimension {Y.shape[1]}, --inputs has {X.shape[1]}",
                                  "give both files the same number of columns")
        return X, Y, True
    if not args.x:
        raise InvalidArgument("--x", None, "no input given", "pass --x (and --y) or --inputs FILE")
    x, y = parse_pair(args)
    return x[None, :], y[None, :], False


def run(args) -> int:
    depth = args.depth
    if args.activation not in ACTIVATIONS:
        raise InvalidArgument("--activation", args.activation, "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    if args.first_layer not in FIRST_LAYER_METHODS:
        raise InvalidArgument("--first-layer", args.first_layer, "unknown method",
                              f"choose one of {', '.join(FIRST_LAYER_METHODS)}")
    keep_prob = check_keep_prob(args.keep_prob, "--keep-prob")
    arch = Architecture.pruned(depth=parse_int(depth, "--depth", 1), keep_prob=keep_prob,
                               rescale=args.rescale, prune_first_layer=args.prune_first_layer,
                               activation=args.activation)
    dps = check_dps(args.dps, "--dps") if args.dps is not None else None
    samples = None if args.mask_samples is None else parse_int(args.mask_samples, "--mask-samples", 64)
    seed = parse_int(args.seed, "--seed", 0)
    X, Y, gram = _inputs(args)
    if dps is None:
        result = _float64(arch, X, Y, gram, args.first_layer, samples, seed)
    else:
        result = _multiprecision(arch, X, Y, gram, args.first_layer, dps)
    result["architecture"] = {
        "depth": arch.depth, "keep_probs": [str(q) for q in arch.keep_probs],
        "masked_layers": list(arch.masked_layers), "rescale": arch.rescale,
        "activation": arch.activation}
    if args.json:
        print(json.dumps(result))
    else:
        _print_text(result)
    return 0


def _float64(arch, X, Y, gram, first_layer, samples, seed):
    pruned = limit_kernel(arch, X, None if (gram and Y is None) else Y,
                          first_layer=first_layer, mask_samples=samples, seed=seed)
    dense = limit_kernel(arch.dense(), X, None if (gram and Y is None) else Y)
    pick = (lambda a: a.tolist()) if gram else (lambda a: float(a[0, 0]))
    factor = pruned.scale_factor
    out = {"ntk": pick(pruned.ntk), "nngp": pick(pruned.nngp),
           "dense_ntk": pick(dense.ntk), "dense_nngp": pick(dense.nngp),
           "scale_factor": None if factor is None else float(factor),
           "scale_factor_exact": None if factor is None else str(factor),
           "method": f"float64 closed forms; {pruned.method}", "precision": "float64"}
    if pruned.ntk_stderr is not None:
        out["ntk_stderr"] = pick(pruned.ntk_stderr)
        out["nngp_stderr"] = pick(pruned.nngp_stderr)
    if arch.first_layer_masked and first_layer != "mean_field":
        # claim C5: how far the exact limit is from the mean-field (scaled dense) one
        mf = limit_kernel(arch, X, None if (gram and Y is None) else Y, first_layer="mean_field")
        out["mean_field_ntk"] = pick(mf.ntk)
        out["gap_to_mean_field"] = pick((pruned.ntk - mf.ntk) / np.abs(mf.ntk))
    return out


def _multiprecision(arch, X, Y, gram, first_layer, dps):
    if arch.first_layer_masked and first_layer == "monte_carlo":
        raise InvalidArgument("--dps", dps, "Monte Carlo estimates have no digits to spare",
                              "drop --dps, or use --first-layer exact or mean_field")
    method = "mean_field" if first_layer == "mean_field" else "exact"
    fmt = lambda v: mpmath.nstr(v, dps, strip_zeros=False)  # noqa: E731
    if gram:
        t, n = gram_mp(arch, X, Y, dps=dps, first_layer=method)
        td, nd = gram_mp(arch.dense(), X, Y, dps=dps)
        conv = lambda m: [[fmt(v) for v in row] for row in m]  # noqa: E731
        vals = dict(ntk=conv(t), nngp=conv(n), dense_ntk=conv(td), dense_nngp=conv(nd))
    else:
        k = limit_kernel_mp(arch, X[0], Y[0], dps=dps, first_layer=method)
        kd = limit_kernel_mp(arch.dense(), X[0], Y[0], dps=dps)
        vals = dict(ntk=fmt(k.ntk), nngp=fmt(k.nngp), dense_ntk=fmt(kd.ntk), dense_nngp=fmt(kd.nngp))
    factor = theory_scale_factor(arch, method if arch.first_layer_masked else "exact")
    with mpmath.workdps(dps):
        vals["scale_factor"] = None if factor is None else fmt(
            mpmath.mpf(factor.numerator) / factor.denominator)
    vals["scale_factor_exact"] = None if factor is None else str(factor)
    first = ("first layer dense" if not arch.first_layer_masked else
             "first layer masked, " + ("mean-field" if method == "mean_field" else "exact mask average"))
    vals["method"] = f"mpmath at {dps} significant digits (adaptive working precision); {first}"
    vals["precision"] = f"{dps} digits"
    return vals


def _print_text(r) -> None:
    print(f"method:      {r['method']}")
    a = r["architecture"]
    print(f"network:     {a['activation']}, depth {a['depth']}, keep_probs {a['keep_probs']}, "
          f"masked layers {a['masked_layers']}, {'rescaled' if a['rescale'] else 'plain'}")
    for key in ("ntk", "nngp", "dense_ntk", "dense_nngp"):
        val = r[key]
        if isinstance(val, list):
            val = np.array2string(np.array(val, dtype=object if isinstance(val[0][0], str) else float),
                                  precision=6, max_line_width=100)
            print(f"{key}:\n{val}")
        else:
            extra = f"  (stderr {r[key + '_stderr']:.3g})" if key + "_stderr" in r else ""
            print(f"{key:<12} {val}{extra}")
    if "gap_to_mean_field" in r and not isinstance(r["gap_to_mean_field"], list):
        print(f"mean-field   {r['mean_field_ntk']}  (exact/mean-field - 1 = {r['gap_to_mean_field']:.3g};"
              " claim C5)")
    sf = r["scale_factor_exact"]
    print(f"scale factor {sf if sf is not None else 'none (the pruned limit is not a multiple of the dense one)'}")
