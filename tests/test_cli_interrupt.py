"""Ctrl-C during a long command: one line on stderr saying where the finished work is,
exit status 130, and (with --db) the finished trials kept for a rerun."""

from __future__ import annotations

import pytest

import numerics
import proofs_check.cli as cli
from proofs_check.cli._common import EXIT_INTERRUPTED, interrupted


@pytest.mark.parametrize("db,where", [(None, "lost (no --db)"),
                                      ("t.sqlite", "kept in t.sqlite; rerun to resume")])
def test_interrupted_says_where_the_work_is(capsys, db, where):
    assert interrupted("pntk x", "3 of 9 trials", db) == EXIT_INTERRUPTED == 130
    assert capsys.readouterr().err == f"pntk x: interrupted; 3 of 9 trials {where}\n"


def test_simulate_interrupted_keeps_its_trials(tmp_path, monkeypatch, capsys):
    real = numerics.run_sweep

    def stopped(config, trials, *, store, **kw):
        real(config, 2, store=store, **kw)        # two trials finish, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(numerics, "run_sweep", stopped)
    db = tmp_path / "t.sqlite"
    code = cli.main(["simulate", "--depth", "1", "--keep-prob", "0.5", "--width", "16",
                     "--trials", "10", "--x", "1,0", "--y", "0,1", "--db", str(db), "--quiet",
                     "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 130
    assert err.strip() == f"pntk simulate: interrupted; 2 of 10 trials kept in {db}; rerun to resume"
