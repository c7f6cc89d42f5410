"""Apply configurations to switches safely: back up, send, verify, save; restore on any failure.

For each switch, in a worker pool (with a per-platform cap and a per-switch lock):

1. read the running config and back it up (a commit in the backup store if it changed);
2. compute the commands from running to wanted (hier_config); nothing to send: done;
3. send them in configuration mode; any error answer is a failure, never ignored;
4. read the running config again: it must now equal the wanted one (nothing left to send);
5. only then ``write memory``.

On any failure — a rejected command, a failed verification, a dropped session — the
switch is restored to its backup over a fresh session (the inverse commands, computed
from whatever state it was left in) and the restore is verified. When even that fails,
the switch is reported as needing attention, with the backup revision to restore.
With ``atomic``, one failed switch restores every switch changed in the same run.
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import StrEnum

from .. import private
from ..errors import FleetError
from ..paths import locks_dir
from . import backups
from .plan import ConfigDelta, delta, normalise
from .session import CommandRejected, SwitchUnreachable, open_session
from .targets import SwitchTarget

RESTORE_ATTEMPTS = 3
PLATFORM_SESSIONS = {"cisco_ios": 16, "hp_procurve": 8}  # at most this many sessions per platform at once


class Outcome(StrEnum):
    IN_SYNC = "in sync"  # nothing to send
    WOULD_CHANGE = "would change"  # check mode: the commands are in the result, nothing was sent
    APPLIED = "applied"  # sent, verified, saved
    ROLLED_BACK = "rolled back"  # failed, then restored to its backup and verified
    UNDONE = "undone"  # applied, then restored because another switch failed (atomic)
    NEEDS_ATTENTION = "needs attention"  # failed and not restored: restore the named backup revision
    FAILED = "failed"  # nothing was sent (unreachable, busy)

    @property
    def ok(self) -> bool:
        return self in (Outcome.IN_SYNC, Outcome.WOULD_CHANGE, Outcome.APPLIED)


@dataclass(frozen=True)
class SwitchOutcome:
    switch: str
    school: str
    outcome: Outcome
    commands: tuple[str, ...] = ()
    diff: str = ""
    backup: str | None = None  # revision of the config as it was before this run
    message: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class ApplyRequest:
    """What to make each switch run: the wanted configuration per switch name."""

    targets: Sequence[SwitchTarget]
    wanted: Mapping[str, str]
    reason: str  # recorded with every backup commit: "push net-RVS-...", "rollback to abc123"
    check: bool = False
    atomic: bool = False
    workers: int = 10


class _Failure(FleetError):
    """Something went wrong after commands may have been sent."""


def apply(request: ApplyRequest, on_done: Callable[[SwitchOutcome], None] | None = None) -> list[SwitchOutcome]:
    """Bring every target to its wanted config; one outcome per switch, in target order."""
    caps = {name: threading.Semaphore(cap) for name, cap in PLATFORM_SESSIONS.items()}

    def one(target: SwitchTarget) -> SwitchOutcome:
        with caps.setdefault(target.platform.name, threading.Semaphore(8)):
            outcome = _apply_one(target, request)
        if on_done is not None:
            on_done(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, min(request.workers, len(request.targets)))) as pool:
        outcomes = list(pool.map(one, request.targets))
    if request.atomic and not request.check and any(not o.outcome.ok for o in outcomes):
        outcomes = _undo_applied(request, outcomes)
    return outcomes


def _apply_one(target: SwitchTarget, request: ApplyRequest) -> SwitchOutcome:
    started = time.monotonic()
    wanted = normalise(target.platform, request.wanted[target.name])
    try:
        with switch_lock(target.name):
            return _converge(target, wanted, request, started)
    except FleetError as exc:
        return SwitchOutcome(target.name, target.school, Outcome.FAILED, message=exc.message,
                             seconds=_since(started))  # fmt: skip


def _converge(target: SwitchTarget, wanted: str, request: ApplyRequest, started: float) -> SwitchOutcome:
    with open_session(target) as session:
        running = normalise(target.platform, session.running_config())
        saved = backups.save(target.school, target.name, running, f"before {request.reason}",
                             platform=target.platform)  # fmt: skip
        plan = delta(target.platform, running, wanted)
        result = SwitchOutcome(target.name, target.school, Outcome.IN_SYNC, plan.commands, plan.diff, saved.revision)
        if not plan.changes:
            return replace(result, seconds=_since(started))
        if request.check:
            return replace(result, outcome=Outcome.WOULD_CHANGE, seconds=_since(started))
        stage = "sending"
        try:
            session.configure(plan.commands)
            stage = "verifying"
            now_running = normalise(target.platform, session.running_config())
            _verify(target, now_running, wanted, "after the push")
            stage = "saving"
            session.save()
        except (CommandRejected, SwitchUnreachable, _Failure) as failure:
            restored = _restore(target, running, save=stage == "saving")
            outcome = Outcome.ROLLED_BACK if restored is None else Outcome.NEEDS_ATTENTION
            message = f"{failure.message} (while {stage}); " + (
                f"restored to backup {saved.revision} and verified" if restored is None
                else f"NOT restored ({restored}): restore backup {saved.revision} with "
                f"'schooltech net rollback --switch {target.name} --to {saved.revision}'"
            )  # fmt: skip
            return replace(result, outcome=outcome, message=message, seconds=_since(started))
    try:
        after = backups.save(target.school, target.name, now_running, f"after {request.reason}",
                             platform=target.platform)  # fmt: skip
        note = f"saved; backup {after.revision}"
    except FleetError as exc:  # the switch is changed and saved all the same: it must not look untouched
        note = f"saved; the backup after the push failed: {exc.message}"
    return replace(result, outcome=Outcome.APPLIED, message=note, seconds=_since(started))


def _verify(target: SwitchTarget, running: str, wanted: str, when: str) -> None:
    left: ConfigDelta = delta(target.platform, running, wanted)
    if left.changes:
        shown = "; ".join(line.strip() for line in left.commands[:3])
        raise _Failure(f"{target.name}: {len(left.commands)} lines still differ {when}: {shown}")


def _restore(target: SwitchTarget, backup: str, save: bool) -> str | None:
    """Put *backup* back over a fresh session and verify it; None when done, else why not."""
    problem = "not tried"
    for attempt in range(RESTORE_ATTEMPTS):
        try:
            with open_session(target) as session:
                undo = delta(target.platform, session.running_config(), backup)
                if undo.changes:
                    session.configure(undo.commands)
                _verify(target, session.running_config(), backup, "after restoring the backup")
                if save:
                    session.save()
                return None
        except FleetError as exc:
            problem = exc.message
            time.sleep(0.5 * (attempt + 1))
    return problem


def _undo_applied(request: ApplyRequest, outcomes: list[SwitchOutcome]) -> list[SwitchOutcome]:
    """Atomic run with a failure: restore every switch this run changed, and save the restored config."""
    targets = {t.name: t for t in request.targets}
    undone = []
    for outcome in outcomes:
        if outcome.outcome is not Outcome.APPLIED or outcome.backup is None:
            undone.append(outcome)
            continue
        target = targets[outcome.switch]
        backup = backups.read(target.school, target.name, outcome.backup, platform=target.platform)
        problem = _restore(target, backup, save=True)
        if problem is None:
            undone.append(replace(outcome, outcome=Outcome.UNDONE,
                                  message=f"another switch failed: restored to backup {outcome.backup}"))  # fmt: skip
        else:
            undone.append(replace(outcome, outcome=Outcome.NEEDS_ATTENTION,
                                  message=f"another switch failed and the restore failed ({problem}): restore backup "
                                  f"{outcome.backup}"))  # fmt: skip
    return undone


@contextlib.contextmanager
def switch_lock(switch: str) -> Iterator[None]:
    """One change at a time per switch, across processes."""
    with private.lock_file(locks_dir() / f"switch-{switch}.lock") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FleetError(f"{switch} is busy: another push or rollback is changing it") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)
