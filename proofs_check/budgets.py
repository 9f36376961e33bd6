"""How much work a verification run may do: ``quick``, ``standard`` and ``thorough``.

A budget fixes the Monte Carlo sizes of every numeric check; verdicts at a
given budget and seed are deterministic.  ``quick`` is sized to finish
``pntk verify`` within three minutes on two cores.

>>> BUDGETS["quick"].trials <= BUDGETS["standard"].trials <= BUDGETS["thorough"].trials
True
>>> budget("fast")
Traceback (most recent call last):
...
theory._errors.InvalidArgument: budget='fast' is invalid: unknown budget; fix: choose quick, standard or thorough
"""

from __future__ import annotations

from dataclasses import dataclass

from theory._errors import InvalidArgument

__all__ = ["Budget", "BUDGETS", "budget"]


@dataclass(frozen=True)
class Budget:
    """Sizes of the numeric checks.

    ``trials``: Monte Carlo networks per configuration; ``max_width``: the widest
    hidden layer any check samples; ``widths``: the width grid of convergence and
    scaling checks; ``input_pairs``: sampled input pairs of limit-kernel checks;
    ``keep_probs``: the keep probabilities of sparsity checks; ``max_depth``:
    depths 1..max_depth in exact checks.
    """

    name: str
    trials: int
    max_width: int
    widths: tuple[int, ...]
    input_pairs: int
    keep_probs: tuple[str, ...]
    max_depth: int


BUDGETS = {
    "quick": Budget("quick", trials=200, max_width=1024, widths=(64, 128, 256, 512, 1024),
                    input_pairs=64, keep_probs=("1", "0.5", "0.25"), max_depth=4),
    "standard": Budget("standard", trials=400, max_width=2048,
                       widths=(64, 128, 256, 512, 1024, 2048), input_pairs=256,
                       keep_probs=("1", "0.5", "0.25", "0.125"), max_depth=6),
    "thorough": Budget("thorough", trials=1000, max_width=4096,
                       widths=(64, 128, 256, 512, 1024, 2048, 4096), input_pairs=1024,
                       keep_probs=("1", "0.5", "0.25", "0.125", "0.0625"), max_depth=10),
}


def budget(name: str, argument: str = "budget") -> Budget:
    """The budget called ``name`` (quick, standard, thorough); errors name ``argument``."""
    try:
        return BUDGETS[str(name)]
    except KeyError:
        raise InvalidArgument(argument, name, "unknown budget",
                              "choose " + ", ".join(list(BUDGETS)[:-1]) + " or "
                              + list(BUDGETS)[-1]) from None
