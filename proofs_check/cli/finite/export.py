"""``pntk export``: stored Monte Carlo trials of a results database as CSV and/or JSON."""

from __future__ import annotations

from pathlib import Path

from theory._errors import InvalidArgument

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "export", help="write the trials stored in a results database as CSV and/or JSON",
        description="Export the trials that pntk simulate / pntk scaling stored with --db: "
                    "every run of the database, or one with --run.  With one run, --csv and "
                    "--json are the file names; with several, each run gets its own file, the "
                    "first 12 characters of its key inserted before the suffix "
                    "(OUT.<key>.csv).  Without --csv and --json, list the runs.")
    p.add_argument("--db", required=True, help="SQLite results database (written with --db)")
    p.add_argument("--csv", help="CSV file to write (trial, values, finished time; floats "
                                 "in repr form, exact; default: none)")
    p.add_argument("--json", help="JSON file to write (run description and trials; default: "
                                  "none)")
    p.add_argument("--run", metavar="KEY", dest="run_key",
                   help="export only this run: its key, or a unique prefix of it (>= 6 "
                        "characters; default: every run)")
    p.set_defaults(run=run)


def _open(path: str):
    from numerics import ResultStore
    p = Path(path)
    if not p.exists():
        raise InvalidArgument("--db", path, "no such file",
                              "give a database written by pntk simulate or pntk scaling --db")
    if p.is_file() and p.stat().st_size == 0:     # SQLite would take it as a new database
        raise InvalidArgument("--db", path, "is an empty file, not a pruned-ntk results "
                              "database", "give a database written by pntk simulate or "
                              "pntk scaling --db")
    return ResultStore(path, argument="--db")


def _select(keys: list[str], wanted: str | None, db: str) -> list[str]:
    if not keys:
        raise InvalidArgument("--db", db, "holds no runs",
                              "run pntk simulate or pntk scaling with --db FILE first")
    if wanted is None:
        return keys
    text = wanted.strip().lower()
    if len(text) < 6:
        raise InvalidArgument("--run", wanted, "too short to identify a run",
                              "give the run key (pntk export --db FILE lists them), or at "
                              "least its first 6 characters")
    found = [k for k in keys if k.startswith(text)]
    if not found:
        raise InvalidArgument("--run", wanted, f"no such run in {db}",
                              "pick a key that pntk export --db FILE lists")
    if len(found) > 1:
        raise InvalidArgument("--run", wanted, f"matches {len(found)} runs",
                              "give more characters of the key")
    return found


def _target(path: str, key: str, several: bool) -> Path:
    p = Path(path)
    return p.with_name(f"{p.stem}.{key[:12]}{p.suffix}") if several else p


def _write(method, key: str, path: Path, argument: str, given: str) -> int:
    if path.is_dir():
        raise InvalidArgument(argument, given, "is a directory", "give a file name")
    try:
        return method(key, path)
    except OSError as exc:
        raise InvalidArgument(argument, given, f"cannot be written ({exc.strerror or exc})",
                              "give a path in an existing, writable directory") from None


def _listing(store, keys: list[str]) -> None:
    for key in keys:
        d = store.run_description(key) or {}
        n = len(store.done_trials(key))
        what = (f"depth {d.get('depth')}, widths {d.get('widths')}, keep_probs "
                f"{d.get('keep_probs')}, {d.get('activation')}, "
                f"{'rescaled' if d.get('rescale') else 'plain'}, seed {d.get('seed')}")
        if "backend" in d:
            what += f", backend {d['backend']}"
        print(f"{key}  {n} trials  {what}")


def run(args) -> int:
    store = _open(args.db)
    try:
        keys = _select(store.run_keys(), args.run_key, args.db)
        if args.csv is None and args.json is None:
            _listing(store, keys)
            return 0
        several = len(keys) > 1
        for key in keys:
            for given, method, argument in ((args.csv, store.export_csv, "--csv"),
                                            (args.json, store.export_json, "--json")):
                if given is None:
                    continue
                path = _target(given, key, several)
                rows = _write(method, key, path, argument, given)
                print(f"wrote: {path} ({rows} trials of run {key[:12]})")
    finally:
        store.close()
    return 0
