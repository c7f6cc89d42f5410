"""Stop requests from outside (Ctrl-C, ``kill``, a closed terminal) as a flag that long work polls.

A switch push must never die between sending and saving: instead of raising wherever the
process happens to be, SIGINT, SIGTERM and SIGHUP set a flag; the engine checks it between
commands and phases, undoes or completes what is in flight, records the outcome and returns.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopRequest:
    """Set once a stop was asked for; says by what."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: str | None = None

    def __call__(self) -> str | None:
        """The reason to stop (``"SIGTERM received"``), or None to go on."""
        return self.reason if self._event.is_set() else None

    def request(self, reason: str) -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()


def never() -> str | None:
    """The stop request of work nobody can interrupt: never a reason to stop."""
    return None


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """Within the block, SIGINT, SIGTERM and SIGHUP request a stop instead of ending the process."""
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():  # handlers can only be set from there
        yield stop
        return

    def handler(number: int, _frame: FrameType | None) -> None:
        stop.request(f"{signal.Signals(number).name} received")

    previous = {number: signal.signal(number, handler) for number in SIGNALS}
    try:
        yield stop
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
