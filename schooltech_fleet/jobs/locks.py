"""One job per school at a time: a second technician is told who holds the school."""

from __future__ import annotations

from contextlib import AbstractContextManager

from .. import locks

_HINT = "wait for that job to finish; the lock is released when it ends, even if it crashes"


def school_lock(school: str, what: str) -> AbstractContextManager[None]:
    """Hold the lock of *school* while the block runs; :class:`~schooltech_fleet.locks.Busy` if someone holds it."""
    return locks.hold(locks.path(school), what, subject=f"school {school}", hint=_HINT)
