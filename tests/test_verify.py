"""End to end: ``pntk verify --budget quick`` as a user runs it, and its failure modes."""

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
import sympy as sp

from proofs_check import cli
from proofs_check.claim import Claim, Context
from proofs_check.claims import claim_ids
from proofs_check.verdict import CheckOutcome, Verdict
from proofs_check.verification import exit_code, verify

CLAIMS = ("C1", "C2", "C3-dense", "C3", "C3-exact", "V-mean", "V-masks", "V-growth", "C4", "C5",
          "R", "G-masks", "G-ntk", "G-constant", "G-spectra", "G-boundary")


def _pntk(*args, timeout=600):
    exe = shutil.which("pntk")
    cmd = [exe] if exe else [sys.executable, "-m", "proofs_check.cli"]
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("verify") / "report"
    proc = _pntk("verify", "--budget", "quick", "--out", out)
    return proc, out


def test_registry_holds_the_contract_claims():
    assert claim_ids() == CLAIMS


def test_quick_run_exit_status_and_a_row_per_claim(quick_run):
    proc, out = quick_run
    verdicts = [c["verdict"] for c in json.loads((out / "report.json").read_text())["claims"]]
    assert proc.returncode == (1 if "refuted" in verdicts else 0), proc.stderr[-2000:]
    for cid in CLAIMS:
        row = [line for line in proc.stdout.splitlines() if re.match(rf"\s*{re.escape(cid)}\s", line)]
        assert row, f"no table row for {cid}:\n{proc.stdout}"
        assert re.search(r"verified|refuted|inconclusive|not.applicable", row[0])
    # progress went to stderr, one start and one finish line per claim
    finished = rf"^\[\d+/{len(CLAIMS)}\] .*\((\d+\.\d) s\)$"
    assert len(re.findall(finished, proc.stderr, re.M)) == len(CLAIMS)


def test_quick_run_report_json_lists_every_claim_with_id_verdict_evidence(quick_run):
    proc, out = quick_run
    report = json.loads((out / "report.json").read_text())
    claims = report["claims"]
    assert [c["id"] for c in claims] == list(CLAIMS)
    for c in claims:
        assert c["verdict"] in {v.value for v in Verdict}
        assert c["evidence"]["checks"], c["id"]
        assert c["explanation"]
    # No claim of the contract is refuted, and the exact ones are verified outright; the
    # paper's spectral observation (G-spectra) is refuted by SynFlow at this budget.
    verdicts = {c["id"]: c["verdict"] for c in claims}
    assert [k for k, v in verdicts.items() if v == "refuted"] == ["G-spectra"]
    assert verdicts["C1"] == verdicts["C2"] == verdicts["C5"] == "verified"


def test_quick_run_report_md_embeds_existing_figures(quick_run):
    _, out = quick_run
    md = (out / "report.md").read_text()
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert figures, "report.md embeds no figure"
    for rel in figures:
        assert not Path(rel).is_absolute()
        assert (out / rel).is_file(), rel
    for cid in CLAIMS:
        assert cid in md


@pytest.mark.latex
def test_quick_run_formulas_tex_compiles(quick_run, compile_latex, tmp_path):
    _, out = quick_run
    compile_latex(out / "formulas.tex", tmp_path)


# ------------------------------------------------------------------ paper-ready outputs

def _math_blocks(md: str) -> list[str]:
    """Every display ($$...$$) and inline ($...$) math block of a Markdown text; escaped
    dollars (\\$) are text."""
    displays = re.findall(r"^\$\$\n(.*?)\n\$\$$", md, re.S | re.M)
    rest = re.sub(r"^\$\$\n.*?\n\$\$$", " ", md, flags=re.S | re.M)
    rest = rest.replace("\\$", " ")
    inline = re.findall(r"\$([^$\n]+)\$", rest)
    return [f"\\[\n{b}\n\\]" for b in displays] + [f"${b}$" for b in inline]


