"""Masks and graphons wired through sweeps and the command line: mask sources in sweep
configurations, estimation from the Mask type, array trials in the store, the pruned
graphon study's statistics, spectra, and the pntk graphon / spectrum / kernel --graphon
/ simulate --graphon / --mask commands."""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest

from numerics.entk.gram import empirical_ntk
from numerics.graphons import (
    estimate_graphon,
    estimate_network_graphons,
    pruned_graphon_trials,
    second_moment_gap,
    spectral_metrics,
    spectrum_study,
)
from numerics.masks import Mask, PruningSpec, masked_network, prune
from numerics.sweeps import ResultStore, SweepConfig, trial_values
from proofs_check.cli import main
from theory.config import Architecture
from theory.graphon import GraphonNetwork, graphon_ntk, graphon_ntk_mp, magnitude_second_moment
from theory.kernels.float64 import limit_kernel

from cli_support import run_in_process

X3, Y3 = [1.0, 0.0, 0.0], [0.6, 0.8, 0.0]


# ---------------------------------------------------------------- sweep configurations
def test_bernoulli_run_keys_are_those_of_the_code_before_mask_sources():
    # computed with the code before SweepConfig took a mask source (resumability)
    cfg = SweepConfig(Architecture.pruned(2, "0.5", rescale=True), 16, [1.0, 0.0],
                      [0.6, 0.8], seed=3)
    assert cfg.key == "30ef9d5a073b8e661f788abd30c30a2389010a29ec0d0b15700e4152cb106cc2"
    assert "mask" not in cfg.description()


def test_random_method_source_gives_the_bernoulli_trials_bit_for_bit():
    arch = Architecture.pruned(2, "0.5")
    plain = SweepConfig(arch, 24, X3, Y3, seed=4)
    method = SweepConfig(arch, 24, X3, Y3, 4, PruningSpec("random", "0.5"))
    assert method.key != plain.key
    for t in range(3):
        assert trial_values(method, t) == trial_values(plain, t)


def test_mask_file_source_puts_fresh_weights_under_the_same_mask():
    mask = prune("snip", (64, 16, 16, 1), "0.3", seed=1)
    x = np.eye(64)[0]
    y = np.eye(64)[1] * 0.6 + np.eye(64)[2] * 0.8
    cfg = SweepConfig(mask.architecture(), 16, x, y, 2, mask)
    net = masked_network(mask, 2, 5)
    K = empirical_ntk(net, np.stack([x, y]))
    assert trial_values(cfg, 5) == (K[0, 1], K[0, 0], K[1, 1])
    with pytest.raises(Exception, match="shape"):
        SweepConfig(mask.architecture(), 32, x, y, 2, mask)


