"""What ``schooltech net`` does: render, plan, push, back up, find drift, roll back, check in-flight pushes.

Every operation that talks to switches is recorded in the audit log, like lab jobs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import clock, journal
from ..errors import FleetError, UsageError
from ..interrupts import never
from ..inventory import LoadedInventory, load_fleet, load_inventory
from ..inventory.fleet import UnknownSchool
from ..inventory.validate import valid_schools
from . import backups, inflight
from .inflight import InFlight
from .intent import SwitchIntent, school_intents
from .management import ManagementContext
from .platforms import platform
from .remediation import Remediation, normalise, remediate
from .render import render
from .verify import missing_lines

if TYPE_CHECKING:
    from ..inventory.school import LoadedSchool
    from .push import ApplyRequest, SwitchOutcome
    from .targets import SwitchTarget

# What connects to switches (push, session, targets: Netmiko and paramiko, a second or more to import)
# is imported by the functions that connect: drift from backups, the report's among them, never does.


@dataclass(frozen=True)
class Selection:
    inventory: Path
    schools: tuple[str, ...] = ()
    switches: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rendered:
    switch: str
    school: str
    platform: str
    config: str
    management: ManagementContext
    path: Path | None = None


@dataclass(frozen=True)
class SwitchPlan:
    switch: str
    school: str
    remediation: Remediation | None
    missing: tuple[str, ...] = ()  # intended lines the running config does not show as rendered
    error: str | None = None
    source: str = "running"  # running (read from the switch) or the backup revision compared

    @property
    def pending(self) -> bool:
        return bool(self.missing) or (self.remediation is not None and self.remediation.changes)


@dataclass(frozen=True)
class PushResult:
    run_id: str
    check: bool
    atomic: bool
    switches: tuple[SwitchOutcome, ...]
    duration: float
    simulation: str | None = None
    interrupted: str | None = None  # why the run stopped early (a signal), if it did
    record_failed: str | None = None  # the journal's end record could not be written

    @property
    def succeeded(self) -> bool:
        return all(s.outcome.ok for s in self.switches) and self.interrupted is None


@dataclass(frozen=True)
class BackupResult:
    switch: str
    school: str
    revision: str | None
    changed: bool
    error: str | None = None


@dataclass(frozen=True)
class Backups:
    """What ``net backup`` did, switch by switch."""

    switches: tuple[BackupResult, ...]
    record_failed: str | None = None  # the journal record could not be written


@dataclass(frozen=True)
class StatusItem:
    """A push an earlier run left in flight, and what the switch shows now."""

    entry: InFlight
    settled: bool  # the switch is at that run's backup or (saved) at its intended config; the record is gone
    note: str


@dataclass(frozen=True)
class Status:
    """What ``net status`` found: the pushes earlier runs left in flight."""

    items: tuple[StatusItem, ...]
    record_failed: str | None = None  # the journal record could not be written


@dataclass(frozen=True)
class PushOptions:
    """How carefully ``net push`` works; the defaults are the safe ones."""

    check: bool = False
    atomic: bool = False
    workers: int = 10
    allow_management: str | None = None  # the reason given with --allow-management-change
    accept_running: str | None = None  # the reason given with --accept-running
    revert_minutes: int = 5
    stop: Callable[[], str | None] | None = None


# From this many switches on, drift from backups renders and compares them in a pool of processes (one
# per core): at 50 the pool was still slower on this 2-core machine, at 100 faster (docs/performance.md).
PARALLEL_FROM = 100


def intended(selection: Selection) -> list[Rendered]:
    """The intended configuration of every selected switch, rendered for its platform."""
    schools = valid_schools(selection.inventory)
    return [_rendered(school, intent) for school, intent in _selected_intents(schools, selection)]


def _selected_intents(schools: Sequence[LoadedSchool], selection: Selection) -> list[tuple[str, SwitchIntent]]:
    """Each selected switch's school code and intent, from the valid *schools* of the selection's inventory."""
    known = {s.code for s in schools}
    unknown = [code for code in selection.schools if code not in known]
    if unknown:
        raise UnknownSchool(unknown, known)
    out = [(school.code, intent) for school in schools if not selection.schools or school.code in selection.schools
           for intent in school_intents(school, selection.switches)]  # fmt: skip
    names = {intent.name for _, intent in out}
    missing = [name for name in selection.switches if name not in names]
    if missing:
        raise UsageError(f"no switch named {', '.join(missing)}", "list them with 'schooltech inventory list'")
    return out


def rendered(schools: Sequence[LoadedSchool], switches: Sequence[str] = ()) -> list[Rendered]:
    """The intended configuration of the switches of *schools* (of those named in *switches*, if any)."""
    return [_rendered(school.code, intent) for school in schools for intent in school_intents(school, switches)]


def _rendered(school: str, intent: SwitchIntent) -> Rendered:
    return Rendered(intent.name, school, intent.platform, render(intent), management_context(intent))


def plan_from_backups(schools: Sequence[LoadedSchool], *, parallel_from: int = PARALLEL_FROM) -> list[SwitchPlan]:
    """Each switch of *schools* (already loaded and valid): its last backup against its intended config.

    What ``plan(selection, from_backups=True)`` does, for a caller that has loaded the schools anyway.
    From *parallel_from* switches on, the switches are rendered and compared in a pool of processes.
    """
    intents = [(school.code, intent) for school in schools for intent in school_intents(school)]
    return _plans_from_backups(intents, parallel_from)


def management_context(intent: SwitchIntent) -> ManagementContext:
    """What carries the management session to the switch of *intent*."""
    chosen = platform(intent.platform)
    return ManagementContext(
        intent.management_vlan, str(intent.management_ip.ip) if intent.management_ip else None,
        tuple(chosen.port_name(n, intent.access_ports) for n in intent.session_ports),
    )  # fmt: skip


def render_to(selection: Selection, directory: Path) -> list[Rendered]:
    """Write ``<directory>/<school>/<switch>.cfg`` for review and CI."""
    written = []
    for config in intended(selection):
        path = directory / config.school / f"{config.switch}.cfg"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(config.config, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}",
                             "give --output a directory you can write in") from exc  # fmt: skip
        written.append(Rendered(config.switch, config.school, config.platform, config.config, config.management,
                                path))  # fmt: skip
    return written


def _targets_and_wanted(selection: Selection, loaded: LoadedInventory | None = None,
                        ) -> tuple[list[SwitchTarget], dict[str, Rendered], str | None]:  # fmt: skip
    """The selected switches, how to reach each and its intended config, from one load of the inventory."""
    from .targets import switch_targets  # noqa: PLC0415 - see TYPE_CHECKING above

    loaded = loaded if loaded is not None else load_inventory(selection.inventory)
    targets = switch_targets(loaded.fleet, schools=selection.schools, switches=selection.switches)
    chosen = replace(selection, switches=tuple(t.name for t in targets))
    wanted = {intent.name: _rendered(school, intent) for school, intent in _selected_intents(loaded.schools, chosen)}
    simulations = {t.simulation for t in targets if t.simulation}
    return targets, wanted, next(iter(simulations), None)


def plan(selection: Selection, *, from_backups: bool = False, workers: int = 10,
         loaded: LoadedInventory | None = None) -> list[SwitchPlan]:  # fmt: skip
    """Running (or last backed-up) config vs intended, per switch; nothing is changed.

    *loaded*: the selection's inventory, when the caller has loaded it already (``schooltech plan``);
    otherwise it is loaded here, once.
    """
    if from_backups:
        schools = loaded.schools if loaded is not None else valid_schools(selection.inventory)
        return _plans_from_backups(_selected_intents(schools, selection), PARALLEL_FROM)
    from .session import open_session  # noqa: PLC0415 - see TYPE_CHECKING above

    targets, wanted, _ = _targets_and_wanted(selection, loaded)

    def one(target: SwitchTarget) -> SwitchPlan:
        try:
            with open_session(target) as session:
                running = session.running_config()
        except FleetError as exc:
            return SwitchPlan(target.name, target.school, None, error=exc.message)
        return _compare(target.name, target.school, running, wanted[target.name], ("running", "intended"))

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        return list(pool.map(one, targets))


def _compare(switch: str, school: str, current: str, wanted: Rendered, labels: tuple[str, str],
             source: str = "running") -> SwitchPlan:  # fmt: skip
    chosen = platform(wanted.platform)
    remediation = remediate(chosen, current, wanted.config, wanted.management, labels)
    return SwitchPlan(switch, school, remediation, missing_lines(chosen, current, wanted.config, wanted.management),
                      source=source)  # fmt: skip


def _plans_from_backups(intents: Sequence[tuple[str, SwitchIntent]], parallel_from: int) -> list[SwitchPlan]:
    """Each switch of *intents* (school code, intent) rendered and compared with its last backup.

    The backups are read by one git process; rendering and comparing is per switch and independent,
    so from *parallel_from* switches on it runs in a pool of processes, one per core, results in order.
    """
    read: Sequence[str | FleetError]
    try:
        read = backups.read_each([backups.Wanted(school, i.name, platform(i.platform)) for school, i in intents])
    except FleetError as exc:  # the store cannot be read: no switch has a backup to compare
        read = [exc] * len(intents)
    jobs = [(school, intent, running, None) if isinstance(running, str) else
            (school, intent, None, f"no backup: {running.message}")
            for (school, intent), running in zip(intents, read, strict=True)]  # fmt: skip
    workers = min(os.cpu_count() or 1, len(jobs))
    if len(jobs) < parallel_from or workers < 2:  # one worker is no pool
        return [_plan_from_backup(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_plan_from_backup, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def _plan_from_backup(job: tuple[str, SwitchIntent, str | None, str | None]) -> SwitchPlan:
    """One switch's intended config against its backup (or why it has none); runs in a pool worker too."""
    school, intent, text, why_none = job
    wanted = _rendered(school, intent)  # rendered even without a backup: a template error is raised either way
    if text is None:
        return SwitchPlan(intent.name, school, None, error=why_none, source="backup")
    return _compare(intent.name, school, text, wanted, ("backup", "intended"), "backup")


