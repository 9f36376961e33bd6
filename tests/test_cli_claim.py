"""``pntk claim scaling`` and ``pntk claim rescaled-equals-dense``, in-process.

Runs through ``proofs_check.cli.main``; the test of extra claim kinds builds its own
parser from ``_claim.add_parser`` with the same error handling as ``main``.
"""

import json
import sys

import pytest

import proofs_check.cli as cli
from proofs_check.cli.checks import claim as _claim
from proofs_check.cli._common import EXIT_BAD_INPUT, Parser, UsageError
from theory import InvalidArgument


def _local_parser(extra=()):
    parser = Parser(prog="pntk")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    _claim.add_parser(sub, extra)
    return parser


def pntk(*argv, extra=()):
    """Exit code of ``pntk ARGV`` (output is read with capsys)."""
    argv = [str(a) for a in argv]
    if not extra:
        return cli.main(argv)
    try:
        args = _local_parser(extra).parse_args(argv)
        return args.run(args)
    except (UsageError, InvalidArgument) as exc:
        print(f"pntk: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def test_a_true_claim_exits_0(capsys):
    code = pntk("claim", "scaling", "--depth", 3, "--keep-prob", 0.5, "--exponent", 3)
    out = capsys.readouterr().out
    assert code == 0
    assert "verdict:  verified" in out and "q^3 = prod s_h = 1/8" in out
    assert "witness" not in out


def test_a_wrong_exponent_exits_1_with_a_witness(capsys):
    code = pntk("claim", "scaling", "--depth", 3, "--keep-prob", 0.5, "--exponent", 2)
    out = capsys.readouterr().out
    assert code == 1
    assert "verdict:  refuted" in out
    witness = [line for line in out.splitlines() if line.startswith("witness:")]
    assert len(witness) == 1 and "x = (" in witness[0] and "relative difference 0.5" in witness[0]


def test_json_has_verdict_evidence_and_witness(capsys):
    code = pntk("claim", "scaling", "--depth", 2, "--keep-prob", "1/4", "--exponent", "5/2",
                "--json")
    r = json.loads(capsys.readouterr().out)
    assert code == 1
    assert r["verdict"] == "refuted" and r["id"] == "user-scaling"
    assert {"summary", "checks", "seed", "error_rate"} <= set(r["evidence"])
    w = r["witness"]
    assert w["pruned_ntk"] == pytest.approx(w["dense_ntk"] / 16, rel=1e-14)
    assert w["claimed_ntk"] == pytest.approx(w["dense_ntk"] / 32, rel=1e-14)
    assert r["parameters"]["exponent"] == "5/2" and r["parameters"]["keep_prob"] == "1/4"


def test_erf_witness_shows_two_ratios(capsys):
    code = pntk("claim", "scaling", "--depth", 2, "--keep-prob", 0.5, "--exponent", 2,
                "--activation", "erf", "--json")
    r = json.loads(capsys.readouterr().out)
    assert code == 1
    ratios = [v["ratio"] for v in r["witness"]["ratios"]]
    assert len(ratios) == 2 and abs(ratios[0] - ratios[1]) > 1e-3


def test_rescaled_equals_dense(capsys):
    assert pntk("claim", "rescaled-equals-dense", "--depth", 3, "--keep-prob", 0.5) == 0
    assert "verdict:  verified" in capsys.readouterr().out
    code = pntk("claim", "rescaled-equals-dense", "--depth", 2, "--keep-prob", 0.5,
                "--prune-first-layer", "--d0", 3, "--seed", 4, "--json")
    r = json.loads(capsys.readouterr().out)
    assert code == 1 and r["verdict"] == "refuted" and r["evidence"]["seed"] == 4
    assert r["witness"]["relative_difference"] > 0.01 and len(r["witness"]["x"]) == 3


def test_scaling_with_a_masked_first_layer_and_rescaling_in_text(capsys):
    code = pntk("claim", "scaling", "--depth", 2, "--keep-prob", 0.5, "--exponent", 0,
                "--rescale", "--prune-first-layer", "--d0", 2)
    out = capsys.readouterr().out
    assert code == 1 and "witness:" in out and "mpmath" in out


def test_extra_subcommands_are_added_to_the_claim_group(capsys):
    def add_demo(kinds):
        p = kinds.add_parser("demo", help="a demo claim")
        p.set_defaults(run=lambda args: print("demo ran") or 0)

    assert pntk("claim", "demo", extra=(add_demo,)) == 0
    assert capsys.readouterr().out.strip() == "demo ran"


SCALING = ["claim", "scaling", "--depth", "2", "--keep-prob", "0.5", "--exponent", "2"]
RESCALED = ["claim", "rescaled-equals-dense", "--depth", "2", "--keep-prob", "0.5"]


def _set(argv, flag, value):
    argv = list(argv)
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]
    return argv