# ---------------------------------------------------------------- estimation from a Mask
def test_estimates_from_a_mask_and_a_network_match_brute_force_block_means():
    rng = np.random.default_rng(3)
    M = rng.random((12, 8)) < 0.4
    W = rng.standard_normal((12, 8))
    mask = Mask((None, M, rng.random((1, 12)) < 0.5), shape=(5, 8, 12, 1))
    est = estimate_network_graphons(mask.network([rng.standard_normal((8, 5)), W,
                                                  rng.standard_normal((1, 12))]), 4)
    e2 = est[1]
    # brute force: stable sort by decreasing degree, then plain loops over blocks
    rows = sorted(range(12), key=lambda i: (-M[i].sum(), i))
    cols = sorted(range(8), key=lambda j: (-M[:, j].sum(), j))
    for a in range(4):
        for b in range(4):
            cells = [(rows[i], cols[j]) for i in range(12) if i * 4 // 12 == a
                     for j in range(8) if j * 4 // 8 == b]
            assert e2.values[a, b] == pytest.approx(np.mean([M[c] for c in cells]), abs=1e-15)
            assert e2.second_moment[a, b] == pytest.approx(
                np.mean([M[c] * W[c] ** 2 for c in cells]), rel=1e-12)
    assert est[0] is None
    np.testing.assert_array_equal(estimate_graphon(mask, 4, layer=2).values, e2.values)
    with pytest.raises(Exception, match="layer"):
        estimate_graphon(mask, 4)


# ---------------------------------------------------------------- store and the study
def test_array_trials_resume_and_read_back_bitwise(tmp_path):
    spec = PruningSpec("magnitude", "0.5")
    db = tmp_path / "g.db"
    calls = []
    with ResultStore(db) as store:
        first = pruned_graphon_trials(spec, 2, [16, 32], 2, x=X3, y=Y3, blocks=4, store=store,
                                      progress=lambda n, t: calls.append((n, t)))
    with ResultStore(db) as store:
        again = pruned_graphon_trials(spec, 2, [16, 32], 3, x=X3, y=Y3, blocks=4, store=store,
                                      progress=lambda n, t: calls.append((n, t)))
    assert calls == [(16, 0), (16, 1), (32, 0), (32, 1), (16, 2), (32, 2)]
    for n in (16, 32):
        np.testing.assert_array_equal(again.values(n, "entk")[:2], first.values(n, "entk"))
        np.testing.assert_array_equal(again.histograms(n, 2)[:2], first.histograms(n, 2))


def test_magnitude_kept_mean_square_matches_the_truncated_normal_closed_form():
    # per-layer magnitude pruning keeps |W| > t with P(|W| > t) = d: E[W^2 | kept] = V(d)/d
    runs = pruned_graphon_trials(PruningSpec("magnitude", "0.3", scope="per-layer"), 2,
                                 [64, 128], 6, x=X3, y=Y3, blocks=8)
    gap = second_moment_gap(runs)
    expected = float(magnitude_second_moment(np.array([[0.3]]))[0, 0] / 0.3)
    mean, se = gap.m2[128, 2]
    assert abs(mean - expected) < 4 * se      # false-alarm rate 6e-5 (normal)
    assert gap.selects[2]
    # random masks are independent of the weights: E[W^2 | kept] = 1
    rand = second_moment_gap(pruned_graphon_trials(PruningSpec("random", "0.3"), 2,
                                                   [64, 128], 6, x=X3, y=Y3, blocks=8))
    m, s = rand.m2[128, 2]
    assert abs(m - 1) < 4 * s                 # false-alarm rate 6e-5 (normal)


# ---------------------------------------------------------------- spectra
def test_spectral_metrics_of_an_exact_power_law():
    k = np.arange(1, 201, dtype=float)
    lam = k ** -1.5
    m = spectral_metrics(lam[::-1], fit_range=(2, 50))
    assert m["decay"] == pytest.approx(1.5, rel=1e-12)
    assert m["effective_rank"] == pytest.approx(lam.sum(), rel=1e-12)
    assert m["gap"] == pytest.approx(2 ** 1.5, rel=1e-12)
    assert m["top5"] == pytest.approx(sum(j ** -1.5 for j in range(1, 6)) / lam.sum(),
                                      rel=1e-12)


def test_relu_graphon_ntk_with_dense_first_layer_is_a_multiple_of_the_dense_ntk():
    # positive homogeneity: every block's kernel is a multiple of the dense one, so a
    # graphon only rescales the NTK, and its normalised spectrum is that of the dense NTK
    rng = np.random.default_rng(7)
    X = rng.standard_normal((7, 5))
    net = GraphonNetwork.from_layers({2: rng.random((4, 4)), 3: rng.random((3, 4)),
                                      4: rng.random((1, 3))}, 3)
    ratio = graphon_ntk(net, X).ntk / limit_kernel(Architecture.dense(3), X).ntk
    np.testing.assert_allclose(ratio, ratio[0, 0], rtol=1e-12)


def test_spectrum_study_graphon_spectra_equal_the_dense_one_for_relu():
    X = np.random.default_rng(1).standard_normal((12, 6))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    s = spectrum_study(["synflow"], ["0.2"], X, width=16, depth=3, seeds=2, blocks=4,
                       fit_range=(2, 8))
    dense = s.summary("dense", "1", "graphon")
    pruned = s.summary("synflow", "0.2", "graphon")
    for metric in dense:
        assert pruned[metric][0] == pytest.approx(dense[metric][0], rel=1e-9)
    assert s.grams["synflow", "0.2", "entk"].shape == (12, 12)


# ---------------------------------------------------------------- command line
def _graphon_file(tmp_path, G2=((0.9, 0.2), (0.3, 0.6)), G3=((0.8, 0.4),)):
    path = tmp_path / "G.npz"
    np.savez(path, G2=np.array(G2), G3=np.array(G3))
    return path


def test_kernel_graphon_json_matches_the_mpmath_reference(tmp_path, capsys):
    path = _graphon_file(tmp_path)
    code, out = run_in_process(["kernel", "--graphon", path, "--depth", "2", "--x=1,0,0",
                                "--y=0.6,0.8,0", "--json"], capsys)
    net = GraphonNetwork.from_layers({2: [[0.9, 0.2], [0.3, 0.6]], 3: [[0.8, 0.4]]}, 2)
    ref = graphon_ntk_mp(net, X3, Y3, dps=30).ntk
    assert code == 0
    assert json.loads(out)["ntk"] == pytest.approx(float(ref), rel=1e-13)
    code, out = run_in_process(["kernel", "--graphon", path, "--depth", "2", "--x=1,0,0",
                                "--y=0.6,0.8,0", "--dps", "30", "--json"], capsys)
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(json.loads(out)["ntk"]) - ref) < mpmath.mpf("1e-28")


