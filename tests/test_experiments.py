"""``pntk experiment NAME --quick`` end to end in-process, and its bad-argument table."""

import csv
import importlib.util
import json
from fractions import Fraction

import pytest
from cli_support import run_in_process

from numerics.experiments.runs import schedule_width, width_convergence
from theory import Architecture, InvalidArgument, first_layer_gap, limit_kernel


def experiment(argv, capsys):
    """(exit code, stdout) of ``pntk experiment ARGV``, in-process through the real parser."""
    return run_in_process(["experiment", *argv], capsys)


COLUMNS = {
    "width-convergence": ["model", "keep_prob", "width", "trials", "mean", "stderr", "ci_lo",
                          "ci_hi", "limit", "mean_abs_dev_limit"],
    "sparsity-scaling": ["schedule", "prune_prob", "keep_prob", "width", "trials",
                         "mean_rel_dev", "stderr", "limit"],
    "all-layers": ["model", "keep_prob", "width", "trials", "mean", "stderr", "ci_lo", "ci_hi",
                   "exact_limit", "mean_abs_dev_exact_limit", "mean_field_limit",
                   "mean_abs_dev_mean_field_limit"],
}
ROWS = {"width-convergence": 2 * 6, "sparsity-scaling": 3 * 3, "all-layers": 6}
WORDS = {"width-convergence": ("CONVERGE", "4 stderr", "false-alarm rate"),
         "sparsity-scaling": ("flat schedule", "n0 / q", "false-alarm rate"),
         "all-layers": ("converge to", "exact", "mean-field", "false-alarm rate")}


