"""The report of ``pntk verify``: terminal and Markdown tables, report.md, report.json and
formulas.tex (compiled with pdflatex), written atomically, safe for LaTeX and Markdown
specials in claim titles."""

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from proofs_check import report as R
from proofs_check.claim import Claim, Hypothesis
from proofs_check.report import format_table, markdown_table, md_text, write_report
from proofs_check.report_tex import display_math, formulas_document, text_latex
from proofs_check.verdict import CheckOutcome, ClaimResult, Verdict
from theory import Architecture
from theory.symbolic.latex import LatexOptions, latex_document

SPECIAL_TITLE = "q_h kept: 50% & |x| <= 1, #2 ~ {a} \\ `code` *star* [link] $s_h = r_h^2 q_h$"
LONG_SUM = " + ".join(f"a_{{{i}}} \\left(x - y_{{{i}}}\\right)^{{2}}" for i in range(30))


def _figure(out: Path, name: str) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    (out / "figures").mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1], [1, 0])
    fig.savefig(out / "figures" / name, dpi=20)
    plt.close(fig)
    return f"figures/{name}"


def _results(out: Path) -> list[ClaimResult]:
    exact = CheckOutcome(Verdict.VERIFIED, "symbolic", "difference simplifies to 0",
                         {"depths": [1, 2, 3], "factor": "1/8"})
    stat = CheckOutcome(Verdict.VERIFIED, "statistical", "P(|Theta_n - limit| > eps) = 2/200",
                        {"exceed": 2, "trials": 200, "ci": (0.001, 0.035), "alpha": 0.01,
                         "samples": np.arange(1000.0), "nested": {"z": np.float64(0.25)},
                         "figures": ["figures/c1.png"]}, 0.01)
    unsure = CheckOutcome(Verdict.INCONCLUSIVE, "statistical",
                          "slope = 0.91 [0.42, 1.40] vs 1 +- 0.25: overlaps",
                          {"estimate": 0.91, "ci": (0.42, 1.40)}, 0.02)
    wrong = CheckOutcome(Verdict.REFUTED, "numeric", "ratios differ: 0.2493 vs 0.2511",
                         {"difference": 1.8e-3, "ratio": float("nan")})
    outside = CheckOutcome(Verdict.NOT_APPLICABLE, "hypotheses", "first layer dense fails")
    return [
        ClaimResult("C1", "plain pruning scales the NTK", Verdict.VERIFIED,
                    "symbolic: difference simplifies to 0; statistical: 2/200 exceedances",
                    "factor prod q_h = 1/8 exact; 2/200 exceedances " + "and more words " * 20,
                    (exact, stat), {"depth": 3, "keep_prob": "1/2"}, 7, 0.01,
                    (_figure(out, "c1.png"),), 1.25,
                    r"\Theta_{\mathrm{pruned}}(x, x') = q^{3} \Theta(x, x')"),
        ClaimResult("C3_width|x", SPECIAL_TITLE, Verdict.INCONCLUSIVE, "statistical: overlaps",
                    "slope 0.91 [0.42, 1.40] | target 1", (unsure,), {"eps": 0.25}, 7, 0.02,
                    (), 3.0, r"n^{*}(\varepsilon) = " + LONG_SUM),
        ClaimResult("C2_erf", "erf is no scalar multiple", Verdict.REFUTED, "numeric: differ",
                    "ratios differ by 1.8e-3", (wrong,), {}, 7, 0.0, (), 0.5,
                    r"\frac{\Theta_{q}(x, x')}{\Theta(x, x')} = c"),
        ClaimResult("C5", "masked first layer", Verdict.NOT_APPLICABLE,
                    "not applicable: first layer dense fails", "first layer dense fails",
                    (outside,), {"prune_first_layer": True}, 7, 0.0, (), 0.0, "a_{ = b"),
    ]


@pytest.fixture
def written(tmp_path):
    out = tmp_path / "run"
    results = _results(out)
    doc = formulas_document([("Notation", r"Inputs $x, x' \in \mathbb{R}^{d_0}$.")], results,
                            note="budget quick, seed 7")
    files = write_report(results, out, budget="quick", seed=7, device="cpu", elapsed=12.5,
                         command="pntk verify --budget quick --out run", formulas_tex=doc)
    return out, results, files


def test_terminal_table_fits_the_width_and_counts_verdicts():
    results = _results(Path("/nonexistent"))  # figures are not needed for the table
    for width in (60, 80, 132):
        table = format_table(results, width=width)
        lines = table.splitlines()
        assert max(len(line) for line in lines) <= width, table
        assert lines[0].split() == ["claim", "verdict", "key", "evidence"]
        counts = "4 claims: 1 verified, 1 inconclusive, 1 refuted, 1 not applicable"
        assert (lines[-1] if width >= len(counts) else " ".join(lines[-2:])) == counts
        for r in results:
            assert any(line.startswith(r.claim_id) for line in lines)
        assert "not applicable" in table and "refuted" in table
    narrow = format_table(results, width=60).splitlines()
    c1 = [k for k, line in enumerate(narrow) if line.startswith("C1 ")][0]
    last = narrow[c1 + R._MAX_EVIDENCE_LINES - 1]
    assert last.endswith(" more ...") and narrow[c1 + R._MAX_EVIDENCE_LINES].startswith("C3")
    assert "2/200 exceedances" in format_table(results, width=60)     # after wrapping
    assert format_table([], width=80).splitlines()[-1] == (
        "0 claims: 0 verified, 0 inconclusive, 0 refuted, 0 not applicable")


