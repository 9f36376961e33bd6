"""End-to-end tests of ``pntk kernel`` through the real console script."""

import json
import shutil
import subprocess
import sys

import mpmath
import numpy as np
import pytest

from theory import Architecture, limit_kernel, limit_kernel_mp


def pntk(*args, check=True):
    exe = shutil.which("pntk")
    cmd = [exe] if exe else [sys.executable, "-m", "proofs_check.cli"]
    proc = subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True,
                          timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_pair_json_has_the_documented_keys_and_values():
    out = json.loads(pntk("kernel", "--depth", 3, "--x", "1,0,0", "--y", "0.6,0.8,0",
                          "--keep-prob", "0.5", "--json").stdout)
    for key in ("ntk", "nngp", "dense_ntk", "dense_nngp", "scale_factor", "method"):
        assert key in out
    arch = Architecture.pruned(3, "0.5")
    ref = limit_kernel_mp(arch, [1, 0, 0], [0.6, 0.8, 0], dps=30)
    assert out["ntk"] == pytest.approx(float(ref.ntk), rel=1e-14)
    assert out["nngp"] == pytest.approx(float(ref.nngp), rel=1e-14)
    assert out["scale_factor"] == 0.125 and out["scale_factor_exact"] == "1/8"
    assert out["ntk"] == pytest.approx(0.125 * out["dense_ntk"], rel=1e-14)


def test_dps_gives_decimal_strings_with_that_many_digits():
    out = json.loads(pntk("kernel", "--depth", 2, "--x", "1,0", "--y", "0.6,0.8",
                          "--keep-prob", "0.3", "--dps", 40, "--json").stdout)
    assert isinstance(out["ntk"], str)
    digits = out["ntk"].replace("0.", "", 1).lstrip("0").replace(".", "")
    assert len(digits.split("e")[0]) == 40
    with mpmath.workdps(60):
        ref = limit_kernel_mp(Architecture.pruned(2, "0.3"), [1, 0], [0.6, 0.8], dps=50).ntk
        assert abs(mpmath.mpf(out["ntk"]) - ref) <= abs(ref) * mpmath.mpf(10) ** -39


def test_no_scale_factor_when_theory_has_none():
    out = json.loads(pntk("kernel", "--depth", 2, "--x", "1,0,0", "--y", "0.6,0.8,0",
                          "--keep-prob", "0.5", "--prune-first-layer", "--rescale",
                          "--json").stdout)
    assert out["scale_factor"] is None
    assert "mask patterns" in out["method"]


@pytest.mark.parametrize("suffix", [".npy", ".csv"])
def test_inputs_file_gives_gram_matrices(tmp_path, suffix):
    X = np.random.default_rng(0).normal(size=(5, 4))
    path = tmp_path / f"X{suffix}"
    if suffix == ".npy":
        np.save(path, X)
    else:
        np.savetxt(path, X, delimiter=",", fmt="%.17g")
    out = json.loads(pntk("kernel", "--depth", 2, "--inputs", path, "--keep-prob", "0.5",
                          "--json").stdout)
    expected = limit_kernel(Architecture.pruned(2, "0.5"), X)
    np.testing.assert_array_equal(np.array(out["ntk"]), expected.ntk)
    np.testing.assert_array_equal(np.array(out["nngp"]), expected.nngp)


def test_text_output_is_readable():
    out = pntk("kernel", "--depth", 1, "--x", "1,0", "--y", "0,1").stdout
    assert "ntk" in out and "scale factor 1" in out


BAD = [
    # (arguments, the argument the message must name)
    (["--depth", 0, "--x", "1,0"], "--depth"),
    (["--depth", -2, "--x", "1,0"], "--depth"),
    (["--depth", "two", "--x", "1,0"], "--depth"),
    (["--depth", 2, "--x", "1,0", "--keep-prob", 0], "--keep-prob"),
    (["--depth", 2, "--x", "1,0", "--keep-prob", -0.5], "--keep-prob"),
    (["--depth", 2, "--x", "1,0", "--keep-prob", 1.01], "--keep-prob"),
    (["--depth", 2, "--x", "1,0", "--keep-prob", "abc"], "--keep-prob"),
    (["--depth", 2, "--x", "0,0,0"], "--x"),
    (["--depth", 2, "--x", "1,0", "--y", "0,0"], "--y"),
    (["--depth", 2, "--x", "1,0", "--y", "1,0,0"], "--y"),
    (["--depth", 2, "--x", "1,nan"], "--x"),
    (["--depth", 2, "--x", "inf,1"], "--x"),
    (["--depth", 2, "--x", "1,x"], "--x"),
    (["--depth", 2, "--x", "1,0", "--activation", "tanh"], "--activation"),
    (["--depth", 2, "--x", "1,0", "--dps", 10], "--dps"),
    (["--depth", 2, "--x", "1,0", "--dps", "many"], "--dps"),
    (["--depth", 2, "--inputs", "no/such/file.npy"], "--inputs"),
    (["--depth", 2, "--x", "1,0", "--first-layer", "guess"], "--first-layer"),
    (["--depth", 2], "--x"),
    (["--depth", 2, "--x", "1,0", "--unknown-flag"], "unrecognized"),
]


@pytest.mark.parametrize("args,names", BAD, ids=[" ".join(map(str, a)) for a, _ in BAD])
def test_bad_arguments_give_one_line_exit_2_no_traceback(args, names):
    proc = pntk("kernel", *args, check=False)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert names in lines[0] and "fix:" in lines[0]
    assert "Traceback" not in proc.stderr


def test_unreadable_and_wrong_inputs_files(tmp_path):
    garbage = tmp_path / "x.npy"
    garbage.write_bytes(b"not a numpy file")
    text = tmp_path / "x.csv"
    text.write_text("1,2\n3,oops\n")
    zero = tmp_path / "z.npy"
    np.save(zero, np.zeros((2, 3)))
    other = tmp_path / "x.json"
    other.write_text("[]")
    for path in (garbage, text, zero, other):
        proc = pntk("kernel", "--depth", 1, "--inputs", path, check=False)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "--inputs" in proc.stderr or "inputs" in proc.stderr
