"""LaTeX export: documents and fragments compile with pdflatex, without undefined
control sequences, and carry the recursion, the factor and the proof steps."""

import re

import pytest
from test_cli_kernel import pntk

from theory import Architecture
from theory.symbolic.latex import LatexOptions, latex_document
from theory.texprint import escape_text

VARIANTS = [
    dict(depth=1, keep_prob=None, rescale=False, first=False, act="relu"),
    dict(depth=3, keep_prob="0.5", rescale=False, first=False, act="relu"),
    dict(depth=2, keep_prob="0.3", rescale=True, first=True, act="relu"),
    dict(depth=2, keep_prob="0.5", rescale=False, first=False, act="erf"),
    dict(depth=3, keep_prob=None, rescale=True, first=False, act="erf"),
]


@pytest.mark.latex
@pytest.mark.parametrize("v", VARIANTS, ids=lambda v: "-".join(map(str, v.values())))
def test_derive_document_compiles(compile_latex, tmp_path, v):
    tex = tmp_path / "doc.tex"
    args = ["derive", "--depth", v["depth"], "--activation", v["act"], "--latex", tex,
            "--expansion-depth", 4]
    if v["keep_prob"]:
        args += ["--keep-prob", v["keep_prob"]]
    if v["rescale"]:
        args.append("--rescale")
    if v["first"]:
        args.append("--prune-first-layer")
    out = pntk(*args).stdout
    assert f"wrote {tex}" in out
    compile_latex(tex)


@pytest.mark.latex
def test_fragment_compiles_inside_a_users_document(compile_latex, tmp_path):
    frag = tmp_path / "eqs.tex"
    pntk("derive", "--depth", 2, "--keep-prob", "0.25", "--latex", frag, "--fragment",
         "--expansion-depth", 3)
    text = frag.read_text()
    assert "\\documentclass" not in text and "\\begin{document}" not in text
    main = tmp_path / "paper.tex"
    main.write_text("\\documentclass{article}\n\\usepackage{amsmath,amssymb,graphicx}\n"
                    "\\begin{document}\nOur paper.\n\\input{eqs.tex}\n\\end{document}\n")
    compile_latex(main)


def test_document_carries_recursion_factor_and_proofs():
    doc = latex_document(Architecture.pruned(3, "0.5"), options=LatexOptions(expansion_depth=3))
    assert "\\Theta_{f}^{(4)}" in doc                 # the recursion reaches the output layer
    assert "\\frac{1}{8}" in doc                        # factor (1/2)^3
    assert "induction" in doc.lower()
    assert doc.count("(holds)") >= 3
    sym = latex_document(Architecture.pruned(3, "0.5"),
                         options=LatexOptions(symbolic_keep_prob=True, expansion_depth=3))
    assert "q^{3}" in sym


def test_erf_document_states_no_factor():
    doc = latex_document(Architecture.pruned(2, "0.5", activation="erf"),
                         options=LatexOptions(expansion_depth=2))
    assert "No scalar factor" in doc


def _prose():
    """Every step description, hypothesis, title and summary that the export prints."""
    from theory.symbolic import derivation as D
    from theory.symbolic import proofs as P

    results = [P.prove_homogeneity("relu"), P.prove_homogeneity("erf"),
               P.prove_scaling_induction("relu"), P.prove_scaling_induction("erf"),
               P.prove_scaling_expansion(2), P.prove_rescaled_equals_dense(2, None, True),
               P.prove_rescaled_equals_dense(1, "erf"),
               P.erf_witness(n_angles=8), P.erf_witness(depth=1, n_angles=8, prune_first_layer=True)]
    for r in results:
        yield r.title
        yield r.summary()
        yield from r.hypotheses
        yield from (text for text, _ in r.steps)
    for d in D.derive_all():
        yield from (text for text, _ in d.steps)


def test_prose_is_english_with_inline_math():
    """No ASCII pseudo-math outside $...$: the escaped text would print it literally."""
    texts = list(_prose())
    assert len(texts) > 80
    for text in texts:
        assert text.isascii() and text.strip() == text, text
        parts = text.split("$")
        assert len(parts) % 2 == 1, f"unbalanced $ in {text!r}"
        outside = "".join(parts[::2])
        assert not set(outside) & set("_^\\{}<>|"), text
        assert "sqrt(" not in outside and "int_" not in outside, text
        assert all(part.strip() for part in parts[1::2]), f"empty math in {text!r}"


def test_erf_witness_is_a_table_of_the_witness_numbers():
    import mpmath

    from theory.symbolic.proofs import erf_witness

    arch = Architecture.pruned(2, "0.5", activation="erf")
    doc = latex_document(arch, options=LatexOptions(expansion_depth=2))
    w = erf_witness(depth=2, keep_prob=arch.keep_probs[-1])
    prof = w.data["profile"]
    assert "\\begin{tabular}{lr}" in doc and "(holds).}" in doc
    for value in (w.data["ratios"]["x = x'"], w.data["ratios"]["angle pi/3"], w.data["difference"],
                  prof.minimax_scalar, prof.minimax_error, prof.least_squares_scalar,
                  prof.least_squares_error, *prof.offdiag_range, *prof.diag_range):
        assert mpmath.nstr(value, 6) in doc
    assert "$1/4$" in doc
    # a witness only where the theorem states no factor: erf with L = 1 scales by q
    one = latex_document(Architecture.pruned(1, "0.5", activation="erf"),
                         options=LatexOptions(expansion_depth=2))
    assert "tabular}{lr}" not in one and "No scalar factor" not in one


def test_long_tuples_and_sums_get_a_multiline_fallback():
    doc = latex_document(Architecture.pruned(2, "0.5", activation="erf"),
                         options=LatexOptions(expansion_depth=2))
    assert "\\begin{gathered}" in doc and "\\begin{aligned}" in doc
    assert doc.count("\\sbox0") == doc.count("\\usebox0") >= 2
    assert "x \\cdot x'" in doc                       # K^(1) written with the dot product


def test_escape_text_leaves_no_raw_specials():
    raw = "a_b ^ #1 & 50% ~ {x} \\ <y> |z| θσ"
    out = escape_text(raw)
    # Written out by hand from LaTeX's text-mode rules:
    assert out == (r"a\_b \^{} \#1 \& 50\% \~{} \{x\} \textbackslash{} $<$y$>$ $|$z$|$ "
                   r"$\theta$$\sigma$")
    # and nothing special survives outside the escapes and the math segments
    rest = re.sub(r"\$[^$]*\$", "", out)
    for esc in (r"\textbackslash{}", r"\{", r"\}", r"\_", r"\^{}", r"\#", r"\&", r"\%", r"\~{}"):
        rest = rest.replace(esc, "")
    assert not set(rest) & set("\\{}_^#&%~$<>|θσ")


def test_written_file_has_ordinary_permissions(tmp_path):
    import os
    import stat

    tex = tmp_path / "x.tex"
    pntk("derive", "--depth", 1, "--latex", tex, "--expansion-depth", 1)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(tex.stat().st_mode) == 0o666 & ~umask
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_derive_refuses_pdf_for_fragment(tmp_path):
    proc = pntk("derive", "--depth", 1, "--latex", tmp_path / "x.tex", "--fragment", "--pdf",
                check=False)
    assert proc.returncode == 2 and "--pdf" in proc.stderr
    assert not (tmp_path / "x.tex").exists()   # nothing half-written
