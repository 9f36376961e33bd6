"""``pntk simulate``: Monte Carlo eNTK entries of random pruned networks against the limit kernel."""

from __future__ import annotations

import json
import sys

from .._common import WORKERS_HELP, parse_int, parse_pair, parse_positive, parse_workers
from .._compute import add_arguments as add_compute_arguments
from .._compute import compute_target
from .._network import add_network_arguments, architecture, describe_network

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "simulate", help="Monte Carlo empirical NTK Theta_n(x, y) against the limit kernel",
        description="Sample T random pruned networks (counter-based seeds: trial t is the same "
                    "network for any --workers), compute each one's exact empirical NTK entry "
                    "Theta_n(x, y) and summarise it against the infinite-width limit.  With "
                    "--db FILE every trial is stored as it finishes and a rerun resumes.")
    add_network_arguments(p, keep_prob_required=True)
    p.add_argument("--width", required=True, help="hidden width n of every layer (>= 1)")
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


def _config(args):
    from numerics import SweepConfig, auto_workers
    arch = architecture(args)
    width = parse_int(args.width, "--width", 1)
    trials = parse_int(args.trials, "--trials", 2)
    workers = parse_workers(args.workers)
    seed = parse_int(args.seed, "--seed", 0)
    eps = None if args.eps is None else parse_positive(args.eps, "--eps")
    x, y = parse_pair(args)
    config = SweepConfig(arch, width, x, y, seed)
    if workers is None:
        workers = auto_workers([config], trials)
    return config, trials, workers, eps


def run(args) -> int:
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
            where = f"kept in {args.db}; rerun to resume" if args.db else "lost (no --db)"
            print(f"pntk simulate: interrupted; {kept} of {trials} trials {where}",
                  file=sys.stderr)
            return 130
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


def _print_text(r) -> None:
    a = r["architecture"]
    print(f"network:   {a['description']}, width {a['width']}; seed {r['seed']}")
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
