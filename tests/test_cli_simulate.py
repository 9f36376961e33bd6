"""``pntk simulate`` run in-process through the real parser (errors raise InvalidArgument)."""

import json

import pytest
from cli_support import run_in_process, with_option

from theory import Architecture, InvalidArgument, limit_kernel

BASE = ["simulate", "--depth", "2", "--width", "32", "--keep-prob", "0.5",
        "--x", "1,0.5,-0.3", "--y", "0.2,-1,0.7", "--trials", "6", "--quiet"]


simulate = run_in_process


def test_json_keys_limit_and_resume(tmp_path, capsys):
    db = str(tmp_path / "s.db")
    code, out = simulate(BASE + ["--json", "--eps", "0.05", "--db", db, "--prune-first-layer"],
                         capsys)
    r = json.loads(out)
    assert code == 0 and r["trials"] == 6 and r["computed"] == 6
    for key in ("mean", "std", "stderr", "ci95", "quantiles", "limit", "scale_factor",
                "mean_abs_deviation", "p_exceed"):
        assert key in r
    assert r["ci95"][0] < r["mean"] < r["ci95"][1] and set(r["quantiles"]) >= {"0.05", "0.5"}
    arch = Architecture.pruned(2, "0.5", prune_first_layer=True)
    assert r["limit"] == limit_kernel(arch, [[1, 0.5, -0.3]], [[0.2, -1, 0.7]]).ntk[0, 0]
    assert "first layer masked" in r["limit_method"] and r["scale_factor"] is None
    assert 0 <= r["p_exceed"]["ci"][0] <= r["p_exceed"]["estimate"] <= r["p_exceed"]["ci"][1]
    again = json.loads(simulate(BASE + ["--json", "--db", db, "--prune-first-layer"], capsys)[1])
    assert again["computed"] == 0 and again["mean"] == r["mean"]
    dense_first = json.loads(simulate(BASE + ["--json"], capsys)[1])
    assert dense_first["scale_factor_exact"] == "1/4"
    code, text = simulate(BASE, capsys)
    assert code == 0 and "limit:" in text and "95% CI" in text


@pytest.mark.parametrize("flag,value", [("--width", "0"), ("--keep-prob", "1.5"),
                                        ("--keep-prob", "0"), ("--trials", "1"),
                                        ("--eps", "0"), ("--eps", "-1"), ("--workers", "0"),
                                        ("--x", "1,a"), ("--y", "1,2")])
def test_bad_input_names_the_argument(flag, value, capsys):
    argv = with_option(BASE, flag, value)
    with pytest.raises(InvalidArgument) as err:
        simulate(argv, capsys)
    assert err.value.argument == flag and "fix:" in str(err.value)


def test_a_foreign_database_is_refused(tmp_path, capsys):
    bad = tmp_path / "x.db"
    bad.write_text("hello " * 200)
    with pytest.raises(InvalidArgument) as err:
        simulate(BASE + ["--db", str(bad)], capsys)
    assert err.value.argument == "--db" and err.value.value == str(bad)
