"""Sweeps: bitwise reproducibility over workers, resume, SIGKILL recovery, the store's checks."""

import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import numerics.sweeps.sweep as sweep_mod
from numerics import Progress, ResultStore, SweepConfig, check_memory, run_sweep
from theory import Architecture, InvalidArgument, limit_kernel

X, Y = [1.0, 0.5, -0.3], [0.2, -1.0, 0.7]
SMALL = SweepConfig(Architecture.pruned(2, "0.5", prune_first_layer=True), 32, X, Y, seed=5)


def _same(a, b):
    return all(np.array_equal(getattr(a, f), getattr(b, f)) and
               getattr(a, f).tobytes() == getattr(b, f).tobytes()
               for f in ("theta_xy", "theta_xx", "theta_yy"))


def test_one_and_two_workers_give_the_same_bits():
    one = run_sweep(SMALL, 8, workers=1, progress=False)
    two = run_sweep(SMALL, 8, workers=2, progress=False)
    assert _same(one, two) and one.computed == two.computed == 8
    assert len(set(one.theta_xy.tolist())) == 8          # really different networks


def test_resume_computes_only_the_missing_trials(monkeypatch):
    calls = []
    real = sweep_mod.trial_values
    monkeypatch.setattr(sweep_mod, "trial_values", lambda c, t: calls.append(t) or real(c, t))
    with ResultStore() as store:
        first = run_sweep(SMALL, 5, store=store, progress=False)
        assert first.computed == 5 and calls == [0, 1, 2, 3, 4]
        calls.clear()
        again = run_sweep(SMALL, 9, store=store, progress=False)
        assert again.computed == 4 and calls == [5, 6, 7, 8]
        calls.clear()
        run_sweep(SMALL, 9, store=store, progress=False)
        assert calls == []
    fresh = run_sweep(SMALL, 9, progress=False)
    assert _same(again, fresh)


_CHILD = textwrap.dedent("""
    import sys
    from numerics import ResultStore, SweepConfig, run_sweep
    from theory import Architecture
    cfg = SweepConfig(Architecture.pruned(2, "0.5"), {width}, {x}, {y}, seed=9)
    run_sweep(cfg, 100000, store=ResultStore(sys.argv[1]), progress=False)
""")


def test_sigkill_loses_nothing_committed_and_a_rerun_completes(tmp_path):
    width, total = 512, 40
    cfg = SweepConfig(Architecture.pruned(2, "0.5"), width, X, Y, seed=9)
    db = tmp_path / "runs.db"
    child = subprocess.Popen([sys.executable, "-c", _CHILD.format(width=width, x=X, y=Y), db])
    try:
        stored, deadline = 0, time.monotonic() + 60
        while stored < 5 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.01)
            if db.exists():
                try:
                    with sqlite3.connect(db) as con:
                        stored = con.execute("SELECT count(*) FROM trials").fetchone()[0]
                except sqlite3.Error:
                    stored = 0
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    with ResultStore(db) as store:
        kept = store.done_trials(cfg.key)
        assert 5 <= len(kept) < total and kept == list(range(len(kept)))
        resumed = run_sweep(cfg, total, store=store, progress=False)
    assert resumed.computed == total - len(kept)
    assert _same(resumed, run_sweep(cfg, total, progress=False))


def test_incompatible_databases_are_refused(tmp_path):
    old = tmp_path / "old.db"
    ResultStore(old).close()
    with sqlite3.connect(old) as con:
        con.execute("UPDATE meta SET value='0' WHERE name='format_version'")
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as con:
        con.execute("CREATE TABLE t (a)")
    text = tmp_path / "notes.txt"
    text.write_text("not a database, just some text " * 100)
    for path, words in ((old, "format 0"), (foreign, "not a pruned-ntk"), (text, "not a usable")):
        with pytest.raises(InvalidArgument) as err:
            ResultStore(path)
        assert err.value.argument == "--db" and err.value.value == str(path)
        assert words in str(err.value)
    clash = tmp_path / "clash.db"
    with ResultStore(clash) as store:
        store.ensure_run(SMALL.key, {"something": "else"}, "test")
        with pytest.raises(InvalidArgument, match="another configuration"):
            run_sweep(SMALL, 3, store=store, progress=False)


def test_the_sweep_mean_agrees_with_the_limit_kernel():
    # Width 256, depth 2: the finite-width bias of E[Theta_n] was measured at
    # -0.0013 +- 0.0011 (1500 trials), under half the stderr of 200 trials (0.0029);
    # |mean - limit| <= 4.5 stderr fails by chance with probability ~2e-5 (7e-6 without bias).
    arch = Architecture.pruned(2, "0.5")
    res = run_sweep(SweepConfig(arch, 256, X, Y, seed=7), 200, progress=False)
    limit = limit_kernel(arch, [X], [Y]).ntk[0, 0]
    stderr = res.theta_xy.std(ddof=1) / np.sqrt(200)
    assert abs(res.theta_xy.mean() - limit) <= 4.5 * stderr
    # and the diagonal entries against theirs
    lx = limit_kernel(arch, [X]).ntk[0, 0]
    assert abs(res.theta_xx.mean() - lx) <= 4.5 * res.theta_xx.std(ddof=1) / np.sqrt(200)


def test_memory_refusal_and_argument_checks():
    big = SweepConfig(Architecture.pruned(2, "0.5"), 1 << 20, X, Y)
    with pytest.raises(InvalidArgument) as err:
        check_memory(big, 1, argument="--width")
    assert err.value.argument == "--width" and "GiB" in err.value.problem
    with pytest.raises(InvalidArgument) as err:
        run_sweep(SMALL, 4, workers=2, memory_limit=1000, progress=False)
    assert err.value.argument == "widths"
    for kwargs, arg in ((dict(workers=0), "workers"), (dict(trials=0), "trials")):
        with pytest.raises(InvalidArgument) as err:
            run_sweep(SMALL, **{"trials": 3, **kwargs}, progress=False)
        assert err.value.argument == arg
    with pytest.raises(InvalidArgument) as err:
        SweepConfig(SMALL.arch, 0, X, Y)
    assert err.value.argument == "widths"
    with pytest.raises(InvalidArgument) as err:
        SweepConfig(SMALL.arch, 8, X, [1.0, 2.0])
    assert err.value.argument == "y"


def test_export_and_plain_progress_lines(tmp_path):
    out = io.StringIO()
    with ResultStore(tmp_path / "r.db") as store:
        res = run_sweep(SMALL, 4, store=store, progress=Progress(4, stream=out, interval=0.0))
        assert store.export_csv(SMALL.key, tmp_path / "r.csv") == 4
        assert store.export_json(SMALL.key, tmp_path / "r.json") == 4
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 and lines[-1].startswith("4/4 trials") and "\r" not in out.getvalue()
    rows = (tmp_path / "r.csv").read_text().splitlines()
    assert rows[0].startswith("trial,theta_xy") and float(rows[2].split(",")[1]) == res.theta_xy[1]
    import json
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["description"] == SMALL.description() and doc["trials"][3][1] == res.theta_xy[3]
