"""``pntk graphon``: the graphons a pruning method's masks converge to, and what the eNTK of
the pruned networks converges to.

For every width and trial the network is pruned by the method (its masks AND weights),
and :func:`numerics.graphons.pruned_graphon_trials` records the degree-sorted block
histograms (K x K), the second-moment histograms, and the eNTK beside the Graphon
NTKs of the trial's own estimate.  Reported: distances to the largest width's
estimate with a fitted rate (labelled cut-distance bounds), the distance to a constant
graphon, the second-moment against the density graphon, and the convergence of the
eNTK.  ``--out DIR`` receives the heatmaps, the distance and eNTK plots, the
histograms as CSV and everything as results.json; ``--db`` makes the run resumable.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from theory._errors import InvalidArgument

from .._common import interrupted, parse_int, parse_pair, parse_positive
from .._masksource import add_mask_arguments
from .._network import ACTIVATIONS
from .._outputs import OVERWRITE_HELP, guard_folder, write_atomic

__all__ = ["add_parser", "run", "OUT_FILES"]

OUT_FILES = ("histograms.png", "histograms.pdf", "second_moment.png", "second_moment.pdf",
             "distance_vs_width.png", "distance_vs_width.pdf", "entk_vs_width.png",
             "entk_vs_width.pdf", "histograms.csv", "results.json")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "graphon", help="graphons of a pruning method's masks across widths, and the eNTK "
                        "against the Graphon NTK",
        description="Prune networks of several widths with METHOD (each trial its own "
                    "weights), estimate each pruned layer's graphon (degree-sorted K x K "
                    "block histograms), and report their distance to the largest width's "
                    "estimate with a fitted rate, their distance to a constant graphon, the "
                    "second-moment graphon E[(M.W)^2] beside the density graphon, and whether "
                    "the eNTK converges to the Graphon NTK of the estimated graphon (density "
                    "and second-moment versions).  --db makes it resumable.")
    p.add_argument("--method", required=True, help="pruning method (see pntk masks --list)")
    p.add_argument("--density", required=True,
                   help="kept fraction d in (0, 1] of the pruned layers (or one per layer)")
    p.add_argument("--widths", default="100,500,1000,2000",
                   help="at least three hidden widths (the largest is the reference)")
    p.add_argument("--trials", default="100", help="networks per width (>= 2)")
    p.add_argument("--depth", default="3", help="hidden layers L (3: a 4-layer MLP)")
    p.add_argument("--blocks", default="64", help="K, blocks per side of the histograms "
                                                  "(at most the smallest width)")
    p.add_argument("--layers", help="pruned layers, comma-separated, or 'paper' for 2..L "
                                    "(input and output layers dense, the paper's setting) "
                                    "(default: 2..L+1, the first layer dense as in THEORY.md)")
    add_mask_arguments(p, density=False, mask=False)
    p.add_argument("--activation", default="relu", help=f"one of {', '.join(ACTIVATIONS)}")
    p.add_argument("--x", help="first input of the NTK entries (default: the first digits "
                               "image, unit norm; needs input dimension 64)")
    p.add_argument("--y", help="second input (default: the second digits image, unit norm)")
    p.add_argument("--seed", default="0", help="seed of the weights and the methods' draws")
    p.add_argument("--alpha", default="0.01", help="family-wise false-alarm rate of the tests")
    p.add_argument("--resamples", default="1000", help="bootstrap resamples of the rates")
    p.add_argument("--db", help="SQLite file storing every trial (default: in memory, no "
                                "resume)")
    p.add_argument("--out", metavar="DIR", help="folder for the figures, histograms.csv "
                                                "and results.json (default: none written)")
    p.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _widths(text: str) -> list[int]:
    items = [t for t in str(text).replace(" ", "").split(",") if t]
    widths = sorted({parse_int(t, "--widths", 1) for t in items})
    if len(widths) < 3:
        raise InvalidArgument("--widths", text, "need at least three widths (two for the rate, "
                              "the largest as the reference)", "write e.g. 100,500,1000,2000")
    return widths


def _layers(text, depth: int):
    if text is None:
        return None
    if str(text).strip() == "paper":
        if depth < 2:
            raise InvalidArgument("--layers", text, "depth 1 has no hidden-to-hidden layer",
                                  "use --depth 2 or more, or list the layers")
        return tuple(range(2, depth + 1))
    from .._network import parse_layers
    return parse_layers(text, "--layers", depth)


def _spec(args, depth: int):
    from numerics.masks import METHODS

    from .._masksource import mask_source_from
    if args.method not in METHODS:
        raise InvalidArgument("--method", args.method, "unknown pruning method",
                              f"choose one of {', '.join(METHODS)}")
    args.mask = args.method
    spec = mask_source_from(args, layers=_layers(args.layers, depth), density=args.density,
                            activation=args.activation)
    try:
        spec.pruned_layers(depth)
    except InvalidArgument as exc:
        flag = {"layers": "--layers", "density": "--density"}.get(exc.argument, exc.argument)
        raise InvalidArgument(flag, exc.value, exc.problem, exc.fix) from None
    return spec


def _inputs(args, spec):
    import numpy as np
    if args.x is None and args.y is None:
        from numerics.masks import digits
        X = digits().inputs[:2]
        X = X / np.linalg.norm(X, axis=1, keepdims=True)
        x, y = X[0], X[1]
    else:
        if args.x is None:
            raise InvalidArgument("--y", args.y, "given without --x", "give --x too")
        x, y = parse_pair(args)
    data = spec.scoring_data
    if data is not None and data.input_dim != x.size:
        raise InvalidArgument("--x", args.x, f"{x.size} coordinates, but {spec.method} scores "
                              f"on data with {data.input_dim} features",
                              f"give inputs with {data.input_dim} coordinates")
    return x, y


def _settings(args) -> dict:
    from theory._errors import check_unit_open
    if args.activation not in ACTIVATIONS:
        raise InvalidArgument("--activation", args.activation, "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    depth = parse_int(args.depth, "--depth", 1)
    spec = _spec(args, depth)
    widths = _widths(args.widths)
    blocks = parse_int(args.blocks, "--blocks", 1)
    if blocks > widths[0]:
        raise InvalidArgument("--blocks", args.blocks, f"K is larger than the width {widths[0]}",
                              f"use --blocks <= {widths[0]} or larger widths")
    x, y = _inputs(args, spec)
    alpha = check_unit_open(parse_positive(args.alpha, "--alpha"), "--alpha")
    return {"spec": spec, "depth": depth, "widths": widths, "blocks": blocks,
            "trials": parse_int(args.trials, "--trials", 2), "x": x, "y": y,
            "seed": parse_int(args.seed, "--seed", 0), "alpha": alpha,
            "resamples": parse_int(args.resamples, "--resamples", 100)}


def _identity(s) -> dict:
    return {"method": s["spec"].description(), "depth": s["depth"], "widths": s["widths"],
            "blocks": s["blocks"], "trials": s["trials"], "seed": s["seed"],
            "x": [float(v) for v in s["x"]], "y": [float(v) for v in s["y"]],
            "alpha": s["alpha"], "resamples": s["resamples"]}


def run(args) -> int:
    from numerics import ResultStore
    from numerics.graphons import pruned_graphon_trials
    from numerics.sweeps.progress import Progress
    s = _settings(args)
    out_dir = None
    if args.out:
        out_dir = Path(args.out)
        guard_folder(out_dir, OUT_FILES, _identity(s), manifest="results.json",
                     overwrite=args.overwrite)
    store = ResultStore(args.db, argument="--db")
    bar = Progress(len(s["widths"]) * s["trials"], enabled=not (args.quiet or args.json),
                   total_cost=sum(s["trials"] * n * n for n in s["widths"]))
    try:
        runs = pruned_graphon_trials(s["spec"], s["depth"], s["widths"], s["trials"], x=s["x"],
                                     y=s["y"], blocks=s["blocks"], seed=s["seed"], store=store,
                                     progress=lambda n, t: bar.advance(cost=n * n))
    except KeyboardInterrupt:
        bar.close()
        return interrupted("pntk graphon", "finished trials", args.db)
    finally:
        store.close()
    bar.close()
    result, figures = _analyse(runs, s)
    result["run"] = _identity(s)
    result["db"] = args.db
    if out_dir is not None:
        result["files"] = _write(out_dir, runs, figures, result)
    if args.json:
        print(json.dumps(result))
    else:
        _print_text(result, figures)
    return 0


def _pairs(d: dict) -> list:
    return [{"width": n, "layer": h, "mean": v[0], "stderr": v[1]} for (n, h), v in d.items()]


def _analyse(runs, s):
    from numerics.graphons import (
        constant_deviation,
        distances_to_reference,
        pruned_ntk_convergence,
        second_moment_gap,
    )
    r = s["resamples"]
    dist = distances_to_reference(runs.estimates(), resamples=r, seed=s["seed"])
    const = constant_deviation(runs, resamples=r, seed=s["seed"])
    gap = second_moment_gap(runs, alpha=s["alpha"])
    conv = pruned_ntk_convergence(runs, alpha=s["alpha"], resamples=r, seed=s["seed"])
    d = s["spec"].description()
    result = {
        "method": d, "depth": runs.depth, "pruned_layers": list(runs.layers),
        "widths": list(runs.widths), "trials": runs.trials, "blocks": runs.blocks,
        "input_dim": runs.input_dim, "seed": runs.seed,
        "distance_to_reference": {
            "reference_width": dist.reference_width, "cut_exact": dist.exact,
            "per_width": [{"width": n, "layer": h, "l1": float(dist.l1[n, h].mean()),
                           "cut_lower": float(dist.cut_lower[n, h].mean()),
                           "cut_upper": float(dist.cut_upper[n, h].mean())}
                          for n in dist.widths for h in dist.layers],
            "rates": {str(h): None if v is None else {"slope": v[0], "ci": list(v[1])}
                      for h, v in dist.rates.items()},
            "level": dist.level,
            "labels": "cut_upper: cut norm of the aligned difference (exact when cut_exact); "
                      "cut_lower: degree-distribution bound; rate fitted to cut_upper"},
        "distance_to_constant": {
            "lower": _pairs(const.lower), "upper": _pairs(const.upper), "exact": const.exact,
            "rates": {str(h): None if v is None else {"slope": v[0], "ci": list(v[1])}
                      for h, v in const.rates.items()}},
        "second_moment": {
            "kept_mean_square": _pairs(gap.m2), "gap": _pairs(gap.gap),
            "gap_noise_only": _pairs(gap.null), "alpha": gap.alpha,
            "selects": {str(h): v for h, v in gap.selects.items()}},
        "entk": {
            "x": list(map(float, runs.x)), "y": list(map(float, runs.y)),
            "mean": [{"width": n, "mean": m, "stderr": e}
                     for n, (m, e) in zip(conv.widths, conv.entk)],
            "versions": {v: {"reference": conv.reference[v],
                             "bias": [list(b) for b in conv.bias[v]], "mad": conv.mad[v],
                             "slope": None if conv.slope[v] is None else
                             {"slope": conv.slope[v][0], "ci": list(conv.slope[v][1])},
                             "intercept": dict(zip(("b0", "stderr", "z", "p"),
                                                   conv.intercept[v])),
                             "verdict": conv.verdict[v]} for v in conv.verdict},
            "alpha": conv.alpha},
    }
    return result, {"dist": dist, "const": const, "gap": gap, "conv": conv}


def _write(out_dir: Path, runs, figures, result) -> list[str]:
    from numerics.graphons import (
        plot_distances,
        plot_histograms,
        plot_ntk_deviation,
        plot_second_moment,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    title = f"{runs.spec.method}, density {runs.spec.description()['density']}"
    files = [str(p) for p in plot_histograms(runs, out_dir / "histograms")]
    files += [str(p) for p in plot_second_moment(runs, out_dir / "second_moment")]
    files += [str(p) for p in plot_distances(figures["dist"], out_dir / "distance_vs_width",
                                             title=title + ": distance to the reference width")]
    files += [str(p) for p in plot_ntk_deviation(figures["conv"], out_dir / "entk_vs_width",
                                                 title=title + ": eNTK vs Graphon NTK")]
    fh = io.StringIO(newline="")
    w = csv.writer(fh)
    w.writerow(("width", "layer", "row_block", "col_block", "density_mean", "density_stderr",
                "second_moment_mean", "second_moment_stderr"))
    for n in runs.widths:
        for h in runs.layers:
            G, V = runs.histograms(n, h), runs.histograms(n, h, second_moment=True)
            gm, gs = G.mean(axis=0), G.std(axis=0, ddof=1) / G.shape[0] ** 0.5
            vm, vs = V.mean(axis=0), V.std(axis=0, ddof=1) / V.shape[0] ** 0.5
            for a in range(gm.shape[0]):
                for b in range(gm.shape[1]):
                    w.writerow((n, h, a, b, repr(float(gm[a, b])), repr(float(gs[a, b])),
                                repr(float(vm[a, b])), repr(float(vs[a, b]))))
    write_atomic(out_dir / "histograms.csv", fh.getvalue())
    files += [str(out_dir / "histograms.csv"), str(out_dir / "results.json")]
    result["files"] = files
    result["histograms"] = {f"{n}/{h}": runs.histograms(n, h).mean(axis=0).tolist()
                            for n in runs.widths for h in runs.layers}
    write_atomic(out_dir / "results.json", json.dumps(result, indent=1))
    del result["histograms"]
    return files


def _print_text(r, f) -> None:
    m = r["method"]
    print(f"method:   {m['method']}, density {m['density']} ({m['scope']}), pruned layers "
          f"{', '.join(map(str, r['pruned_layers']))}, depth {r['depth']}, input dim "
          f"{r['input_dim']}; widths {', '.join(map(str, r['widths']))}; {r['trials']} trials "
          f"each; K = {r['blocks']}; seed {r['seed']}")
    print("-- distance of each trial's estimate to the trial-mean estimate at the largest width")
    print(f["dist"].table())
    print("-- cut distance to the constant graphon of the same density")
    print(f["const"].table())
    print("-- second-moment graphon E[(M.W)^2] against the density graphon (per block, "
          "size-weighted)")
    print(f["gap"].table())
    print("-- eNTK Theta_n(x, y) against the Graphon NTK Gamma of each trial's estimate "
          "(constant: K = 1, the random-mask limit; density: the paper's graphon; second: "
          "the second-moment graphon)")
    print(f["conv"].table())
    for path in r.get("files", []):
        print(f"wrote:    {path}")
