"""Run records: every job's result, kept in the state directory beside its ansible-runner artifacts."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from ..errors import UsageError
from ..paths import state_dir
from .model import HostResult, HostStatus, JobKind, JobResult

RESULT = "result.json"


def runs_dir() -> Path:
    path = state_dir() / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_run_dir(run_id: str) -> tuple[str, Path]:
    """A fresh directory for *run_id* (suffixed -2, -3... if two runs start in the same second)."""
    candidate, n = run_id, 1
    while True:
        path = runs_dir() / candidate
        try:
            path.mkdir(mode=0o700)
            return candidate, path
        except FileExistsError:
            n += 1
            candidate = f"{run_id}-{n}"


def save(result: JobResult) -> None:
    (runs_dir() / result.run_id / RESULT).write_text(json.dumps(asdict(result), indent=2, default=str))


def load(run_id: str) -> JobResult:
    path = runs_dir() / run_id / RESULT
    if not path.is_file():
        raise UsageError(f"no run {run_id!r}", "list the runs with 'schooltech runs list'")
    data = json.loads(path.read_text())
    data["kind"] = JobKind(data["kind"])
    data["hosts"] = tuple(
        HostResult(**{**h, "status": HostStatus(h["status"]), "changed_tasks": tuple(h.get("changed_tasks", ()))})
        for h in data["hosts"]
    )
    data["warnings"] = tuple(data.get("warnings") or ())
    return JobResult(**data)


def listing(limit: int = 50) -> list[JobResult]:
    """The most recent runs first."""
    found = [p.parent.name for p in runs_dir().glob(f"*/{RESULT}")]
    results = [load(run_id) for run_id in found]
    return sorted(results, key=lambda r: r.started, reverse=True)[:limit]


def retry_targets(run_id: str) -> list[str]:
    """The hosts of *run_id* that did not finish: failed, unreachable or never reached."""
    result = load(run_id)
    wanted = (HostStatus.FAILED, HostStatus.UNREACHABLE, HostStatus.NOT_RUN)
    hosts = [h.name for h in result.hosts if h.status in wanted]
    if not hosts:
        raise UsageError(f"run {run_id} has no failed hosts to retry")
    return hosts