def push(selection: Selection, options: PushOptions | None = None, *, invocation: str | None = None,
         on_done: Callable[[SwitchOutcome], None] | None = None) -> PushResult:  # fmt: skip
    """Back up, send the remediation under a revert timer, verify over a fresh session, confirm and save."""
    from .push import ApplyRequest, Wanted, revert_minutes  # noqa: PLC0415 - see TYPE_CHECKING above

    chosen = options or PushOptions()
    targets, wanted, simulation = _targets_and_wanted(selection)
    run_id = f"net-{'-'.join(selection.schools) or 'all'}-{clock.now():%Y%m%dT%H%M%SZ}"
    request = ApplyRequest(
        targets, {name: Wanted(r.config, r.management) for name, r in wanted.items()}, run_id, f"push {run_id}",
        chosen.check, chosen.atomic, chosen.workers, chosen.allow_management, chosen.accept_running,
        revert_minutes(chosen.revert_minutes, targets), chosen.stop or never,
    )  # fmt: skip
    return _run("push", request, simulation, invocation, on_done)


def rollback(selection: Selection, revision: str, *, check: bool = False, allow_management: str | None = None,
             stop: Callable[[], str | None] | None = None, invocation: str | None = None) -> PushResult:  # fmt: skip
    """Restore one switch's owned lines to a backed-up revision, with the same safety as a push."""
    from .push import ApplyRequest, Wanted  # noqa: PLC0415 - see TYPE_CHECKING above

    if len(selection.switches) != 1:
        raise UsageError("roll back one switch at a time", "give --switch NAME")
    targets, wanted, simulation = _targets_and_wanted(selection)
    target = targets[0]
    backup = backups.read(target.school, target.name, revision, platform=target.platform)
    run_id = f"rollback-{target.name}-{clock.now():%Y%m%dT%H%M%SZ}"
    request = ApplyRequest(targets, {target.name: Wanted(backup, wanted[target.name].management, whole=False)}, run_id,
                           f"rollback {run_id} to {revision}", check, allow_management=allow_management,
                           stop=stop or never, resolves_inflight=True)  # fmt: skip
    return _run("rollback", request, simulation, invocation, None)


