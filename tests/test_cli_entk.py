"""End-to-end tests of ``pntk entk`` through the real console script."""

import json

import numpy as np
import pytest
from test_cli_kernel import pntk

from numerics import MaskedNetwork, empirical_ntk_bruteforce

RNG = np.random.default_rng(11)
W1, W2, W3 = RNG.normal(size=(9, 3)), RNG.normal(size=(8, 9)), RNG.normal(size=(1, 8))
M2 = (RNG.random((8, 9)) < 0.6).astype(np.int64)
M3 = np.array([[1, 1, 0, 1, 1, 0, 1, 1]])


@pytest.fixture
def files(tmp_path):
    X, Y = RNG.normal(size=(4, 3)), RNG.normal(size=(2, 3))
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "Y.npy", Y)
    return tmp_path, X, Y


def test_json_output_matches_the_bruteforce_kernel(files):
    tmp, X, Y = files
    np.savez(tmp / "net.npz", W1=W1, W2=W2, W3=W3, M2=M2, M3=M3, rescale=True,
             keep_probs=[1, 0.6, 0.75], activation="erf")
    out = json.loads(pntk("entk", "--weights", tmp / "net.npz", "--inputs", tmp / "X.npy",
                          "--json").stdout)
    net = MaskedNetwork((W1, W2, W3), (None, M2, M3), rescale=True, keep_probs=(1, 0.6, 0.75),
                        activation="erf")
    ref = empirical_ntk_bruteforce(net, X)
    np.testing.assert_allclose(np.array(out["ntk"]), ref, rtol=1e-12, atol=1e-12 * ref.max())
    assert np.array_equal(out["ntk"], np.array(out["ntk"]).T)
    assert out["widths"] == [9, 8] and out["depth"] == 2 and out["masked_layers"] == [2, 3]
    assert out["rescale"] is True and out["activation"] == "erf" and out["notes"] == []
    assert out["kept_weights"] == 27 + M2.sum() + M3.sum()

    xy = json.loads(pntk("entk", "--weights", tmp / "net.npz", "--inputs", tmp / "X.npy",
                         "--against", tmp / "Y.npy", "--json").stdout)
    assert np.array(xy["ntk"]).shape == (4, 2) and xy["shape"] == [4, 2]
    np.testing.assert_allclose(np.array(xy["ntk"]), empirical_ntk_bruteforce(net, X, Y),
                               rtol=1e-12, atol=1e-12 * ref.max())


def test_text_output_and_the_inferred_keep_probs_note(files):
    tmp, X, _ = files
    np.savez(tmp / "net.npz", W1=W1, W2=W2, W3=W3, M3=M3.astype(bool), rescale=np.array(1))
    proc = pntk("entk", "--weights", tmp / "net.npz", "--inputs", tmp / "X.npy")
    assert "relu, depth 2" in proc.stdout and "rescaled" in proc.stdout
    assert "note:" in proc.stdout and "layer 3: 3/4" in proc.stdout
    assert "ntk (4 x 4" in proc.stdout


def _bad_files():
    """name -> (what NET.npz holds, the argument the one-line message must name)."""
    ok = dict(W1=W1, W2=W2, W3=W3)
    obj = np.empty(1, dtype=object)
    obj[0] = {"a": 1}
    return {
        "missing file": (None, "--weights"),
        "garbage bytes": (b"this is not a zip archive", "--weights"),
        "truncated archive": (b"PK\x03\x04 cut short", "--weights"),
        "single .npy array": ("npy", "--weights"),
        "W2 missing": (dict(W1=W1, W3=W3), "--weights"),
        "only W1": (dict(W1=W1), "--weights"),
        "no W at all": (dict(M1=np.ones((9, 3))), "--weights"),
        "shapes do not chain": (dict(W1=W1, W2=W2[:, :5], W3=W3), "--weights"),
        "last layer 2 outputs": (dict(W1=W1, W2=W2, W3=np.ones((2, 8))), "--weights"),
        "W not 2-D": (dict(W1=W1, W2=W2.ravel(), W3=W3), "--weights"),
        "W NaN": (dict(ok, W2=np.where(M2 > 0, W2, np.nan)), "--weights"),
        "W infinite": (dict(ok, W3=np.full((1, 8), np.inf)), "--weights"),
        "W strings": (dict(ok, W3=np.array([["a"] * 8])), "--weights"),
        "W pickled objects": (dict(ok, W3=obj), "--weights"),
        "mask has a 2": (dict(ok, M2=M2 * 2), "--weights"),
        "mask 0.5": (dict(ok, M3=M3 * 0.5), "--weights"),
        "mask wrong shape": (dict(ok, M2=M2[:, :4]), "--weights"),
        "mask of no layer": (dict(ok, M4=np.ones((1, 1))), "--weights"),
        "unknown array": (dict(ok, bias1=np.zeros(9)), "--weights"),
        "rescale not boolean": (dict(ok, rescale=np.array(2)), "--weights"),
        "rescale a vector": (dict(ok, rescale=np.array([1, 0])), "--weights"),
        "activation unknown": (dict(ok, activation="tanh"), "--weights"),
        "activation a number": (dict(ok, activation=3.0), "--weights"),
        "keep_probs too short": (dict(ok, M2=M2, keep_probs=[1, 0.5]), "--weights"),
        "keep_probs above 1": (dict(ok, M2=M2, keep_probs=[1, 1.5, 1]), "--weights"),
        "keep_probs for a dense layer": (dict(ok, M2=M2, keep_probs=[0.5, 0.5, 1]), "--weights"),
        "rescale, empty mask, no keep_probs": (dict(ok, M3=0 * M3, rescale=True), "--weights"),
        "inputs of another dimension": (dict(W1=W1[:, :2], W2=W2, W3=W3), "--inputs"),
    }


BAD_FILES = _bad_files()


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_net_files_give_one_line_exit_2(files, case):
    tmp, _, _ = files
    content, argument = BAD_FILES[case]
    path = tmp / "net.npz"
    if isinstance(content, dict):
        np.savez(path, **content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "npy":
        path = tmp / "W.npy"
        np.save(path, W1)
    proc = pntk("entk", "--weights", path, "--inputs", tmp / "X.npy", check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert argument in lines[0] and "fix:" in lines[0] and "Traceback" not in proc.stderr
