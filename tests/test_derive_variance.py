"""``pntk derive --variance``: the finite-width variance derivation and V for one pair as
LaTeX (document or fragment, compiled with pdflatex), with the usual option handling."""

from __future__ import annotations

import re

import numpy as np
import pytest
from cli_support import run_in_process

from proofs_check import cli
from theory.config import Architecture
from theory.variance.deep import variance_pairs


def _number_after(tex: str, label: str) -> float:
    match = re.search(re.escape(label) + r"\s*=\s*([-0-9.eE+]+)", tex)
    assert match, label
    return float(match.group(1))


def test_document_states_v_of_the_requested_configuration(tmp_path, capsys):
    tex = tmp_path / "v.tex"
    code, out = run_in_process(["derive", "--variance", "--depth", "2", "--keep-prob", "0.25",
                                "--masked-layers", "2,3", "--rescale", "--x", "1,0,0",
                                "--y", "0.6,0.8,0", "--width-ratios", "1,2", "--width", "512",
                                "--latex", tex], capsys)
    text = tex.read_text()
    assert code == 0 and f"wrote {tex}" in out
    arch = Architecture.pruned(2, "0.25", rescale=True, masked_layers=[2, 3])
    ref = variance_pairs(arch, [1.0, 0.0, 0.0], [0.6, 0.8, 0.0], width_ratios=[1, 2])
    V = float(ref.n_var[0])
    # the document prints V to 12 significant digits and the width-512 standard deviation
    assert abs(_number_after(text, "V") - V) <= 1e-10 * V
    assert abs(_number_after(text, r"\sqrt{V/n}") - np.sqrt(V / 512)) <= 1e-7 * np.sqrt(V / 512)
    # equal widths give a different V: the ratios reached the recursion
    V_equal = float(variance_pairs(arch, [1.0, 0.0, 0.0], [0.6, 0.8, 0.0]).n_var[0])
    assert abs(V - V_equal) > 1e-3 * V
    assert text.startswith("\\documentclass") and "V3 (proved from the recursion)" in text


@pytest.mark.parametrize("extra, argument", [
    (["--variance", "--x", "1,0"], "--y"),                       # V needs the pair
    (["--variance", "--y", "1,0"], "--x"),
    (["--x", "1,0"], "--x"),                                      # only --variance uses it
    (["--width", "64"], "--width"),
    (["--variance", "--x", "1,0", "--y", "1,0,0"], "--y"),
    (["--variance", "--x", "1,0", "--y", "0,1", "--width-ratios", "1"], "--width-ratios"),
    (["--variance", "--x", "1,0", "--y", "0,1", "--width", "0"], "--width"),
    (["--variance", "--x", "1,a", "--y", "0,1"], "--x"),
    (["--variance", "--x", "1,0", "--y", "0,1", "--keep-prob", "2"], "--keep-prob"),
    (["--variance", "--x", "1,0", "--y", "0,1", "--fragment", "--pdf"], "--pdf"),
])
def test_bad_variance_options_are_one_line_errors(extra, argument, tmp_path, capsys):
    tex = tmp_path / "v.tex"
    assert cli.main(["derive", "--depth", "2", "--latex", str(tex)] + extra) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith(f"pntk: error: {argument}=")
    assert "fix:" in err and not tex.exists()


@pytest.mark.latex
@pytest.mark.parametrize("extra", [
    ["--depth", "1", "--keep-prob", "0.5", "--x", "1,0", "--y", "0.6,0.8"],
    ["--depth", "2", "--keep-prob", "0.5,0.25", "--masked-layers", "2,3",
     "--activation", "erf", "--x", "1,0", "--y", "0,1", "--width", "256"],
    ["--depth", "2", "--keep-prob", "0.5", "--prune-first-layer", "--rescale",
     "--x", "1,1,0", "--y", "0,1,1", "--width-ratios", "2,1"],
], ids=["relu-depth1", "erf-depth2", "masked-first-layer"])
def test_variance_document_compiles_with_pdf(compile_latex, tmp_path, capsys, extra):
    tex = tmp_path / "v.tex"
    code, out = run_in_process(["derive", "--variance", "--latex", tex, "--pdf"] + extra, capsys)
    assert code == 0 and "compiled" in out and tex.with_suffix(".pdf").stat().st_size > 1000
    compile_latex(tex)


@pytest.mark.latex
def test_variance_fragment_compiles_inside_a_users_document(compile_latex, tmp_path, capsys):
    frag = tmp_path / "var.tex"
    run_in_process(["derive", "--variance", "--depth", "3", "--keep-prob", "0.25",
                    "--x", "1,0", "--y", "0.8,0.6", "--latex", frag, "--fragment"], capsys)
    text = frag.read_text()
    assert "\\documentclass" not in text and "\\begin{document}" not in text
    main = tmp_path / "paper.tex"
    main.write_text("\\documentclass{article}\n\\usepackage{amsmath,amssymb,graphicx}\n"
                    "\\begin{document}\n\\input{var.tex}\n\\end{document}\n")
    compile_latex(main)
