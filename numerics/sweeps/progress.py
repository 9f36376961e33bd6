"""The progress display of long sweeps (on stderr by default), with a cost-weighted ETA.

Trials of a grid differ in cost (a trial at width 4096 costs 256 times one at width
256), so the time left is estimated from the *work* done, not the number of trials:
each trial carries a cost (:func:`numerics.sweeps.config.trial_cost`, the sum of
n_h n_{h-1} over the layers, the model the worker count uses) and the ETA is the
remaining cost divided by the cost finished per second so far in this run.

On a terminal: a tqdm bar (trials done/total, the share of the work done, elapsed
time and the weighted ETA), redrawn at most ten times a second.  Elsewhere (logs,
pipes): a plain line every ``interval`` seconds and one at the end.
``enabled=False``: silent.

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

    ``total_cost`` is the cost of all ``total`` trials and ``done_cost`` that of the
    ``done`` ones (default: every trial costs 1, or the mean cost when only
    ``total_cost`` is given); :meth:`advance` takes each trial's cost.  ``enabled``:
    True or "auto" to display, False to stay silent.  Rates count only the trials and
    the cost finished by this run.
    """

    def __init__(self, total: int, done: int = 0, *, stream=None, enabled=True,
                 interval: float = 10.0, total_cost: float | None = None,
                 done_cost: float | None = None):
        self.total, self.done, self._start_done = total, done, done
        self.total_cost = float(total if total_cost is None else total_cost)
        mean = self.total_cost / total if total else 1.0
        self.done_cost = float(done * mean if done_cost is None else done_cost)
        self._start_cost = self.done_cost
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
        """Seconds left: the remaining cost at the cost rate of this run (inf before the
        first trial of this run finishes)."""
        elapsed = time.monotonic() - self._t0
        new = self.done_cost - self._start_cost
        rate = new / elapsed if elapsed > 0 else float("nan")
        left = max(self.total_cost - self.done_cost, 0.0)
        if left == 0:
            return 0.0
        return left / rate if rate > 0 else float("inf")

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
                                  f"{_clock(self.eta())} (weighted by trial cost)",
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
