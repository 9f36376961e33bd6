"""A dependency-free progress display for long sweeps (on stderr by default).

On a terminal: one line rewritten in place (done/total, rate, ETA), at most ten
times a second.  Elsewhere (logs, pipes): a plain line every ``interval``
seconds and one at the end.  ``enabled=False``: silent.

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

    ``enabled``: True or "auto" to display, False to stay silent.  The rate
    counts only trials finished by this run.
    """

    def __init__(self, total: int, done: int = 0, *, stream=None, enabled=True,
                 interval: float = 10.0):
        self.total, self.done, self._start_done = total, done, done
        self.stream = sys.stderr if stream is None else stream
        self.enabled = bool(enabled) and total > done
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.interval = 0.1 if self.tty else interval
        self._t0 = self._last = time.monotonic()

    def line(self) -> str:
        """The current status: trials done/total, the rate and the time left."""
        elapsed = time.monotonic() - self._t0
        new = self.done - self._start_done
        rate = new / elapsed if elapsed > 0 else float("nan")
        eta = (self.total - self.done) / rate if rate > 0 else float("inf")
        return (f"{self.done}/{self.total} trials  {rate:.3g} trials/s  "
                f"elapsed {_clock(elapsed)}  ETA {_clock(eta)}")

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and (now - self._last >= self.interval or self.done >= self.total):
            self._last = now
            self._show()

    def _show(self) -> None:
        self._shown = self.done
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Show the final state (unless just shown) and end the terminal line."""
        if not self.enabled:
            return
        if getattr(self, "_shown", None) != self.done:
            self._show()
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
        self.enabled = False
