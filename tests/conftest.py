"""Shared test configuration: Hypothesis profiles and common strategies.

Profiles (select with HYPOTHESIS_PROFILE): ``default`` (derandomised: the same
examples every run, so no test is flaky), ``ci`` (same, more examples) and
``explore`` (random, many examples, for hunting bugs by hand).
"""

import os
import shutil

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
