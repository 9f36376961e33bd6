"""``pntk masks``: end to end (real console script) and in process."""

import json

import numpy as np
import pytest
from cli_support import run_in_process
from test_cli_kernel import pntk

from numerics import load_network
from proofs_check.cli import main
from numerics.masks import draw_weights, load_mask, prune
from theory import InvalidArgument


def test_masks_json_matches_the_library_and_pntk_entk_reads_the_file(tmp_path):
    out = tmp_path / "m.npz"
    proc = pntk("masks", "magnitude", "--depth", 2, "--width", 40, "--density", "0.2",
                "--seed", 3, "--out", out, "--json")
    s = json.loads(proc.stdout)
    ref = prune("magnitude", (64, 40, 40, 1), "0.2", seed=3)
    assert s["digest"] == ref.digest() == load_mask(out).digest()
    assert s["kept"] == round(0.2 * (1600 + 40)) and s["masked_layers"] == [2, 3]
    assert [r["kept"] for r in s["layers"]] == list(ref.kept)
    net = load_network(out).network
    W = draw_weights((64, 40, 40, 1), seed=3)
    assert np.array_equal(net.weights[0], W[0])
    X = tmp_path / "x.npy"
    np.save(X, np.eye(64)[:2])
    entk = json.loads(pntk("entk", "--weights", out, "--inputs", X, "--json").stdout)
    assert entk["masked_layers"] == [2, 3] and entk["kept_weights"] == sum(ref.kept)


def test_text_output_lists_every_layer(tmp_path, capsys):
    code, text = run_in_process(["masks", "synflow", "--depth", 2, "--width", "30,20",
                                 "--density", "0.1", "--per-layer", "--rounds", 5,
                                 "--input-dim", 7, "--out", tmp_path / "s.npz"], capsys)
    assert code == 0
    lines = text.splitlines()
    assert lines[0].startswith("pntk masks synflow: depth 2, shape [7, 30, 20, 1], per-layer "
                               "density 0.1 over layers 2, 3")
    assert lines[2].split()[:4] == ["1", "30", "x", "7"]
    assert lines[3].split()[-3:] == ["60", "/", "600"]          # round(0.1 * 600)
    assert lines[-1].startswith("wrote ") and "pntk entk" in lines[-1]
    m = load_mask(tmp_path / "s.npz")
    assert m.kept == (210, 60, 2) and m.params["rounds"] == 5


def test_one_density_per_layer(tmp_path, capsys):
    code, text = run_in_process(["masks", "magnitude", "--depth", 2, "--width", 20,
                                 "--density", "0.5,0.1", "--out", tmp_path / "m.npz"], capsys)
    lines = text.splitlines()
    assert code == 0 and "per-layer density 0.5,0.1 over layers 2, 3" in lines[0]
    assert lines[3].split()[-3:] == ["200", "/", "400"] and lines[4].split()[-3:] == ["2", "/",
                                                                                      "20"]


def test_user_data_and_masks_only(tmp_path, capsys):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "d.npz", inputs=rng.standard_normal((30, 6)),
             labels=rng.integers(0, 4, 30))
    code, text = run_in_process(["masks", "grasp", "--depth", 1, "--width", 12, "--density",
                                 "0.5", "--data", tmp_path / "d.npz", "--masks-only",
                                 "--out", tmp_path / "g.npz", "--json"], capsys)
    s = json.loads(text)
    assert code == 0 and s["shape"] == [6, 12, 1] and s["params"]["classes"] == 4
    assert s["contents"] == "masks"
    with np.load(tmp_path / "g.npz") as npz:
        assert "W1" not in npz.files


BAD = {
    "unknown method": (["masks", "pruneall", "--depth", 2, "--width", 8, "--density", "0.2"],
                       "METHOD='pruneall' is invalid: unknown pruning method"),
    "density above one": (["masks", "snip", "--depth", 2, "--width", 8, "--density", "1.5"],
                          "--density='1.5' is invalid"),
    "density zero": (["masks", "snip", "--depth", 2, "--width", 8, "--density", "0"],
                     "--density='0' is invalid"),
    "layer out of range": (["masks", "magnitude", "--depth", 2, "--width", 8, "--density",
                            "0.2", "--layers", "2,4"], "--layers='2,4' is invalid"),
    "widths do not match depth": (["masks", "magnitude", "--depth", 3, "--width", "8,8",
                                   "--density", "0.2"], "--width='8,8' is invalid"),
    "global random": (["masks", "random", "--depth", 2, "--width", 8, "--density", "0.2",
                       "--global"], "random does not prune with a global budget"),
    "missing density": (["masks", "snip", "--depth", 2, "--width", 8],
                        "--density=None is invalid: missing"),
    "input dim against data": (["masks", "snip", "--depth", 2, "--width", 8, "--density",
                                "0.2", "--input-dim", 5], "--input-dim='5' is invalid"),
    "data for a data-free method": (["masks", "synflow", "--depth", 2, "--width", 8,
                                     "--density", "0.2", "--data", "x.npz"],
                                    "synflow is data-free"),
    "rounds for a one-shot method": (["masks", "snip", "--depth", 2, "--width", 8,
                                      "--density", "0.2", "--rounds", 10],
                                     "snip prunes in one shot"),
    "samples for a data-free method": (["masks", "magnitude", "--depth", 2, "--width", 8,
                                        "--density", "0.2", "--samples", 10],
                                       "magnitude is data-free"),
    "densities for a global budget": (["masks", "snip", "--depth", 2, "--width", 8,
                                       "--density", "0.5,0.2", "--global"],
                                      "--density='1/2,1/5' is invalid"),
    "missing data file": (["masks", "snip", "--depth", 2, "--width", 8, "--density", "0.2",
                           "--data", "nothere.npz"], "--data='nothere.npz' is invalid"),
    "out folder missing": (["masks", "magnitude", "--depth", 2, "--width", 8, "--density",
                            "0.2", "--out", "no/such/dir/m.npz"], "its folder does not exist"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_and_exit_2_with_nothing_written(tmp_path, monkeypatch, capsys,
                                                               case):
    """Through pntk's main (in process: the same error handling as the console script)."""
    argv, message = BAD[case]
    monkeypatch.chdir(tmp_path)
    if "--out" not in argv:
        argv = argv + ["--out", "m.npz"]
    assert main([str(a) for a in argv]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "fix:" in lines[0], lines
    assert list(tmp_path.iterdir()) == []


def test_the_console_script_exits_2_on_bad_input(tmp_path):
    proc = pntk("masks", "pruneall", "--depth", 2, "--width", 8, "--density", "0.2", "--out",
                tmp_path / "m.npz", check=False)
    assert proc.returncode == 2 and proc.stderr.startswith("pntk: error: METHOD='pruneall'")
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "m.npz").exists()


def test_in_process_errors_are_invalid_argument(tmp_path, capsys):
    with pytest.raises(InvalidArgument):
        run_in_process(["masks", "erk", "--depth", 1, "--width", 4, "--density", "0.5",
                        "--per-layer", "--out", tmp_path / "e.npz"], capsys)


def test_list_shows_every_registered_method(capsys):
    from numerics.masks import METHODS
    code, text = run_in_process(["masks", "--list"], capsys)
    assert code == 0 and [line.split()[0] for line in text.splitlines()] == list(METHODS)
