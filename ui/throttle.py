"""Progress from the worker, at a pace the window can follow.

Each progress report crosses to the GUI thread as a queued signal, and handling it needs the
GIL, which the busy worker hands over only every few milliseconds. Reports much more often
than every few tens of milliseconds then queue up faster than the GUI thread can take them,
and Qt handles queued events before timers and painting: the window stops turning until the
work is done. So reports are passed on at most every INTERVAL, plus the last (100 %).
"""

import time
from collections.abc import Callable

Progress = Callable[[int, str], None]
INTERVAL = 0.1  # seconds: ten updates a second is smooth enough for a progress bar


def throttled(progress: Progress, interval: float = INTERVAL, clock=time.monotonic) -> Progress:
    last = [float("-inf")]

    def report(percent: int, text: str) -> None:
        now = clock()
        if percent >= 100 or now - last[0] >= interval:
            last[0] = now
            progress(percent, text)

    return report
