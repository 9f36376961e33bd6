"""What every ``pntk`` command accepts and says: negative vectors, network options,
defaults in --help, cheap start-up, saved Gram matrices, refusals with an estimate."""

import argparse
import json
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from cli_support import run_in_process

from proofs_check import cli
from proofs_check.cli._common import HelpFormatter, Parser, UsageError
from theory import Architecture, limit_kernel


def _parsers(parser=None, path=("pntk",)):
    """(command path, parser) for the top-level parser and every subcommand's."""
    parser = parser or cli.build_parser()
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, path + (name,))


# ------------------------------------------------------------------ negative numbers
VECTOR_OPTIONS = [
    (["kernel", "--depth", "2"], ["--x", "--y"]),
    (["simulate", "--depth", "1", "--width", "8", "--keep-prob", "1", "--trials", "2"],
     ["--x", "--y"]),
    (["scaling"], ["--x", "--y"]),
    (["bound", "--expr", "C/eps", "--constant", "C=1"], ["--x", "--y"]),
    (["claim", "width-law", "--expr", "C/eps", "--constant", "C=1"], ["--x", "--y"]),
]


@pytest.mark.parametrize("base, options", VECTOR_OPTIONS)
@pytest.mark.parametrize("value", ["-0.5,1", "-1,-2,3", "-1e-3, 2", "-.5,1"])
def test_vectors_may_start_with_a_minus_sign(base, options, value):
    for option in options:
        argv = base + ([] if option == "--x" or "--x" not in options else ["--x", "1,0"])
        args = cli.build_parser().parse_args(argv + [option, value])
        assert getattr(args, option.lstrip("-")) == value


def test_every_subcommand_uses_the_one_line_parser():
    for path, parser in _parsers():
        assert isinstance(parser, Parser), path
        assert parser.formatter_class is HelpFormatter, path


def test_an_option_is_still_an_option():
    """Only numbers are read as values: '--x --json' is a missing value, not '--json'."""
    with pytest.raises(UsageError, match="--x"):
        cli.build_parser().parse_args(["kernel", "--depth", "2", "--x", "--json"])


def test_kernel_of_a_negative_input_matches_the_library(capsys):
    code, out = run_in_process(["kernel", "--depth", "2", "--x", "-0.5,1", "--y", "1,0",
                                "--keep-prob", "0.5", "--json"], capsys)
    expected = limit_kernel(Architecture.pruned(2, "0.5"), [[-0.5, 1.0]], [[1.0, 0.0]])
    assert code == 0 and json.loads(out)["ntk"] == float(expected.ntk[0, 0])


# ------------------------------------------------------------------ --help
def test_every_option_shows_its_default():
    """Each option that takes a value and may be omitted says what happens without it."""
    for path, parser in _parsers():
        formatter = HelpFormatter(parser.prog)
        for action in parser._actions:
            if (not action.option_strings or action.nargs == 0 or action.required
                    or isinstance(action, argparse._HelpAction)):
                continue
            text = formatter._get_help_string(action) or ""
            assert "default" in text.lower(), (path, action.option_strings, text)


