"""Run records: every job's result, kept in the state directory beside its ansible-runner artifacts.

A result is written atomically (a synced temporary file renamed into place), so a crash
or a full disk leaves the old record or none, never half of one. A record damaged all
the same (by hand, by a disk) is reported and skipped by :func:`listing`; only asking
for that very run fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import journal, private
from ..errors import FleetError, UsageError
from ..paths import state_dir
from .model import HostResult, HostStatus, JobKind, JobResult

RESULT = "result.json"


class DamagedRecord(FleetError):
    """A run's result file cannot be read back."""


@dataclass(frozen=True)
class Listing:
    """The runs that could be read, most recent first, and the records that could not."""

    results: tuple[JobResult, ...]
    damaged: tuple[DamagedRecord, ...]


def record_end(save: Callable[[], object], end: dict[str, Any]) -> str | None:
    """Save a finished run's record with *save*, then journal its *end*; what could not be written, or None.

    The hosts are done either way: a record that cannot be written is reported with the outcome,
    never raised over it.
    """
    try:
        save()
        failed = None
    except (OSError, FleetError) as exc:
        reason = exc.message if isinstance(exc, FleetError) else exc.strerror or str(exc)
        failed = f"the run's record could not be written ({reason})"
    journal_failed = journal.record_outcome({**end, **({"record_failed": failed} if failed else {})})
    return "; ".join(p for p in (failed, journal_failed) if p) or None


def runs_dir() -> Path:
    return private.directory(state_dir() / "runs")


def new_run_dir(run_id: str) -> tuple[str, Path]:
    """A fresh directory for *run_id* (suffixed -2, -3... if two runs start in the same second)."""
    candidate, n = run_id, 1
    while True:
        path = runs_dir() / candidate
        try:
            return candidate, private.directory(path, exist_ok=False)
        except FileExistsError:
            n += 1
            candidate = f"{run_id}-{n}"


def save(result: JobResult) -> None:
    """Write the result of a run; its artifacts (written by ansible-runner with the umask) are put right first."""
    directory = runs_dir() / result.run_id
    private.conform_tree(directory)
    private.write_text(directory / RESULT, json.dumps(asdict(result), indent=2, default=str))


def load(run_id: str) -> JobResult:
    path = runs_dir() / run_id / RESULT
    if not path.is_file():
        raise UsageError(f"no run {run_id!r}", "list the runs with 'schooltech runs list'")
    return _read(path)


def _read(path: Path) -> JobResult:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        data["kind"] = JobKind(data["kind"])
        data["hosts"] = tuple(
            HostResult(**{**h, "status": HostStatus(h["status"]), "changed_tasks": tuple(h.get("changed_tasks", ()))})
            for h in data["hosts"]
        )
        data["warnings"] = tuple(data.get("warnings") or ())
        if not all(isinstance(data.get(name), str) for name in ("run_id", "school", "started")):
            raise ValueError("run_id, school and started must be text")
        return JobResult(**data)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
        hint = f"its files are in {path.parent}; remove that directory to forget the run"
        raise DamagedRecord(f"the record of run {path.parent.name} is damaged ({reason})", hint) from exc


def listing(limit: int = 50) -> Listing:
    """The most recent runs first; damaged records are set aside, not fatal."""
    results, damaged = [], []
    for path in runs_dir().glob(f"*/{RESULT}"):
        try:
            results.append(_read(path))
        except DamagedRecord as exc:
            damaged.append(exc)
    results.sort(key=lambda r: r.started, reverse=True)
    return Listing(tuple(results[:limit]), tuple(sorted(damaged, key=lambda d: d.message)))


def retry_targets(run_id: str) -> list[str]:
    """The hosts of *run_id* that did not finish: failed, unreachable or never reached."""
    result = load(run_id)
    wanted = (HostStatus.FAILED, HostStatus.UNREACHABLE, HostStatus.NOT_RUN)
    hosts = [h.name for h in result.hosts if h.status in wanted]
    if not hosts:
        raise UsageError(f"run {run_id} has no failed hosts to retry")
    return hosts