def _run(action: str, request: ApplyRequest, simulation: str | None, invocation: str | None,
         on_done: Callable[[SwitchOutcome], None] | None) -> PushResult:  # fmt: skip
    from .push import apply  # noqa: PLC0415 - see TYPE_CHECKING above

    started = time.monotonic()
    journal.record({"event": f"net-{action}", "phase": "start", "run_id": request.run_id, "command": invocation,
                    "targets": [t.name for t in request.targets], "check": request.check, "atomic": request.atomic,
                    "simulation": simulation, "allow_management_change": request.allow_management,
                    "accept_running": request.accept_running})  # fmt: skip
    outcomes = apply(request, on_done)
    result = PushResult(request.run_id, request.check, request.atomic, tuple(outcomes),
                        round(time.monotonic() - started, 2), simulation, request.stop())  # fmt: skip
    switches = {o.switch: {"outcome": str(o.outcome), "commands": len(o.commands), "backup": o.backup,
                           "message": o.message} for o in outcomes}  # fmt: skip
    # the switches are done either way: the outcome must still be shown
    failed = journal.record_outcome({"event": f"net-{action}", "phase": "end", "run_id": request.run_id,
                                     "check": request.check, "duration": result.duration,
                                     "interrupted": result.interrupted, "switches": switches})  # fmt: skip
    return replace(result, record_failed=failed) if failed else result


