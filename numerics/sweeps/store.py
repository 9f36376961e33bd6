"""An embedded SQLite store of Monte Carlo trials, written one trial at a time.

Two tables: ``runs`` (a configuration key, its JSON description, the code and
format versions) and ``trials`` (run key, trial index, the values as REAL
columns - float64 round-trips bitwise - and a timestamp; primary key
(run, trial)).  Trials whose result is a set of arrays (a graphon histogram per
layer, a spectrum) go to a third table, ``trial_arrays`` (run key, trial, the
arrays as one ``.npz`` blob), created the first time such a trial is stored
(:meth:`ResultStore.add_arrays`); databases without it read as before.  The database runs in WAL mode with ``synchronous=NORMAL``:
every :meth:`ResultStore.add_trial` is its own committed transaction, which
survives the writing process being killed (SIGKILL loses only trials that were
still being computed), and readers never block the writer.

A database is recognised by its SQLite ``application_id`` and a format version
in table ``meta``; any other file is refused with
:class:`~theory.InvalidArgument` naming ``--db``, the path and the fix.

>>> with ResultStore() as store:               # in memory
...     store.ensure_run("k", {"width": 8}, code_version="test")
...     store.add_trial("k", 1, (2.0, 1.0, 3.0))
...     store.add_trial("k", 0, (0.5, 1.5, 2.5))
...     store.done_trials("k"), store.values("k")[0]
([0, 1], (0.5, 1.5, 2.5))
"""

from __future__ import annotations

import csv
import json
import sqlite3
import time
from pathlib import Path

from theory._errors import InvalidArgument

__all__ = ["ResultStore", "FORMAT_VERSION", "VALUE_COLUMNS", "APPLICATION_ID"]

FORMAT_VERSION = 1
APPLICATION_ID = 0x504E544B          # "PNTK"
VALUE_COLUMNS = ("theta_xy", "theta_xx", "theta_yy")

_SCHEMA = f"""
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    run_key TEXT PRIMARY KEY, description TEXT NOT NULL, code_version TEXT NOT NULL,
    format_version INTEGER NOT NULL, created REAL NOT NULL);
CREATE TABLE trials (
    run_key TEXT NOT NULL REFERENCES runs(run_key), trial INTEGER NOT NULL,
    {", ".join(f"{c} REAL NOT NULL" for c in VALUE_COLUMNS)}, finished REAL NOT NULL,
    PRIMARY KEY (run_key, trial)) WITHOUT ROWID;
"""


