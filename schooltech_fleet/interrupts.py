"""Stop requests from outside (Ctrl-C, ``kill``, a closed terminal) as a flag that long work polls.

A switch push must never die between sending and saving: instead of raising wherever the
process happens to be, SIGINT, SIGTERM and SIGHUP set a flag; the engine checks it between
commands and phases, undoes or completes what is in flight, records the outcome and returns.

What must not outlive a block however it ends (a job's secrets) is removed by
:func:`on_every_exit`: at the end of the block, at one of those signals (before the
signal goes on to whoever handled it before: a stop request, or the end of the
process) and at interpreter exit.
"""

from __future__ import annotations

import atexit
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

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


@contextmanager
def on_every_exit(action: Callable[[], None]) -> Iterator[None]:
    """Run *action* when the block ends, however it ends: normally, by an exception, by SIGINT,
    SIGTERM or SIGHUP, or at interpreter exit while the block is still open (a thread left in it).

    *action* must tolerate running twice (a signal can arrive while it runs). After it, a
    signal goes on to its previous handler: a stop request, ``KeyboardInterrupt``, or the
    default (the process ends by that signal, as it would have). A signal the process
    ignores (``nohup``) stays ignored and does not run *action*. Handlers are set only from
    the main thread.
    """

    def on_signal(number: int, frame: FrameType | None) -> None:
        action()
        then = previous[number]
        if callable(then):
            then(number, frame)
        else:  # the default: end the way the signal would have ended the process
            signal.signal(number, signal.SIG_DFL)
            os.kill(os.getpid(), number)

    previous: dict[int, Callable[[int, FrameType | None], Any] | int] = {}
    if threading.current_thread() is threading.main_thread():
        for number in SIGNALS:
            if signal.getsignal(number) is not signal.SIG_IGN:
                old = signal.signal(number, on_signal)
                previous[number] = signal.SIG_DFL if old is None else old  # None: not set from Python
    atexit.register(action)
    try:
        yield
    finally:
        try:
            action()
        finally:
            atexit.unregister(action)
            for handled, old in previous.items():
                signal.signal(handled, old)