def status(selection: Selection) -> Status:
    """Every push an earlier run left in flight on the selected switches, checked on the switch itself.

    Nothing is changed on the switches: a switch back at that run's backup is settled and its
    record removed; the rest stay listed (a revert timer still running, a confirmed change not
    yet saved, a half-applied config) for the next push or a rollback to resolve.
    """
    from .push import Wanted, settle  # noqa: PLC0415 - see TYPE_CHECKING above
    from .session import open_session  # noqa: PLC0415

    entries = {entry.switch: entry for entry in inflight.all_entries()}
    if not entries:
        return Status(())
    targets, wanted, _ = _targets_and_wanted(selection)
    items = []
    for target in targets:
        entry = entries.get(target.name)
        if entry is None:
            continue
        rendered = wanted[target.name]
        try:
            with open_session(target) as session:
                state = settle(session, entry, Wanted(rendered.config, rendered.management), change=False)
        except FleetError as exc:
            items.append(StatusItem(entry, False, f"{entry.describe}; the switch could not be checked: {exc.message}"))
            continue
        items.append(StatusItem(entry, state.settled, state.note))
    failed = journal.record_outcome({"event": "net-status", "switches": {
        i.entry.switch: {"settled": i.settled, "note": i.note} for i in items}})  # fmt: skip
    return Status(tuple(items), failed)


def backup(selection: Selection, *, workers: int = 10, invocation: str | None = None) -> Backups:
    """Save every selected switch's running config in the backup store (a commit only if it changed)."""
    from .session import open_session  # noqa: PLC0415 - see TYPE_CHECKING above
    from .targets import switch_targets  # noqa: PLC0415

    fleet = load_fleet(selection.inventory)
    targets = switch_targets(fleet, schools=selection.schools, switches=selection.switches)
    reason = f"backup ({invocation or 'schooltech net backup'})"

    def one(target: SwitchTarget) -> BackupResult:
        try:
            with open_session(target) as session:
                running = normalise(target.platform, session.running_config())
            saved = backups.save(target.school, target.name, running, reason, platform=target.platform)
        except FleetError as exc:
            return BackupResult(target.name, target.school, None, False, exc.message)
        return BackupResult(target.name, target.school, saved.revision, saved.changed)

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        results = list(pool.map(one, targets))
    failed = journal.record_outcome({"event": "net-backup", "command": invocation,
                                     "switches": {r.switch: {"revision": r.revision, "changed": r.changed,
                                                             "error": r.error} for r in results}})  # fmt: skip
    return Backups(tuple(results), failed)
