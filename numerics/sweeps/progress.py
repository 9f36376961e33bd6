"""The progress display of long sweeps (on stderr by default), with a cost-aware ETA.

Trials of a grid differ in cost (a trial at width 4096 does 256 times the arithmetic of
one at width 256), so the time left is not estimated from the number of trials alone.
Each trial carries its work in units (:func:`numerics.sweeps.config.trial_cost`, the sum
of n_h n_{h-1} over the layers), and the elapsed time of this run is fitted as
``a x trials + b x units`` (least squares over the finished trials: ``a`` the fixed cost
of a trial - drawing the network, Python, the store, worker traffic - and ``b`` the cost
of a unit).  The ETA is ``a x trials left + b x units left``.  While every finished
trial has the same cost the two cannot be told apart: the ETA is then time per trial x
trials left if the trials left cost the same on average, else unknown ("--:--") until
a trial of another cost finishes.

On a terminal: a tqdm bar (trials done/total, the share of the work done, elapsed
time and the ETA), redrawn at most ten times a second.  Elsewhere (logs, pipes): a
plain line every ``interval`` seconds and one at the end.  ``enabled=False``: silent.

>>> import io
>>> out = io.StringIO()
>>> bar = Progress(4, done=1, stream=out, interval=0.0)
>>> bar.advance(); bar.advance(2); bar.close()
>>> out.getvalue().splitlines()[-1].startswith("4/4 trials")
True
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


def _clock(seconds: float) -> str:
    if seconds != seconds or seconds == float("inf"):
        return "--:--"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    return f"{h}:{rem // 60:02d}:{rem % 60:02d}" if h else f"{rem // 60:02d}:{rem % 60:02d}"


class Progress:
    """Counts finished trials of ``total`` (``done`` of them finished before this run).

    ``total_cost`` is the work of all ``total`` trials and ``done_cost`` that of the
    ``done`` ones (default: every trial costs 1, or the mean cost when only
    ``total_cost`` is given); :meth:`advance` takes each trial's cost.  ``enabled``: True or "auto" to display, False to stay silent.  Rates and the fit
    count only the trials finished by this run.
    """

    def __init__(self, total: int, done: int = 0, *, stream=None, enabled=True,
                 interval: float = 10.0, total_cost: float | None = None,
                 done_cost: float | None = None):
        self.total, self.done, self._start_done = total, done, done
        self.total_cost = float(total if total_cost is None else total_cost)
        mean = self.total_cost / total if total else 1.0
        self.done_cost = float(done * mean if done_cost is None else done_cost)
        self._start_cost = self.done_cost
        # sums for the least-squares fit t = a n + b c over this run's finished trials
        self._fit = [0.0] * 5            # sum n^2, sum n c, sum c^2, sum n t, sum c t
        self.stream = sys.stderr if stream is None else stream
        self.enabled = bool(enabled) and total > done
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.interval = 0.1 if self.tty else interval
        self._bar = None
        self._t0 = self._last = time.monotonic()

    # ------------------------------------------------------------------ estimates
    def _mean_cost(self) -> float:
        return self.total_cost / self.total if self.total else 1.0

    def eta(self) -> float:
        """Seconds left: ``a x trials left + b x units left`` with (a, b) fitted to this
        run's elapsed time (see the module docstring); inf before the first trial of
        this run finishes, nan while the time per unit cannot be told yet."""
        n_left = max(self.total - self.done, 0)
        c_left = max(self.total_cost - self.done_cost, 0.0)
        if n_left == 0:
            return 0.0
        n = self.done - self._start_done
        c = self.done_cost - self._start_cost
        t = time.monotonic() - self._t0
        if n <= 0 or t <= 0:
            return float("inf")
        fitted = self._coefficients()
        if fitted is not None:
            a, b = fitted
            return a * n_left + b * c_left
        mean_done, mean_left = c / n, c_left / n_left      # one cost so far
        if abs(mean_left - mean_done) <= 0.01 * max(abs(mean_done), 1e-300):
            return t / n * n_left
        return float("nan")

    def _coefficients(self) -> tuple[float, float] | None:
        """(a, b) >= 0 of the least-squares fit t = a n + b c, or None while every
        finished trial had the same cost (n and c proportional)."""
        snn, snc, scc, snt, sct = self._fit
        det = snn * scc - snc * snc
        if not det > 1e-9 * snn * scc:
            return None
        a = (scc * snt - snc * sct) / det
        b = (snn * sct - snc * snt) / det
        if a >= 0 and b >= 0:
            return a, b
        if a < 0:                                # one parameter, the other zero
            return 0.0, sct / scc
        return snt / snn, 0.0

    def line(self) -> str:
        """The current status: trials done/total, the rate and the time left."""
        elapsed = time.monotonic() - self._t0
        new = self.done - self._start_done
        rate = new / elapsed if elapsed > 0 else float("nan")
        return (f"{self.done}/{self.total} trials  {rate:.3g} trials/s  "
                f"elapsed {_clock(elapsed)}  ETA {_clock(self.eta())}")

    # ------------------------------------------------------------------ updates
    def advance(self, count: int = 1, cost: float | None = None) -> None:
        """``count`` more trials finished, together costing ``cost`` (default: the
        mean cost per trial each)."""
        self.done += count
        added = count * self._mean_cost() if cost is None else float(cost)
        self.done_cost += added
        n = self.done - self._start_done
        c = self.done_cost - self._start_cost
        t = time.monotonic() - self._t0
        for i, v in enumerate((n * n, n * c, c * c, n * t, c * t)):
            self._fit[i] += v
        if not self.enabled:
            return
        if self.tty:
            self._tty_update(added)
            return
        now = time.monotonic()
        if now - self._last >= self.interval or self.done >= self.total:
            self._last = now
            self._show()

    def _tty_update(self, added: float) -> None:
        from tqdm import tqdm
        if self._bar is None:
            self._bar = tqdm(total=self.total_cost, initial=self._start_cost,
                             file=self.stream, mininterval=self.interval, leave=True,
                             dynamic_ncols=True, desc=f"{self.done}/{self.total} trials",
                             bar_format="{desc} |{bar}| {percentage:3.0f}% of the work"
                                        "{postfix}")
        self._bar.set_description_str(f"{self.done}/{self.total} trials", refresh=False)
        self._bar.set_postfix_str(f"elapsed {_clock(time.monotonic() - self._t0)}, ETA "
                                  f"{_clock(self.eta())} (from the cost of each trial)",
                                  refresh=False)
        self._bar.update(added)
        self._shown = self.done

    def _show(self) -> None:
        self._shown = self.done
        self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Show the final state (unless just shown) and end the terminal line."""
        if not self.enabled:
            return
        if self.tty:
            if self._bar is not None:
                self._bar.close()
        elif getattr(self, "_shown", None) != self.done:
            self._show()
        self.enabled = False
