"""``pntk scaling`` run in-process through the real parser (errors raise InvalidArgument)."""

import csv
import json

import pytest
from cli_support import run_in_process, with_option

from theory import Architecture, InvalidArgument, limit_kernel

BASE = ["scaling", "--depth", "1", "--keep-probs", "1,0.5", "--widths", "16,32,64",
        "--x", "1,0,0", "--y", "0.6,0.8,0", "--trials", "40", "--eps", "0.5",
        "--delta", "0.25", "--rescale", "--resamples", "50", "--quiet"]


scaling = run_in_process


def test_json_files_and_resume(tmp_path, capsys):
    db, out = str(tmp_path / "grid.db"), tmp_path / "out"
    argv = BASE + ["--json", "--db", db, "--out", str(out), "--eps-list", "0.4,0.5,0.7"]
    code, text = scaling(argv, capsys)
    r = json.loads(text)
    assert code == 0 and r["computed"] == 2 * 3 * 40
    assert {"per_keep_prob", "slope_vs_inv_q", "widths", "keep_probs", "files"} <= set(r)
    assert r["keep_probs"] == ["1", "1/2"] and r["widths"] == [16, 32, 64]
    dense = limit_kernel(Architecture.pruned(1, 1), [[1, 0, 0]], [[0.6, 0.8, 0]]).ntk[0, 0]
    for e in r["per_keep_prob"]:
        assert {"n_star", "interval", "lower", "upper", "deviation_vs_width", "cells",
                "slope_vs_inv_eps", "n_star_by_eps"} <= set(e)
        assert e["limit"] == pytest.approx(dense, rel=1e-12)     # rescaled: the dense limit
        assert len(e["cells"]) == 3 and all(c["trials"] == 40 for c in e["cells"])
        assert all(c["cp_lo"] <= c["p_exceed"] <= c["cp_hi"] for c in e["cells"])
        assert "slope" in e["deviation_vs_width"] and "slope" in e["slope_vs_inv_eps"]
    fit = r["slope_vs_inv_q"]
    assert "1/q" in fit["reading"] or "1/keep_prob" in fit["reading"]
    if fit["slope"] is not None:
        assert fit["ci"][0] <= fit["ci"][1] and isinstance(fit["consistent_with_1"], bool)
    names = {p.split("/")[-1] for p in r["files"]}
    assert {"dev_vs_width.png", "dev_vs_width.pdf", "cells.csv", "results.json"} <= names
    for name in names:
        assert (out / name).stat().st_size > 0
    from PIL import Image
    for png in (n for n in names if n.endswith(".png")):      # titles name the setting
        title = Image.open(out / png).text["Title"]
        assert "depth 1" in title and "varepsilon = 0.5" in title and "rescaled" in title, title
    with open(out / "cells.csv") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["keep_prob", "width", "trials", "mean_rel_dev", "stderr", "p_exceed",
                       "cp_lo", "cp_hi"] and len(rows) == 1 + 6
    assert json.loads((out / "results.json").read_text())["per_keep_prob"] == r["per_keep_prob"]

    again = json.loads(scaling(argv, capsys)[1])               # resume: nothing to compute
    assert again["computed"] == 0 and again["per_keep_prob"] == r["per_keep_prob"]
    other = [a if a != "40" else "45" for a in argv]         # another run, same --out
    before = (out / "results.json").read_text()
    with pytest.raises(InvalidArgument, match="^--out=.*another run's output.*--overwrite"):
        scaling(other, capsys)
    assert (out / "results.json").read_text() == before      # nothing replaced
    more = json.loads(scaling(other + ["--overwrite"], capsys)[1])
    assert more["computed"] == 2 * 3 * 5                      # only the new trials

    code, text = scaling(BASE + ["--db", db], capsys)
    assert code == 0 and "n* slope vs 1/q" in text and "q =    1/2" in text


def test_width_range_gives_powers_of_two(capsys):
    argv = [a for a in BASE]
    i = argv.index("--widths")
    argv[i:i + 2] = ["--width-range", "3:5"]
    r = json.loads(scaling(argv + ["--json", "--trials", "3"], capsys)[1])
    assert r["widths"] == [8, 16, 32]