def test_kernel_graphon_gram_with_inputs(tmp_path, capsys):
    path = _graphon_file(tmp_path)
    X = np.array([X3, Y3, [0.0, 0.0, 1.0]])
    np.save(tmp_path / "X.npy", X)
    code, out = run_in_process(["kernel", "--graphon", path, "--depth", "2", "--inputs",
                                tmp_path / "X.npy", "--json"], capsys)
    net = GraphonNetwork.from_layers({2: [[0.9, 0.2], [0.3, 0.6]], 3: [[0.8, 0.4]]}, 2)
    gram = np.array(json.loads(out)["ntk"])
    assert gram.shape == (3, 3)
    assert gram[0, 2] == pytest.approx(float(graphon_ntk_mp(net, X[0], X[2], dps=30).ntk),
                                       rel=1e-13)
    code, out = run_in_process(["kernel", "--graphon", path, "--depth", "2", "--inputs",
                                tmp_path / "X.npy", "--dps", "20", "--json"], capsys)
    digits = np.array(json.loads(out)["ntk"], dtype=float)
    np.testing.assert_allclose(digits, gram, rtol=1e-13)       # float64 against mpmath
    np.testing.assert_array_equal(digits, digits.T)


@pytest.mark.parametrize("argv, flag", [
    (["kernel", "--graphon", "BAD", "--depth", "2", "--x=1,0,0"], "--graphon"),
    (["kernel", "--graphon", "G", "--depth", "2", "--x=1,0,0", "--keep-prob", "0.5"],
     "--keep-prob"),
    (["simulate", "--graphon", "G", "--depth", "2", "--x=1,0,0", "--trials", "3",
      "--widths", "1,8"], "--widths"),
    (["graphon", "--method", "magic", "--density", "0.2", "--widths", "8,16,32"], "--method"),
    (["graphon", "--method", "snip", "--density", "1.5", "--widths", "8,16,32"], "--density"),
    (["graphon", "--method", "snip", "--density", "0", "--widths", "8,16,32"], "--density"),
    (["graphon", "--method", "random", "--density", "0.2", "--widths", "8,16,32",
      "--blocks", "9"], "--blocks"),
    (["simulate", "--depth", "2", "--mask", "nothing", "--width", "8", "--x=1,0",
      "--trials", "3"], "--mask"),
    (["simulate", "--depth", "2", "--mask", "CHAIN", "--x=1,0,0", "--trials", "3"],
     "--mask"),
    (["scaling", "--mask", "CHAIN", "--widths", "8,16", "--trials", "3"], "--mask"),
    (["spectrum", "--methods", "random", "--densities", "0.5,2"], "--densities"),
    (["spectrum", "--kernel", "graphon", "--width", "8", "--blocks", "16"], "--blocks"),
])
def test_bad_inputs_are_one_line_errors_with_exit_2(tmp_path, capsys, argv, flag):
    good = _graphon_file(tmp_path)
    bad = tmp_path / "bad.npz"
    np.savez(bad, G2=np.array([[1.5, 0.2]]), G3=np.array([[1.0]]))
    chain = tmp_path / "chain.npz"
    np.savez(chain, W1=np.ones((4, 3)), W2=np.ones((4, 4)), W3=np.ones((1, 5)))
    argv = [{"G": str(good), "BAD": str(bad), "CHAIN": str(chain)}.get(a, a) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("pntk: error: " + flag), err


def test_simulate_graphon_reports_convergence(tmp_path, capsys):
    path = _graphon_file(tmp_path)
    code, out = run_in_process(["simulate", "--graphon", path, "--depth", "2", "--x=1,0,0",
                                "--y=0.6,0.8,0", "--trials", "4", "--widths", "16,32",
                                "--json"], capsys)
    r = json.loads(out)
    assert code == 0 and [w["width"] for w in r["per_width"]] == [16, 32]
    net = GraphonNetwork.from_layers({2: [[0.9, 0.2], [0.3, 0.6]], 3: [[0.8, 0.4]]}, 2)
    assert r["limit"]["theta_xy"] == pytest.approx(float(graphon_ntk_mp(net, X3, Y3).ntk),
                                                   rel=1e-13)


def test_entk_mask_method_reproduces_the_masks_file(tmp_path, capsys):
    weights_file = tmp_path / "net.npz"
    assert main(["masks", "magnitude", "--depth", "2", "--width", "16", "--density", "0.3",
                 "--input-dim", "3", "--out", str(weights_file), "--quiet"]) == 0
    np.save(tmp_path / "X.npy", np.array([X3, Y3]))
    capsys.readouterr()
    base = ["entk", "--weights", weights_file, "--inputs", tmp_path / "X.npy", "--json"]
    _, stored = run_in_process(base, capsys)
    _, remasked = run_in_process(base + ["--mask", "magnitude", "--density", "0.3"], capsys)
    assert json.loads(stored)["ntk"] == json.loads(remasked)["ntk"]
    _, other = run_in_process(base + ["--mask", "random", "--density", "0.3"], capsys)
    assert json.loads(other)["ntk"] != json.loads(stored)["ntk"]


def test_graphon_command_writes_its_files_and_resumes(tmp_path, capsys):
    argv = ["graphon", "--method", "random", "--density", "0.3", "--depth", "2", "--widths",
            "8,16,32", "--trials", "3", "--blocks", "4", "--x=1,0,0", "--y=0.6,0.8,0",
            "--resamples", "100", "--db", tmp_path / "g.db", "--out", tmp_path / "out",
            "--quiet", "--json"]
    code, out = run_in_process(argv, capsys)
    first = json.loads(out)
    assert code == 0
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"histograms.png", "distance_vs_width.png", "histograms.csv",
            "results.json"} <= names
    rows = (tmp_path / "out" / "histograms.csv").read_text().strip().splitlines()
    assert len(rows) == 1 + 3 * (4 * 4 + 1 * 4)        # widths x (layer 2 + output layer)
    code, out = run_in_process(argv, capsys)           # every trial read back from --db
    assert json.loads(out)["entk"] == first["entk"]
    other = [a if a != "0.3" else "0.5" for a in argv]
    assert main([str(a) for a in other]) == 2          # another run's folder: refused


