"""Measure a command's wall time and peak memory (maximum RSS), or an in-process step's wall time."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

_T = TypeVar("_T")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    cpu_seconds: float = 0.0  # user + system time of the command and the processes it waited for


def run(argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 900.0, ok: Collection[int] = (0,)) -> Run:
    """Run *argv* to completion, output discarded; raise with its stderr if it exits with a code not in *ok*."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(argv, env={**os.environ, **(env or {})}, cwd=cwd,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)  # rusage of exactly this child
        finally:
            killer.cancel()
        seconds = time.perf_counter() - start
        process.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            stderr.seek(0)
            raise RuntimeError(f"{' '.join(argv)} exited {code}: {stderr.read().decode(errors='replace')[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def best(argv: Sequence[str], repeat: int = 3, *, env: Mapping[str, str] | None = None,
         cwd: Path | None = None) -> Run:
    """The fastest of *repeat* runs (the one least disturbed by the rest of the machine)."""
    return min((run(argv, env=env, cwd=cwd) for _ in range(repeat)), key=lambda r: r.seconds)


def timed(step: Callable[[], _T]) -> tuple[_T, float]:
    """*step*'s result and its wall time in seconds."""
    start = time.perf_counter()
    result = step()
    return result, time.perf_counter() - start
