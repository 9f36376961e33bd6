"""``pntk bound`` and ``pntk claim width-law`` through ``proofs_check.cli.main``."""

import json

import pytest

import proofs_check.cli as cli

SMALL = ["--points", "L=1,eps=0.5,delta=0.1,q=1;L=2,eps=0.5,delta=0.2,q=0.5", "--trials", "60",
         "--max-width", "128", "--quiet"]
ARORA = ["--expr", "C*L**6/eps**4*log(L/delta)", "--constant", "C=1.0"]


@pytest.fixture
def pntk(capsys):
    def run(argv):
        code = cli.main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_bound_json(pntk):
    code, out, _ = pntk(["bound", *ARORA, *SMALL, "--json", "--seed", "5"])
    r = json.loads(out)
    assert code == (1 if r["verdict"] == "refuted" else 0)      # exit 1 exactly when refuted
    assert {"verdict", "witness", "symbolic", "implied_constant", "points", "error_rate",
            "seed"} <= set(r)
    assert r["verdict"] in ("verified", "refuted", "inconclusive") and r["seed"] == 5
    assert r["symbolic"]["ratio_to_dense"] == "1" and r["symbolic"]["polylog"] is True
    assert [pt["status"] for pt in r["points"]] == ["tested", "skipped"]    # 2^6 * 16 * log 20
    assert r["points"][1]["reason"].startswith("width") and "--max-width" in \
        r["points"][1]["reason"]
    assert r["error"] == "eps" and r["rescale"] is False and r["trials"] == 60
    if r["verdict"] == "refuted":
        assert r["witness"]["L"] == 1 and r["witness"]["width"] == 37
    else:
        assert r["witness"] is None
    c = r["implied_constant"]
    assert c["name"] == "C" and len(c["per_point"]) == 2 and "definition" in c


def test_bound_text_and_error_expression(pntk):
    code, out, err = pntk(["bound", *ARORA, *SMALL, "--error", "(L+1)*eps", "--rescale",
                           "--no-implied-constant"])
    assert code == 0 and err == ""
    for head in ("bound:", "question:", "symbolic:", "points:", "verdict:", "witness:",
                 "error rate:"):
        assert any(line.startswith(head) for line in out.splitlines()), head
    assert "(L+1)*eps" in out and "rescaled pruning" in out
    assert not any(line.startswith("constant:") for line in out.splitlines())


def test_width_law_claim_uses_eps_as_the_error(pntk):
    code, out, _ = pntk(["claim", "width-law", "--expr", "C/(q*eps**2)", "--constant", "C=64",
                         *SMALL, "--json", "--no-implied-constant"])
    r = json.loads(out)
    assert code == 0 and r["error"] == "eps"
    assert r["symbolic"]["q_exponent"]["value"] == 1.0
    assert r["symbolic"]["linear_in_inv_q"] is True
    code, _, err = pntk(["claim", "width-law", "--expr", "C/eps", "--constant", "C=1",
                         "--error", "eps"])
    assert code == 2 and "--error" in err


def test_progress_goes_to_stderr(pntk):
    argv = ["bound", *ARORA, *[a for a in SMALL if a != "--quiet"], "--no-implied-constant",
            "--json"]
    code, out, err = pntk(argv)
    assert code == 0 and err == ""                     # --json is quiet
    code, out, err = pntk([a for a in argv if a != "--json"])
    assert "pntk bound: point 1/1" in err and "skipped" in err


BASE = ["bound", "--expr", "C/eps", "--constant", "C=8", "--points", "L=1,eps=0.5,delta=0.1",
        "--trials", "5", "--quiet"]


def _replace(argv, flag, value):
    argv = list(argv)
    if flag in argv:
        i = argv.index(flag)
        argv[i + 1] = value
    else:
        argv += [flag, value]
    return argv


