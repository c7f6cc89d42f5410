"""Session logs for diagnosis (``SCHOOLTECH_SESSION_LOG_DIR``): private, with no password and no secret.

One file per session, created ``0600`` under a name no other session uses. Netmiko's own
masking replaces the login password; on top of it, every line is passed through
:mod:`.redact` before it is written, so a secret the switch shows (its running config) or
that was typed reaches the file only as its placeholder. A line is written once it is
complete (a secret split across two reads is still seen whole); the last, unfinished line
when the session closes.
"""

from __future__ import annotations

import os
from pathlib import Path

from netmiko.session_log import SessionLog

from .. import clock, private
from .redact import Redactor
from .targets import SwitchTarget

ENVIRONMENT = "SCHOOLTECH_SESSION_LOG_DIR"


class RedactingSessionLog(SessionLog):
    """Netmiko's session log, private, writing whole lines with every secret replaced."""

    def __init__(self, path: Path, target: SwitchTarget) -> None:
        super().__init__(file_name=str(path), no_log={"password": target.credentials.password}, record_writes=True)
        self._path = path
        self._redactor = Redactor(target.platform)
        self._unfinished = ""

    def open(self) -> None:
        self.session_log = open(private.open_file(self._path), "w", encoding=self.file_encoding)  # noqa: SIM115
        self._session_log_close = True

    def _write(self, data: str) -> None:
        lines, newline, self._unfinished = (self._unfinished + data).rpartition("\n")
        if newline:
            super()._write(self._redactor.text(lines + newline))

    def _flush_buffer(self, final: bool = False) -> None:
        super()._flush_buffer(final)
        if final and self._unfinished and self.session_log is not None:
            unfinished, self._unfinished = self._unfinished, ""
            super()._write(self._redactor.text(unfinished))


def session_log(target: SwitchTarget) -> RedactingSessionLog | None:
    """A new log for a session with *target*, or None when session logs are off."""
    directory = os.environ.get(ENVIRONMENT)
    if not directory:
        return None
    stem = Path(directory) / f"{target.name}-{clock.now():%Y%m%dT%H%M%S%f}"
    if not stem.parent.is_dir():
        private.directory(stem.parent)  # made here: private; a directory the user chose keeps its mode
    attempt = 0
    while True:  # a pinned clock (SCHOOLTECH_NOW) gives every session the same time: never reuse a file
        path = stem.with_name(f"{stem.name}{f'-{attempt}' if attempt else ''}.log")
        try:
            os.close(private.open_file(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
            return RedactingSessionLog(path, target)
        except FileExistsError:
            attempt += 1