def test_markdown_table_has_one_row_per_claim_and_escapes_pipes():
    results = _results(Path("/nonexistent"))
    table = markdown_table(results)
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(results)
    for row in rows:                          # an escaped pipe does not split a cell
        assert len(re.split(r"(?<!\\)\|", row)) == 5, row
    assert r"C3\_width\|x" in table and r"\| target 1" in table
    assert table.rstrip().endswith("1 refuted, 1 not applicable")


def test_report_json_lists_every_claim_with_its_evidence(written):
    out, results, files = written
    data = json.loads(files.json.read_text())
    assert (data["budget"], data["seed"], data["device"]) == ("quick", 7, "cpu")
    assert data["elapsed_seconds"] == 12.5
    assert {"python", "numpy", "scipy", "sympy", "mpmath"} <= set(data["versions"])
    assert [c["id"] for c in data["claims"]] == [r.claim_id for r in results]
    for claim, r in zip(data["claims"], results):
        assert claim["verdict"] == r.verdict.value
        assert claim["evidence"]["summary"] == r.key_evidence
        assert len(claim["evidence"]["checks"]) == len(r.checks)
    assert data["counts"] == {"verified": 1, "inconclusive": 1, "refuted": 1,
                              "not_applicable": 1}
    assert data["error_rate_union_bound"] == pytest.approx(0.03)
    assert data["claims"][2]["evidence"]["checks"][0]["data"]["ratio"] == "nan"


def test_report_md_embeds_figures_numbers_and_error_rates(written):
    out, results, files = written
    md = files.markdown.read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert links == ["figures/c1.png"]
    assert (files.markdown.parent / links[0]).is_file()
    for r in results:
        assert f"## {md_text(r.claim_id)}: {md_text(r.title)}" in md
        assert f"**Verdict: {r.verdict.value.replace('_', ' ')}.**" in md
    assert "$$\n" + results[0].statement_latex + "\n$$" in md
    # long without clauses: one line (Markdown's renderers scroll it; no odd breaks)
    assert "$$\n" + results[1].statement_latex + "\n$$" in md
    assert "```\na_{ = b\n```" in md and "$$\na_{" not in md          # malformed: as source
    assert "budget: quick" in md and "seed: 7" in md and "device: cpu" in md
    assert "`pntk verify --budget quick --out run`" in md
    for name in ("numpy", "sympy", "scipy", "mpmath", "python"):
        assert name in md
    # key numbers: scalars, short lists and nested values shown; big arrays only counted
    assert "| statistical: exceed | 2 |" in md and "| statistical: nested, z | 0.25 |" in md
    assert r"| symbolic: depths | \[1, 2, 3\] |" in md
    assert "| statistical: samples | (1000 values; see report.json) |" in md
    assert "999.0" not in md and "figures.0" not in md
    errors = md[md.index("## Error rates"):]
    assert "| C1 | verified | 0.01 | 1 |" in errors and "at most 0.03" in errors


def test_figure_given_as_absolute_path_is_linked_relatively(tmp_path):
    out = tmp_path / "run"
    fig = _figure(out, "abs.png")
    r = ClaimResult("C9", "t", Verdict.VERIFIED, "ok", "ok", figures=(str(out / fig),))
    gone = ClaimResult("C8", "t", Verdict.VERIFIED, "ok", "ok", figures=("figures/gone.png",))
    files = write_report([r, gone], out, budget="quick", seed=0, device="cpu", elapsed=0,
                         command="pntk verify", formulas_tex="")
    md = files.markdown.read_text()
    assert "](figures/abs.png)" in md
    assert "gone.png was not found" in md and "](figures/gone.png)" not in md


def test_writes_are_atomic_and_leave_no_temporary_files(written, monkeypatch):
    out, results, files = written
    assert sorted(p.name for p in out.iterdir()) == ["figures", "formulas.tex", "report.json",
                                                     "report.md"]
    assert files.formulas.read_text().startswith("\\documentclass")
    before = {p: p.read_bytes() for p in files}

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr("proofs_check.atomic.os.replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_report(results[:1], out, budget="thorough", seed=1, device="gpu", elapsed=1,
                     command="x", formulas_tex="changed")
    assert {p: p.read_bytes() for p in files} == before        # old files intact
    assert sorted(p.name for p in out.iterdir()) == ["figures", "formulas.tex", "report.json",
                                                     "report.md"]


