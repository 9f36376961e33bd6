"""``pntk spectrum``: NTK Gram spectra on the digits for dense, random and pruned networks.

Kernels (``--kernel``): ``entk``, the exact empirical NTK of the pruned finite network
(default width 1024, depth 4: the paper's setting), and ``graphon``, the Graphon NTK of
that network's estimated graphon (density version, K blocks).  For every method and
density, ``--seeds`` networks give the metrics' means and standard errors; the trend of
each metric against log(1/density) is tested per method and against random pruning.
"""

from __future__ import annotations

import json
from pathlib import Path

from theory._errors import InvalidArgument

from .._common import interrupted, parse_int, parse_positive
from .._network import ACTIVATIONS
from .._outputs import OVERWRITE_HELP, guard_folder, write_atomic

__all__ = ["add_parser", "run", "OUT_FILES"]

OUT_FILES = tuple(f"{stem}_{k}.{ext}" for stem in ("eigen_decay", "metrics")
                  for k in ("entk", "graphon") for ext in ("png", "pdf")) + \
    ("grams.npz", "results.json")
DEFAULT_METHODS = "random,uniform,erk,magnitude,snip,grasp,synflow"


def add_parser(sub) -> None:
    p = sub.add_parser(
        "spectrum", help="eigenvalue decay, effective rank, gap and top-5 energy of NTK "
                         "Grams of pruned networks on the digits",
        description="For the dense network and every (method, density), prune --seeds "
                    "networks (each its own weights), compute the NTK Gram on the first N "
                    "digits images (unit norm) and its spectrum: power-law decay rate over "
                    "--fit-range, effective rank tr/l_1, gap l_1/l_2, top-5 energy share; "
                    "means and standard errors over seeds; trends against log(1/density) "
                    "tested per method and against random pruning.  --out writes the "
                    "plots, grams.npz (seed 0's Gram of every cell) and results.json; --db "
                    "makes it resumable.")
    p.add_argument("--methods", default=DEFAULT_METHODS, help="pruning methods, comma-separated")
    p.add_argument("--densities", default="0.5,0.3,0.2,0.1,0.05",
                   help="kept fractions in (0, 1], comma-separated")
    p.add_argument("--inputs", default="1024", help="N, the first N digits images (6..1797)")
    p.add_argument("--width", default="1024", help="hidden width of every layer")
    p.add_argument("--depth", default="4", help="hidden layers L")
    p.add_argument("--seeds", default="3", help="networks per cell (>= 2 for standard errors)")
    p.add_argument("--kernel", default="entk",
                   help="entk (the finite pruned network's eNTK), graphon (the Graphon NTK of "
                        "its estimated graphon) or both")
    p.add_argument("--blocks", default="64", help="K of the graphon estimate (--kernel graphon)")
    p.add_argument("--layers", help="pruned layers, comma-separated (default: 2..L+1)")
    p.add_argument("--fit-range", help="k0:k1, 1-based indices of the power-law fit "
                                       "(default: 2:min(N/4, 100))")
    p.add_argument("--activation", default="relu", help=f"one of {', '.join(ACTIVATIONS)}")
    p.add_argument("--seed", default="0", help="seed of the weights and the methods' draws")
    p.add_argument("--alpha", default="0.01", help="false-alarm rate of each trend test")
    p.add_argument("--db", help="SQLite file storing every (cell, seed) (default: in memory)")
    p.add_argument("--out", metavar="DIR", help="folder for the plots, grams.npz and "
                                                "results.json (default: none written)")
    p.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _items(text, argument):
    items = [t for t in str(text).replace(" ", "").split(",") if t]
    if not items or len(set(items)) != len(items):
        raise InvalidArgument(argument, text, "empty or repeated entries",
                              "list each value once, comma-separated")
    return items


def _settings(args) -> dict:
    from numerics.masks import METHODS, check_density

    from .._network import parse_layers
    methods = _items(args.methods, "--methods")
    for m in methods:
        if m not in METHODS:
            raise InvalidArgument("--methods", m, "unknown pruning method",
                                  f"choose from {', '.join(METHODS)}")
    densities = _items(args.densities, "--densities")
    for d in densities:
        check_density(d, "--densities")
    kernel = {"entk": ("entk",), "graphon": ("graphon",), "both": ("entk", "graphon")}.get(
        args.kernel)
    if kernel is None:
        raise InvalidArgument("--kernel", args.kernel, "unknown kernel",
                              "choose entk, graphon or both")
    if args.activation not in ACTIVATIONS:
        raise InvalidArgument("--activation", args.activation, "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    n = parse_int(args.inputs, "--inputs", 6)
    if n > 1797:
        raise InvalidArgument("--inputs", args.inputs, "the digits have 1797 images",
                              "give N <= 1797")
    depth = parse_int(args.depth, "--depth", 1)
    width = parse_int(args.width, "--width", 1)
    blocks = parse_int(args.blocks, "--blocks", 1)
    if "graphon" in kernel and blocks > width:
        raise InvalidArgument("--blocks", args.blocks, f"K is larger than the width {width}",
                              f"use --blocks <= {width}")
    fit = None
    if args.fit_range is not None:
        parts = str(args.fit_range).split(":")
        if len(parts) != 2:
            raise InvalidArgument("--fit-range", args.fit_range, "not of the form k0:k1",
                                  "write e.g. --fit-range 2:100")
        fit = (parse_int(parts[0], "--fit-range", 1), parse_int(parts[1], "--fit-range", 2))
        if not fit[0] < fit[1] <= n:
            raise InvalidArgument("--fit-range", args.fit_range, f"need k0 < k1 <= N = {n}",
                                  "give an index range inside the spectrum")
    alpha = parse_positive(args.alpha, "--alpha")
    if alpha >= 1:
        raise InvalidArgument("--alpha", args.alpha, "a rate must lie in (0, 1)",
                              "give e.g. 0.01")
    return {"methods": methods, "densities": densities, "kernels": kernel, "inputs": n,
            "width": width, "depth": depth, "seeds": parse_int(args.seeds, "--seeds", 1),
            "blocks": blocks, "fit_range": fit, "alpha": alpha,
            "layers": None if args.layers is None else parse_layers(args.layers, "--layers",
                                                                      depth),
            "activation": args.activation, "seed": parse_int(args.seed, "--seed", 0)}


def _identity(s) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in s.items()}


