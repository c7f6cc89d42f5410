"""A job's scratch directory: the one place on the controller where its secrets may be written.

Each job gets a directory of its own, ``schooltech-job-<pid>-<random>``, mode ``0700``, in
``$XDG_RUNTIME_DIR`` (per user, in memory on systemd hosts: nothing reaches a disk) or else
the temporary directory (``$TMPDIR``, ``/tmp``). It holds the files Ansible reads its secrets
from at start (``secrets.py``) and what Ansible writes on this side while it runs
(:func:`ansible_temporary_files`: a licence file rendered from its key passes through there
on its way to the PC; Mitogen's socket).

It is removed however the job ends: normally, by an exception, by SIGINT, SIGTERM or SIGHUP,
or at interpreter exit (:func:`~schooltech_fleet.interrupts.on_every_exit`). A process killed
outright (SIGKILL, a power cut) cannot clean up: its directory names its pid, and the next
job removes it once that process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from ..interrupts import on_every_exit

PREFIX = "schooltech-job-"
_NAME = re.compile(rf"^{PREFIX}(?P<pid>[0-9]+)-[a-z0-9_]+$")

SOCKET_PATH_MAX = 107
"""The longest path of a Unix socket (108 bytes with its terminating NUL, on Linux)."""
SOCKET_NAME_ROOM = 32
"""Enough for the names sockets get in a temporary directory (``/mitogen_unix_0123abcd.sock``)."""


def base_directory() -> Path:
    """``$XDG_RUNTIME_DIR`` when it is set and private to this user, else the temporary directory."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        with contextlib.suppress(OSError):
            info = os.stat(runtime)
            if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077:
                return Path(runtime)
    return Path(tempfile.gettempdir())


@contextlib.contextmanager
def scratch_directory() -> Iterator[Path]:
    """A new private directory for the block, removed when the block ends however it ends."""
    base = base_directory()
    sweep(base)
    created: list[Path] = []

    def remove_created() -> None:
        for path in created:
            remove(path)

    with on_every_exit(remove_created):
        created.append(Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base)))  # mode 0700
        yield created[0]


def ansible_temporary_files(scratch: Path) -> dict[str, str]:
    """Environment variables that keep what ansible-playbook writes on this side in *scratch*.

    ``ANSIBLE_LOCAL_TEMP``: what Ansible renders or decrypts before copying it to a PC.
    ``TMPDIR``: everything else (Mitogen's socket, which a stopped ansible-playbook leaves
    behind), unless *scratch* is too long a path to hold a socket; then that stays in the
    usual temporary directory, and holds no secret.
    """
    variables = {"ANSIBLE_LOCAL_TEMP": str(scratch / "ansible")}
    if len(os.fsencode(scratch)) + SOCKET_NAME_ROOM <= SOCKET_PATH_MAX:
        variables["TMPDIR"] = str(scratch)
    return variables


def sweep(base: Path) -> list[Path]:
    """Remove this user's scratch directories in *base* whose owner process is gone; return them."""
    removed = []
    for path in base.glob(f"{PREFIX}*"):
        found = _NAME.match(path.name)
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if not found or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or _alive(int(found["pid"])):
            continue
        remove(path)
        removed.append(path)
    return removed


def remove(path: Path) -> None:
    """Remove *path* and everything in it; tolerates a removal already under way (a signal during this one)."""
    shutil.rmtree(path, onerror=_unless_already_gone)


def _unless_already_gone(
    _function: Callable[..., object],
    _path: str,
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None],
) -> None:
    if not isinstance(exc_info[1], FileNotFoundError):
        raise exc_info[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
