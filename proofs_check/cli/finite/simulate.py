"""``pntk simulate``: Monte Carlo eNTK entries of random pruned networks against the limit kernel."""

from __future__ import annotations

import json

from theory._errors import InvalidArgument

from .._common import (WORKERS_HELP, interrupted, parse_int, parse_pair, parse_positive,
                       parse_workers)
from .._compute import add_arguments as add_compute_arguments
from .._compute import compute_target
from .._masksource import add_mask_arguments, mask_source_from
from .._network import add_network_arguments, architecture, describe_network

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "simulate", help="Monte Carlo empirical NTK Theta_n(x, y) against the limit kernel",
        description="Sample T random pruned networks (counter-based seeds: trial t is the same "
                    "network for any --workers), compute each one's exact empirical NTK entry "
                    "Theta_n(x, y) and summarise it against the infinite-width limit.  With "
                    "--db FILE every trial is stored as it finishes and a rerun resumes.  "
                    "--mask FILE|METHOD replaces the Bernoulli masks by a mask file's or a "
                    "pruning method's; --graphon G.npz samples the masks from step graphons "
                    "at several --widths and reports the convergence to the Graphon NTK.")
    add_network_arguments(p, keep_prob_help="keep probability q in (0, 1] of the Bernoulli "
                          "masks (q = 1 - prune_prob; decimals are exact): one value, one per "
                          "masked layer or one per weight layer 1..L+1 (default: none; "
                          "required without --mask and --graphon)")
    p.add_argument("--width", help="hidden width n of every layer (>= 1; default: none, "
                                   "required except with --graphon, or a mask file, "
                                   "whose widths are the file's)")
    add_mask_arguments(p)
    p.add_argument("--graphon", metavar="G.npz",
                   help="sample the masks from the step graphons G1..G{L+1} of this file "
                        "(default: none; see pntk kernel --graphon)")
    p.add_argument("--widths", help="with --graphon: at least two hidden widths, each at "
                                    "least the largest block count K_h (default: "
                                    "64,128,256,512,1024)")
    p.add_argument("--selection", default="bernoulli",
                   help="with --graphon: 'bernoulli' (weights kept independently of their "
                        "value) or 'magnitude' (the |W| above the block's quantile; compared "
                        "with the second-moment Graphon NTK)")
    p.add_argument("--x", required=True, help="first input, comma-separated, e.g. 1,0,0 "
                                              "or -0.5,1")
    p.add_argument("--y", help="second input (default: --x)")
    p.add_argument("--trials", required=True, help="number of networks T (>= 2)")
    p.add_argument("--seed", default="0", help="seed of the networks (>= 0)")
    p.add_argument("--workers", default="auto", help=WORKERS_HELP)
    add_compute_arguments(p)
    p.add_argument("--db", help="SQLite file storing the trials (default: in memory, no resume)")
    p.add_argument("--eps", help="report P(|Theta_n - limit| > eps) with a Clopper-Pearson "
                                 "interval (default: not reported)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _mask_arch(args, source):
    """The architecture of a run with a mask source: depth, rescaling and activation from
    the options, the mask's layers and densities as the random-mask reference."""
    from numerics.masks import Mask
    from theory.config import Architecture
    depth = parse_int(args.depth, "--depth", 1)
    activation = getattr(args, "activation", "relu")
    if isinstance(source, Mask):
        if source.depth != depth:
            raise InvalidArgument("--depth", args.depth, f"the mask file has depth "
                                  f"{source.depth}", f"pass --depth {source.depth}")
        return source.architecture(rescale=args.rescale, activation=activation)
    layers = source.pruned_layers(depth)
    d = source.density
    keep = [1] * (depth + 1)
    for i, h in enumerate(layers):
        keep[h - 1] = d[i] if isinstance(d, tuple) else d
    return Architecture.pruned(depth, keep, rescale=args.rescale, masked_layers=layers,
                               activation=activation)


def _masked_layers(args):
    from .._network import parse_layers
    if args.masked_layers is None:
        return (1,) + tuple(range(2, parse_int(args.depth, "--depth", 1) + 2)) \
            if args.prune_first_layer else None
    layers = parse_layers(args.masked_layers, "--masked-layers",
                          parse_int(args.depth, "--depth", 1))
    return tuple(sorted(set(layers) | ({1} if args.prune_first_layer else set())))


def _width(args, source) -> int:
    from numerics.masks import Mask
    if isinstance(source, Mask):
        if args.width is not None and parse_int(args.width, "--width", 1) != source.widths[0] \
                or len(set(source.widths)) != 1:
            raise InvalidArgument("--width", args.width, f"the mask file has widths "
                                  f"{list(source.widths)}", "drop --width (the file fixes it)")
        return source.widths[0]
    if args.width is None:
        raise InvalidArgument("--width", None, "missing", "give --width n")
    return parse_int(args.width, "--width", 1)


def _config(args):
    from numerics import SweepConfig, auto_workers
    source = mask_source_from(args, layers=_masked_layers(args),
                              activation=getattr(args, "activation", "relu"))
    if source is None:
        if args.keep_prob is None:
            raise InvalidArgument("--keep-prob", None, "missing",
                                  "give --keep-prob q (or --mask FILE|METHOD, or --graphon)")
        arch = architecture(args)
    else:
        if args.keep_prob is not None:
            raise InvalidArgument("--keep-prob", args.keep_prob, "--mask gives the masks",
                                  "drop --keep-prob (use --density with a method)")
        arch = _mask_arch(args, source)
    width = _width(args, source)
    trials = parse_int(args.trials, "--trials", 2)
    workers = parse_workers(args.workers)
    seed = parse_int(args.seed, "--seed", 0)
    eps = None if args.eps is None else parse_positive(args.eps, "--eps")
    x, y = parse_pair(args)
    config = SweepConfig(arch, width, x, y, seed, source)
    if workers is None:
        workers = auto_workers([config], trials)
    return config, trials, workers, eps


def run(args) -> int:
    if args.graphon is not None:
        from ._graphon_runs import simulate_graphon
        return simulate_graphon(args)
    for flag, value in (("--widths", args.widths), ("--selection",
                                                     None if args.selection == "bernoulli"
                                                     else args.selection)):
        if value is not None:
            raise InvalidArgument(flag, value, "applies to --graphon only",
                                  f"drop {flag} or give --graphon G.npz")
    from numerics import ResultStore, check_memory, deviation, run_sweep, summarize
    from numerics.backend.devices import run_key
    from theory.kernels.float64 import limit_kernel
    config, trials, workers, eps = _config(args)
    check_memory(config, workers, argument="--width")
    limit = limit_kernel(config.arch, [config.x], [config.y])
    with compute_target(args) as (backend, client):
        key = run_key(config, backend)
        store = ResultStore(args.db, argument="--db")
        try:
            result = run_sweep(config, trials, store=store, workers=workers,
                               progress=not (args.quiet or args.json) and "auto",
                               backend=backend, scheduler=client)
        except KeyboardInterrupt:
            kept = len(store.done_trials(key))
            return interrupted("pntk simulate", f"{kept} of {trials} trials", args.db)
        finally:
            store.close()
    s = summarize(result.theta_xy)
    lim = float(limit.ntk[0, 0])
    d = deviation(result.theta_xy, lim, eps=eps)
    factor = limit.scale_factor
    out = {
        "mean": s.mean, "std": s.std, "stderr": s.stderr, "ci95": list(s.ci),
        "quantiles": {str(p): v for p, v in s.quantiles.items()},
        "limit": lim, "limit_method": limit.method,
        "limit_stderr": None if limit.ntk_stderr is None else float(limit.ntk_stderr[0, 0]),
        "scale_factor": None if factor is None else float(factor),
        "scale_factor_exact": None if factor is None else str(factor),
        "trials": trials, "computed": result.computed,
        "mean_abs_deviation": d.mean_abs_deviation,
        "mean_abs_deviation_stderr": d.mean_abs_deviation_stderr,
        "mean_theta_xx": float(result.theta_xx.mean()),
        "mean_theta_yy": float(result.theta_yy.mean()),
        "masks": _masks_text(config),
        "architecture": {"depth": config.arch.depth, "width": config.widths[0],
                         "description": describe_network(config.arch),
                         "keep_probs": [str(q) for q in config.arch.keep_probs],
                         "masked_layers": list(config.arch.masked_layers),
                         "rescale": config.arch.rescale, "activation": config.arch.activation},
        "seed": config.seed, "x": list(config.x), "y": list(config.y),
        "db": args.db, "run_key": key, "device": args.device, "scheduler": args.scheduler,
    }
    if eps is not None:
        out["p_exceed"] = {"eps": eps, "count": d.exceed_count, "estimate": d.p_exceed,
                           "ci": list(d.p_exceed_ci), "level": d.level,
                           "method": "Clopper-Pearson (exact binomial)"}
    if args.json:
        print(json.dumps(out))
    else:
        _print_text(out)
    return 0


def _masks_text(config) -> str:
    """Where the masks come from, in words."""
    from numerics.masks import Mask
    source = config.mask
    if source is None:
        return "Bernoulli(keep_prob), fresh per trial"
    if isinstance(source, Mask):
        return (f"fixed masks from a file (method {source.method}, digest "
                f"{source.digest()[:12]}), fresh Gaussian weights per trial; limit: the "
                "random-mask limit at the file's kept densities")
    d = source.description()
    return (f"{d['method']} at density {d['density']} ({d['scope']}), each trial pruning its "
            "own weights; limit: the random-mask limit at the target density (what random "
            "pruning converges to; a method whose masks are not random need not)")


def _print_text(r) -> None:
    a = r["architecture"]
    print(f"network:   {a['description']}, width {a['width']}; seed {r['seed']}")
    print(f"masks:     {r['masks']}")
    print(f"trials:    {r['trials']} ({r['computed']} computed now)")
    print(f"mean:      {r['mean']:.10g} +- {r['stderr']:.3g} (stderr); 95% CI "
          f"[{r['ci95'][0]:.10g}, {r['ci95'][1]:.10g}]; std {r['std']:.4g}")
    print("quantiles: " + ", ".join(f"{p}: {v:.6g}" for p, v in r["quantiles"].items()))
    extra = "" if r["limit_stderr"] is None else f" +- {r['limit_stderr']:.3g}"
    print(f"limit:     {r['limit']:.10g}{extra} ({r['limit_method']})")
    sf = r["scale_factor_exact"]
    print(f"scale factor: {sf if sf is not None else 'none'}")
    print(f"E|Theta_n - limit|: {r['mean_abs_deviation']:.6g} +- "
          f"{r['mean_abs_deviation_stderr']:.3g}")
    if "p_exceed" in r:
        pe = r["p_exceed"]
        print(f"P(|Theta_n - limit| > {pe['eps']:g}): {pe['estimate']:.4g} "
              f"({pe['count']}/{r['trials']}); {pe['level']:.0%} Clopper-Pearson "
              f"[{pe['ci'][0]:.4g}, {pe['ci'][1]:.4g}]")
