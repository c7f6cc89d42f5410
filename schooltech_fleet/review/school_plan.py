"""``schooltech plan``: everything that would happen to one school, live, in one report.

Three parts, nothing changed by any of them:
  * lab PCs: the rebuild playbook (baseline, software, licences) and the patch playbook
    in Ansible check mode; per PC, the tasks that would change it and the upgrades pending;
  * switches: per switch, the remediation commands from its running config to intent;
  * licences: per licence, the seats its rooms take against the seats bought.

The inventory is loaded once: both check runs and the switch plans are handed it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..inventory import load_inventory
from ..inventory.licences import SeatUsage, seat_usage
from ..jobs import HostStatus, JobKind, JobRequest, JobResult, run_job
from ..jobs.job import JobRefused
from ..network.operations import Selection, SwitchPlan
from ..network.operations import plan as plan_switches

CHECKED = (JobKind.REBUILD, JobKind.PATCH)


@dataclass(frozen=True)
class HostPlan:
    name: str
    would_change: tuple[str, ...] = ()  # tasks, as "job: task"
    upgrades: tuple[str, ...] = ()  # "package installed -> candidate"
    problem: str | None = None  # unreachable, failed, or left out (exam freeze)

    @property
    def pending(self) -> bool:
        return bool(self.would_change or self.upgrades)


@dataclass(frozen=True)
class SchoolPlan:
    school: str
    hosts: tuple[HostPlan, ...]
    switches: tuple[SwitchPlan, ...]
    licences: tuple[SeatUsage, ...]
    runs: tuple[str, ...]  # the check-mode job runs (see 'schooltech runs show')
    notes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Every PC and switch answered."""
        return not any(h.problem for h in self.hosts) and not any(s.error for s in self.switches)

    @property
    def pending(self) -> bool:
        """Something would change: a PC, a switch, or a licence over its seats."""
        return (any(h.pending for h in self.hosts) or any(s.pending for s in self.switches)
                or any(u.over_allocated for u in self.licences))  # fmt: skip


def plan_school(inventory: Path, school: str, rooms: tuple[str, ...] = (), *, workers: int = 10,
                on_step: Callable[[str], None] | None = None, invocation: str | None = None) -> SchoolPlan:  # fmt: skip
    """What rebuild, patch and a switch push would do to *school* now, and its licence seats."""
    loaded = load_inventory(inventory)
    licences = tuple(seat_usage(loaded.school(school)))
    results: list[JobResult] = []
    notes: list[str] = []
    for kind in CHECKED:
        if on_step is not None:
            on_step(f"{kind} in check mode")
        request = JobRequest(kind=kind, inventory=inventory, school=school, rooms=rooms, check=True, max_fail=100)
        try:
            results.append(run_job(request, invocation=invocation, fleet=loaded.fleet))
        except JobRefused as exc:
            notes.append(f"{kind}: {exc.message}")
    if on_step is not None:
        on_step("switch plans")
    switches = plan_switches(Selection(inventory, (school,)), workers=workers, loaded=loaded) if not rooms else []
    return SchoolPlan(school, _host_plans(results), tuple(switches), licences,
                      tuple(r.run_id for r in results), tuple(notes))  # fmt: skip


def _host_plans(results: list[JobResult]) -> tuple[HostPlan, ...]:
    changes: dict[str, list[str]] = {}
    upgrades: dict[str, list[str]] = {}
    problems: dict[str, str] = {}
    for result in results:
        for host in result.hosts:
            changes.setdefault(host.name, []).extend(
                f"{result.kind}: {task}" for task in dict.fromkeys(host.changed_tasks)
            )
            report = host.report.get("patching_report") or {}
            upgrades.setdefault(host.name, []).extend(
                f"{p.get('name')} {p.get('installed')} -> {p.get('candidate')}"
                for p in report.get("planned") or () if isinstance(p, dict)
            )  # fmt: skip
            if host.status in (HostStatus.FAILED, HostStatus.UNREACHABLE, HostStatus.REFUSED, HostStatus.NOT_RUN):
                where = f" at {host.failed_task!r}" if host.failed_task else ""
                why = f": {host.message}" if host.message else ""
                problems.setdefault(host.name, f"{result.kind} {host.status}{where}{why}")
    return tuple(HostPlan(name, tuple(changes[name]), tuple(upgrades[name]), problems.get(name)) for name in changes)