@pytest.mark.parametrize("flag,value", [
    ("--expr", "K/eps"), ("--expr", "__import__('os')"), ("--expr", "eps.real"),
    ("--expr", "lambda: 1"), ("--expr", "10**10**10"), ("--expr", "(eps"), ("--expr", ""),
    ("--expr", "eps - 1"), ("--expr", "sqrt(eps - 1)"), ("--expr", "1/(eps - 0.5)"),
    ("--expr", "C**C**C**C**C"),
    ("--constant", "C"), ("--constant", "C=abc"), ("--constant", "C=nan"),
    ("--constant", "__C=1"), ("--constant", "eps=1"),
    ("--error", "zz"), ("--error", "eps - 1"), ("--error", "nan"),
    ("--points", "L=0,eps=0.5,delta=0.1"), ("--points", "L=1,eps=0.5"),
    ("--points", "L=1,eps=0.5,delta=1"), ("--points", "L=1,eps=0.5,delta=0.1,q=2"),
    ("--points", "foo"), ("--points", "L=1,eps=x,delta=0.1"),
    ("--max-width", "0"), ("--max-width", "a"), ("--trials", "0"), ("--seed", "-1"),
    ("--budget", "fast"), ("--keep-prob-symbol", "eps"), ("--keep-prob-symbol", "a.b"),
    ("--solve-for", "K"), ("--alpha", "1"), ("--alpha", "x"), ("--x", "1,a"),
    ("--x", "0,0,0"), ("--y", "1,0"), ("--device", "tpu"), ("--workers", "0"),
    ("--masked-layers", "3"), ("--masked-layers", "2,2"), ("--masked-layers", "0"),
    ("--masked-layers", "a"), ("--masked-layers", ","),
])
def test_bad_input_is_one_line_and_exit_2(pntk, flag, value):
    code, out, err = pntk(_replace(BASE, flag, value))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pntk: error: ")
    assert flag in lines[0] and "fix:" in lines[0] and "Traceback" not in err


def test_duplicate_constant_and_missing_expr(pntk):
    code, _, err = pntk(BASE + ["--constant", "C=2"])
    assert code == 2 and "declared twice" in err
    code, _, err = pntk(["bound", "--constant", "C=1"])
    assert code == 2 and "--expr" in err and len(err.strip().splitlines()) == 1


def test_masked_layers_choose_the_network_and_its_limit(pntk):
    """--masked-layers 3 masks only the readout: the JSON says so, and the sampled networks
    are compared with the limit of that network, q x dense (one masked layer), not q^2."""
    from fractions import Fraction

    from proofs_check.bounds.points import SamplePoint
    from proofs_check.bounds.sampler import Sampler
    from theory.config import Architecture
    from theory.kernels.float64 import limit_kernel

    point = SamplePoint(2, 0.5, 0.1, Fraction(1, 4))
    dense = float(limit_kernel(Architecture.pruned(2), [[1.0, 0, 0]], [[0.6, 0.8, 0]]).ntk[0, 0])
    readout = Sampler(masked_layers=(3,))
    assert readout.arch(point).masked_layers == (3,)
    assert readout.limit(point) == pytest.approx(dense / 4, rel=1e-14)
    assert Sampler().limit(point) == pytest.approx(dense / 16, rel=1e-14)
    code, out, _ = pntk(["bound", "--expr", "C*L/(q*eps**2)", "--constant", "C=4",
                         "--points", "L=2,eps=0.5,delta=0.1,q=1/4", "--trials", "60",
                         "--masked-layers", "3", "--no-implied-constant", "--quiet", "--json"])
    r = json.loads(out)
    assert code in (0, 1) and r["masked_layers"] == [3] and r["points"][0]["status"] == "tested"
    code, out, _ = pntk(["bound", "--expr", "C*L/(q*eps**2)", "--constant", "C=4",
                         "--points", "L=2,eps=0.5,delta=0.1,q=1/4", "--trials", "60",
                         "--masked-layers", "1,2,3", "--no-implied-constant", "--quiet"])
    assert "first layer too" in out and "not a multiple of the dense one" in out