@pytest.mark.latex
def test_quick_run_report_md_math_blocks_each_compile(quick_run, pdflatex, tmp_path):
    """Each math block of report.md, alone in a standalone document, compiles without an
    error (so a renderer that takes the blocks one by one can render every one)."""
    _, out = quick_run
    blocks = _math_blocks((out / "report.md").read_text())
    assert len(blocks) > 40 and sum(b.startswith("\\[") for b in blocks) >= 6
    body = "".join(f"\\typeout{{BLOCK {i}}}\n\\begingroup {b} \\endgroup\n\\par\n"
                   for i, b in enumerate(blocks))
    tex = tmp_path / "blocks.tex"
    tex.write_text("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
                   "\\begin{document}\n" + body + "\\end{document}\n")
    subprocess.run([pdflatex, "-interaction=nonstopmode", "-output-directory", str(tmp_path),
                    str(tex)], capture_output=True, text=True, timeout=300)
    log = (tmp_path / "blocks.log").read_text(errors="replace")
    failed, current = set(), None
    for line in log.splitlines():
        m = re.match(r"BLOCK (\d+)$", line)
        if m:
            current = int(m.group(1))
        elif line.startswith("!") and current is not None:
            failed.add(current)
    assert not failed, [blocks[i] for i in sorted(failed)]
    assert (tmp_path / "blocks.pdf").exists()


def test_quick_run_report_md_displays_break_only_between_clauses(quick_run):
    """A display set over several lines breaks between clauses (", \\quad" or around
    "\\Longrightarrow"): never between a relation's two sides, never inside a
    \\bigl ... \\bigr or \\left ... \\right pair."""
    _, out = quick_run
    md = (out / "report.md").read_text()
    displays = re.findall(r"^\$\$\n(.*?)\n\$\$$", md, re.S | re.M)
    broken = [d for d in displays if "\\begin{aligned}" in d]
    assert len(displays) == len(CLAIMS) and broken          # one statement per claim
    for block in broken:
        lines = block.split("\n")[1:-1]                         # inside aligned
        for line in lines:
            body = re.sub(r"^&\s*(\\quad\s*)?(\{\}\s*)?", "", line).rstrip("\\ ")
            assert not re.match(r"(=|<|>|\\geq?|\\leq?|\\neq?|\\to|\\sim)(?![a-z])", body), line
            for left, right in ((r"\bigl", r"\bigr"), (r"\left", r"\right")):
                assert body.count(left) == body.count(right), line


def test_quick_run_report_md_tables_speak_human(quick_run):
    """Key numbers carry labels, not data paths; parameters show the values used."""
    _, out = quick_run
    md = (out / "report.md").read_text()
    for cid in CLAIMS:
        section = md.split(f"## {cid}:")[1].split("\n## ")[0]
        params = [line for line in section.splitlines() if line.startswith("Parameters")]
        assert params and "None" not in params[0], (cid, params)
        numbers = section.split("Key numbers:")[1].split("\n\n![")[0].split("\n\n## ")[0]
        labels = re.findall(r"^\| (.+?) \| .+ \|$", numbers, re.M)[2:]
        assert labels, cid
        for label in labels:
            words = re.sub(r"\$[^$]*\$", " ", label).replace("\\_", "_")   # outside math
            assert not re.search(r"\w\.\w+\.|\w_\w", words), (cid, label)
    assert "analysis.q\\_exponent" not in md and "derivation\\_checks" not in md


def test_quick_run_formulas_tex_claims_are_typeset_math(quick_run):
    """The Claims pages carry LaTeX math, not escaped ASCII stand-ins for it."""
    _, out = quick_run
    claims = (out / "formulas.tex").read_text().split("\\section*{Claims}")[1]
    prose = re.sub(r"\$[^$]*\$", " ", claims)                  # text outside inline math
    prose = re.sub(r"\\\[.*?\\\]", " ", prose, flags=re.S)     # and outside displays
    for ascii_math in ("\\^{}", "\\~{}", "sqrt(", "->", ">=", "<=", "!=", "+-", "eps",
                       "kappa", "d0"):
        assert ascii_math not in prose, (ascii_math, prose[max(0, prose.find(ascii_math) - 80):
                                                            prose.find(ascii_math) + 40])
    for math in (r"q^{3}", r"\sqrt{(\kappa - q)/(q n)}", r"n^* \sim (1/q)^{", r"\varepsilon"):
        assert math in claims, math


