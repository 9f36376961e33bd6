"""``pntk export``: stored trials as CSV / JSON, all runs or one, and one-line refusals."""

import csv
import json

import pytest
from cli_support import run_in_process

from numerics import ResultStore
from proofs_check.cli.finite import export as _export
from proofs_check.cli._common import Parser
from theory import InvalidArgument

SIM = ["simulate", "--depth", "1", "--width", "16", "--keep-prob", "0.5", "--x", "1,0.5",
       "--y", "0.2,-1", "--trials", "4", "--quiet", "--json"]


def export(argv, capsys):
    parser = Parser(prog="pntk")
    _export.add_parser(parser.add_subparsers(dest="command", parser_class=Parser))
    args = parser.parse_args(["export", *map(str, argv)])
    code = args.run(args)
    return code, capsys.readouterr().out


@pytest.fixture
def db(tmp_path, capsys):
    path = tmp_path / "runs.db"
    keys = [json.loads(run_in_process(SIM + ["--db", path, "--seed", s], capsys)[1])["run_key"]
            for s in ("1", "2")]
    return path, keys


def _stored(path, key):
    with ResultStore(path) as store:
        return store.values(key)


def test_one_run_to_exact_csv_and_json(db, tmp_path, capsys):
    path, keys = db
    out_csv, out_json = tmp_path / "one.csv", tmp_path / "one.json"
    code, out = export(["--db", path, "--run", keys[1][:10], "--csv", out_csv,
                        "--json", out_json], capsys)
    assert code == 0 and out.count("wrote:") == 2 and keys[1][:12] in out
    stored = _stored(path, keys[1])
    with open(out_csv, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["trial", "theta_xy", "theta_xx", "theta_yy", "finished"]
    assert {int(r[0]): tuple(float(v) for v in r[1:4]) for r in rows[1:]} == stored
    doc = json.loads(out_json.read_text())
    assert doc["run_key"] == keys[1] and doc["description"]["seed"] == 2
    assert {t[0]: tuple(t[1:4]) for t in doc["trials"]} == stored


def test_all_runs_get_one_file_each(db, tmp_path, capsys):
    path, keys = db
    code, out = export(["--db", path, "--csv", tmp_path / "all.csv",
                        "--json", tmp_path / "all.json"], capsys)
    assert code == 0 and out.count("wrote:") == 4
    for key in keys:
        assert (tmp_path / f"all.{key[:12]}.csv").is_file()
        doc = json.loads((tmp_path / f"all.{key[:12]}.json").read_text())
        assert doc["run_key"] == key and len(doc["trials"]) == 4


def test_without_outputs_lists_the_runs(db, capsys):
    path, keys = db
    code, out = export(["--db", path], capsys)
    lines = out.strip().splitlines()
    assert code == 0 and [ln.split()[0] for ln in lines] == keys
    assert all("4 trials" in ln and "seed" in ln for ln in lines)


def test_missing_empty_and_foreign_databases_are_refused(tmp_path, capsys):
    missing = tmp_path / "nope.db"
    with pytest.raises(InvalidArgument, match="--db=.*no such file") as err:
        export(["--db", missing, "--csv", tmp_path / "x.csv"], capsys)
    assert not missing.exists() and "\n" not in str(err.value)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(InvalidArgument, match="--db=.*empty file"):
        export(["--db", empty], capsys)
    assert empty.read_bytes() == b""
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 200)
    with pytest.raises(InvalidArgument, match="--db=.*not a usable SQLite database"):
        export(["--db", text], capsys)
    fresh = tmp_path / "fresh.db"
    ResultStore(fresh).close()
    with pytest.raises(InvalidArgument, match="--db=.*holds no runs"):
        export(["--db", fresh], capsys)


def test_bad_run_keys_and_output_paths_are_refused(db, tmp_path, capsys):
    path, keys = db
    with pytest.raises(InvalidArgument, match="--run=.*too short"):
        export(["--db", path, "--run", "ab"], capsys)
    with pytest.raises(InvalidArgument, match="--run=.*no such run"):
        export(["--db", path, "--run", "zzzzzzzz"], capsys)
    with pytest.raises(InvalidArgument, match="--csv=.*cannot be written") as err:
        export(["--db", path, "--run", keys[0], "--csv", tmp_path / "no" / "dir.csv"], capsys)
    assert "\n" not in str(err.value)
    with pytest.raises(InvalidArgument, match="--json=.*is a directory"):
        export(["--db", path, "--run", keys[0], "--json", tmp_path], capsys)