def test_special_characters_render_safely():
    tex = text_latex(SPECIAL_TITLE)
    math = re.findall(r"\$[^$]*\$", tex)
    assert "$s_h = r_h^2 q_h$" in math                           # paired dollars stay math
    rest = re.sub(r"\$[^$]*\$", "", tex)
    for esc in (r"\textbackslash{}", r"\{", r"\}", r"\_", r"\^{}", r"\#", r"\&", r"\%", r"\~{}"):
        rest = rest.replace(esc, "")
    assert not set(rest) & set("\\{}_^#&%~$<>|")
    assert text_latex("costs $5 and 10%") == r"costs \$5 and 10\%"   # a lone dollar is literal
    md = md_text(SPECIAL_TITLE)
    assert "$s_h = r_h^2 q_h$" in md
    plain = re.sub(r"\\[_|*\[\]<>#`~\\$]", "", md.replace("$s_h = r_h^2 q_h$", ""))
    assert not set(plain) & set("_|*[]<>#`~\\$"), plain            # every special escaped
    assert md_text("a $|x|$ b", cell=True) == r"a $\vert x\vert $ b"


def test_display_math_breaks_long_formulas_and_quotes_malformed_ones():
    short = display_math(r"a = b")
    assert "\\usebox0" in short and "aligned" not in short
    long = display_math(r"n^{*} = " + LONG_SUM)
    assert long.count("\\\\\n") >= 2 and "\\begin{aligned}" in long
    assert "\\left(x - y_{3}\\right)" in long              # never split inside \left..\right
    assert "\\texttt{a\\_$\\{$ = b}" in display_math("a_{ = b")
    for bad in ("x % comment", "a & b", "a $ b", "a \\\\ b", "}{", "\\left( x", "θ = 1"):
        assert "\\texttt" in display_math(bad), bad


def test_formulas_document_with_claims_only_has_no_verdicts():
    q = sp.Symbol("q", positive=True)
    claim = Claim(id="demo_1", title="q at most 1 & 50%", statement=sp.Le(q, 1),
                  hypotheses=(Hypothesis("q in (0, 1]", lambda p: None),),
                  description="A toy claim with $q$.")
    doc = formulas_document([], [claim])
    assert "q \\leq 1" in doc and "Verdict" not in doc and "q in (0, 1]" in doc
    assert "demo\\_1" in doc and "50\\%" in doc
    result = ClaimResult("demo_1", claim.title, Verdict.VERIFIED, "by definition", "ok")
    assert "\\textbf{verified}" in formulas_document([], [claim], results=[result])


@pytest.mark.latex
def test_formulas_tex_compiles(compile_latex, written):
    out, results, files = written
    fragment = latex_document(Architecture.pruned(2, "0.5"), fragment=True,
                              options=LatexOptions(expansion_depth=2))
    x = sp.symbols("x0:12")
    wide = Claim(id="wide", title="a long product and a long sum", statement=sp.And(
        sp.Eq(sp.Mul(*[sp.sqrt(1 + v ** 2) for v in x], evaluate=False), sp.Symbol("P")),
        sp.Le(sp.Add(*[sp.exp(v) / (1 + v) for v in x]), sp.Symbol("S"))))
    doc = formulas_document([("", fragment), ("Pseudo-network moments", r"\[ \mathbb{E} = q \]")],
                            [*results, wide], title="Formulas: 100% & more")
    tex = out / "formulas_full.tex"
    tex.write_text(doc)
    for path in (tex, files.formulas):
        log = compile_latex(path, out)
        assert "Overfull \\hbox" not in log                   # long statements fit the line
        assert not re.search(r"Font shape .* undefined", log)  # no glyph substituted
    assert os.path.getsize(out / "formulas_full.pdf") > os.path.getsize(out / "formulas.pdf")


def test_formulas_tex_derives_once_and_the_rescaled_section_cites_it():
    """The rescaled section states what differs (layer scales, theorem) and cites the
    plain section's derivations and proofs instead of repeating them."""
    from proofs_check.formulas import formulas_tex

    doc = formulas_tex([])
    rescaled = doc.split("Rescaled pruning: kept weights times")[1].split("\\section*")[0]
    for once in ("\\subsection*{Derivation of the dual kernels}", "\\subsection*{Dual kernels}",
                 "\\subsection*{Symbolic proof}", "Positive homogeneity of the ReLU dual maps",
                 "Rescaled pruning leaves the limit kernels unchanged, any activation ("):
        assert doc.count(once) == 1, once
    assert "\\subsection*{Scaling theorem}" in rescaled and "equals the dense one" in rescaled
    assert "(s_1, \\dots, s_{4}) = \\left( 1, \\  1, \\  1, \\  1\\right)" in rescaled
    assert "plain-pruning section above" in rescaled and "(holds)" in rescaled
    assert len(rescaled) < len(doc) / 8
