"""Shared test configuration: Hypothesis profiles and common strategies.

Profiles (select with HYPOTHESIS_PROFILE): ``default`` (derandomised: the same
examples every run, so no test is flaky), ``ci`` (same, more examples) and
``explore`` (random, many examples, for hunting bugs by hand).
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", derandomize=True, max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", derandomize=True, max_examples=80, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", derandomize=False, max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def pdflatex():
    """Path of pdflatex; the test is skipped (not silently passed) without it."""
    exe = shutil.which("pdflatex")
    if exe is None:
        if os.environ.get("PNTK_REQUIRE_LATEX"):
            pytest.fail("pdflatex is required here (PNTK_REQUIRE_LATEX is set) but not on PATH")
        pytest.skip("pdflatex is not on PATH")
    return exe


@pytest.fixture
def compile_latex(pdflatex):
    """compile(tex, out_dir=None) -> the log: runs pdflatex (halting on the first error) and
    asserts it succeeded, left no undefined control sequence and wrote a PDF."""
    def compile(tex, out_dir=None) -> str:
        tex = Path(tex)
        out = Path(out_dir) if out_dir is not None else tex.parent
        proc = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error",
                               "-output-directory", str(out), str(tex)],
                              capture_output=True, text=True, timeout=300)
        log = (out / tex.with_suffix(".log").name).read_text(errors="replace")
        assert proc.returncode == 0, [line for line in log.splitlines() if line.startswith("!")]
        assert "Undefined control sequence" not in log
        assert (out / tex.with_suffix(".pdf").name).stat().st_size > 1000
        return log
    return compile
