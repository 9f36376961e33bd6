"""pntk regions and pntk topology through the real parser, their JSON against direct
computations, and one-line errors with exit code 2 for bad input."""

import json

import numpy as np
import pytest

from cli_support import run_in_process
from numerics.regions.average import count_regions
from proofs_check.cli import main
from theory.regions.bound import region_bounds
from theory.regions.ranks import exact_rank_distribution, full_rank_distribution


def test_regions_bound_json_matches_the_library(capsys):
    code, out = run_in_process(["regions", "--bound", "--widths", "3,4,4", "--density", "0.5",
                                "--dim", "1,2,3", "--json"], capsys)
    r = json.loads(out)
    laws = [exact_rank_distribution(4, 3, "1/2"), exact_rank_distribution(4, 4, "1/2")]
    direct = region_bounds((3, 4, 4), laws, (1, 2, 3))
    assert code == 0 and set(r["log2_bound"]) == {"1", "2", "3"}
    assert [r["log2_bound"][str(d)] for d in (1, 2, 3)] == pytest.approx([b.log2 for b in direct])
    dense = region_bounds((3, 4, 4), [full_rank_distribution(4, 3), full_rank_distribution(4, 4)],
                          (1, 2, 3))
    assert [b["log2_dense"] for b in r["bounds"]] == pytest.approx([b.log2 for b in dense])
    assert all(b["rank_methods"] == ["exact", "exact"] for b in r["bounds"])


def test_regions_bound_text_on_the_issue_example(capsys):
    code, out = run_in_process(["regions", "--bound", "--widths", "784,20,20,10", "--density",
                                "0.1", "--dim", "1,2,4", "--samples", "200"], capsys)
    assert code == 0 and "three-point" in out and "sampled" in out


def test_regions_count_json(tmp_path, capsys):
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((12, 64)), rng.standard_normal((8, 12)), rng.standard_normal((1, 8))]
    np.savez(tmp_path / "net.npz", W1=Ws[0], W2=Ws[1], W3=Ws[2],
             M2=(rng.random((8, 12)) < 0.5).astype(int))
    P = rng.standard_normal((3, 64))
    np.save(tmp_path / "p.npy", P)
    code, out = run_in_process(["regions", "--weights", tmp_path / "net.npz", "--points",
                                tmp_path / "p.npy", "--grid", "300", "--json"], capsys)
    r = json.loads(out)
    M2 = np.load(tmp_path / "net.npz")["M2"]
    assert code == 0 and r["count"] == count_regions([Ws[0], Ws[1] * M2], P).count
    assert r["grid_lower_bound"]["lower_bound"] <= r["count"] <= r["deterministic_bound"]
    code, out = run_in_process(["regions", "--weights", tmp_path / "net.npz", "--points",
                                "digits", "--num-points", "2"], capsys)
    assert code == 0 and "regions on the segment" in out


def test_topology_json_and_plot(tmp_path, capsys):
    plot = tmp_path / "t.png"
    code, out = run_in_process(["topology", "--masks", "random", "--density", "0.2", "--widths",
                                "300,200,100", "--json", "--plot", plot, "--sweep", "0.1,0.3"],
                               capsys)
    r = json.loads(out)
    assert code == 0 and len(r["layers"]) == 2 and plot.stat().st_size > 0
    for layer in r["layers"]:
        assert {"mu_0", "mu_hat", "delta_r", "delta_s"} <= set(layer)
        assert layer["delta_r"] == pytest.approx(
            np.sqrt(layer["mean_left_degree"] - 1) + np.sqrt(layer["mean_right_degree"] - 1)
            - layer["mu_hat"])


def test_topology_of_a_network_file_has_weighted_gaps(tmp_path, capsys):
    rng = np.random.default_rng(2)
    np.savez(tmp_path / "net.npz", W1=rng.standard_normal((30, 20)),
             W2=rng.standard_normal((1, 30)), M1=(rng.random((30, 20)) < 0.5).astype(int))
    code, out = run_in_process(["topology", "--masks", tmp_path / "net.npz", "--json"], capsys)
    first = json.loads(out)["layers"][0]
    assert code == 0 and first["computed"] and first["weighted_gap"] == pytest.approx(
        first["weighted_mu_0"] - first["weighted_mu_hat"])
    assert first["weighted_mu_0"] > 0


@pytest.mark.parametrize("argv, needle", [
    (["regions", "--bound", "--widths", "784", "--density", "0.1"], "--widths"),
    (["regions", "--bound", "--widths", "4,3", "--density", "1.5"], "--density"),
    (["regions", "--bound", "--widths", "4,3", "--density", "0.5", "--dim", "5"], "--dim"),
    (["regions", "--bound", "--widths", "4,3,2", "--densities", "0.5"], "--densities"),
    (["regions", "--bound", "--widths", "4,x", "--density", "0.5"], "--widths"),
    (["regions", "--widths", "4,3", "--density", "0.5"], "--bound"),
    (["regions", "--weights", "missing.npz", "--points", "digits"], "--weights"),
    (["topology", "--masks", "random", "--widths", "4,3"], "--masks"),
    (["topology", "--masks", "random", "--widths", "4,3", "--density", "-1"], "--density"),
    (["topology", "--masks", "random", "--widths", "4,3", "--density", "0.5", "--plot",
      "no/such/dir/t.png"], "--plot"),
    (["regions", "--bound", "--widths", "30,30", "--density", "0.5", "--rank-method", "exact"],
     "--rank-method"),
    (["regions", "--bound", "--widths", "4,3", "--density", "0.5", "--samples", "0"],
     "--samples"),
])
def test_bad_input_is_one_line_and_exit_2(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and needle in err and "fix:" in err


def test_bad_points_file(tmp_path, capsys):
    np.savez(tmp_path / "net.npz", W1=np.ones((3, 4)), W2=np.ones((1, 3)))
    np.save(tmp_path / "p4.npy", np.ones((4, 4)))
    np.save(tmp_path / "p5.npy", np.ones((2, 5)))
    for name in ("p4", "p5"):
        assert main(["regions", "--weights", str(tmp_path / "net.npz"), "--points",
                     str(tmp_path / f"{name}.npy")]) == 2
        assert "--points" in capsys.readouterr().err
