"""``pntk variance``: the numbers are the library's, options map onto the architecture, bad
input is one line and exit code 2."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from proofs_check.cli import main
from theory.config import Architecture
from theory.variance.deep import variance_terms

from cli_support import run_in_process


def _json(argv, capsys):
    code, out = run_in_process([*argv, "--json"], capsys)
    return code, json.loads(out)


def test_json_keys_and_values(capsys):
    code, r = _json(["variance", "--depth", "2", "--keep-prob", "0.25", "--rescale",
                     "--x", "1,0,0", "--y", "0.6,0.8,0", "--width", "200"], capsys)
    t = variance_terms(Architecture.pruned(2, "0.25", rescale=True), [1, 0, 0], [0.6, 0.8, 0])
    assert code == 0
    assert {"limit", "mean_1_over_n", "n_var", "std_at_width"} <= set(r)
    assert r["limit"] == pytest.approx(float(t.limit[0]), rel=1e-12) \
        and r["n_var"] == float(t.n_var[0])
    from theory.variance.mean import mean_correction
    m = mean_correction(Architecture.pruned(2, "0.25", rescale=True), [[1, 0, 0]], [[0.6, 0.8, 0]])
    assert r["mean_1_over_n"] == float(m[0])
    assert r["std_at_width"] == math.sqrt(r["n_var"] / 200)


def test_the_limit_is_the_accurate_kernel_near_parallel_inputs(capsys):
    """1e-7 rad from parallel the variance recursion's plain angle loses digits; the
    reported limit is the float64 kernel's, within 1e-14 of the mpmath reference."""
    from theory.kernels import limit_kernel_mp
    argv = ["variance", "--depth", "3", "--keep-prob", "0.5", "--x", "1,0,0", "--y", "1,1e-7,0"]
    _, r = _json(argv, capsys)
    ref = limit_kernel_mp(Architecture.pruned(3, "0.5"), [1, 0, 0], [1, 1e-7, 0], dps=40).ntk
    assert abs(r["limit"] - float(ref)) <= 1e-14 * abs(float(ref))


def test_depth_one_mean_is_exact_and_per_layer_options(capsys):
    code, r = _json(["variance", "--depth", "1", "--keep-prob", "1,0.5", "--x", "1,0",
                     "--y", "0.6,0.8"], capsys)
    assert code == 0 and r["mean_1_over_n"] == 0 and r["exact_at_every_width"]
    assert r["architecture"]["masked_layers"] == [2]
    code, r2 = _json(["variance", "--depth", "1", "--keep-prob", "0.5", "--masked-layers", "2",
                      "--x", "1,0", "--y", "0.6,0.8"], capsys)
    assert r2["n_var"] == r["n_var"]


def test_masked_layers_and_width_ratios_reach_the_theory(capsys):
    code, r = _json(["variance", "--depth", "3", "--keep-prob", "0.5", "--masked-layers", "1,4",
                     "--x", "1,0.5", "--y", "0.6,0.8", "--width-ratios", "1,2,1"], capsys)
    arch = Architecture.pruned(3, "0.5", masked_layers=[1, 4])
    t = variance_terms(arch, [1, 0.5], [0.6, 0.8], width_ratios=[1, 2, 1])
    assert r["n_var"] == float(t.n_var[0]) and r["architecture"]["masked_layers"] == [1, 4]


def test_dps_gives_digits(capsys):
    code, r = _json(["variance", "--depth", "2", "--keep-prob", "0.5", "--x", "1,0",
                     "--y", "0.6,0.8", "--dps", "30"], capsys)
    assert len(r["n_var_digits"].replace(".", "")) >= 29
    assert abs(float(r["n_var_digits"]) - r["n_var"]) < 1e-15 * r["n_var"]


def test_text_output_and_latex_file(tmp_path, capsys):
    target = tmp_path / "v.tex"
    code, out = run_in_process(["variance", "--depth", "1", "--keep-prob", "0.5", "--x", "1,0",
                                "--y", "0.6,0.8", "--width", "64", "--latex", target], capsys)
    assert code == 0 and "exact at every width" in out and "std at width 64" in out
    assert target.read_text().startswith("\\documentclass")


def test_check_passes_at_depth_one(capsys):
    code, r = _json(["variance", "--depth", "1", "--keep-prob", "0.5", "--x", "1,0",
                     "--y", "0.6,0.8", "--check", "--trials", "200", "--widths", "32",
                     "--alpha", "0.001", "--seed", "3"], capsys)
    assert code == 0 and r["check"]["passed"] and set(r["check"]["z"]) == {"mean@32", "nvar@32"}


@pytest.mark.parametrize("argv,needle", [
    (["--depth", "0", "--x", "1,0"], "--depth"),
    (["--depth", "2", "--x", "1,0", "--keep-prob", "1.5"], "--keep-prob"),
    (["--depth", "2", "--x", "1,0", "--keep-prob", "0.5,0.5"], "--keep-prob"),
    (["--depth", "2", "--x", "1,0", "--masked-layers", "7"], "--masked-layers"),
    (["--depth", "2", "--x", "1,0", "--masked-layers", "a"], "--masked-layers"),
    (["--depth", "2", "--x", "1,0", "--width-ratios", "1"], "--width-ratios"),
    (["--depth", "2", "--x", "1,0", "--width", "0"], "--width"),
    (["--depth", "2", "--x", "1,0", "--y", "1,0,0"], "--y"),
    (["--depth", "2", "--x", "1,0", "--dps", "5"], "--dps"),
    (["--depth", "2", "--x", "1,0", "--activation", "tanh"], "--activation"),
    (["--depth", "1", "--x", "1,0", "--activation", "erf", "--dps", "20"], "--dps"),
    (["--depth", "2", "--x", "1,0", "--check", "--widths", "64"], "--widths"),
    (["--depth", "1", "--x", "1,0", "--check", "--alpha", "2"], "--alpha"),
    (["--depth", "1", "--x", "1,0", "--latex", "/nonexistent-folder/v.tex"], "--latex"),
    (["--depth", "1", "--x", ",".join(["1"] * 20), "--prune-first-layer", "--keep-prob", "0.5"],
     "x="),
])
def test_bad_input_is_one_line_and_exit_2(argv, needle, capsys):
    code = main(["variance", *argv])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and needle in err and "fix:" in err


def test_bad_latex_path_writes_nothing(tmp_path, capsys):
    assert main(["variance", "--depth", "1", "--x", "1,0", "--latex",
                 str(tmp_path / "missing" / "v.tex")]) == 2
    assert not (tmp_path / "missing").exists()
    assert list(tmp_path.iterdir()) == []
    np.testing.assert_equal(capsys.readouterr().out, "")