def test_spectrum_command_runs_and_saves_grams(tmp_path, capsys):
    code, out = run_in_process(["spectrum", "--methods", "random", "--densities", "0.5,0.2",
                                "--inputs", "12", "--width", "16", "--depth", "2", "--seeds",
                                "2", "--kernel", "both", "--blocks", "4", "--out",
                                tmp_path / "s", "--quiet", "--json"], capsys)
    r = json.loads(out)
    assert code == 0 and r["fit_range"] == [2, 3]
    with np.load(tmp_path / "s" / "grams.npz") as g:
        assert g["entk/random/0.2"].shape == (12, 12)
    assert set(r["trends"]["entk"]["top5"]["methods"]) == {"random"}


# ---------------------------------------------------------------- findings
def _brute_cut_norm(D, mu, nu):
    """max over all row and column subsets of |sum mu_a nu_b D_ab| (full enumeration)."""
    import itertools
    best = 0.0
    for rows in itertools.product((0, 1), repeat=D.shape[0]):
        for cols in itertools.product((0, 1), repeat=D.shape[1]):
            r, c = np.array(rows) * mu, np.array(cols) * nu
            best = max(best, abs(float(r @ D @ c)))
    return best


def test_distance_to_constant_matches_enumeration_and_decays_for_random_masks():
    from numerics.graphons import constant_deviation
    runs = pruned_graphon_trials(PruningSpec("random", "0.3"), 2, [32, 64, 128, 256], 4,
                                 x=X3, y=Y3, blocks=4)
    dev = constant_deviation(runs, resamples=200)
    assert dev.exact
    rows, cols = runs.block_sizes(64, 2)
    mu, nu = rows / rows.sum(), cols / cols.sum()
    brute = [_brute_cut_norm(g - float(mu @ g @ nu), mu, nu) for g in runs.histograms(64, 2)]
    assert dev.lower[64, 2][0] == pytest.approx(np.mean(brute), rel=1e-12)
    assert dev.upper[64, 2][0] == pytest.approx(np.mean(brute), rel=1e-12)
    _, (_, hi) = dev.rates[2]
    assert hi < 0          # noise only: the distance to the constant decays with width