@pytest.mark.parametrize("flag,value", [
    ("--widths", "0,64"), ("--widths", "64"), ("--widths", "64,64"), ("--widths", "a,64"),
    ("--width-range", "6:6"), ("--width-range", "6"), ("--width-range", "3:x"),
    ("--keep-probs", "1.5,0.5"), ("--keep-probs", "0,0.5"), ("--keep-probs", "0.5"),
    ("--keep-probs", "0.5,1/2"), ("--trials", "1"), ("--eps", "0"), ("--eps", "-1"),
    ("--eps-list", "0.1"), ("--eps-list", "0.1,0"), ("--delta", "0"), ("--delta", "1"),
    ("--delta", "nan"), ("--depth", "0"), ("--workers", "0"), ("--x", "1,a"), ("--y", "1,2"),
])
def test_bad_input_is_one_line_naming_the_argument(flag, value, capsys):
    argv = with_option(BASE, flag, value, instead_of="--widths" if flag == "--width-range" else None)
    with pytest.raises(InvalidArgument) as err:
        scaling(argv, capsys)
    assert err.value.argument == flag and "fix:" in str(err.value)
    assert "\n" not in str(err.value)


def test_depth_list_fits_required_width_against_depth(capsys):
    argv = [a if a != "1" or i != 2 else "1,2" for i, a in enumerate(BASE)]
    assert argv[1:3] == ["--depth", "1,2"]
    code, text = scaling(argv + ["--json"], capsys)
    r = json.loads(text)
    assert code == 0 and r["depths"] == [1, 2] and r["depth"] == 1
    assert r["computed"] == 2 * 2 * 3 * 40          # depths x keep_probs x widths x trials
    for q, fit in r["slope_vs_depth"].items():
        assert set(fit["n_star_by_depth"]) == {"1", "2"}
        if fit["slope"] is not None:
            lo, hi = fit["ci"]
            assert lo <= fit["slope"] <= hi


def test_repeated_depths_are_refused(capsys):
    argv = [a if a != "1" or i != 2 else "2,2" for i, a in enumerate(BASE)]
    with pytest.raises(InvalidArgument, match="--depth"):
        scaling(argv, capsys)


def test_masked_layers_choose_which_layers_each_keep_prob_masks(capsys):
    """--masked-layers 3 masks only the readout: the cells are the library grid's with
    masked_layers=(3,), and their limits are those of that architecture."""
    from numerics.scaling.grid import grid_configs, run_grid
    argv = ["scaling", "--depth", "2", "--keep-probs", "1,0.5", "--widths", "16,32",
            "--trials", "4", "--masked-layers", "3", "--quiet", "--json"]
    code, out = scaling(argv, capsys)
    r = json.loads(out)
    assert code == 0 and r["masked_layers"] == [3] and r["first_layer"] == "dense"
    assert r["run"]["masked_layers"] == [3]
    configs = grid_configs(["1", "1/2"], [16, 32], [1, 0, 0], [0.6, 0.8, 0], depths=[2],
                           masked_layers=(3,))
    assert {c.arch.masked_layers for c in configs} == {(3,)}
    assert Architecture.pruned(2, "1/2", masked_layers=[3]) in {c.arch for c in configs}
    grid = run_grid(["1", "1/2"], [16, 32], [1, 0, 0], [0.6, 0.8, 0], 4, depths=[2],
                    masked_layers=(3,), progress=False)
    ours = {(row["keep_prob"], cell["width"]): cell["mean_rel_dev"]
            for row in r["per_keep_prob"] for cell in row["cells"]}
    for q, per_width in grid.deviations(2).items():
        for n, devs in per_width.items():
            assert ours[(q, n)] == pytest.approx(float(devs.mean()), rel=1e-12)
    # only the readout is masked: the limit is q times the dense one (plain pruning, C1)
    limits = {row["keep_prob"]: row["limit"] for row in r["per_keep_prob"]}
    assert limits[0.5] == pytest.approx(0.5 * limits[1.0], rel=1e-14)


def test_masked_layers_must_exist_at_every_depth(capsys):
    with pytest.raises(InvalidArgument) as err:
        scaling(["scaling", "--depth", "1,2", "--masked-layers", "3", "--widths", "16,32"],
                capsys)
    assert err.value.argument == "--masked-layers" and "depth 1" in str(err.value)
