"""What ``schooltech net`` does: render, plan, push, back up, find drift, roll back.

Every operation that talks to switches is recorded in the audit log, like lab jobs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from ..errors import FleetError, InventoryError, UsageError
from ..inventory import load_fleet, load_schools
from ..inventory.findings import Severity
from ..jobs import audit
from . import backups
from .intent import school_intents
from .plan import ConfigDelta, delta, normalise
from .platforms import platform
from .push import ApplyRequest, SwitchOutcome, apply
from .render import render
from .session import open_session
from .targets import SwitchTarget, switch_targets


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
    path: Path | None = None


@dataclass(frozen=True)
class SwitchPlan:
    switch: str
    school: str
    delta: ConfigDelta | None
    error: str | None = None
    source: str = "running"  # running (read from the switch) or the backup revision compared


@dataclass(frozen=True)
class PushResult:
    run_id: str
    check: bool
    atomic: bool
    switches: tuple[SwitchOutcome, ...]
    duration: float
    simulation: str | None = None

    @property
    def succeeded(self) -> bool:
        return all(s.outcome.ok for s in self.switches)


@dataclass(frozen=True)
class BackupResult:
    switch: str
    school: str
    revision: str | None
    changed: bool
    error: str | None = None


def intended(selection: Selection) -> list[Rendered]:
    """The intended configuration of every selected switch, rendered for its platform."""
    schools, findings = load_schools(selection.inventory)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise InventoryError(list(errors))
    known = {s.code for s in schools}
    unknown = [code for code in selection.schools if code not in known]
    if unknown:
        raise UsageError(f"no school with code {', '.join(unknown)}", f"known schools: {', '.join(sorted(known))}")
    out = []
    for school in schools:
        if selection.schools and school.code not in selection.schools:
            continue
        for intent in school_intents(school, selection.switches):
            out.append(Rendered(intent.name, school.code, intent.platform, render(intent)))
    names = {r.switch for r in out}
    missing = [name for name in selection.switches if name not in names]
    if missing:
        raise UsageError(f"no switch named {', '.join(missing)}", "list them with 'schooltech inventory list'")
    return out


def render_to(selection: Selection, directory: Path) -> list[Rendered]:
    """Write ``<directory>/<school>/<switch>.cfg`` for review and CI."""
    written = []
    for config in intended(selection):
        path = directory / config.school / f"{config.switch}.cfg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(config.config, encoding="utf-8")
        written.append(Rendered(config.switch, config.school, config.platform, config.config, path))
    return written


def _targets_and_wanted(selection: Selection) -> tuple[list[SwitchTarget], dict[str, str], str | None]:
    fleet = load_fleet(selection.inventory)
    targets = switch_targets(fleet, schools=selection.schools, switches=selection.switches)
    wanted = {r.switch: r.config for r in intended(Selection(selection.inventory, selection.schools,
                                                             tuple(t.name for t in targets)))}  # fmt: skip
    simulations = {t.simulation for t in targets if t.simulation}
    return targets, wanted, next(iter(simulations), None)


def plan(selection: Selection, *, from_backups: bool = False, workers: int = 10) -> list[SwitchPlan]:
    """Running (or last backed-up) config vs intended, per switch; nothing is changed."""
    if from_backups:
        return [_plan_from_backup(r) for r in intended(selection)]
    targets, wanted, _ = _targets_and_wanted(selection)

    def one(target: SwitchTarget) -> SwitchPlan:
        try:
            with open_session(target) as session:
                running = session.running_config()
        except FleetError as exc:
            return SwitchPlan(target.name, target.school, None, exc.message)
        return SwitchPlan(target.name, target.school, delta(target.platform, running, wanted[target.name]))

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        return list(pool.map(one, targets))


def _plan_from_backup(config: Rendered) -> SwitchPlan:
    try:
        running = backups.read(config.school, config.switch, platform=platform(config.platform))
    except FleetError as exc:
        return SwitchPlan(config.switch, config.school, None, f"no backup: {exc.message}", "backup")
    return SwitchPlan(config.switch, config.school, delta(platform(config.platform), running, config.config,
                                                           ("backup", "intended")), source="backup")  # fmt: skip


def push(
    selection: Selection, *, check: bool = False, atomic: bool = False, workers: int = 10,
    invocation: str | None = None, on_done: Callable[[SwitchOutcome], None] | None = None,
) -> PushResult:  # fmt: skip
    """Back up, send the remediation, verify and save every selected switch; restore on failure."""
    targets, wanted, simulation = _targets_and_wanted(selection)
    run_id = f"net-{'-'.join(selection.schools) or 'all'}-{clock.now():%Y%m%dT%H%M%SZ}"
    return _run("push", run_id, ApplyRequest(targets, wanted, f"push {run_id}", check, atomic, workers),
                simulation, invocation, on_done)  # fmt: skip


def rollback(selection: Selection, revision: str, *, check: bool = False, invocation: str | None = None) -> PushResult:
    """Restore one switch to a backed-up revision, with the same plan, verify and save as a push."""
    if len(selection.switches) != 1:
        raise UsageError("roll back one switch at a time", "give --switch NAME")
    fleet = load_fleet(selection.inventory)
    targets = switch_targets(fleet, switches=selection.switches)
    target = targets[0]
    wanted = {target.name: backups.read(target.school, target.name, revision, platform=target.platform)}
    run_id = f"rollback-{target.name}-{clock.now():%Y%m%dT%H%M%SZ}"
    return _run("rollback", run_id, ApplyRequest(targets, wanted, f"rollback {run_id} to {revision}", check),
                target.simulation, invocation, None)  # fmt: skip


def _run(action: str, run_id: str, request: ApplyRequest, simulation: str | None, invocation: str | None,
         on_done: Callable[[SwitchOutcome], None] | None) -> PushResult:  # fmt: skip
    started = time.monotonic()
    audit.record({"event": f"net-{action}", "phase": "start", "run_id": run_id, "command": invocation,
                  "targets": [t.name for t in request.targets], "check": request.check, "atomic": request.atomic,
                  "simulation": simulation})  # fmt: skip
    outcomes = apply(request, on_done)
    result = PushResult(run_id, request.check, request.atomic, tuple(outcomes), round(time.monotonic() - started, 2),
                        simulation)  # fmt: skip
    audit.record({"event": f"net-{action}", "phase": "end", "run_id": run_id, "check": request.check,
                  "duration": result.duration,
                  "switches": {o.switch: {"outcome": str(o.outcome), "commands": len(o.commands), "backup": o.backup}
                               for o in outcomes}})  # fmt: skip
    return result


def backup(selection: Selection, *, workers: int = 10, invocation: str | None = None) -> list[BackupResult]:
    """Save every selected switch's running config in the backup store (a commit only if it changed)."""
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
    audit.record({"event": "net-backup", "command": invocation,
                  "switches": {r.switch: {"revision": r.revision, "changed": r.changed, "error": r.error}
                               for r in results}})  # fmt: skip
    return results
