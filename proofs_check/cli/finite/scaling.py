"""``pntk scaling``: the width-versus-sparsity study on a grid of keep probabilities and widths.

For every (keep_prob q, width n) of the grid, T random networks give relative
deviations |Theta_n(x, y) / limit - 1|.  Reported per keep_prob: the required
width n*(eps, delta) (interpolated) with its Clopper-Pearson grid interval, and the
log-log slope of the mean deviation against width (central-limit fluctuations give
-1/2).  Across keep probabilities: the log-log slope of n* against 1/q with a
bootstrap interval, and whether it is consistent with 1.  Reading the paper's
sparsity parameter as 1/q is our reading, not the paper's stated definition.  With
--eps-list, per keep_prob the slope of n* against 1/eps (2 under central-limit
fluctuations).

Rescaled pruning (--rescale) is the recommended setting for this study: its limit
is the dense limit for every q, whereas plain pruning multiplies the limit by the
keep probabilities (relative deviations make either usable).
"""

from __future__ import annotations

import csv
import json
import math
import time
from pathlib import Path

from theory._errors import InvalidArgument, check_keep_prob

from .._common import (WORKERS_HELP, interrupted, parse_int, parse_pair, parse_positive,
                       parse_workers)
from .._compute import add_arguments as add_compute_arguments
from .._compute import compute_target
from .._masksource import add_mask_arguments, mask_source_from
from .._network import ACTIVATIONS
from .._outputs import OVERWRITE_HELP, guard_folder, write_atomic

__all__ = ["add_parser", "run"]

LEVEL = 0.95
Z95 = 1.959963984540054
#: the files --out receives (the figures as PNG and PDF)
OUT_FILES = ("dev_vs_width.png", "dev_vs_width.pdf", "nstar_vs_q.png", "nstar_vs_q.pdf",
             "cells.csv", "results.json")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "scaling",
        help="required width n*(eps, delta) against keep probability (width vs sparsity)",
        description="Run T random networks at every (keep_prob, width) of a grid and report, per "
                    "keep_prob, the required width n*(eps, delta) with its Clopper-Pearson grid "
                    "interval and the slope of the mean relative deviation against width "
                    "(-1/2 expected), and across keep probabilities the log-log slope of n* "
                    "against 1/q with a bootstrap interval (1 = linear in 1/q, our reading of "
                    "the paper's sparsity parameter).  Use --rescale: the rescaled limit is the "
                    "dense one for every q (plain pruning scales the limit; relative deviations "
                    "make either usable).  With --db FILE a rerun resumes.")
    p.add_argument("--depth", default="2",
                   help="number of hidden layers L (>= 1); a list such as 1,2,3 also fits n* "
                        "against depth (the other results are for the first depth)")
    p.add_argument("--keep-probs", default="1,0.5,0.25,0.125",
                   help="at least two keep probabilities in (0, 1]")
    grid = p.add_mutually_exclusive_group()
    grid.add_argument("--widths", help="at least two hidden widths, e.g. 64,128,256 "
                                       "(default: --width-range 6:11)")
    grid.add_argument("--width-range", default="6:11",
                      help="A:B for the widths 2^A, 2^(A+1), ..., 2^B")
    p.add_argument("--x", default="1,0,0", help="first input, comma-separated")
    p.add_argument("--y", default="0.6,0.8,0", help="second input")
    p.add_argument("--trials", default="100", help="networks T per grid cell (>= 2)")
    p.add_argument("--eps", default="0.25",
                   help="gap eps > 0 of P(|Theta_n/limit - 1| > eps)")
    p.add_argument("--eps-list", help="several gaps (>= 2) for the slope of n* against 1/eps "
                                      "(default: none)")
    p.add_argument("--delta", default="0.1", help="failure probability delta in (0, 1)")
    p.add_argument("--masked-layers", metavar="LAYERS",
                   help="weight layers masked with each keep probability, e.g. 1,2,3 or 3 "
                        "(default: 2..L+1, the first layer dense); they must exist at every "
                        "--depth")
    p.add_argument("--rescale", action="store_true",
                   help="rescale kept weights by 1/sqrt(q) (recommended: the limit is then the "
                        "dense one for every q)")
    p.add_argument("--activation", default="relu", help=f"one of {', '.join(ACTIVATIONS)}")
    add_mask_arguments(p, density=False)
    p.add_argument("--seed", default="0", help="seed of the networks (>= 0)")
    p.add_argument("--workers", default="auto", help=WORKERS_HELP)
    add_compute_arguments(p)
    p.add_argument("--resamples", default="400", help="bootstrap resamples (>= 50, default 400)")
    p.add_argument("--db", help="SQLite file storing the trials (default: in memory, no resume)")
    p.add_argument("--out", help="directory for figures (PNG, PDF), cells.csv and results.json "
                                 "(default: none written)")
    p.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _list(text: str, argument: str, parse, example: str) -> list:
    items = [t for t in str(text).replace(" ", "").split(",") if t != ""]
    values = [parse(t) for t in items]
    if len(values) < 2:
        raise InvalidArgument(argument, text, "need at least two values", f"write e.g. {example}")
    if len(set(values)) != len(values):
        raise InvalidArgument(argument, text, "has repeated values", "list each value once")
    return values


