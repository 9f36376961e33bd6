"""``Architecture``'s builders: a float keep probability means its decimal, and the dense
reference is built the way ``pruned`` builds a network."""

from fractions import Fraction

import numpy as np
import pytest

from theory import Architecture, InvalidArgument


@pytest.mark.parametrize("value, expected", [
    (0.3, Fraction(3, 10)),
    (np.float64(0.3), Fraction(3, 10)),
    (0.1, Fraction(1, 10)),
    (0.125, Fraction(1, 8)),
    (1 / 3, Fraction(3333333333333333, 10 ** 16)),    # the decimal the float prints as
    (Fraction(1, 3), Fraction(1, 3)),                   # exact values stay exact
    ("1/3", Fraction(1, 3)),
    (1, Fraction(1)),
    (np.int64(1), Fraction(1)),
])
def test_a_float_keep_prob_means_its_decimal(value, expected):
    arch = Architecture.pruned(depth=3, keep_prob=value)
    assert arch.keep_probs == (1, expected, expected, expected)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1.5, 0.0, -0.25, True])
def test_bad_float_keep_probs_are_refused(bad):
    with pytest.raises(InvalidArgument, match="^keep_prob="):
        Architecture.pruned(2, bad)


def test_dense_takes_the_depth_like_pruned():
    assert Architecture.dense(depth=3) == Architecture.pruned(3, "0.5").dense()
    assert Architecture.dense(3) == Architecture.pruned(depth=3).dense()
    erf = Architecture.dense(depth=2, activation="erf")
    assert erf.activation == "erf" and erf.masked_layers == () and set(erf.keep_probs) == {1}
    arch = Architecture.pruned(2, "0.5", activation="erf")
    assert arch.dense() == erf and arch.dense(depth=2) == erf     # the old call still works


@pytest.mark.parametrize("call, argument", [
    (lambda: Architecture.dense(), "depth"),
    (lambda: Architecture.dense(depth=0), "depth"),
    (lambda: Architecture.dense(depth="two"), "depth"),
    (lambda: Architecture.pruned(2, "0.5").dense(depth=5), "depth"),
    (lambda: Architecture.dense(depth=2, activation="tanh"), "activation"),
])
def test_bad_dense_calls_name_the_argument(call, argument):
    with pytest.raises(InvalidArgument) as err:
        call()
    assert err.value.argument == argument and "fix:" in str(err.value)
