"""``pntk experiment NAME``: the authors' three experiments with a plot, a CSV and a verdict.

NAME is one of width-convergence (A), sparsity-scaling (B) or all-layers (C); see
:mod:`numerics.experiments.runs` for what each runs and the rule of its verdict, and
``pntk experiment NAME --help`` for its grid.  DIR (default ``pntk-experiments``)
receives ``NAME.png``, ``NAME.pdf``, ``NAME.csv``, ``NAME.verdict.txt`` and
``NAME.json``: the three experiments can share one folder, and files left by a run of
the same experiment with other settings are not replaced without ``--overwrite``.  The
verdict is printed.  ``--quick`` runs a small grid (seconds); the default grid is the
full one (minutes; resumable with --db).
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from pathlib import Path

from numerics.experiments.grids import EXPERIMENT_NAMES, describe_grid

from .._common import WORKERS_HELP, interrupted, parse_int, parse_workers
from .._compute import add_arguments as add_compute_arguments
from .._compute import compute_target
from .._outputs import OVERWRITE_HELP, guard_folder, write_atomic

__all__ = ["add_parser", "run"]


_SHORT = {"width-convergence": "(A) NTK estimate against width, dense and rescaled pruned",
          "sparsity-scaling": "(B) deviation against prune_prob for three width schedules",
          "all-layers": "(C) every layer pruned: exact mask-averaged vs mean-field limit"}


def add_parser(sub) -> None:
    p = sub.add_parser(
        "experiment", help="run one of the authors' three experiments (plot, CSV, verdict)",
        description="Reproduce an experiment: width-convergence (NTK estimate against width, "
                    "dense and rescaled pruned model, against the limit), sparsity-scaling "
                    "(deviation against prune_prob for widths n0/sqrt(q), n0/q, n0/q^2) or "
                    "all-layers (every layer pruned: exact mask-averaged limit against the "
                    "mean-field one).  Writes NAME.png, NAME.pdf, NAME.csv, NAME.verdict.txt "
                    "and NAME.json into DIR and prints the verdict.  'pntk experiment NAME "
                    "--help' shows its grid.  With --db FILE a rerun resumes.")
    names = p.add_subparsers(dest="name", metavar="NAME", parser_class=type(p))
    names.required = True
    for name in EXPERIMENT_NAMES:
        e = names.add_parser(name, help=_SHORT[name], description=describe_grid(name))
        _arguments(e)
        e.set_defaults(run=run)


def _arguments(p) -> None:
    p.add_argument("--out", default="pntk-experiments", metavar="DIR",
                   help="output folder (created if missing; the three experiments can share "
                        "it)")
    p.add_argument("--trials", help="networks per cell (>= 2; default: the grid's, see above)")
    p.add_argument("--seed", default="0", help="seed of the networks (>= 0)")
    p.add_argument("--db", help="SQLite file storing the trials (default: in memory, no resume)")
    p.add_argument("--workers", default="auto", help=WORKERS_HELP)
    add_compute_arguments(p)
    p.add_argument("--quick", action="store_true",
                   help="small grid that finishes in seconds (for tests and a first look)")
    p.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true", help="print NAME.json instead of the verdict")


def files_of(name: str) -> tuple[str, ...]:
    """The files one experiment writes into its folder (the manifest NAME.json last)."""
    return (f"{name}.png", f"{name}.pdf", f"{name}.csv", f"{name}.verdict.txt", f"{name}.json")


def _settings(args) -> dict:
    out = Path(args.out)
    s = {"trials": None if args.trials is None else parse_int(args.trials, "--trials", 2),
         "seed": parse_int(args.seed, "--seed", 0),
         "workers": parse_workers(args.workers), "out": out}
    s["run"] = {"experiment": args.name, "trials": s["trials"], "seed": s["seed"],
                "quick": bool(args.quick), "device": args.device}
    guard_folder(out, files_of(args.name), s["run"], manifest=f"{args.name}.json",
                 overwrite=args.overwrite)
    return s


def _series_rows(series, lines: dict) -> list[dict]:
    rows = []
    for s in series:
        for i, n in enumerate(s.widths):
            mean, se, lo, hi = s.summary(i)
            row = {"model": s.label, "keep_prob": str(s.keep_prob), "width": n,
                   "trials": int(s.theta[i].size), "mean": mean, "stderr": se,
                   "ci_lo": lo, "ci_hi": hi}
            for name, value in lines.items():
                row[name] = value
                row[f"mean_abs_dev_{name}"] = s.abs_dev(value, i)[0]
            rows.append(row)
    return rows


def _rows(r) -> list[dict]:
    from numerics.experiments.runs import SCHEDULE_LABELS, AllLayers, WidthConvergence
    if isinstance(r, WidthConvergence):
        return _series_rows(r.series, {"limit": r.limit})
    if isinstance(r, AllLayers):
        return _series_rows(r.series, {"exact_limit": r.exact_limit,
                                       "mean_field_limit": r.mean_field_limit})
    return [{"schedule": SCHEDULE_LABELS[s.name], "prune_prob": str(a),
             "keep_prob": str(1 - a), "width": n, "trials": r.trials, "mean_rel_dev": m,
             "stderr": se, "limit": r.limit}
            for s in r.schedules
            for a, n, m, se in zip(s.prune_probs, s.widths, s.mean_rel_dev, s.stderr)]


def _num(v):
    return None if isinstance(v, float) and not math.isfinite(v) else v


def _summary(name: str, r, seconds: float) -> dict:
    from numerics.experiments.runs import AllLayers, SparsityScaling, WidthConvergence
    d = {"experiment": name, "depth": r.depth, "x": list(r.x), "y": list(r.y),
         "trials": r.trials, "seed": r.seed, "computed": r.computed, "seconds": seconds,
         "verdict": r.verdict}
    if isinstance(r, WidthConvergence):
        d.update(limit=r.limit, converges=r.converges,
                 z_at_largest_width={s.label: _num(s.z(r.limit)) for s in r.series},
                 deviation_slope={s.label: s.dev_slope(r.limit)[0] for s in r.series})
    elif isinstance(r, AllLayers):
        d.update(exact_limit=r.exact_limit, mean_field_limit=r.mean_field_limit,
                 z_exact=_num(r.z_exact), z_mean_field=_num(r.z_mean_field),
                 converges_to=r.converges_to)
    elif isinstance(r, SparsityScaling):
        d.update(limit=r.limit, base_width=r.base_width, flat=list(r.flat),
                 schedules={s.name: {"shape": s.shape, "slope_vs_inv_q": s.slope,
                                     "slope_ci": list(s.slope_ci),
                                     "z_vs_prune_prob_0": [_num(z) for z in s.z_vs_dense]}
                            for s in r.schedules})
    return d


def _write(out: Path, name: str, r, summary: dict) -> list[str]:
    from numerics.experiments.plots import plot
    out.mkdir(parents=True, exist_ok=True)
    files = [str(p) for p in plot(r, out / name)]
    rows = _rows(r)
    _, _, data, verdict, manifest = (out / f for f in files_of(name))
    fh = io.StringIO(newline="")
    w = csv.DictWriter(fh, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows({k: repr(v) if isinstance(v, float) else v for k, v in row.items()}
                for row in rows)
    write_atomic(data, fh.getvalue())
    write_atomic(verdict, r.verdict + "\n")
    files += [str(data), str(verdict), str(manifest)]
    summary["files"] = files
    write_atomic(manifest, json.dumps(summary, indent=1))
    return files


def run(args) -> int:
    from numerics import ResultStore
    from numerics.experiments.runs import EXPERIMENTS
    s = _settings(args)
    t0 = time.monotonic()
    with compute_target(args) as (backend, client):
        store = ResultStore(args.db, argument="--db")
        try:
            r = EXPERIMENTS[args.name](trials=s["trials"], seed=s["seed"], store=store,
                                       workers=s["workers"], quick=bool(args.quick),
                                       progress=not (args.quiet or args.json),
                                       backend=backend, scheduler=client)
        except KeyboardInterrupt:
            return interrupted("pntk experiment", "finished trials", args.db)
        finally:
            store.close()
    summary = _summary(args.name, r, time.monotonic() - t0)
    summary["run"] = s["run"]
    files = _write(s["out"], args.name, r, summary)
    if args.json:
        print(json.dumps(summary))
    else:
        print(r.verdict)
        for path in files:
            print(f"wrote: {path}")
    return 0