def _widths(args) -> list[int]:
    if args.widths is not None:
        return _list(args.widths, "--widths", lambda t: parse_int(t, "--widths", 1),
                     "--widths 64,128,256")
    parts = str(args.width_range).split(":")
    if len(parts) != 2:
        raise InvalidArgument("--width-range", args.width_range, "not of the form A:B",
                              "write e.g. --width-range 6:12 for 64..4096")
    lo = parse_int(parts[0], "--width-range", 0)
    hi = parse_int(parts[1], "--width-range", 0)
    if hi <= lo or hi > 24:
        raise InvalidArgument("--width-range", args.width_range,
                              "need A < B <= 24 (at least two widths)",
                              "write e.g. --width-range 6:12 for 64..4096")
    return [1 << k for k in range(lo, hi + 1)]


def _settings(args) -> dict:
    if args.activation not in ACTIVATIONS:
        raise InvalidArgument("--activation", args.activation, "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    if "," in str(args.depth):
        depths = _list(args.depth, "--depth", lambda t: parse_int(t, "--depth", 1),
                       "--depth 1,2,3")
    else:
        depths = [parse_int(args.depth, "--depth", 1)]
    depth = depths[0]
    keep_probs = _list(args.keep_probs, "--keep-probs",
                       lambda t: check_keep_prob(t, "--keep-probs"), "--keep-probs 1,0.5,0.25")
    widths = _widths(args)
    trials = parse_int(args.trials, "--trials", 2)
    eps = parse_positive(args.eps, "--eps")
    eps_list = None
    if args.eps_list is not None:
        eps_list = sorted(_list(args.eps_list, "--eps-list",
                                lambda t: parse_positive(t, "--eps-list"), "--eps-list 0.05,0.1,0.2"))
    delta = parse_positive(args.delta, "--delta")
    if not 0 < delta < 1:
        raise InvalidArgument("--delta", args.delta, "a failure probability must lie in (0, 1)",
                              "give e.g. --delta 0.1")
    x, y = parse_pair(args)
    masked = None
    if args.masked_layers is not None:
        from .._network import parse_layers
        masked = parse_layers(args.masked_layers, "--masked-layers", min(depths))
    source = mask_source_from(args, density=keep_probs[0], activation=args.activation)
    from numerics.masks import Mask
    if isinstance(source, Mask):
        raise InvalidArgument("--mask", args.mask, "a mask file fixes the widths, which "
                              "the scaling grid varies",
                              "give a pruning method (its --keep-probs are the densities)")
    return {"mask": source, "depth": depth, "depths": depths, "keep_probs": sorted(keep_probs, reverse=True),
            "widths": sorted(widths), "trials": trials, "eps": eps, "eps_list": eps_list,
            "delta": delta, "x": x, "y": y, "rescale": bool(args.rescale),
            "activation": args.activation, "seed": parse_int(args.seed, "--seed", 0),
            "masked_layers": masked,
            "workers": parse_workers(args.workers),
            "resamples": parse_int(args.resamples, "--resamples", 50)}


def _mean_slope(per_width: dict) -> dict:
    """OLS slope of log mean deviation against log width; its standard error by the delta
    method (cells of different widths are independent: se(log m) = se(m) / m)."""
    import numpy as np

    from numerics.scaling.plots import deviation_slope
    widths = sorted(per_width)
    lx = np.log(np.array(widths, dtype=float))
    means = np.array([float(np.mean(per_width[n])) for n in widths])
    rel_se = np.array([float(np.std(per_width[n], ddof=1) / math.sqrt(len(per_width[n])))
                       for n in widths]) / means
    c = (lx - lx.mean()) / np.sum((lx - lx.mean()) ** 2)
    slope = deviation_slope(per_width)
    se = float(math.sqrt(np.sum(c ** 2 * rel_se ** 2)))
    ci = (slope - Z95 * se, slope + Z95 * se)
    return {"slope": slope, "stderr": se, "ci": list(ci), "level": LEVEL,
            "consistent_with_minus_half": bool(ci[0] <= -0.5 <= ci[1]),
            "method": "least squares on logs; 95% normal interval, delta-method stderr"}


def _fit(cells, eps, delta, resamples, seed, **kw) -> dict:
    from numerics.scaling.analysis import slope_with_bootstrap
    try:
        f = slope_with_bootstrap(cells, eps, delta, level=LEVEL, resamples=resamples,
                                 seed=seed, **kw)
    except InvalidArgument as exc:
        return {"slope": None, "reason": f"{exc.problem}; {exc.fix}"}, None
    return {"slope": f.slope, "intercept": f.intercept, "ci": list(f.slope_ci), "level": f.level,
            "points": f.points, "method": f.method}, f


def _depth_fits(grid, s) -> dict:
    """Per keep_prob: n* at each depth and the log-log slope of n* against L."""
    from numerics.scaling.analysis import required_width
    out = {}
    for q in s["keep_probs"]:
        by_depth = {L: grid.deviations(L)[float(q)] for L in s["depths"]}
        fit, _ = _fit(by_depth, s["eps"], s["delta"], s["resamples"], s["seed"],
                      x_of=float)
        fit["n_star_by_depth"] = {
            str(L): _json_float(required_width(by_depth[L], s["eps"], s["delta"], LEVEL).n_star)
            for L in s["depths"]}
        out[str(q)] = fit
    return out


def _json_float(v):
    return None if v is None or not math.isfinite(v) else float(v)


def _run_identity(s: dict, args) -> dict:
    """What makes two runs the same run (recorded as results.json's "run")."""
    return {"depths": s["depths"], "keep_probs": [str(q) for q in s["keep_probs"]],
            "widths": s["widths"], "trials": s["trials"], "eps": s["eps"],
            "eps_list": s["eps_list"], "delta": s["delta"],
            "x": [float(v) for v in s["x"]], "y": [float(v) for v in s["y"]],
            "rescale": s["rescale"], "activation": s["activation"], "seed": s["seed"],
            "resamples": s["resamples"], "device": args.device,
            **({} if s["masked_layers"] is None else
               {"masked_layers": list(s["masked_layers"])}),
            **({} if s["mask"] is None else {"mask": s["mask"].description()})}


def run(args) -> int:
    from numerics import ResultStore
    from numerics.backend.devices import run_key
    from numerics.scaling.analysis import required_width
    from numerics.scaling.grid import grid_configs, run_grid
    from numerics.sweeps.config import auto_workers, check_memory, trial_memory
    s = _settings(args)
    configs = grid_configs(s["keep_probs"], s["widths"], s["x"], s["y"], depths=s["depths"],
                           rescale=s["rescale"], activation=s["activation"], seed=s["seed"],
                           mask=s["mask"], masked_layers=s["masked_layers"])
    if s["workers"] is None:
        s["workers"] = auto_workers(configs, s["trials"])
    check_memory(max(configs, key=trial_memory), s["workers"], argument="--widths")
    out_dir = None
    if args.out:
        out_dir = Path(args.out)
        guard_folder(out_dir, OUT_FILES, _run_identity(s, args), manifest="results.json",
                     overwrite=args.overwrite)
    with compute_target(args) as (backend, client):
        store = ResultStore(args.db, argument="--db")
        t0 = time.monotonic()
        try:
            grid = run_grid(s["keep_probs"], s["widths"], s["x"], s["y"], s["trials"],
                            depths=s["depths"], rescale=s["rescale"],
                            activation=s["activation"], seed=s["seed"], store=store,
                            workers=s["workers"], progress=not (args.quiet or args.json),
                            backend=backend, scheduler=client, mask=s["mask"],
                            masked_layers=s["masked_layers"])
        except KeyboardInterrupt:
            kept = sum(len(store.done_trials(run_key(c, backend))) for c in configs)
            return interrupted("pntk scaling", f"{kept} trials", args.db)
        finally:
            store.close()
    seconds = time.monotonic() - t0
    cells = grid.deviations(s["depth"])
    eps, delta = s["eps"], s["delta"]
    per_q, required, csv_rows = [], {}, []
    for q in s["keep_probs"]:
        qf = float(q)
        rw = required_width(cells[qf], eps, delta, LEVEL)
        required[qf] = rw
        dev = _mean_slope(cells[qf])
        rows = []
        for n, p_hat, (lo, hi) in zip(rw.widths, rw.p_exceed, rw.p_exceed_ci):
            d = cells[qf][n]
            row = {"keep_prob": qf, "width": n, "trials": int(d.size),
                   "mean_rel_dev": float(d.mean()),
                   "stderr": float(d.std(ddof=1) / math.sqrt(d.size)),
                   "p_exceed": float(p_hat), "cp_lo": float(lo), "cp_hi": float(hi)}
            rows.append(row)
            csv_rows.append(row)
        entry = {"keep_prob": qf, "keep_prob_exact": str(q),
                 "limit": grid.cells[(s["depth"], q, s["widths"][0])].limit,
                 "n_star": _json_float(rw.n_star), "grid_n_star": rw.grid_n_star,
                 "interval": [_json_float(v) for v in rw.interval],
                 "lower": rw.lower, "upper": rw.upper, "deviation_vs_width": dev, "cells": rows}
        if s["eps_list"] is not None:
            by_eps = {e: cells[qf] for e in s["eps_list"]}
            entry["n_star_by_eps"] = {repr(e): required_width(cells[qf], e, delta, LEVEL).n_star
                                      for e in s["eps_list"]}
            fit, _ = _fit(by_eps, eps, delta, s["resamples"], s["seed"],
                          x_of=lambda e: 1.0 / e, eps_of=lambda e: e)
            if fit["slope"] is not None:
                fit["consistent_with_2"] = bool(fit["ci"][0] <= 2 <= fit["ci"][1])
            entry["slope_vs_inv_eps"] = fit
        per_q.append(entry)
    fit_q, fit_obj = _fit(cells, eps, delta, s["resamples"], s["seed"])
    if fit_q["slope"] is not None:
        fit_q["consistent_with_1"] = bool(fit_obj.contains(1.0))
    fit_q["reading"] = ("sparsity parameter read as 1/keep_prob (our reading, not the paper's "
                        "stated definition); slope 1 = n* linear in 1/q")
    result = {
        "depth": s["depth"], "keep_probs": [str(q) for q in s["keep_probs"]],
        "widths": s["widths"], "trials": s["trials"], "eps": eps, "eps_list": s["eps_list"],
        "delta": delta, "level": LEVEL, "rescale": s["rescale"], "activation": s["activation"],
        "masks": "Bernoulli(keep_prob)" if s["mask"] is None else
        f"{s['mask'].method} at density keep_prob, each trial pruning its own weights; "
        "reference: the random-mask limit at keep_prob",
        "masked_layers": list(configs[0].arch.masked_layers),
        "first_layer": "masked" if 1 in configs[0].arch.masked_layers else "dense",
        "x": list(map(float, s["x"])), "y": list(map(float, s["y"])),
        "seed": s["seed"], "workers": s["workers"], "db": args.db,
        "device": args.device, "scheduler": args.scheduler,
        "computed": grid.computed, "seconds": seconds,
        "per_keep_prob": per_q, "slope_vs_inv_q": fit_q, "files": [],
        "run": _run_identity(s, args),
    }
    if len(s["depths"]) > 1:
        result["depths"] = s["depths"]
        result["slope_vs_depth"] = _depth_fits(grid, s)
    if out_dir is not None:
        result["files"] = _write_out(out_dir, cells, required, fit_obj, csv_rows, result)
    if args.json:
        print(json.dumps(result))
    else:
        _print_text(result)
    return 0


def _write_out(out_dir: Path, cells, required, fit, csv_rows, result) -> list[str]:
    import io

    from numerics.scaling.plots import plot_deviation_vs_width, plot_required_width
    out_dir.mkdir(parents=True, exist_ok=True)
    from numerics.figures import setting

    where = setting(depth=result["depth"], eps=result["eps"], rescale=result["rescale"],
                    extra=rf"$\delta = {result['delta']:g}$")
    files = [str(p) for p in plot_deviation_vs_width(
        cells, out_dir / "dev_vs_width",
        title="Deviation of the empirical NTK from its limit\n" + where)]
    if fit is not None:
        files += [str(p) for p in plot_required_width(
            required, fit, out_dir / "nstar_vs_q", title="Required width vs 1/q\n" + where)]
    path = out_dir / "cells.csv"
    cols = ("keep_prob", "width", "trials", "mean_rel_dev", "stderr", "p_exceed", "cp_lo",
            "cp_hi")
    fh = io.StringIO(newline="")
    w = csv.writer(fh)
    w.writerow(cols)
    w.writerows([repr(r[c]) if isinstance(r[c], float) else r[c] for c in cols]
                for r in csv_rows)
    write_atomic(path, fh.getvalue())
    files.append(str(path))
    files.append(str(out_dir / "results.json"))
    result["files"] = files
    write_atomic(out_dir / "results.json", json.dumps(result, indent=1))
    return files


def _print_text(r) -> None:
    kind = "rescaled" if r["rescale"] else "plain (limit scaled by the keep probabilities)"
    layers = ", ".join(map(str, r["masked_layers"]))
    print(f"network:  {r['activation']}, depth {r['depth']}, keep_prob q on layers {layers} "
          f"({r['first_layer']} first layer), {kind}; seed {r['seed']}")
    if r["masks"] != "Bernoulli(keep_prob)":
        print(f"masks:    {r['masks']}")
    print(f"grid:     keep_probs {', '.join(r['keep_probs'])}; widths "
          f"{', '.join(map(str, r['widths']))}; {r['trials']} trials per cell "
          f"({r['computed']} computed now, {r['seconds']:.1f} s)")
    print(f"target:   P(|Theta_n/limit - 1| > {r['eps']:g}) <= {r['delta']:g}; n* intervals "
          f"from one-sided {r['level']:.0%} Clopper-Pearson bounds")
    for e in r["per_keep_prob"]:
        ns = "off the grid" if e["n_star"] is None else f"{e['n_star']:.4g}"
        lo, hi = e["interval"]
        hi_s = "inf" if hi is None else f"{hi:g}"
        d = e["deviation_vs_width"]
        line = (f"q = {e['keep_prob_exact']:>6}: n* = {ns} (interval ({lo:g}, {hi_s}]); "
                f"mean deviation slope vs width {d['slope']:+.3f} "
                f"[{d['ci'][0]:+.3f}, {d['ci'][1]:+.3f}]")
        print(line)
        if "slope_vs_inv_eps" in e:
            f = e["slope_vs_inv_eps"]
            if f["slope"] is None:
                print(f"          n* slope vs 1/eps: not available ({f['reason']})")
            else:
                verdict = "consistent" if f["consistent_with_2"] else "not consistent"
                print(f"          n* slope vs 1/eps {f['slope']:.3f} [{f['ci'][0]:.3f}, "
                      f"{f['ci'][1]:.3f}] (2 expected: {verdict})")
    f = r["slope_vs_inv_q"]
    if f["slope"] is None:
        print(f"n* slope vs 1/q: not available ({f['reason']})")
    else:
        print(f"n* slope vs 1/q: {f['slope']:.3f}, {f['level']:.0%} bootstrap CI "
              f"[{f['ci'][0]:.3f}, {f['ci'][1]:.3f}] over {f['points']} keep_probs; "
              f"{'consistent' if f['consistent_with_1'] else 'not consistent'} with 1 "
              f"(linear in 1/q; reading the sparsity parameter as 1/q is ours)")
    for q, f in r.get("slope_vs_depth", {}).items():
        ns = ", ".join(f"L={L}: {'off grid' if v is None else f'{v:.4g}'}"
                       for L, v in f["n_star_by_depth"].items())
        fit = ("not available (" + f["reason"] + ")" if f["slope"] is None else
               f"{f['slope']:.3f} [{f['ci'][0]:.3f}, {f['ci'][1]:.3f}]")
        print(f"q = {q:>6}: n* by depth {ns}; log-log slope vs depth {fit}")
    for path in r["files"]:
        print(f"wrote:    {path}")