def test_starting_the_cli_imports_nothing_heavy():
    """Building every parser and printing every help loads no SymPy, SciPy, matplotlib,
    mpmath or NumPy: those are imported by the command that needs them."""
    code = (
        "import sys, contextlib, io\n"
        "import proofs_check.cli as c\n"
        "helps = [['--help'], ['kernel', '--help'], ['experiment', 'all-layers', '--help'],\n"
        "         ['bound', '--help'], ['verify', '--help'], ['claim', 'scaling', '--help']]\n"
        "for argv in helps:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        try:\n"
        "            c.main(argv)\n"
        "        except SystemExit:\n"
        "            pass\n"
        "heavy = ('sympy', 'scipy', 'matplotlib', 'mpmath', 'numpy')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.strip() == "[]"


def test_constants_repeated_for_a_cheap_parser_agree_with_their_source():
    from proofs_check.cli._network import ACTIVATIONS
    from proofs_check.cli.checks.bound import DEFAULT_ALPHA
    from proofs_check.cli.limit.kernel import FIRST_LAYER_METHODS
    from proofs_check.decisions import DEFAULT_ALPHA as alpha
    from theory.config import ACTIVATIONS as activations
    from theory.kernels.float64 import FIRST_LAYER_METHODS as methods
    assert (ACTIVATIONS, DEFAULT_ALPHA, FIRST_LAYER_METHODS) == (activations, alpha, methods)


# ------------------------------------------------------------------ network options
def _args(argv):
    return cli.build_parser().parse_args(argv)


@pytest.mark.parametrize("extra, expected", [
    ([], Architecture.pruned(3, 1)),
    (["--keep-prob", "0.3"], Architecture.pruned(3, Fraction(3, 10))),
    (["--keep-prob", "0.3,0.5", "--masked-layers", "2,3"],
     Architecture.pruned(3, [1, Fraction(3, 10), Fraction(1, 2), 1], masked_layers=[2, 3])),
    (["--keep-prob", "1,0.3,0.5,1", "--masked-layers", "2,3"],
     Architecture.pruned(3, [1, Fraction(3, 10), Fraction(1, 2), 1], masked_layers=[2, 3])),
    (["--keep-prob", "0.2,0.3,0.5"],
     Architecture.pruned(3, [1, Fraction(1, 5), Fraction(3, 10), Fraction(1, 2)])),
    (["--keep-prob", "0.5", "--masked-layers", "3", "--prune-first-layer"],
     Architecture.pruned(3, Fraction(1, 2), masked_layers=[1, 3])),
    (["--keep-prob", "0.5", "--rescale", "--activation", "erf"],
     Architecture.pruned(3, Fraction(1, 2), rescale=True, activation="erf")),
])
@pytest.mark.parametrize("command", ["kernel", "derive", "simulate"])
def test_network_options_build_the_architecture(command, extra, expected):
    from proofs_check.cli._network import architecture
    base = {"kernel": ["kernel", "--depth", "3", "--x", "1,0"],
            "derive": ["derive", "--depth", "3", "--latex", "x.tex"],
            "simulate": ["simulate", "--depth", "3", "--width", "8", "--x", "1,0",
                         "--trials", "2"]}[command]
    if command == "simulate" and "--keep-prob" not in extra:
        extra = extra + ["--keep-prob", "1"]
    if command == "derive" and "--keep-prob" not in extra:
        return                       # derive keeps q symbolic without --keep-prob
    assert architecture(_args(base + extra)) == expected


@pytest.mark.parametrize("extra, argument", [
    (["--keep-prob", "0.3,0.5"], "--keep-prob"),                 # 3 masked, 4 layers
    (["--keep-prob", "0.5,1.5", "--masked-layers", "2,3"], "--keep-prob"),
    (["--keep-prob", "0.5", "--masked-layers", "5"], "--masked-layers"),
    (["--keep-prob", "0.5", "--masked-layers", "2,2"], "--masked-layers"),
    (["--keep-prob", "0.5", "--masked-layers", "0"], "--masked-layers"),
    (["--keep-prob", "0.5,0.5,0.5,0.5", "--masked-layers", "2"], "--keep-prob"),
    (["--first-layer", "exact"], "--first-layer"),
    (["--first-layer", "mean_field", "--keep-prob", "0.5"], "--first-layer"),
    (["--save", "K.txt", "--inputs", "X.npy"], "--save"),
    (["--save", "K.npy"], "--save"),                              # a pair has no Gram
])
def test_bad_network_options_are_one_line_errors(extra, argument, capsys, tmp_path,
                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "X.npy", np.eye(2))
    argv = ["kernel", "--depth", "3"] + ([] if "--inputs" in extra else ["--x", "1,0"])
    assert cli.main(argv + extra) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith(f"pntk: error: {argument}=")
    assert "fix:" in err and not (tmp_path / "K.npy").exists()


def test_first_layer_method_with_a_masked_first_layer_is_accepted(capsys):
    code, out = run_in_process(["kernel", "--depth", "2", "--x", "1,0", "--y", "0,1",
                                "--keep-prob", "0.5", "--prune-first-layer",
                                "--first-layer", "exact", "--json"], capsys)
    arch = Architecture.pruned(2, "0.5", prune_first_layer=True)
    expected = limit_kernel(arch, [[1.0, 0.0]], [[0.0, 1.0]], first_layer="exact")
    assert code == 0 and json.loads(out)["ntk"] == float(expected.ntk[0, 0])


def test_python_and_command_line_read_a_decimal_alike():
    from proofs_check.cli._network import architecture
    args = cli.build_parser().parse_args(["kernel", "--depth", "3", "--x", "1,0",
                                          "--keep-prob", "0.3"])
    assert architecture(args) == Architecture.pruned(depth=3, keep_prob=0.3)
    assert Architecture.pruned(3, [1, 0.3, 0.7, 0.9]).keep_probs[1:] == \
        (Fraction(3, 10), Fraction(7, 10), Fraction(9, 10))


# ------------------------------------------------------------------ what was computed
def test_kernel_without_keep_prob_says_the_network_is_dense(capsys):
    code, out = run_in_process(["kernel", "--depth", "3", "--x", "1,0", "--y", "0,1"], capsys)
    assert code == 0
    network = [line for line in out.splitlines() if line.startswith("network:")][0]
    assert "dense (every keep_prob is 1: no layer pruned)" in network
    assert "masked" not in network and "layers 2" not in network


def test_kernel_names_the_pruned_layers_and_their_keep_probs(capsys):
    code, out = run_in_process(["kernel", "--depth", "3", "--x", "1,0", "--keep-prob",
                                "0.3,0.5", "--masked-layers", "2,3"], capsys)
    assert "keep_probs 3/10, 1/2 on layers 2, 3 (layers 1, 4 dense), plain pruning" in out


def test_derive_without_keep_prob_says_q_is_symbolic(tmp_path, capsys):
    code, out = run_in_process(["derive", "--depth", "2", "--latex", tmp_path / "d.tex",
                                "--expansion-depth", "2"], capsys)
    assert code == 0 and "keep_prob q (symbolic) on layers 2, 3" in out
    assert "1/2" not in out and "pruned NTK = q^2 x dense NTK" in out


# ------------------------------------------------------------------ long work
def test_a_kernel_too_deep_for_the_time_limit_is_refused_with_an_estimate(capsys):
    # one layer costs tens of microseconds, so 100000 layers take seconds, far over 0.2 s
    assert cli.main(["kernel", "--depth", "100000", "--x=1,0", "--y=0,1",
                     "--max-seconds", "0.2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pntk: error: --depth='100000' is invalid: the layer recursion "
                          "would take about ") and "--max-seconds" in err


def test_a_deep_kernel_within_the_limit_is_computed(capsys):
    code, out = run_in_process(["kernel", "--depth", "600", "--x", "1,0", "--y", "0.6,0.8",
                                "--keep-prob", "0.5", "--json"], capsys)
    r = json.loads(out)
    expected = limit_kernel(Architecture.pruned(600, "0.5"), [[1.0, 0.0]], [[0.6, 0.8]])
    assert code == 0 and r["ntk"] == float(expected.ntk[0, 0])
    assert r["scale_factor_exact"] == str(Fraction(1, 2) ** 600)


def test_an_exact_factor_too_long_to_print_is_a_product_of_powers():
    from proofs_check.cli.limit.kernel import _factor_text
    arch = Architecture.pruned(20000, "0.5")
    assert _factor_text(arch, arch.scale_factor()) == "(1/2)^20000"


# ------------------------------------------------------------------ --save
def test_kernel_and_entk_save_their_gram_matrices(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 3))
    np.save(tmp_path / "X.npy", X)
    code, out = run_in_process(["kernel", "--depth", "2", "--inputs", tmp_path / "X.npy",
                                "--keep-prob", "0.5", "--save", tmp_path / "K.npy", "--json"],
                               capsys)
    assert code == 0
    np.testing.assert_array_equal(np.load(tmp_path / "K.npy"), np.array(json.loads(out)["ntk"]))
    np.testing.assert_array_equal(np.load(tmp_path / "K.npy"),
                                  limit_kernel(Architecture.pruned(2, "0.5"), X).ntk)
    weights = {"W1": rng.normal(size=(5, 3)), "W2": rng.normal(size=(5, 5)),
               "W3": rng.normal(size=(1, 5))}
    np.savez(tmp_path / "net.npz", **weights)
    code, out = run_in_process(["entk", "--weights", tmp_path / "net.npz", "--inputs",
                                tmp_path / "X.npy", "--save", tmp_path / "E.npy"], capsys)
    assert code == 0 and "saved:" in out
    from numerics import empirical_ntk, load_network
    expected = empirical_ntk(load_network(str(tmp_path / "net.npz")).network, X)
    np.testing.assert_array_equal(np.load(tmp_path / "E.npy"), expected)


# ------------------------------------------------------------------ defaults and verdicts
def test_scaling_runs_with_defaults_only():
    """Every scaling option has a default: the parsed settings are the documented grid."""
    from proofs_check.cli.finite.scaling import _settings
    s = _settings(_args(["scaling"]))
    assert s["depths"] == [2] and [str(q) for q in s["keep_probs"]] == ["1", "1/2", "1/4", "1/8"]
    assert s["widths"] == [64, 128, 256, 512, 1024, 2048] and s["trials"] == 100
    assert (s["eps"], s["delta"]) == (0.25, 0.1) and list(s["y"]) == [0.6, 0.8, 0.0]


def test_bound_with_every_point_skipped_is_inconclusive_and_says_why(capsys):
    code, out = run_in_process(["bound", "--expr", "C*L**6/eps**4*log(L/delta)",
                                "--constant", "C=1000", "--no-implied-constant", "--quiet",
                                "--json"], capsys)
    r = json.loads(out)
    assert code == 0 and r["tested"] == 0 and r["skipped"] == len(r["points"])
    assert r["verdict"] == "inconclusive" and "no sample point could be tested" in \
        r["explanation"] and r["witness"] is None and r["error_rate"] == 0.0


def test_silent_work_shows_a_heartbeat():
    """Work with no finer progress measure prints that it is alive, every interval."""
    import io
    import time

    from proofs_check.cli._common import heartbeat
    out = io.StringIO()
    with heartbeat("pntk demo", every=0.05, stream=out):
        time.sleep(0.3)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2 and all(line.startswith("pntk demo ... still working (")
                                   for line in lines)
    quiet = io.StringIO()
    with heartbeat("pntk demo", every=0.05, stream=quiet, enabled=False):
        time.sleep(0.15)
    assert quiet.getvalue() == ""


def test_derive_too_deep_for_sympy_is_one_line(monkeypatch, tmp_path, capsys):
    """A RecursionError of the symbolic layer becomes the usual one-line error."""
    def too_deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr("theory.symbolic.latex.latex_document", too_deep)
    assert cli.main(["derive", "--depth", "200", "--latex", str(tmp_path / "d.tex")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("pntk: error: --depth='200' is invalid: the symbolic")
    assert not (tmp_path / "d.tex").exists()
