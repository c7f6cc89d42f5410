"""Apply configurations to switches safely: every change undoes itself on the switch unless proven.

For each switch, in a worker pool (a per-platform cap on sessions, one run at a time per switch):

1. settle what an earlier, interrupted run left behind (``inflight.py``): the switch must be at
   that run's backup or at its intended config, else the push is refused;
2. read the running config and back it up;
3. compute the remediation of the owned scope (``scope.py``, ``remediation.py``); a change to
   the management path (``management.py``) is refused unless a technician allowed it;
4. record the push as in flight, then send the commands inside the platform's commit-confirm
   (Cisco IOS: ``configure terminal revert timer N``): from the first command on, the switch
   restores its previous config by itself unless the change is confirmed in time;
5. log in again over a fresh session, which proves the management path still works, and
   verify (``verify.py``): every intended line present, nothing left to send, every line
   outside the owned scope unchanged;
6. confirm, then ``write memory``; the record is removed and the new config backed up.

Any failure before the confirm takes the switch back to its backup: at once over a session
(``configure revert now``, verified), or, when no session can be opened because the change
cut the path, by the switch's own timer, which the engine waits for and verifies. A platform
without commit-confirm is restored by sending the inverse commands. A stop request (SIGINT,
SIGTERM, SIGHUP) is honoured between commands: an unconfirmed change is reverted, a
confirmed one is saved, so every switch ends at its backup or at its intended config.

With ``atomic``, every switch's lock is held for the whole run and every switch stops after
step 5; only when all verified are all confirmed and saved, else every one reverts.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import StrEnum

from .. import locks
from ..errors import FleetError, UsageError
from ..interrupts import never
from . import backups, inflight
from .inflight import InFlight
from .management import ManagementContext
from .platforms import Platform
from .remediation import Remediation, normalise, remediate, views
from .session import CommandRejected, Interrupted, SwitchSession, SwitchUnreachable, open_session
from .targets import SwitchTarget
from .verify import verify

RESTORE_ATTEMPTS = 3
DEFAULT_REVERT_MINUTES = 5
BOOT_SECONDS = 300.0  # how long a switch whose timer reboots it may take to answer again


class Outcome(StrEnum):
    IN_SYNC = "in sync"  # nothing to send
    WOULD_CHANGE = "would change"  # check mode: the commands are in the result, nothing was sent
    APPLIED = "applied"  # sent, verified over a fresh session, confirmed, saved
    VERIFIED = "verified"  # atomic, first phase: sent and verified, not yet confirmed
    BLOCKED = "blocked"  # the change would touch the management path: refused, nothing sent
    ROLLED_BACK = "rolled back"  # failed, then reverted to its backup and verified
    REVERTED = "reverted by the switch"  # the change cut the session: the switch's own timer restored it (verified)
    UNDONE = "undone"  # verified, then reverted because another switch failed (atomic)
    NEEDS_ATTENTION = "needs attention"  # failed and not known to be restored: see the message
    FAILED = "failed"  # nothing was sent (unreachable, busy, refused)

    @property
    def ok(self) -> bool:
        return self in (Outcome.IN_SYNC, Outcome.WOULD_CHANGE, Outcome.APPLIED, Outcome.VERIFIED)


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
    kept: int = 0  # lines outside the owned scope, left as they were
    protected: int = 0  # of which protected lines
    management: tuple[str, ...] = ()  # why the change touches the management path
    script: tuple[str, ...] = ()  # check mode: everything the push would send, in order


@dataclass(frozen=True)
class Wanted:
    """The config one switch should end at, and what carries its management session."""

    config: str
    management: ManagementContext
    whole: bool = True  # every line of it must show (a rendered intent); False: its owned lines (a backup)


@dataclass(frozen=True)
class ApplyRequest:
    """What to make each switch run, and how carefully."""

    targets: Sequence[SwitchTarget]
    wanted: Mapping[str, Wanted]
    run_id: str
    reason: str  # recorded with every backup commit: "push net-RVS-...", "rollback to abc123"
    check: bool = False
    atomic: bool = False
    workers: int = 10
    allow_management: str | None = None  # why a technician allowed management changes (None: refused)
    accept_running: str | None = None  # why a technician accepts a half-applied running config
    revert_minutes: int = DEFAULT_REVERT_MINUTES
    stop: Callable[[], str | None] = never  # a reason to stop (a signal arrived), or None
    resolves_inflight: bool = False  # a rollback: it is how an interrupted push is resolved


class _Refused(FleetError):
    """The switch is not in a state to push to; nothing was sent."""


def apply(request: ApplyRequest, on_done: Callable[[SwitchOutcome], None] | None = None) -> list[SwitchOutcome]:
    """Bring every target to its wanted config; one outcome per switch, in target order."""
    caps = {t.platform.name: threading.Semaphore(t.platform.sessions) for t in request.targets}
    pushes = {t.name: _SwitchPush(t, request) for t in request.targets}
    workers = max(1, min(request.workers, len(request.targets)))

    def first_phase(target: SwitchTarget) -> SwitchOutcome:
        with caps[target.platform.name]:
            outcome = pushes[target.name].run(locked=request.atomic)
        if on_done is not None and outcome.outcome is not Outcome.VERIFIED:
            on_done(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=workers) as pool, _atomic_locks(request) as busy:
        if busy:
            return [SwitchOutcome(t.name, t.school, Outcome.FAILED, message=busy) for t in request.targets]
        outcomes = list(pool.map(first_phase, request.targets))
        held = [o.switch for o in outcomes if o.outcome is Outcome.VERIFIED]
        if not held:
            return outcomes
        failed = [o.switch for o in outcomes if not o.outcome.ok]
        why = request.stop() or (f"{', '.join(failed)} failed" if failed else None)

        def second_phase(name: str) -> SwitchOutcome:
            with caps[pushes[name].target.platform.name]:
                outcome = pushes[name].undo(why) if why else pushes[name].keep_verified()
            if on_done is not None:
                on_done(outcome)
            return outcome

        finished = dict(zip(held, pool.map(second_phase, held), strict=True))
    return [finished.get(o.switch, o) for o in outcomes]


@contextlib.contextmanager
def _atomic_locks(request: ApplyRequest) -> Iterator[str | None]:
    """For an atomic run, every switch's lock for the whole run (None), or why they cannot all be had."""
    if not request.atomic:
        yield None
        return
    with contextlib.ExitStack() as stack:
        try:
            for name in sorted(t.name for t in request.targets):
                stack.enter_context(switch_lock(name, request.reason))
        except FleetError as exc:
            yield f"{exc.message}: nothing was sent to any switch (atomic)"
            return
        yield None


