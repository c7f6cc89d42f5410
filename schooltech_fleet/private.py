"""Files and directories of schooltech's state: this user's only, or shared with one group; never anyone else's.

schooltech's state holds switch configurations, the fingerprint key of their secrets,
known host keys, locks, the journal, run records and session logs. A directory is
*shared* when it is setgid and gives its group full access (an administrator made it so
for a team: ``install -d -m 2770 -g schooltech /var/lib/schooltech``); what schooltech
makes inside a shared directory is shared with that group too (directories ``2770``,
files ``0660``), so the technicians and CI runners of the group take the same locks,
append to the same journal and see the same runs and backups. Anywhere else what it
makes is private: directories ``0700``, files ``0600``.

Modes are given at creation (never left to the umask) and put right when found otherwise,
on what this user owns: other users' access is always removed; group access is removed
in a private place, and in a shared place the group gets what the owner has (a lock file
``0600`` left by an older version becomes ``0660``; git's read-only ``0400`` objects ``0440``).
A private directory stays private; a shared one keeps its group. Directories and files
of other users, and symbolic links, are never changed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from .errors import UsageError

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
SHARED_DIRECTORY_MODE = 0o2770
SHARED_FILE_MODE = 0o660
_GROUP_AND_OTHERS = 0o077
_OTHERS = 0o007


class UnusableDirectory(UsageError):
    """A directory schooltech must keep files in cannot be made or written."""


def shared(directory: Path) -> bool:
    """Whether *directory* is shared with its group: setgid, and the group may read, write and enter it."""
    try:
        mode = directory.stat().st_mode
    except OSError:
        return False
    return bool(mode & stat.S_ISGID) and mode & 0o070 == 0o070


def directory(path: Path, *, exist_ok: bool = True) -> Path:
    """*path* (and missing parents) as a directory for this user, or its group where the parent is shared.

    An existing one is put right (:func:`conform`); without *exist_ok*, one that exists
    raises :class:`FileExistsError`. A path that cannot be a directory this user can
    write in is an :class:`UnusableDirectory` (a usage error, not a crash).
    """
    group = shared(path.parent)
    try:
        path.mkdir(mode=SHARED_DIRECTORY_MODE if group else DIRECTORY_MODE, parents=True, exist_ok=exist_ok)
        conform(path, follow=True)  # the directory asked for, even through a symlink (if it is this user's)
        usable = path.is_dir() and os.access(path, os.W_OK | os.X_OK)
    except FileExistsError:
        if not exist_ok and path.is_dir():
            raise
        usable = False
    except OSError as exc:
        raise UnusableDirectory(f"cannot use {path} as a directory: {exc.strerror or exc}", _HINT) from exc
    if not usable:
        raise UnusableDirectory(f"cannot use {path} as a directory: it is not a directory this user can write in",
                                _HINT)  # fmt: skip
    return path


_HINT = "choose a directory you can write in (for a team's state directory: be a member of its group)"


def _wanted(mode: int, is_directory: bool, group: bool) -> int:
    """*mode* without other users' access; group access mirrors the owner's where *group*, else none."""
    owner = mode & 0o700
    if not group:
        return mode & ~_GROUP_AND_OTHERS
    wanted = (mode & ~0o077) | (owner >> 3)
    return wanted | stat.S_ISGID if is_directory else wanted


def conform(path: Path, follow: bool = False) -> None:
    """Put the mode of *path* right for where it is, if this user owns it (a symlink is left alone unless *follow*).

    A directory is shared when it already is or its parent is; a file when its directory is.
    """
    try:
        info = path.stat() if follow else path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
        return
    is_directory = stat.S_ISDIR(info.st_mode)
    group = shared(path.parent) or (is_directory and shared(path))
    mode = stat.S_IMODE(info.st_mode)
    wanted = _wanted(mode, is_directory, group)
    if wanted != mode:
        path.chmod(wanted)


def conform_tree(root: Path) -> None:
    """:func:`conform` *root* and everything below it (symlinks are not followed)."""
    conform(root)
    for path in _walk(root):
        conform(path)


def _walk(root: Path) -> Iterator[Path]:
    for base, directories, files in os.walk(root):
        for name in (*directories, *files):
            yield Path(base) / name


def open_file(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """A file descriptor of *path*, created ``0600`` (``0660`` in a shared directory); an existing file of this
    user is put right (:func:`conform`)."""
    group = shared(path.parent)
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, SHARED_FILE_MODE if group else FILE_MODE)
    try:
        info = os.fstat(fd)
        mode = stat.S_IMODE(info.st_mode)
        wanted = _wanted(mode, False, group)
        if info.st_uid == os.getuid() and wanted != mode:
            os.fchmod(fd, wanted)  # the umask may have taken the group's bits, or an older version left it looser
    except BaseException:
        os.close(fd)
        raise
    return fd


def lock_file(path: Path) -> TextIO:
    """*path* opened for reading and writing (created as :func:`open_file` does, never truncated), to ``flock``."""
    return open(open_file(path, os.O_RDWR | os.O_CREAT), "r+", encoding="utf-8")


def write_text(path: Path, text: str) -> None:
    """Write *text* (UTF-8) to *path* durably and atomically: a temporary file, synced, renamed into place.

    No reader ever sees half of it, and after a crash or power loss there is either the old
    file or the new one, whole.
    """
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write *data* to *path*, private, durably and atomically (as :func:`write_text`)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    fd = open_file(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_directory(path.parent)


def sync_directory(path: Path) -> None:
    """Make the names in *path* durable (a rename or a new file survives a power loss)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        with contextlib.suppress(OSError):  # some file systems cannot sync a directory; the rename still happened
            os.fsync(fd)
    finally:
        os.close(fd)