@pytest.mark.parametrize("name", list(COLUMNS))
def test_quick_run_writes_plot_csv_and_verdict(name, tmp_path, capsys):
    out = tmp_path / name
    code, text = experiment([name, "--quick", "--quiet", "--out", out], capsys)
    assert code == 0
    for f in (f"{name}.png", f"{name}.pdf", f"{name}.csv", f"{name}.verdict.txt",
              f"{name}.json"):
        assert (out / f).stat().st_size > 0, f
    assert (out / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    verdict = (out / f"{name}.verdict.txt").read_text().strip()
    assert verdict in text and verdict.startswith(name) and "rule:" in verdict
    assert all(w in verdict for w in WORDS[name])
    with open(out / f"{name}.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == COLUMNS[name] and len(rows) == ROWS[name]
    result = json.loads((out / f"{name}.json").read_text())
    assert result["verdict"] == verdict and result["experiment"] == name
    assert len(result["files"]) == 5


def test_width_convergence_limit_and_json_resume(tmp_path, capsys):
    argv = ["width-convergence", "--quick", "--trials", "3", "--db", tmp_path / "a.db",
            "--out", tmp_path / "a", "--json"]
    code, text = experiment(argv, capsys)
    first = json.loads(text)
    assert code == 0 and first["computed"] == 2 * 6 * 3
    dense = limit_kernel(Architecture.pruned(2, 1), [first["x"]], [first["y"]]).ntk[0, 0]
    assert first["limit"] == pytest.approx(dense, rel=1e-12)   # rescaled: the dense limit
    assert set(first["z_at_largest_width"]) == {"dense", "pruned"}
    code, text = experiment(argv, capsys)
    again = json.loads(text)
    assert again["computed"] == 0 and again["verdict"] == first["verdict"]


def test_all_layers_lines_are_the_c5_pair(tmp_path, capsys):
    code, text = experiment(["all-layers", "--quick", "--trials", "3", "--json",
                             "--out", tmp_path], capsys)
    r = json.loads(text)
    gap = first_layer_gap(Architecture.pruned(2, "1/2", rescale=True, prune_first_layer=True),
                          [r["x"]], [r["y"]])
    assert r["exact_limit"] == pytest.approx(gap.exact.ntk[0, 0], rel=1e-12)
    assert r["mean_field_limit"] == pytest.approx(gap.mean_field.ntk[0, 0], rel=1e-12)
    assert abs(r["exact_limit"] / r["mean_field_limit"] - 1) > 0.1     # visible C5 effect
    assert r["converges_to"] in {"exact", "mean-field", "both", "neither"}


def test_schedule_widths_round_to_integers():
    q = Fraction(1, 8)
    assert [schedule_width(s, 1024, q) for s in ("sqrt", "linear", "quadratic")] == \
        [2896, 8192, 65536]
    assert schedule_width("sqrt", 1024, Fraction(7, 8)) == round(1024 / (7 / 8) ** 0.5)


def test_python_api_is_deterministic():
    a, b = width_convergence(quick=True, trials=2), width_convergence(quick=True, trials=2)
    assert a.verdict == b.verdict and a.series[1].keep_prob == Fraction(1, 2)


def test_the_three_experiments_share_one_folder_and_no_run_is_replaced_silently(tmp_path,
                                                                                 capsys):
    """The README's sequence: every experiment's files survive the next one's."""
    out = tmp_path / "exp"
    for name in COLUMNS:
        assert experiment([name, "--quick", "--trials", "2", "--quiet", "--out", out],
                          capsys)[0] == 0
    for name in COLUMNS:
        doc = json.loads((out / f"{name}.json").read_text())
        assert doc["experiment"] == name and doc["trials"] == 2
        assert (out / f"{name}.verdict.txt").read_text().strip() == doc["verdict"]
        with open(out / f"{name}.csv", newline="") as fh:
            assert list(next(csv.reader(fh))) == COLUMNS[name]
    before = (out / "all-layers.json").read_text()
    with pytest.raises(InvalidArgument, match="^--out=.*another run's output.*--overwrite"):
        experiment(["all-layers", "--quick", "--trials", "3", "--out", out], capsys)
    assert (out / "all-layers.json").read_text() == before
    code, _ = experiment(["all-layers", "--quick", "--trials", "3", "--quiet", "--out", out,
                          "--overwrite"], capsys)
    assert code == 0 and json.loads((out / "all-layers.json").read_text())["trials"] == 3


def test_each_experiment_documents_its_grid(capsys):
    """``pntk experiment NAME --help`` states the grid the run uses."""
    from numerics.experiments.grids import grid
    for name in COLUMNS:
        with pytest.raises(SystemExit):
            experiment([name, "--help"], capsys)
        text = " ".join(capsys.readouterr().out.split())
        for quick in (False, True):
            g = grid(name, quick)
            assert f"{g.trials} trials per" in text
            if g.widths:
                lo, hi = g.widths[0].bit_length() - 1, g.widths[-1].bit_length() - 1
                assert f"widths 2^{lo}..2^{hi}" in text
            else:
                assert f"n0 = {g.base}" in text
                assert "prune_prob " + ", ".join(map(str, g.prune_probs)) in text


def test_quick_grids_are_the_documented_ones():
    """The grids module is what the runs use (widths and trials of a quick run)."""
    from numerics.experiments.grids import grid
    r = width_convergence(quick=True, trials=2)
    assert r.series[0].widths == grid("width-convergence", True).widths


def test_unknown_experiment_is_a_one_line_usage_error(capsys):
    from proofs_check.cli._common import UsageError
    with pytest.raises(UsageError, match="sizes.*width-convergence"):
        experiment(["sizes", "--quick"], capsys)


BAD = [
    (["all-layers", "--trials", "1"], "--trials"),
    (["all-layers", "--trials", "many"], "--trials"),
    (["all-layers", "--seed", "-1"], "--seed"),
    (["all-layers", "--workers", "0"], "--workers"),
]


@pytest.mark.parametrize("argv, argument", BAD)
def test_bad_arguments_name_the_argument(argv, argument, tmp_path, capsys):
    with pytest.raises(InvalidArgument) as exc:
        experiment(argv + ["--quick", "--out", tmp_path / "o"], capsys)
    assert exc.value.argument == argument
    assert "\n" not in str(exc.value) and "fix:" in str(exc.value)


def test_out_must_be_a_directory(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(InvalidArgument) as exc:
        experiment(["all-layers", "--quick", "--out", f], capsys)
    assert exc.value.argument == "--out"


def test_experiment_takes_the_sweep_device_options(tmp_path, capsys):
    """--device gpu without CuPy and a CUDA device is refused before any work."""
    if importlib.util.find_spec("cupy") is not None:
        pytest.skip("a CuPy installation is present; the refusal path does not apply")
    with pytest.raises(InvalidArgument, match="--device"):
        experiment(["width-convergence", "--quick", "--device", "gpu",
                    "--out", str(tmp_path / "x")], capsys)
    assert not (tmp_path / "x").exists()
