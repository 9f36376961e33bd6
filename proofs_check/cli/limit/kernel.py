"""``pntk kernel``: limit NTK/NNGP of a pruned network for a pair or a Gram matrix."""

from __future__ import annotations

import json
import sys
import time

from theory._errors import InvalidArgument

from .._common import gram_or_pair_inputs, heartbeat, parse_int, parse_positive
from .._network import add_network_arguments, architecture, describe_network
from .._outputs import check_save_path, save_gram

__all__ = ["add_parser", "run", "FIRST_LAYER_METHODS"]

#: theory.kernels.float64.FIRST_LAYER_METHODS (a test checks they agree)
FIRST_LAYER_METHODS = ("auto", "exact", "monte_carlo", "mean_field")
MAX_SECONDS = 10.0
PROBE_DEPTH = 32          # the depths timed to estimate a deep network's cost
LONG_PROBE_DEPTH = 256


def add_parser(sub) -> None:
    p = sub.add_parser(
        "kernel", help="infinite-width NTK and NNGP of a pruned network",
        description="Evaluate the limit NTK and NNGP of a randomly pruned network for one "
                    "input pair (--x, --y) or a Gram matrix (--inputs), next to the dense "
                    "network's, with the exact scale factor when the theory gives one.  "
                    "Work estimated to take longer than --max-seconds is refused with the "
                    "estimate (the recursion cannot show progress inside it).  --graphon "
                    "G.npz evaluates the Graphon NTK of the step graphons stored there "
                    "instead (G{h} of shape (K_h, K_{h-1}), K_0 = d0, K_{L+1} = 1, values "
                    "in [0, 1]; a missing G{h} is a dense layer).")
    add_network_arguments(p)
    p.add_argument("--graphon", metavar="G.npz",
                   help="the Graphon NTK of this file's step graphons G1..G{L+1} (optional "
                        "V{h}: second-moment profiles) instead of Bernoulli masks; with "
                        "--depth, --rescale (by each layer's density), --activation, --x/--y "
                        "or --inputs, --dps (one pair), --first-layer mean_field|exact "
                        "(default: none)")
    p.add_argument("--x", help="first input, comma-separated, e.g. 1,0,0 or -0.5,1 "
                               "(default: none; give --x or --inputs)")
    p.add_argument("--y", help="second input (default: --x)")
    p.add_argument("--inputs", metavar="FILE",
                   help=".npy or .csv, one input per row: Gram matrices (default: none)")
    p.add_argument("--against", metavar="FILE",
                   help="second input set for an N x M Gram matrix (default: --inputs)")
    p.add_argument("--save", metavar="FILE.npy",
                   help="also save the pruned NTK Gram matrix with numpy.save (default: "
                        "not saved; with --dps an array of decimal strings)")
    p.add_argument("--first-layer", default="auto",
                   help=f"how a masked first layer is averaged: {', '.join(FIRST_LAYER_METHODS)}"
                        " (needs --prune-first-layer or layer 1 in --masked-layers)")
    p.add_argument("--mask-samples", default=None,
                   help="Monte Carlo mask rows (first layer); default: 1024..16384 by problem size")
    p.add_argument("--seed", default="0", help="seed of the Monte Carlo mask rows")
    p.add_argument("--dps", help="evaluate with mpmath at this many significant digits (>= 15; "
                                 "default: float64)")
    p.add_argument("--max-seconds", default=str(MAX_SECONDS),
                   help="refuse work estimated to take longer (estimated for depths above 512 "
                        "by timing the same network at depths 32 and 256)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _check_first_layer(args, arch) -> None:
    if args.first_layer not in FIRST_LAYER_METHODS:
        raise InvalidArgument("--first-layer", args.first_layer, "unknown method",
                              f"choose one of {', '.join(FIRST_LAYER_METHODS)}")
    if args.first_layer != "auto" and not arch.first_layer_masked:
        raise InvalidArgument("--first-layer", args.first_layer,
                              "the first layer is dense, so there is no mask to average "
                              "(the method applies to a masked first layer only)",
                              "add --prune-first-layer (and a --keep-prob below 1), or drop "
                              "--first-layer")


def _cut(arch, depth: int):
    """``arch`` cut to ``depth`` hidden layers (the same per-layer pattern)."""
    from theory.config import Architecture
    keep = [arch.keep_probs[h - 1] for h in range(1, depth + 2)]
    masked = [h for h in arch.masked_layers if h <= depth + 1]
    return Architecture.pruned(depth, keep, rescale=arch.rescale, masked_layers=masked,
                               activation=arch.activation)


def _seconds(compute, arch, repeats: int = 2) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        compute(arch)
        best = min(best, time.perf_counter() - t0)
    return best


def _estimate(compute, arch) -> float | None:
    """Seconds ``compute(arch)`` will take, from timing the same network cut to
    PROBE_DEPTH and LONG_PROBE_DEPTH layers after a warm-up (the recursion costs the same
    per layer; the difference removes the fixed costs); None when shallow."""
    if arch.depth <= 2 * LONG_PROBE_DEPTH:
        return None
    short, long = _cut(arch, PROBE_DEPTH), _cut(arch, LONG_PROBE_DEPTH)
    compute(short)                                   # warm-up: imports, caches
    t_short = _seconds(compute, short)
    t_long = _seconds(compute, long)
    per_layer = max(t_long - t_short, 0.0) / (LONG_PROBE_DEPTH - PROBE_DEPTH)
    return t_short + per_layer * (arch.depth - PROBE_DEPTH)


def run(args) -> int:
    if args.graphon is not None:
        from ..finite._graphon_runs import kernel_graphon
        return kernel_graphon(args)
    arch = architecture(args)
    _check_first_layer(args, arch)
    from theory._errors import check_dps
    dps = check_dps(args.dps, "--dps") if args.dps is not None else None
    samples = None if args.mask_samples is None else parse_int(args.mask_samples, "--mask-samples", 64)
    seed = parse_int(args.seed, "--seed", 0)
    max_seconds = parse_positive(args.max_seconds, "--max-seconds")
    save = check_save_path(args.save)
    X, Y, gram = gram_or_pair_inputs(args)
    if dps is None:
        compute = lambda a: _float64(a, X, Y, gram, args.first_layer, samples, seed)  # noqa: E731
    else:
        compute = lambda a: _multiprecision(a, X, Y, gram, args.first_layer, dps)  # noqa: E731
    estimate = _estimate(compute, arch)
    if estimate is not None and estimate > max_seconds:
        per = estimate / arch.depth
        raise InvalidArgument("--depth", args.depth,
                              f"the layer recursion would take about {estimate:.0f} s here "
                              f"(timed at depths {PROBE_DEPTH} and {LONG_PROBE_DEPTH}), over "
                              f"--max-seconds "
                              f"{max_seconds:g}",
                              f"use a depth up to about {int(max_seconds / per)}, fewer "
                              f"inputs, or a larger --max-seconds")
    if estimate is not None and estimate > 2 and not args.json:
        print(f"pntk kernel: depth {arch.depth}, about {estimate:.0f} s ...", file=sys.stderr,
              flush=True)
    with heartbeat("pntk kernel", enabled=not args.json):
        result = compute(arch)
    result["architecture"] = {
        "depth": arch.depth, "keep_probs": [str(q) for q in arch.keep_probs],
        "masked_layers": list(arch.masked_layers), "rescale": arch.rescale,
        "activation": arch.activation, "description": describe_network(arch)}
    if save is not None:
        save_gram(save, result["ntk"])
        result["saved"] = str(save)
    if args.json:
        print(json.dumps(result))
    else:
        _print_text(result)
    return 0


def _factor_text(arch, factor) -> str | None:
    """The exact scale factor as text; as a product of powers of the layer scales when
    the fraction has too many digits to print (a very deep pruned network)."""
    if factor is None:
        return None
    if max(factor.numerator.bit_length(), factor.denominator.bit_length()) < 3000:
        return str(factor)
    counts: dict = {}
    for s in arch.layer_scales():
        if s != 1:
            counts[s] = counts.get(s, 0) + 1
    if factor != _product(counts):          # another factor than prod s_h: say only its size
        return f"an exact fraction with a {factor.denominator.bit_length()}-bit denominator"
    return " * ".join(f"({q})^{n}" for q, n in sorted(counts.items()))


def _product(counts: dict):
    from fractions import Fraction
    out = Fraction(1)
    for q, n in counts.items():
        out *= q ** n
    return out


def _is_dense(arch) -> bool:
    return all(q == 1 for q in arch.keep_probs)


def _float64(arch, X, Y, gram, first_layer, samples, seed):
    import numpy as np

    from theory.kernels.float64 import limit_kernel
    pruned = limit_kernel(arch, X, None if (gram and Y is None) else Y,
                          first_layer=first_layer, mask_samples=samples, seed=seed)
    dense = pruned if _is_dense(arch) else \
        limit_kernel(arch.dense(), X, None if (gram and Y is None) else Y)
    pick = (lambda a: a.tolist()) if gram else (lambda a: float(a[0, 0]))
    factor = pruned.scale_factor
    out = {"ntk": pick(pruned.ntk), "nngp": pick(pruned.nngp),
           "dense_ntk": pick(dense.ntk), "dense_nngp": pick(dense.nngp),
           "scale_factor": None if factor is None else float(factor),
           "scale_factor_exact": _factor_text(arch, factor),
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
    import mpmath

    from theory.kernels.float64 import theory_scale_factor
    from theory.kernels.mp import gram_mp, limit_kernel_mp
    if arch.first_layer_masked and first_layer == "monte_carlo":
        raise InvalidArgument("--dps", dps, "Monte Carlo estimates have no digits to spare",
                              "drop --dps, or use --first-layer exact or mean_field")
    method = "mean_field" if first_layer == "mean_field" else "exact"
    fmt = lambda v: mpmath.nstr(v, dps, strip_zeros=False)  # noqa: E731
    if gram:
        t, n = gram_mp(arch, X, Y, dps=dps, first_layer=method)
        td, nd = (t, n) if _is_dense(arch) else gram_mp(arch.dense(), X, Y, dps=dps)
        conv = lambda m: [[fmt(v) for v in row] for row in m]  # noqa: E731
        vals = dict(ntk=conv(t), nngp=conv(n), dense_ntk=conv(td), dense_nngp=conv(nd))
    else:
        k = limit_kernel_mp(arch, X[0], Y[0], dps=dps, first_layer=method)
        kd = k if _is_dense(arch) else limit_kernel_mp(arch.dense(), X[0], Y[0], dps=dps)
        vals = dict(ntk=fmt(k.ntk), nngp=fmt(k.nngp), dense_ntk=fmt(kd.ntk), dense_nngp=fmt(kd.nngp))
    factor = theory_scale_factor(arch, method if arch.first_layer_masked else "exact")
    with mpmath.workdps(dps):
        vals["scale_factor"] = None if factor is None else fmt(
            mpmath.mpf(factor.numerator) / factor.denominator)
    vals["scale_factor_exact"] = _factor_text(arch, factor)
    first = ("first layer dense" if not arch.first_layer_masked else
             "first layer masked, " + ("mean-field" if method == "mean_field" else "exact mask average"))
    vals["method"] = f"mpmath at {dps} significant digits (adaptive working precision); {first}"
    vals["precision"] = f"{dps} digits"
    return vals


def _print_text(r) -> None:
    import numpy as np
    print(f"method:      {r['method']}")
    print(f"network:     {r['architecture']['description']}")
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
    if "saved" in r:
        print(f"saved:       {r['saved']} (pruned NTK Gram matrix, numpy.load)")
