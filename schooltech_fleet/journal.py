"""The journal (audit trail): one JSON line per event, appended, never rewritten, and chained.

Lab jobs and switch pushes, rollbacks, backups, status checks, host-key trust and the
network guard's opt-out all write here: who, where, when, what, on which targets, check or
real, the outcome per target, the run id, how long. It lives in the state directory
(``audit.jsonl``), so a team sharing one state directory shares one history.

Each record carries ``prev``, the SHA-256 of the line before it (:data:`GENESIS` for the
first), so changing, inserting or removing a line breaks the chain at the next one, and
:func:`verify` names the line. A record is appended whole or not at all: under the
journal's lock, one ``write`` to a file opened with ``O_APPEND``, then ``fsync``; a short
write (a full disk) is cut off again before the error is raised. The chain proves the
order and integrity of what it holds; it cannot show that the newest records were cut
off, or that someone with write access rewrote the whole tail: keep the head
(``schooltech audit verify`` prints it) somewhere else to prove that.
"""

from __future__ import annotations

import errno
import getpass
import hashlib
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import clock, locks, private
from .errors import FleetError
from .paths import state_dir

GENESIS = "0" * 64
"""``prev`` of the first record."""

_TAIL = 4096  # bytes read from the end at a time to find the last line


def audit_path() -> Path:
    return state_dir() / "audit.jsonl"


def digest(line: bytes) -> str:
    """The link to *line* (without its newline) that the next record carries."""
    return hashlib.sha256(line).hexdigest()


class JournalError(FleetError):
    """A record could not be appended to the journal (then nothing of it is there)."""


def record(entry: dict[str, Any]) -> None:
    """Append *entry*, with who, where, the clock and the link to the record before it, durably.

    Raises :class:`JournalError` when it cannot be written: nothing that needs recording may
    start unrecorded.
    """
    path = audit_path()
    try:
        _append(path, entry)
    except OSError as exc:
        raise JournalError(f"cannot append to the journal {path}: {exc.strerror or exc}",
                           "make room on its disk, or check the state directory") from exc  # fmt: skip


def _append(path: Path, entry: dict[str, Any]) -> None:
    with locks.hold(locks.path("journal"), "appending to the journal", wait=True):
        fd = private.open_file(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)  # it names switches and users
        try:
            size = os.fstat(fd).st_size
            line = {
                "time": clock.now().isoformat(timespec="seconds"),
                "user": getpass.getuser(),
                "host": socket.gethostname(),
                "pid": os.getpid(),
                **({"clock_pinned": True} if clock.pinned() else {}),
                **entry,
                "prev": digest(_last_line(fd, size)) if size else GENESIS,
            }
            data = (json.dumps(line, sort_keys=False, default=str) + "\n").encode()
            try:
                written = os.write(fd, data)
                if written != len(data):
                    raise OSError(errno.ENOSPC, f"only {written} of {len(data)} bytes could be written")
                os.fsync(fd)
            except OSError:
                os.ftruncate(fd, size)  # never half a record: the next one would be chained to it
                raise
        finally:
            os.close(fd)
        if not size:
            private.sync_directory(path.parent)


def record_outcome(entry: dict[str, Any]) -> str | None:
    """Append the final record of work that is already done; say why it could not be written, or None.

    The caller still shows its outcome, and its exit code says the record failed.
    """
    try:
        record(entry)
    except JournalError as exc:
        reason = exc.__cause__.strerror if isinstance(exc.__cause__, OSError) else None
        return f"the journal record could not be written ({reason or exc.message})"
    except FleetError as exc:  # the state directory itself became unusable
        return f"the journal record could not be written ({exc.message})"
    return None


def _last_line(fd: int, size: int) -> bytes:
    """The last line of the file (without its newline), read backwards from *size*."""
    end = size - 1 if os.pread(fd, 1, size - 1) == b"\n" else size
    tail, start = b"", end
    while start > 0 and b"\n" not in tail:
        step = min(_TAIL, start)
        start -= step
        tail = os.pread(fd, step, start) + tail
    return tail[tail.rfind(b"\n") + 1 :] if b"\n" in tail else tail


@dataclass(frozen=True)
class Line:
    """One line of the journal: its record, or why it is not one."""

    number: int
    text: bytes
    entry: dict[str, Any] | None
    error: str | None = None


def lines() -> Iterator[Line]:
    """Every line of the journal, in order (none when it does not exist yet)."""
    try:
        handle = audit_path().open("rb")
    except FileNotFoundError:
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            text = raw.rstrip(b"\n")
            try:
                entry = json.loads(text)
            except ValueError as exc:
                yield Line(number, text, None, f"not a JSON record ({exc})")
                continue
            if not isinstance(entry, dict):
                yield Line(number, text, None, "not a JSON object")
                continue
            yield Line(number, text, entry)


def entries() -> list[dict[str, Any]]:
    """Every readable record, in order."""
    return [line.entry for line in lines() if line.entry is not None]


@dataclass(frozen=True)
class Verdict:
    """What :func:`verify` found."""

    records: int  # lines read
    head: str  # the link the next record will carry (GENESIS for an empty journal)
    broken: int | None = None  # the line of the first broken record
    reason: str = ""  # what is wrong with it
    anchored: bool = False  # the head asked for is a link of the chain

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify(head: str | None = None) -> Verdict:
    """Check every link of the chain; stop at the first record that breaks it.

    *head*, printed by an earlier verify, must be a link of the chain (the journal as it was
    then is still its beginning).
    """
    previous, count = GENESIS, 0
    anchored = head == GENESIS
    for line in lines():
        count = line.number
        if line.entry is None:
            return Verdict(count, previous, line.number, f"it is {line.error}")
        link = line.entry.get("prev")
        if link != previous:
            if link is None:
                why = "it has no link to the line before it (written by hand, or by a version before the chain)"
            elif line.number == 1:
                why = "it is the first line but links to a record before it: the start of the journal was removed"
            else:
                why = (f"it does not link to line {line.number - 1}: one of the two was changed, or a record "
                       "between them inserted or removed")  # fmt: skip
            return Verdict(count, previous, line.number, why)
        previous = digest(line.text)
        anchored = anchored or previous == head
    return Verdict(count, previous, anchored=anchored)
