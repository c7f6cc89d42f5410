"""Cross-process locks: the one helper behind every lock schooltech takes.

A lock is an ``flock`` on a file (in the state directory's ``locks/``, see :func:`path`),
held while a block runs. The kernel releases it when the process ends, however it ends,
so a crashed job never leaves a school locked. Two kinds of use:

- *refuse when busy* (one job per school, one change per switch): a second taker is told
  at once who holds it — what, by whom, on which machine, which process, since when —
  because the holder writes that into the file;
- *wait* (writers of a shared file: the backup store, the known hosts, the journal, the
  simulation, the image build): a second taker queues behind the first.

Locks also work between threads of one process: each taker opens the file anew, and
``flock`` treats separate opens as separate owners. In a state directory shared with a
group (``SCHOOLTECH_STATE_DIR``), lock files are group-writable, so technicians and CI
runners of the group exclude each other.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from . import clock, private
from .errors import FleetError
from .paths import locks_dir


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as its holder wrote it into the lock file."""

    what: str
    user: str
    host: str
    pid: int
    since: str

    def __str__(self) -> str:
        return f"{self.what} by {self.user} on {self.host} (pid {self.pid}) since {self.since}"


class Busy(FleetError):
    """Someone else holds the lock (and was not waited for)."""

    def __init__(self, message: str, hint: str | None, holder: Holder | None) -> None:
        super().__init__(message, hint)
        self.holder = holder


def path(name: str) -> Path:
    """The lock file called *name* in the state directory (``locks/<name>.lock``)."""
    return locks_dir() / f"{name}.lock"


@contextlib.contextmanager
def hold(lock: Path, what: str, *, wait: bool = False, subject: str = "", hint: str | None = None) -> Iterator[None]:
    """Hold *lock* while the block runs, as *what* (told to whoever finds it busy).

    With *wait*, queue behind a holder; without, raise :class:`Busy` at once, saying
    "*subject* is busy: <holder>" and giving *hint*.
    """
    with private.lock_file(lock) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = _holder(handle.read())
            raise Busy(f"{subject or lock.stem} is busy: {holder or 'held by another process'}", hint, holder) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(asdict(Holder(what, getpass.getuser(), socket.gethostname(), os.getpid(),
                                                  clock.now().isoformat(timespec="seconds")))))  # fmt: skip
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _holder(text: str) -> Holder | None:
    try:
        return Holder(**json.loads(text))
    except (ValueError, TypeError):  # empty (taken a moment ago, or released), or written by an older version
        return None
