"""Claim C3-exact: its symbolic check, its predictions and its parameters (the numeric
check runs in ``pntk verify``, tests/test_verify.py)."""

from __future__ import annotations

import numpy as np
import pytest

from proofs_check.claim import Context
from proofs_check.claims.paper.c3_exact import _symbolic, exact_width_claim
from proofs_check.verdict import Verdict
from theory._errors import InvalidArgument
from theory.config import Architecture
from theory.variance.deep import variance_terms
from theory.variance.width import affine_in_inverse_q, predicted_slope, required_width_prediction


def test_symbolic_check_verifies_and_predicts_the_readme_slope():
    claim = exact_width_claim()
    out = _symbolic(Context(), claim.parameters)
    assert out.verdict is Verdict.VERIFIED
    assert out.data["limit_q_to_0"] == "1" and out.data["readme_depth2_slope"]["inside"]


def test_slope_is_the_least_squares_slope_of_log_v():
    """Independent recomputation: V at each q from the recursion, then numpy.polyfit."""
    x, y = [1, 0, 0], [0.6, 0.8, 0]
    qs = ["1", "1/2", "1/4", "1/8"]
    V = [variance_terms(Architecture.pruned(2, q, rescale=True), x, y).n_var[0] for q in qs]
    u = np.log([1, 2, 4, 8])
    assert abs(predicted_slope(2, qs, x, y) - np.polyfit(u, np.log(V), 1)[0]) < 1e-12


def test_affine_law_and_widths():
    x, y = [1, 0, 0], [0.6, 0.8, 0]
    V1, R = affine_in_inverse_q(2, x, y)
    V8 = variance_terms(Architecture.pruned(2, "1/8", rescale=True), x, y).n_var[0]
    assert abs(V8 - (V1 + 7 * R)) < 1e-12 * V8
    r = required_width_prediction(1, "1/8", x, y, 0.2, 0.1)
    assert r.chebyshev > r.gaussian > 0 and r.rigorous
    assert abs(r.chebyshev / r.gaussian - 1 / (0.1 * 1.6448536269514722 ** 2)) < 1e-9


@pytest.mark.parametrize("kwargs,argument", [
    ({"eps": 0}, "eps"), ({"delta": 1.5}, "delta"),
])
def test_bad_arguments(kwargs, argument):
    args = {"eps": 0.2, "delta": 0.1, **kwargs}
    with pytest.raises(InvalidArgument) as info:
        required_width_prediction(1, "1/4", [1, 0], [0, 1], args["eps"], args["delta"])
    assert info.value.argument == argument


def test_bad_keep_prob_in_the_claim():
    with pytest.raises(InvalidArgument):
        exact_width_claim(keep_probs=("2",))