class _SwitchPush:
    """One switch's push, from backup to saved (or back at its backup); failures are outcomes."""

    def __init__(self, target: SwitchTarget, request: ApplyRequest) -> None:
        self.target = target
        self.request = request
        self.platform = target.platform
        self.wanted = request.wanted[target.name]
        self.started = time.monotonic()
        self.entry: InFlight | None = None  # the in-flight record, once something may have been sent
        self.known_good: str | None = None  # an unsettled earlier run's backup: what the record keeps pointing at
        self.earlier = ""  # what an earlier, interrupted run had left, and how it was settled
        self.before = ""  # the running config before the push (normalised)
        self.verified = ""  # the running config the fresh session verified (normalised)
        self.outcome = SwitchOutcome(target.name, target.school, Outcome.FAILED)

    # --- the steps ---------------------------------------------------------------------------

    def run(self, *, locked: bool) -> SwitchOutcome:
        """Steps 1-6 (1-5 in an atomic run, which holds the lock itself)."""

        def steps() -> SwitchOutcome:
            with contextlib.nullcontext() if locked else switch_lock(self.target.name, self.request.reason):
                return self._run()

        return self._guarded(steps)

    def keep_verified(self) -> SwitchOutcome:
        """Second phase of an atomic run: confirm and save a verified switch."""

        def confirm() -> SwitchOutcome:
            with open_session(self.target) as session:
                return self._keep(session)

        return self._guarded(confirm)

    def undo(self, why: str) -> SwitchOutcome:
        """Atomic: this switch verified, another did not (or a stop came): back to its backup."""

        def revert() -> SwitchOutcome:
            with open_session(self.target) as session:
                return self._revert(session, why)

        outcome = self._guarded(revert)
        return replace(outcome, outcome=Outcome.UNDONE) if outcome.outcome is Outcome.ROLLED_BACK else outcome

    def _guarded(self, step: Callable[[], SwitchOutcome]) -> SwitchOutcome:
        """*step*'s outcome; a failure is an outcome too, and once anything was sent, it is undone first."""
        try:
            return step()
        except _Refused as exc:
            return self._done(Outcome.FAILED, exc.message)
        except FleetError as exc:
            if self.entry is None:
                return self._done(Outcome.FAILED, f"{exc.message} (nothing was sent)")
            return self._recover(exc.message)
        except Exception as exc:  # a bug: whatever was sent must still be undone
            if self.entry is None:
                raise
            return self._recover(f"internal error {type(exc).__name__}: {exc}")

    def _run(self) -> SwitchOutcome:
        self.earlier = self._settle_earlier_run()
        with open_session(self.target) as session:
            self.before = normalise(self.platform, session.running_config())
            saved = backups.save(self.target.school, self.target.name, self.before, f"before {self.request.reason}",
                                 platform=self.platform)  # fmt: skip
            plan = remediate(self.platform, self.before, self.wanted.config, self.wanted.management)
            self.outcome = SwitchOutcome(
                self.target.name, self.target.school, Outcome.IN_SYNC, plan.commands, plan.diff, saved.revision,
                kept=plan.kept, protected=plan.protected, management=plan.management,
            )  # fmt: skip
            if plan.management and self.request.allow_management is None:
                return self._done(Outcome.BLOCKED, "refused: the change would touch the management path ("
                                  + "; ".join(plan.management) + "); nothing was sent. If it is meant, "
                                  "push it with --allow-management-change --reason '...'")  # fmt: skip
            if not plan.changes:
                return self._done(Outcome.IN_SYNC, "")
            if self.request.check:
                script = push_script(self.platform, plan.commands, self._minutes(), self.before)
                self.outcome = replace(self.outcome, script=script)
                return self._done(Outcome.WOULD_CHANGE, "")
            if why := self.request.stop():
                return self._done(Outcome.FAILED, f"{why}: nothing was sent")
            try:
                self._send(session, plan)
            except (CommandRejected, Interrupted) as exc:
                return self._revert(session, exc.message)
        return self._prove()

    def _send(self, session: SwitchSession, plan: Remediation) -> None:
        archive, arm, enter = _before_change(self.platform, self._minutes(), self.before)
        if archive:
            session.configure(archive, enter=self.platform.configure)  # the revert timer needs an archive path
        revert_at = None
        if self.platform.commit_confirm is not None:
            revert_at = time.time() + self._minutes() * self.target.minute_seconds
        backup = self.known_good or self.outcome.backup or ""
        self.entry = inflight.begin(InFlight(self.target.name, self.target.school, self.request.run_id, backup,
                                             "sending", time.time(), revert_at, os.getpid()))  # fmt: skip
        for command in arm:
            session.run(command)
        session.configure(plan.commands, enter=enter, stop=self.request.stop)

    def _prove(self) -> SwitchOutcome:
        """Step 5 (and 6): a fresh login, verification, then keep the change."""
        try:
            with open_session(self.target) as session:
                now = normalise(self.platform, session.running_config())
                problem = self._problem(now)
                if problem:
                    return self._revert(session, f"verification failed: {problem}")
                if why := self.request.stop():
                    return self._revert(session, why)
                self.verified = now
                if self.request.atomic:
                    assert self.entry is not None
                    self.entry = inflight.advance(self.entry, "verified")
                    return self._done(Outcome.VERIFIED, "sent and verified; confirmed once every switch is")
                return self._keep(session)
        except SwitchUnreachable as exc:
            return self._recover(f"no fresh session after the change ({exc.message}): it cut the management path")

    def _problem(self, now: str) -> str | None:
        """What is wrong with *now* after the push: an intended line missing, or a line outside the scope changed."""
        found = verify(self.platform, now, self.wanted.config, self.wanted.management, whole=self.wanted.whole)
        if not found.ok:
            return found.summary()
        added = set(self.platform.commit_confirm.archive if self.platform.commit_confirm else ())
        before = views(self.platform, self.before, self.wanted.config, self.wanted.management).running.kept
        after = views(self.platform, now, self.wanted.config, self.wanted.management).running.kept
        after = [line for line in after if line[1] not in added or line in before]
        if before != after:
            changed = [f"{'+' if line in after else '-'} {line[1].strip()}"
                       for line in (*before, *after) if (line in before) != (line in after)]  # fmt: skip
            return f"{len(changed)} lines outside the owned scope changed: " + "; ".join(changed[:3])
        return None

    def _keep(self, session: SwitchSession) -> SwitchOutcome:
        """Confirm and save; past the confirm, a stop request no longer undoes anything."""
        assert self.entry is not None
        confirm = self.platform.commit_confirm
        if confirm is not None:
            try:
                session.run(confirm.confirm)
            except CommandRejected as exc:
                if re.search(confirm.none_pending, exc.message):  # the timer fired before the confirm
                    return self._check_reverted(session, "the revert timer ran out before the confirm")
                raise
        self.entry = inflight.advance(self.entry, "confirmed")
        session.save()
        inflight.end(self.target.name)
        try:
            after = backups.save(self.target.school, self.target.name, self.verified, f"after {self.request.reason}",
                                 platform=self.platform)  # fmt: skip
            note = f"saved; backup {after.revision}"
        except FleetError as exc:  # the switch is changed and saved all the same: it must not look untouched
            note = f"saved; the backup after the push failed: {exc.message}"
        return self._done(Outcome.APPLIED, note)

    # --- going back ----------------------------------------------------------------------------

    def _revert(self, session: SwitchSession, why: str) -> SwitchOutcome:
        """Back to the backup over *session* (revert now, else the inverse commands), verified."""
        confirm = self.platform.commit_confirm
        timer = confirm is not None and self.entry is not None and self.entry.phase != "confirmed"
        how = "the inverse commands"
        try:
            if timer and confirm is not None and confirm.revert_now:
                with contextlib.suppress(CommandRejected):  # nothing pending: the timer fired already
                    session.run(confirm.revert_now)
                    how = f"'{confirm.revert_now}'"
            now = normalise(self.platform, session.running_config())
            undo = remediate(self.platform, now, self.before, self.wanted.management)
            if undo.changes:
                session.configure(undo.commands, enter=self.platform.configure)
                now = normalise(self.platform, session.running_config())
            left = remediate(self.platform, now, self.before, self.wanted.management)
            if not left.changes and timer and confirm is not None and not confirm.revert_now:
                session.run(confirm.confirm)  # back at the backup by hand: stop the timer (no needless reboot)
        except SwitchUnreachable as exc:
            return self._recover(f"{why}; the session failed while reverting ({exc.message})")
        except (CommandRejected, Interrupted) as exc:
            return self._needs_attention(f"{why}; reverting failed: {exc.message}")
        if left.changes:
            return self._needs_attention(f"{why}; after reverting, {len(left.commands)} lines still differ from "
                                         "the backup")  # fmt: skip
        if self.entry is not None and self.entry.phase == "confirmed":
            session.save()
        inflight.end(self.target.name)
        return self._done(Outcome.ROLLED_BACK, f"{why}; reverted with {how} and verified at backup "
                                               f"{self.outcome.backup}")  # fmt: skip

    def _recover(self, why: str) -> SwitchOutcome:
        """The session is gone mid-change: log in again to revert, or wait for the switch's own timer."""
        revert_at = self.entry.revert_at if self.entry is not None else None
        minute = self.target.minute_seconds
        boot = BOOT_SECONDS if self.platform.commit_confirm and self.platform.commit_confirm.reboots else 0.0
        deadline = max(time.time(), revert_at or 0.0) + min(60.0, minute) + boot + 5.0
        pause = min(10.0, max(0.2, minute / 6))
        problem = "not tried"
        attempt = 0
        while attempt < RESTORE_ATTEMPTS or time.time() < deadline:
            attempt += 1
            try:
                with open_session(self.target) as session:
                    if attempt > 1:
                        why += f"; no login for {attempt - 1} tries: the change had cut the management path"
                    if self.entry is not None and self.entry.phase == "confirmed":
                        return self._save_confirmed(session, why)
                    if revert_at is not None and time.time() >= revert_at:
                        return self._check_reverted(session, why)
                    return self._revert(session, why)
            except SwitchUnreachable as exc:
                problem = exc.message
            time.sleep(pause)
        when = f"; its revert timer was due at {_clock(revert_at)}" if revert_at else ""
        return self._needs_attention(f"{why}; no session since ({problem}){when}")

    def _save_confirmed(self, session: SwitchSession, why: str) -> SwitchOutcome:
        """The change was confirmed but not saved when the session failed: save it if it is still intact."""
        now = normalise(self.platform, session.running_config())
        if not verify(self.platform, now, self.wanted.config, self.wanted.management, whole=self.wanted.whole).ok:
            return self._needs_attention(f"{why}; the change was confirmed but no longer verifies")
        session.save()
        inflight.end(self.target.name)
        return self._done(Outcome.APPLIED, f"{why}; the change was confirmed, verified again and saved")

    def _check_reverted(self, session: SwitchSession, why: str) -> SwitchOutcome:
        """After the switch's revert timer: is it back at its backup?"""
        now = normalise(self.platform, session.running_config())
        left = remediate(self.platform, now, self.before, self.wanted.management)
        if left.changes:
            return self._revert(session, why)
        inflight.end(self.target.name)
        due = _clock(self.entry.revert_at if self.entry else None)
        confirm = self.platform.commit_confirm
        how = "rebooted into its saved config (scheduled reload" if confirm and confirm.reboots else (
            "restored its previous config by itself (revert timer")
        return self._done(Outcome.REVERTED, f"{why}; the switch {how}, due {due}); verified at backup "
                                            f"{self.outcome.backup}")  # fmt: skip

    def _needs_attention(self, why: str) -> SwitchOutcome:
        backup = self.outcome.backup
        return self._done(Outcome.NEEDS_ATTENTION, f"{why}. The switch may be half-applied: check it with "
                          f"'schooltech net status', restore backup {backup} with 'schooltech net rollback "
                          f"--switch {self.target.name} --to {backup}'")  # fmt: skip

    # --- an earlier run ------------------------------------------------------------------------

    def _settle_earlier_run(self) -> str:
        """A note on what an earlier, interrupted run left; raises _Refused when it cannot be settled."""
        entry = inflight.read(self.target.name)
        if entry is None:
            return ""
        with open_session(self.target) as session:
            state = settle(session, entry, self.wanted, change=not self.request.check)
        if state.settled:
            return state.note
        if self.request.resolves_inflight or self.request.check:
            self.known_good = entry.backup
            return state.note
        if self.request.accept_running is not None:
            inflight.end(self.target.name)
            return f"{state.note}; accepted as it runs ({self.request.accept_running})"
        raise _Refused(f"{state.note}: its config is neither that backup nor the intended one. Restore it with "
                       f"'schooltech net rollback --switch {self.target.name} --to {entry.backup}', or take it as it "
                       "runs with --accept-running --reason '...'")  # fmt: skip

    # --- helpers -------------------------------------------------------------------------------

    def _minutes(self) -> int:
        confirm = self.platform.commit_confirm
        longest = confirm.longest if confirm else self.request.revert_minutes
        return max(1, min(self.request.revert_minutes, longest))

    def _done(self, outcome: Outcome, message: str) -> SwitchOutcome:
        message = "; ".join(part for part in (self.earlier, message) if part)
        self.outcome = replace(self.outcome, outcome=outcome, message=message,
                               seconds=round(time.monotonic() - self.started, 2))  # fmt: skip
        return self.outcome


