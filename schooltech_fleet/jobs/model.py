"""What a technician asks a lab job to do, and what came of it on every host."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class JobKind(StrEnum):
    REBUILD = "rebuild"  # term start: baseline + software + licensing + verify, room by room
    PATCH = "patch"
    LICENSE = "license"
    CONFIGURE = "configure"  # baseline settings only, no software changes
    ASSET_FACTS = "asset_facts"  # read each PC's own facts for an asset audit; changes nothing

    @property
    def playbook(self) -> str:
        return f"{self.value}.yml"

    @property
    def respects_exam_freezes(self) -> bool:
        """Patching and rebuilding change what students sit exams on; licences and settings do not."""
        return self in (JobKind.REBUILD, JobKind.PATCH)

    @property
    def read_only(self) -> bool:
        """Changes nothing on the PCs: no canary batches, no school lock (it cannot conflict with a change)."""
        return self is JobKind.ASSET_FACTS


@dataclass(frozen=True)
class JobRequest:
    kind: JobKind
    inventory: Path
    school: str
    rooms: tuple[str, ...] = ()
    limit: str | None = None
    check: bool = False
    diff: bool = False
    batch: str | None = None  # a size ("5", "20%") overriding the default rollout
    max_fail: int = 0  # halt when more than this percentage of a batch fails
    force_window: bool = False
    reason: str | None = None
    retry_of: str | None = None  # run id whose failed hosts are retried


class HostStatus(StrEnum):
    OK = "ok"  # ran, nothing changed
    CHANGED = "changed"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    NOT_RUN = "not run"  # the rollout halted before its batch
    REFUSED = "refused"  # a maintenance window kept it out of the job


@dataclass(frozen=True)
class HostResult:
    name: str
    status: HostStatus
    ok: int = 0
    changed: int = 0
    failed_task: str | None = None
    message: str | None = None
    report: dict[str, Any] = field(default_factory=dict)  # what the roles reported (e.g. upgraded packages)
    changed_tasks: tuple[str, ...] = ()  # the tasks that changed (or, in check mode, would change) the host


@dataclass(frozen=True)
class JobResult:
    run_id: str
    kind: JobKind
    school: str
    check: bool
    started: str
    finished: str
    duration: float
    hosts: tuple[HostResult, ...]
    halted: bool = False  # the rollout stopped: later batches were left untouched
    ansible_rc: int = 0
    simulation: str | None = None
    warnings: tuple[str, ...] = ()
    record_failed: str | None = None  # the run's record or its final journal record could not be written
    interrupted: str | None = None  # why ansible-playbook was stopped before its end (a signal), if it was
    node: str | None = None  # the execution node that ran the job (host:port); None: this machine

    @property
    def succeeded(self) -> bool:
        counted = [h for h in self.hosts if h.status is not HostStatus.REFUSED]
        return not self.halted and self.interrupted is None and all(
            h.status in (HostStatus.OK, HostStatus.CHANGED) for h in counted
        )

    def with_status(self, status: HostStatus) -> list[str]:
        return [h.name for h in self.hosts if h.status is status]


@dataclass(frozen=True)
class Progress:
    """A snapshot for a live display: hosts done of total, and what runs now."""

    total: int
    done: int
    changed: int
    failed: int
    unreachable: int
    task: str | None
    batch: int