def test_spectrum_trends_detect_an_increase_and_compare_with_random():
    from numerics.graphons import spectrum_trends
    from numerics.graphons.spectra import SpectrumStudy
    rng = np.random.default_rng(5)
    densities = ["0.5", "0.2", "0.1", "0.05"]
    cells = (("dense", "1"),) + tuple((m, d) for m in ("random", "snip") for d in densities)
    metrics = {}
    for m, d in cells:
        up = 0.05 * np.log(1 / float(d)) if m == "snip" else 0.0
        metrics[m, d, "entk"] = [{"decay": 1.0, "effective_rank": 2.0, "gap": 10.0,
                                  "top5": 0.6 + up + 0.005 * rng.standard_normal()}
                                 for _ in range(3)]
    study = SpectrumStudy(cells, ("entk",), 3, 8, 2, 4, (2, 4), {}, {}, metrics)
    t = spectrum_trends(study, "top5")["methods"]
    assert t["snip"]["increases"] and not t["random"]["increases"]
    assert t["snip"]["vs_reference"]["differs"]
    xs = [np.log(1 / float(d)) for d in densities for _ in range(3)]
    ys = [r["top5"] for d in densities for r in metrics["snip", d, "entk"]]
    assert t["snip"]["slope"] == pytest.approx(np.polyfit(xs, ys, 1)[0], rel=1e-12)


@pytest.mark.slow
def test_magnitude_pruned_entk_converges_to_the_second_moment_graphon_ntk_only():
    from numerics.graphons import pruned_ntk_convergence
    runs = pruned_graphon_trials(PruningSpec("magnitude", "0.2"), 3, [64, 128, 256], 10,
                                 x=X3, y=Y3, blocks=16)
    conv = pruned_ntk_convergence(runs, resamples=300)
    assert conv.intercept["density"][3] < 0.01 / 3     # offset detected (family-wise 1 %)
    assert conv.intercept["second"][3] > 0.01 / 3      # no offset detected


def test_method_masks_give_the_same_trials_in_worker_processes(capsys):
    argv = ["simulate", "--depth", "2", "--width", "16", "--mask", "magnitude", "--density",
            "0.3", "--x=1,0,0", "--y=0.6,0.8,0", "--trials", "4", "--quiet", "--json"]
    _, one = run_in_process(argv + ["--workers", "1"], capsys)
    _, two = run_in_process(argv + ["--workers", "2"], capsys)
    assert json.loads(one)["mean"] == json.loads(two)["mean"]
    assert json.loads(one)["run_key"] == json.loads(two)["run_key"]
