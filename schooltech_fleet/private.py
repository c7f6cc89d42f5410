"""Files and directories only this user may read: 0700 directories, files without group or other access.

schooltech's state holds switch configurations, the fingerprint key of their secrets,
known host keys, locks and session logs. What schooltech creates is private from the
start (the mode is given at creation, never left to the umask); what it owns and finds
looser (a state directory made by an older version, a repository git made with the
umask) is tightened. Directories and files of other users are never changed.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
_OTHERS = 0o077  # group and other permission bits


def directory(path: Path) -> Path:
    """*path* (and missing parents) as a directory only this user can enter; tightened if looser."""
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    tighten(path, follow=True)  # the directory asked for, even through a symlink (if it is this user's)
    return path


def tighten(path: Path, follow: bool = False) -> None:
    """Remove group and other access from *path* if this user owns it (a symlink is left alone unless *follow*)."""
    try:
        info = path.stat() if follow else path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid() or not info.st_mode & _OTHERS:
        return
    path.chmod(stat.S_IMODE(info.st_mode) & ~_OTHERS)


def tighten_tree(root: Path) -> None:
    """:func:`tighten` *root* and everything below it (symlinks are not followed)."""
    tighten(root)
    for path in _walk(root):
        tighten(path)


def _walk(root: Path) -> Iterator[Path]:
    for base, directories, files in os.walk(root):
        for name in (*directories, *files):
            yield Path(base) / name


def open_file(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """A file descriptor of *path*, created ``0600``; an existing file of this user loses group/other access."""
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
    info = os.fstat(fd)
    if info.st_uid == os.getuid() and info.st_mode & _OTHERS:
        os.fchmod(fd, stat.S_IMODE(info.st_mode) & ~_OTHERS)
    return fd


def lock_file(path: Path) -> TextIO:
    """*path* opened for reading and writing (created ``0600``, never truncated), to ``flock`` and describe a holder."""
    return open(open_file(path, os.O_RDWR | os.O_CREAT), "r+", encoding="utf-8")


def write_text(path: Path, text: str) -> None:
    """Write *text* (UTF-8) to *path*, private; replaces the file atomically (no reader sees half of it)."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write *data* to *path*, private; replaces the file atomically (no reader sees half of it)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    fd = open_file(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
