"""The audit trail: one JSON line per job, appended, never rewritten.

Lab jobs and switch pushes, backups and rollbacks all write here: who, when, what,
on which targets, check or real, the outcome per target, the run id, how long.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import socket
from pathlib import Path
from typing import Any

from . import clock, private
from .paths import state_dir


def audit_path() -> Path:
    return state_dir() / "audit.jsonl"


def record(entry: dict[str, Any]) -> None:
    """Append *entry* (with who, where and the clock added) as one line, atomically."""
    line = {
        "time": clock.now().isoformat(timespec="seconds"),
        "user": getpass.getuser(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        **({"clock_pinned": True} if clock.pinned() else {}),
        **entry,
    }
    data = (json.dumps(line, sort_keys=False, default=str) + "\n").encode()
    fd = private.open_file(audit_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT)  # 0600: it names switches, users
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, data)
    finally:
        os.close(fd)


def entries() -> list[dict[str, Any]]:
    path = audit_path()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
