"""``pntk verify``: check every registered claim, print a table, write the report.

DIR (``--out``, default ``pntk-report``) receives ``report.md`` (figures embedded
by relative path), ``report.json``, ``formulas.tex``, ``figures/`` and
``trials.sqlite`` (every Monte Carlo trial, committed as it finishes: an
interrupted run loses nothing, and rerunning the same command computes only the
missing trials).  Exit status 0 when no claim is refuted, 1 when one is, 2 on bad
input.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

from theory._errors import InvalidArgument

from ...budgets import budget
from .._common import WORKERS_HELP, parse_int, parse_workers
from .._outputs import OVERWRITE_HELP, guard_folder
from ..limit.derive import _compile

__all__ = ["add_parser", "run"]

def add_parser(sub) -> None:
    p = sub.add_parser(
        "verify", help="check every registered claim (C1-C5, C3-dense) and write a report",
        description="Run every registered claim's symbolic and numeric checks, print a table "
                    "(claim, verdict, key evidence) and write report.md, report.json, "
                    "formulas.tex and figures into DIR.  Exit status: 0 when no claim is "
                    "refuted, 1 when one is, 2 on bad input.  Monte Carlo trials are kept in "
                    "DIR/trials.sqlite, so an interrupted run resumes where it stopped.")
    p.add_argument("--budget", default="quick",
                   help="quick (default; about 35 s on 2 cores), standard (about 5 min) or "
                        "thorough (about 25 min): the sizes of the numeric checks")
    p.add_argument("--out", default="pntk-report", metavar="DIR",
                   help="output folder (default pntk-report; created if missing)")
    p.add_argument("--device", default="cpu",
                   help="cpu (default) or gpu: compute empirical NTKs with CuPy on a CUDA GPU")
    p.add_argument("--seed", default="0", help="base seed of every random check (default 0)")
    p.add_argument("--only", metavar="IDS", help="comma-separated claim ids, e.g. C1,C3 "
                                                 "(default: every claim)")
    p.add_argument("--workers", default="auto", help=WORKERS_HELP)
    p.add_argument("--pdf", action="store_true", help="also compile formulas.tex with pdflatex")
    p.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP + " (rerunning "
                   "the same --budget, --seed, --device and claims resumes without it)")
    p.add_argument("--json", action="store_true",
                   help="print report.json to stdout instead of the table")
    p.set_defaults(run=run)

def _out_dir(text: str) -> Path:
    out = Path(text)
    if out.exists() and not out.is_dir():
        raise InvalidArgument("--out", text, "exists and is not a folder",
                              "give a folder path (it is created if missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidArgument("--out", text, f"cannot create it ({exc.strerror})",
                              "give a writable folder path") from None
    return out

def _progress(stream):
    def start(i, total, claim):
        from theory.plaintext import plain_text

        print(f"[{i}/{total}] {claim.id}: {plain_text(claim.title)} ...", file=stream,
              flush=True)

    def done(i, total, result):
        print(f"[{i}/{total}] {result.claim_id}: {result.verdict.value} "
              f"({result.seconds:.1f} s)", file=stream, flush=True)
    return start, done

def _recorded_run(doc: dict) -> dict:
    """The settings a report.json was written with (see :func:`run`)."""
    return {"budget": doc.get("budget"), "seed": doc.get("seed"), "device": doc.get("device"),
            "claims": [c.get("id") for c in doc.get("claims", []) if isinstance(c, dict)]}


def run(args) -> int:
    from numerics import ResultStore
    from numerics.backend.devices import device_backend

    from ...claim import Context
    from ...formulas import formulas_tex
    from ...report import format_table, write_report
    from ...verification import exit_code, select_claims, verify
    chosen = budget(args.budget, "--budget")
    seed = parse_int(args.seed, "--seed", 0)
    workers = parse_workers(args.workers)
    only = None if args.only is None else args.only.split(",")
    claims = select_claims(only)             # bad ids fail before any work
    backend = device_backend(args.device)
    this_run = {"budget": chosen.name, "seed": seed, "device": args.device,
                "claims": [c.id for c in claims]}
    guard_folder(args.out, ["report.md", "report.json", "formulas.tex"], this_run,
                 manifest="report.json", read_run=_recorded_run, overwrite=args.overwrite)
    out = _out_dir(args.out)
    command = "pntk verify " + " ".join(shlex.quote(a) for a in sys.argv[2:]) \
        if len(sys.argv) > 1 and sys.argv[1] == "verify" else \
        f"pntk verify --budget {chosen.name} --seed {seed}"
    started = time.perf_counter()
    on_start, on_done = _progress(sys.stderr)
    store = ResultStore(out / "trials.sqlite")
    try:
        context = Context(budget=chosen, seed=seed, device=args.device, backend=backend,
                          out=out, workers=workers, progress="auto", store=store)
        try:
            results = verify(context, only=only, on_start=on_start, on_done=on_done)
        except KeyboardInterrupt:
            print(f"pntk: interrupted; finished trials are kept in {out / 'trials.sqlite'}: "
                  "rerun the same command to resume", file=sys.stderr)
            return 130
    finally:
        store.close()
    elapsed = time.perf_counter() - started
    tex = formulas_tex(results)
    files = write_report(results, out, budget=chosen.name, seed=seed, device=args.device,
                         elapsed=elapsed, command=command, formulas_tex=tex)
    if args.pdf:
        _compile(Path(files.formulas))
    if args.json:
        print(json.dumps(json.loads(Path(files.json).read_text()), indent=2))
    else:
        print(format_table(results))
        print(f"report: {Path(files.markdown)}  ({elapsed:.0f} s, budget {chosen.name}, "
              f"seed {seed})")
    return exit_code(results)