@dataclass(frozen=True)
class Settled:
    """What an earlier run's in-flight record turned out to mean."""

    settled: bool  # the switch is at a known config again; the record is gone
    note: str


def settle(session: SwitchSession, entry: InFlight, wanted: Wanted, *, change: bool = True) -> Settled:
    """Check a switch an earlier run left in flight; with *change*, finish what can be finished safely.

    At its backup: settled. At its intended config with the change confirmed: saved (with
    *change*) and settled. An unconfirmed change whose timer still runs: reverted now (with
    *change*) and checked again. Anything else stays unsettled.
    """
    platform = session.target.platform
    confirm = platform.commit_confirm
    label = f"{entry.switch}: {entry.describe}"
    backup = backups.read(entry.school, entry.switch, entry.backup, platform=platform)
    now = normalise(platform, session.running_config())
    pending = entry.phase != "confirmed" and entry.revert_at is not None and time.time() < entry.revert_at
    if pending and change and confirm is not None and confirm.revert_now:
        with contextlib.suppress(CommandRejected):
            session.run(confirm.revert_now)
        now = normalise(platform, session.running_config())
        pending = False
    if not remediate(platform, now, backup, wanted.management).changes:
        inflight.end(entry.switch)
        return Settled(True, f"{label}; it is back at that backup (verified)")
    if entry.phase == "confirmed" and verify(platform, now, wanted.config, wanted.management, whole=wanted.whole).ok:
        if not change:
            return Settled(False, f"{label}; it runs its intended config, not yet saved")
        session.save()
        inflight.end(entry.switch)
        return Settled(True, f"{label}; it ran its intended config: saved now")
    if pending:
        return Settled(False, f"{label}; its revert timer is still running")
    return Settled(False, label)


