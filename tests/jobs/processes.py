"""The process tree of an ``ansible-runner worker`` run as a local subprocess: to kill or freeze it as a lost node."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path


def processes() -> Iterator[tuple[int, int, int, list[str]]]:
    """(pid, parent pid, session, argv) of every process of this machine."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            yield int(entry.name), int(fields[1]), int(fields[3]), argv


def worker_tree(worker_dir: Path) -> set[int]:
    """The sessions of the worker running in *worker_dir* and of everything below it: ansible-playbook
    and each of its forks start sessions of their own (the forks keep its command line)."""
    table = list(processes())
    pending = [pid for pid, _, _, argv in table if any(str(worker_dir) in arg for arg in argv)]
    tree: set[int] = set()
    while pending:
        pid = pending.pop()
        tree.add(pid)
        pending += [child for child, parent, _, _ in table if parent == pid and child not in tree]
    return {session for pid, _, session, _ in table if pid in tree}


def signal_sessions(sessions: set[int], signum: signal.Signals) -> None:
    for pid, _, session, _ in list(processes()):
        if session in sessions:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)


def kill_tree(worker_dir: Path) -> set[int]:
    """SIGKILL the worker running in *worker_dir* and everything below it, as a node that powers off takes
    everything with it: again until nothing is left (a fork may start between two looks at the table)."""
    killed: set[int] = set()
    for _ in range(100):
        sessions = worker_tree(worker_dir)
        if not sessions:
            break
        killed |= sessions
        signal_sessions(sessions, signal.SIGKILL)
        time.sleep(0.02)
    return killed