def test_quick_run_figures_name_depth_eps_and_rescaling(quick_run):
    from PIL import Image

    _, out = quick_run
    pngs = sorted((out / "figures").glob("*.png"))
    assert {p.stem.split("_")[0] for p in pngs} >= {"c3", "c4", "c5"}
    assert "c3_exact_nstar.png" in {p.name for p in pngs}     # predicted curve, measured n*
    for png in pngs:
        title = Image.open(png).text.get("Title", "")
        assert "depth" in title and "varepsilon" in title, (png.name, title)
        assert "rescaled" in title or "plain" in title, (png.name, title)
    c4 = Image.open(out / "figures" / "c4_pseudo_fluctuation.png").text["Title"]
    report = json.loads((out / "report.json").read_text())
    (c4_result,) = [c for c in report["claims"] if c["id"] == "C4"]
    (numeric,) = [c for c in c4_result["evidence"]["checks"] if c["kind"] == "statistical"]
    fwd = numeric["data"]["kinds"]["forward"]
    lo, hi = fwd["adjusted_ci"]
    shown = f"adjusted slope {fwd['adjusted_slope']:.2f} [{lo:.2f}, {hi:.2f}]"
    assert shown in c4 and f"{100 * fwd['slope_level']:.4g}%" in c4, (shown, c4)


# (runs after the checks of the first report: it rewrites report.md with C3 only)
def test_rerun_reuses_the_stored_trials(quick_run):
    proc, out = quick_run
    first = json.loads((out / "report.json").read_text())
    stored = _stored_trials(out / "trials.sqlite")
    assert stored[0] > 0
    refused = _pntk("verify", "--budget", "quick", "--out", out, "--only", "C3")
    assert refused.returncode == 2 and "another run's output" in refused.stderr
    assert json.loads((out / "report.json").read_text()) == first     # nothing replaced
    again = _pntk("verify", "--budget", "quick", "--out", out, "--only", "C3", "--overwrite")
    assert again.returncode == 0, again.stderr
    second = json.loads((out / "report.json").read_text())
    c3 = [c for c in first["claims"] if c["id"] == "C3"][0]
    assert second["claims"][0]["evidence"] == c3["evidence"]      # same seed, same trials
    assert _stored_trials(out / "trials.sqlite") == stored        # no trial (re)computed


def _stored_trials(path) -> tuple:
    """(number of trials, latest finishing time): a recomputed trial changes the second."""
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT COUNT(*), MAX(finished) FROM trials").fetchone()


@pytest.mark.parametrize("argv, argument", [
    (["--budget", "fast"], "--budget="),
    (["--seed", "-1"], "--seed"),
    (["--seed", "x"], "--seed"),
    (["--only", "C9"], "--only"),
    (["--only", ","], "--only"),
    (["--device", "tpu"], "--device"),
    (["--workers", "0"], "--workers"),
])
def test_bad_input_is_one_line_and_exit_2(argv, argument, tmp_path, capsys):
    code = cli.main(["verify", "--out", str(tmp_path / "r"), *argv])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith("pntk: error:") and argument in err
    assert not (tmp_path / "r" / "report.json").exists()


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("keep me")
    assert cli.main(["verify", "--out", str(target), "--only", "C2"]) == 2
    assert "--out" in capsys.readouterr().err and target.read_text() == "keep me"


def _claim(verdict: Verdict) -> Claim:
    return Claim(id="X", title="synthetic", statement=sp.Eq(sp.Symbol("a"), 1),
                 symbolic=lambda ctx, p: CheckOutcome(verdict, "symbolic", "by construction"))


def test_exit_status_is_1_exactly_when_a_claim_is_refuted(monkeypatch, tmp_path, capsys):
    for verdict, code in [(Verdict.REFUTED, 1), (Verdict.VERIFIED, 0),
                          (Verdict.INCONCLUSIVE, 0)]:
        monkeypatch.setattr("proofs_check.verification.registry", lambda v=verdict: (_claim(v),))
        monkeypatch.setattr("proofs_check.verification.claim_ids", lambda: ("X",))
        assert cli.main(["verify", "--out", str(tmp_path / verdict.value)]) == code
        report = json.loads((tmp_path / verdict.value / "report.json").read_text())
        assert report["claims"][0]["verdict"] == verdict.value
    capsys.readouterr()


def test_a_crashing_check_is_inconclusive_not_fatal(monkeypatch):
    def boom(ctx, p):
        raise ZeroDivisionError("division by zero")
    bad = Claim(id="X", title="broken", statement=sp.Eq(sp.Symbol("a"), 1), numeric=boom)
    monkeypatch.setattr("proofs_check.verification.registry", lambda: (bad,))
    (result,) = verify(Context())
    assert result.verdict is Verdict.INCONCLUSIVE and "ZeroDivisionError" in result.explanation
    assert exit_code([result]) == 0