BAD = [
    (_set(SCALING, "--depth", "0"), "--depth"),
    (_set(SCALING, "--depth", "two"), "--depth"),
    (_set(SCALING, "--keep-prob", "0"), "--keep-prob"),
    (_set(SCALING, "--keep-prob", "1.5"), "--keep-prob"),
    (_set(SCALING, "--keep-prob", "abc"), "--keep-prob"),
    (_set(SCALING, "--exponent", "k"), "--exponent"),
    (_set(SCALING, "--exponent", "nan"), "--exponent"),
    (_set(SCALING, "--exponent", "inf"), "--exponent"),
    (_set(SCALING, "--exponent", "1/0"), "--exponent"),
    (_set(SCALING, "--activation", "tanh"), "--activation"),
    (_set(SCALING, "--d0", "0"), "--d0"),
    (_set(SCALING, "--seed", "-1"), "--seed"),
    (_set(SCALING, "--budget", "fast"), "--budget"),
    (SCALING[:-2], "--exponent"),
    (SCALING + ["--unknown-flag"], "unrecognized"),
    (_set(RESCALED, "--keep-prob", "2"), "--keep-prob"),
    (_set(RESCALED, "--d0", "x"), "--d0"),
    (RESCALED + ["--exponent", "2"], "unrecognized"),
    (["claim"], "CLAIM"),
    (["claim", "nonsense"], "invalid choice"),
]


@pytest.mark.parametrize("argv,names", BAD, ids=[" ".join(a[1:]) for a, _ in BAD])
def test_bad_arguments_give_one_line_and_exit_2(argv, names, capsys):
    code = pntk(*argv)
    captured = capsys.readouterr()
    assert code == EXIT_BAD_INPUT
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert names in lines[0] and "fix:" in lines[0] and "Traceback" not in captured.err


def test_errors_raised_by_a_claim_factory_name_the_flag():
    """The CLI checks its flags first; anything the factory still rejects is renamed."""
    from proofs_check.claims.paper.c1_scaling import scaling_claim
    with pytest.raises(InvalidArgument) as err:
        _claim._build(scaling_claim, 2, "1/2", 2, activation="tanh", prune_first_layer=1)
    assert err.value.argument == "--activation" and "fix:" in str(err.value)
    with pytest.raises(InvalidArgument, match="^--prune-first-layer="):
        _claim._build(scaling_claim, 2, "1/2", 2, prune_first_layer=1)


def test_keep_prob_one_is_a_claim_not_an_error(capsys):
    assert pntk("claim", "scaling", "--depth", 2, "--keep-prob", 1, "--exponent", 7) == 0
    assert "verdict:  verified" in capsys.readouterr().out


def test_masked_layers_set_the_exponent_the_claim_is_decided_against(capsys):
    """Masking layers 2 and 4 of a depth-3 network scales the limit by q^2: exponent 2 is
    verified, the default exponent 3 refuted with a witness whose ratio is q^2."""
    args = ("claim", "scaling", "--depth", 3, "--keep-prob", 0.5, "--masked-layers", "2,4")
    assert pntk(*args, "--exponent", 2) == 0
    assert "verdict:  verified" in capsys.readouterr().out
    assert pntk(*args, "--exponent", 3, "--json") == 1
    r = json.loads(capsys.readouterr().out)
    assert r["verdict"] == "refuted" and r["parameters"]["masked_layers"] == [2, 4]
    w = r["witness"]
    assert w["pruned_ntk"] == pytest.approx(w["dense_ntk"] / 4, rel=1e-14)
    assert pntk("claim", "rescaled-equals-dense", "--depth", 3, "--keep-prob", 0.5,
                "--masked-layers", "3") == 0
    assert pntk(*args[:-1], "5", "--exponent", 2) == EXIT_BAD_INPUT
    assert "--masked-layers='5'" in capsys.readouterr().err