def run(args) -> int:
    import numpy as np

    from numerics import ResultStore
    from numerics.graphons import spectrum_study
    from numerics.masks import digits
    from numerics.sweeps.progress import Progress
    s = _settings(args)
    out_dir = None
    if args.out:
        out_dir = Path(args.out)
        guard_folder(out_dir, OUT_FILES, _identity(s), manifest="results.json",
                     overwrite=args.overwrite)
    X = digits().inputs[:s["inputs"]]
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    cells = 1 + len(s["methods"]) * len(s["densities"])
    bar = Progress(cells * s["seeds"], enabled=not (args.quiet or args.json))
    store = ResultStore(args.db, argument="--db")
    try:
        study = spectrum_study(s["methods"], s["densities"], X, width=s["width"],
                               depth=s["depth"], seeds=s["seeds"], kernels=s["kernels"],
                               blocks=s["blocks"], layers=s["layers"], fit_range=s["fit_range"],
                               activation=s["activation"], seed=s["seed"], store=store,
                               progress=lambda cell, t: bar.advance())
    except KeyboardInterrupt:
        bar.close()
        return interrupted("pntk spectrum", "finished cells", args.db)
    finally:
        store.close()
    bar.close()
    result = _result(study, s)
    if out_dir is not None:
        result["files"] = _write(out_dir, study, result)
    if args.json:
        print(json.dumps(result))
    else:
        _print_text(result)
    return 0


def _result(study, s) -> dict:
    from numerics.graphons import METRICS, spectrum_trends
    cells = []
    for m, d in study.cells:
        for k in study.kernels:
            cells.append({"method": m, "density": d, "kernel": k,
                          **{name: {"mean": v[0], "stderr": v[1]}
                             for name, v in study.summary(m, d, k).items()}})
    trends = {}
    if study.seeds >= 2 and len(s["densities"]) >= 2:
        trends = {k: {metric: spectrum_trends(study, metric, k, alpha=s["alpha"],
                                              reference="random")
                      for metric in METRICS} for k in study.kernels}
    return {"run": _identity(s), "fit_range": list(study.fit_range),
            "kernels": {"entk": f"empirical NTK of the pruned network (width {study.width}, "
                                f"depth {study.depth}, its own kept weights)",
                        "graphon": f"Graphon NTK of the network's estimated graphon (density "
                                   f"version, K = {study.blocks}, one neuron order per layer)"},
            "inputs": f"the first {s['inputs']} digits images, scaled to unit norm",
            "cells": cells, "trends": trends, "files": []}


def _write(out_dir: Path, study, result) -> list[str]:
    import io

    import numpy as np

    from numerics.graphons import plot_eigen_decay, plot_spectral_metrics
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for k in study.kernels:
        files += [str(p) for p in plot_eigen_decay(study, out_dir / f"eigen_decay_{k}", k)]
        files += [str(p) for p in plot_spectral_metrics(study, out_dir / f"metrics_{k}", k)]
    buf = io.BytesIO()
    np.savez(buf, **{f"{k}/{m}/{d}": g for (m, d, k), g in study.grams.items()})
    write_atomic(out_dir / "grams.npz", buf.getvalue())
    files += [str(out_dir / "grams.npz"), str(out_dir / "results.json")]
    result["files"] = files
    write_atomic(out_dir / "results.json", json.dumps(result, indent=1))
    return files


def _print_text(r) -> None:
    run = r["run"]
    print(f"inputs:   {r['inputs']}; width {run['width']}, depth {run['depth']}, "
          f"{run['seeds']} seeds per cell; decay fitted over k = {r['fit_range'][0]}.."
          f"{r['fit_range'][1]}")
    for k in run["kernels"]:
        print(f"kernel {k}: {r['kernels'][k]}")
        print(f"{'method':>10} {'density':>7} {'decay':>14} {'eff. rank':>14} {'gap':>14} "
              f"{'top-5 share':>16}")
        for c in r["cells"]:
            if c["kernel"] != k:
                continue
            vals = " ".join(f"{c[m]['mean']:>8.4g}+-{c[m]['stderr']:<6.2g}"
                            for m in ("decay", "effective_rank", "gap", "top5"))
            print(f"{c['method']:>10} {c['density']:>7} {vals}")
        for metric, t in r["trends"].get(k, {}).items():
            parts = []
            for m, f in t["methods"].items():
                vs = f.get("vs_reference")
                extra = "" if vs is None else \
                    f", vs random {vs['difference']:+.3g} (p {vs['p']:.2g})"
                parts.append(f"{m} {f['slope']:+.3g}+-{f['stderr']:.2g}"
                             f"{' up' if f['increases'] else ''}{extra}")
            print(f"  trend of {metric} per unit log(1/density) (alpha {t['alpha']:g}; 'up': "
                  f"increases with sparsity): " + "; ".join(parts))
    for path in r["files"]:
        print(f"wrote:    {path}")
