"""One job per school at a time: a second technician is told who holds the school."""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import socket
from collections.abc import Iterator

from .. import clock, private
from ..errors import FleetError
from ..paths import locks_dir


class SchoolLocked(FleetError):
    """Another job holds the school."""


@contextlib.contextmanager
def school_lock(school: str, what: str) -> Iterator[None]:
    """Hold the lock of *school* while the block runs; refuse at once if someone else holds it."""
    with private.lock_file(locks_dir() / f"{school}.lock") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _describe(handle.read())
            raise SchoolLocked(
                f"school {school} is busy: {holder}",
                "wait for that job to finish; the lock is released when it ends, even if it crashes",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"user": getpass.getuser(), "host": socket.gethostname(), "pid": os.getpid(),
                                 "job": what, "since": clock.now().isoformat(timespec="seconds")}))  # fmt: skip
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _describe(text: str) -> str:
    try:
        holder = json.loads(text)
    except ValueError:
        return "held by another job"
    return (f"{holder.get('job')} by {holder.get('user')} on {holder.get('host')} (pid {holder.get('pid')}) "
            f"since {holder.get('since')}")  # fmt: skip
