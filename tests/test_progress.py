"""The sweep progress display: an ETA weighted by each trial's cost, a tqdm bar on a
terminal, plain periodic lines elsewhere, silence when disabled."""

import io

import pytest

from numerics import Progress, SweepConfig, trial_cost
from numerics.scaling import grid as grid_module
from theory import Architecture


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr("numerics.sweeps.progress.time.monotonic", c)
    return c


def test_eta_is_weighted_by_cost_not_by_trial_count(clock):
    """Trials take 1 s + 0.01 s per unit: a fixed part and a part that grows with width.
    After cheap trials (cost 10) and one of cost 100, the ETA of the remaining expensive
    trials is the exact time they will take; counting trials would say far less (the
    README's scaling run showed ETA 0:49 and took 2:39)."""
    costs = [10] * 4 + [100] + [1000] * 3
    seconds = [1 + 0.01 * c for c in costs]
    out = io.StringIO()
    bar = Progress(len(costs), stream=out, interval=0.0, total_cost=sum(costs))
    for k, (c, dt) in enumerate(zip(costs, seconds)):
        if k == 5:
            assert bar.eta() == pytest.approx(sum(seconds[5:]), rel=1e-9)     # 33 s
            by_count = (time_so_far := sum(seconds[:5])) / 5 * 3
            assert by_count < 0.2 * bar.eta() and time_so_far == pytest.approx(6.4)
        clock.now += dt
        bar.advance(cost=c)
    assert bar.eta() == 0.0
    assert out.getvalue().splitlines()[-1] == "8/8 trials  0.203 trials/s  elapsed 00:39  " \
        "ETA 00:00"


def test_before_trials_of_two_costs_the_eta_is_unknown_unless_the_rest_costs_the_same(clock):
    """With one cost seen, the fixed and per-unit parts cannot be told apart: no ETA for
    trials of other costs ("--:--"), the plain one for trials of the same cost."""
    bar = Progress(3, stream=io.StringIO(), total_cost=10 + 10 + 80)
    clock.now += 2.0
    bar.advance(cost=10)
    assert bar.eta() != bar.eta() and bar.line().endswith("ETA --:--")      # nan
    same = Progress(3, stream=io.StringIO(), total_cost=30)
    clock.now += 2.0
    same.advance(cost=10)
    assert same.eta() == pytest.approx(4.0)


def test_work_finished_before_this_run_does_not_count_in_the_rate(clock):
    bar = Progress(4, done=2, stream=io.StringIO(), total_cost=40, done_cost=30)
    clock.now += 2.0
    bar.advance(cost=5)                        # 5 units in 2 s; 5 units left: 2 s
    assert bar.eta() == pytest.approx(2.0)


def test_without_costs_every_trial_counts_the_same(clock):
    bar = Progress(4, stream=io.StringIO())
    clock.now += 3.0
    bar.advance()
    assert bar.eta() == pytest.approx(9.0)


def test_terminal_gets_a_tqdm_bar_and_plain_streams_get_lines(clock):
    tty = Terminal()
    bar = Progress(3, stream=tty, total_cost=6)
    for cost in (1, 2, 3):
        clock.now += cost
        bar.advance(cost=cost)
    bar.close()
    text = tty.getvalue()
    assert "\r" in text and "3/3 trials" in text and "100% of the work" in text
    assert "ETA" in text and "from the cost of each trial" in text
    plain = io.StringIO()
    bar = Progress(3, stream=plain, interval=1e9, total_cost=6)
    for cost in (1, 2, 3):
        bar.advance(cost=cost)
    bar.close()
    assert "\r" not in plain.getvalue()
    assert plain.getvalue().splitlines() == [plain.getvalue().splitlines()[0]]   # one line
    assert plain.getvalue().startswith("3/3 trials")


def test_disabled_is_silent():
    for stream in (io.StringIO(), Terminal()):
        bar = Progress(3, stream=stream, enabled=False, interval=0.0)
        bar.advance(3)
        bar.close()
        assert stream.getvalue() == ""


def test_a_grid_counts_each_trial_at_its_own_cost(monkeypatch):
    """run_grid's one display is told every trial's cost: width 8 trials cost more."""
    seen = []

    class Spy(grid_module._GridProgress):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen.append(self)

        def advance(self, count=1, cost=None):
            self.costs = getattr(self, "costs", []) + [cost]
            super().advance(count, cost)

    monkeypatch.setattr(grid_module, "_GridProgress", Spy)
    x, y = [1.0, 0.0], [0.6, 0.8]
    grid_module.run_grid(["1/2"], [4, 8], x, y, 2, depths=[2], progress=False)
    costs = [trial_cost(SweepConfig(Architecture.pruned(2, "1/2"), n, x, y)) for n in (4, 8)]
    assert costs == [2 * 4 + 4 * 4 + 4, 2 * 8 + 8 * 8 + 8]          # sum n_h n_{h-1}
    (bar,) = seen
    assert bar.total_cost == 2 * sum(costs) and sorted(bar.costs) == sorted(costs * 2)
    assert bar.done_cost == bar.total_cost