class ResultStore:
    """Runs and their trials in one SQLite file (``path=None``: in memory).

    ``argument`` is the name error messages give the path (``--db`` on the
    command line).  Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: str | Path | None = None, *, argument: str = "--db"):
        self.path = None if path is None else str(path)
        self._argument = argument
        if self.path is not None and Path(self.path).is_dir():
            self._refuse("is a directory", "give a file path for the results database")
        try:
            self._db = sqlite3.connect(":memory:" if path is None else self.path,
                                       isolation_level=None, timeout=30.0)
        except sqlite3.Error as exc:
            self._refuse(f"cannot be opened ({exc})", "give a writable file path")
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            self._refuse(f"is not a usable SQLite database ({exc})",
                         "give a new file name, or a database written by pntk simulate")
        except InvalidArgument:
            self._db.close()
            raise

    def _refuse(self, problem: str, fix: str):
        raise InvalidArgument(self._argument, self.path, problem, fix)

    def _open(self) -> None:
        db = self._db
        app = db.execute("PRAGMA application_id").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app == 0 and tables == 0:
            if self.path is not None:
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.strip().split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('format_version', ?)", (str(FORMAT_VERSION),))
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("COMMIT")
        elif app != APPLICATION_ID:
            self._refuse("is not a pruned-ntk results database",
                         "give a new file name, or a database written by pntk simulate")
        else:
            row = db.execute("SELECT value FROM meta WHERE name='format_version'").fetchone()
            found = None if row is None else row[0]
            if found != str(FORMAT_VERSION):
                self._refuse(f"was written in results format {found}, this version reads "
                             f"format {FORMAT_VERSION}",
                             "give a new --db file (or rerun the old sweep with the version "
                             "that wrote it)")
            if self.path is not None:
                db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")

    # ------------------------------------------------------------------ runs
    def ensure_run(self, key: str, description: dict, code_version: str) -> None:
        """Record run ``key`` or check that the stored one has the same description.

        A stored run whose description differs (another configuration under the
        same key) is refused; the code version is recorded for information.
        """
        text = json.dumps(description, sort_keys=True, separators=(",", ":"))
        row = self._db.execute("SELECT description FROM runs WHERE run_key=?", (key,)).fetchone()
        if row is None:
            self._db.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?)",
                             (key, text, str(code_version), FORMAT_VERSION, time.time()))
        elif row[0] != text:
            self._refuse(f"holds run {key[:12]} with another configuration",
                         "give a new --db file for this sweep")

    def run_description(self, key: str) -> dict | None:
        """The JSON description stored for run ``key`` (None if there is none)."""
        row = self._db.execute("SELECT description FROM runs WHERE run_key=?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    # ------------------------------------------------------------------ trials
    def add_trial(self, key: str, trial: int, values) -> None:
        """Store (and commit) one trial's values, in the order of ``VALUE_COLUMNS``.

        Storing a trial twice keeps the first values (trials are deterministic).
        """
        vals = tuple(float(v) for v in values)
        if len(vals) != len(VALUE_COLUMNS):
            raise InvalidArgument("values", values, f"need {len(VALUE_COLUMNS)} values",
                                  f"pass {', '.join(VALUE_COLUMNS)}")
        holes = ", ".join("?" * (len(vals) + 3))
        self._db.execute(f"INSERT OR IGNORE INTO trials VALUES ({holes})",
                         (key, int(trial), *vals, time.time()))

    def run_keys(self) -> list[str]:
        """Keys of the stored runs, oldest first."""
        rows = self._db.execute("SELECT run_key FROM runs ORDER BY created, run_key")
        return [row[0] for row in rows]

    def done_trials(self, key: str) -> list[int]:
        """Indices of the stored trials of run ``key``, ascending."""
        rows = self._db.execute("SELECT trial FROM trials WHERE run_key=? ORDER BY trial", (key,))
        return [r[0] for r in rows]

    def values(self, key: str, trials=None) -> dict[int, tuple[float, ...]]:
        """trial -> values of run ``key`` (all stored trials, or those in ``trials``)."""
        cols = ", ".join(VALUE_COLUMNS)
        rows = self._db.execute(f"SELECT trial, {cols} FROM trials WHERE run_key=? "
                                "ORDER BY trial", (key,))
        wanted = None if trials is None else set(trials)
        return {r[0]: tuple(r[1:]) for r in rows if wanted is None or r[0] in wanted}

    # ------------------------------------------------------------------ array trials
    _ARRAYS = ("CREATE TABLE IF NOT EXISTS trial_arrays (run_key TEXT NOT NULL "
               "REFERENCES runs(run_key), trial INTEGER NOT NULL, arrays BLOB NOT NULL, "
               "finished REAL NOT NULL, PRIMARY KEY (run_key, trial)) WITHOUT ROWID")

    def _has_arrays(self) -> bool:
        return self._db.execute("SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                                "name='trial_arrays'").fetchone()[0] > 0

    def add_arrays(self, key: str, trial: int, arrays: dict) -> None:
        """Store (and commit) one trial whose result is named arrays (float64 round-trips
        bitwise).  Storing a trial twice keeps the first arrays.

        >>> import numpy as np
        >>> with ResultStore() as store:
        ...     store.ensure_run("h", {"kind": "histograms"}, code_version="test")
        ...     store.add_arrays("h", 0, {"G2": np.eye(2)})
        ...     store.done_array_trials("h"), store.arrays("h")[0]["G2"].tolist()
        ([0], [[1.0, 0.0], [0.0, 1.0]])
        """
        import io

        import numpy as np
        buf = io.BytesIO()
        np.savez(buf, **{str(k): np.asarray(v) for k, v in arrays.items()})
        self._db.execute(self._ARRAYS)
        self._db.execute("INSERT OR IGNORE INTO trial_arrays VALUES (?, ?, ?, ?)",
                         (key, int(trial), buf.getvalue(), time.time()))

    def done_array_trials(self, key: str) -> list[int]:
        """Indices of the stored array trials of run ``key``, ascending."""
        if not self._has_arrays():
            return []
        rows = self._db.execute("SELECT trial FROM trial_arrays WHERE run_key=? ORDER BY trial",
                                (key,))
        return [r[0] for r in rows]

    def arrays(self, key: str, trials=None) -> dict[int, dict]:
        """trial -> {name: array} of run ``key`` (all stored array trials, or ``trials``)."""
        import io

        import numpy as np
        if not self._has_arrays():
            return {}
        wanted = None if trials is None else set(trials)
        out = {}
        for t, blob in self._db.execute("SELECT trial, arrays FROM trial_arrays WHERE "
                                        "run_key=? ORDER BY trial", (key,)):
            if wanted is None or t in wanted:
                with np.load(io.BytesIO(blob), allow_pickle=False) as data:
                    out[t] = {name: data[name] for name in data.files}
        return out

    # ------------------------------------------------------------------ export
    def _rows(self, key: str):
        cols = ", ".join(VALUE_COLUMNS)
        return self._db.execute(f"SELECT trial, {cols}, finished FROM trials WHERE run_key=? "
                                "ORDER BY trial", (key,)).fetchall()

    def export_csv(self, key: str, path: str | Path) -> int:
        """Write run ``key``'s trials as CSV (header line; floats in repr form); returns rows."""
        rows = self._rows(key)
        with open(path, "w", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(("trial", *VALUE_COLUMNS, "finished"))
            out.writerows((r[0], *(repr(v) for v in r[1:])) for r in rows)
        return len(rows)

    def export_json(self, key: str, path: str | Path) -> int:
        """Write run ``key`` (description and trials) as one JSON object; returns rows."""
        rows = self._rows(key)
        doc = {"run_key": key, "format_version": FORMAT_VERSION,
               "description": self.run_description(key),
               "columns": ["trial", *VALUE_COLUMNS, "finished"],
               "trials": [list(r) for r in rows]}
        Path(path).write_text(json.dumps(doc))
        return len(rows)

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