def switch_lock(switch: str, what: str) -> contextlib.AbstractContextManager[None]:
    """One change at a time per switch, across processes; :class:`~schooltech_fleet.locks.Busy` names the holder."""
    return locks.hold(locks.path(f"switch-{switch}"), what, subject=switch,
                      hint="wait for that push or rollback to end, then run yours again")  # fmt: skip


def _before_change(platform: Platform, minutes: int, running: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """What precedes the commands: archive lines to add first, EXEC commands that start the timer, and
    the command that enters configuration mode (with the timer, where the platform has one)."""
    confirm = platform.commit_confirm
    if confirm is None:
        return (), (), platform.configure
    archive = confirm.archive if confirm.archive and not re.search(confirm.archive_present, running) else ()
    arm = (confirm.arm.format(minutes=minutes),) if confirm.arm else ()
    enter = confirm.enter.format(minutes=minutes) if confirm.enter else platform.configure
    return archive, arm, enter


def push_script(platform: Platform, commands: Sequence[str], minutes: int, running: str) -> tuple[str, ...]:
    """Everything a push sends to one switch, in order, over its two sessions (shown by ``--check``)."""
    archive, arm, enter = _before_change(platform, minutes, running)
    lines = ["! session 1: read the running config and back it up", "show running-config"]
    if archive:
        lines += ["! the revert timer needs an archive path", platform.configure, *archive, "end"]
    lines += [*arm, enter, *commands, "end"]
    lines += ["! session 2: a fresh login, which proves the management path still works", "show running-config",
              "! verified: every intended line present, nothing left to send, nothing else changed"]  # fmt: skip
    if platform.commit_confirm is not None:
        lines.append(platform.commit_confirm.confirm)
    return (*lines, "write memory")


def revert_minutes(value: int, targets: Sequence[SwitchTarget]) -> int:
    """*value* if every target's platform allows a revert timer that long; else a usage error."""
    for target in targets:
        confirm = target.platform.commit_confirm
        if confirm is not None and not 1 <= value <= confirm.longest:
            raise UsageError(f"--revert-minutes {value}: {target.platform.title} takes 1 to {confirm.longest} minutes")
    return value


def _clock(moment: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment)) if moment is not None else "?"
