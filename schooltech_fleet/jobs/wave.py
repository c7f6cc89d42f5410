"""District waves: one lab job on many schools, a few at a time, canary schools first.

Pure scheduling over ``run_school(school) -> JobResult`` (the single-school job), step by step:

1. The canary schools go first, at most *at_once* together. A canary that fails, is stopped
   part-way or is outside its window stops the wave.
2. Once every canary is ok, the other schools follow in the order given, at most *at_once*
   running at any moment.
3. Just before a school would start, its calendar is asked (*closed*): a school outside its
   window is skipped and reported as such, not failed, and takes no slot.
4. The wave stops starting schools when a canary did not succeed, when more than *max_failed*
   schools failed (the district failure budget), or when *stop* gives a reason (Ctrl-C, kill).
   Schools already running are never abandoned: they finish, or, on a stop request, stop
   part-way through their own job (the same request reaches them through *run_school*) and
   are reported halted. Schools never started are reported not run, with why.

A :class:`~schooltech_fleet.errors.FleetError` raised by *run_school* (the school is busy,
nothing left to run) makes that school failed with its message; the wave goes on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from enum import StrEnum

from ..errors import FleetError, UsageError
from ..interrupts import never
from .model import HostStatus, JobResult

POLL_SECONDS = 0.2
"""How often a waiting wave asks *stop* whether to stop starting schools."""


class SchoolStatus(StrEnum):
    OK = "ok"  # every PC succeeded (PCs left out by an exam freeze are named in the detail)
    FAILED = "failed"  # a PC failed or was unreachable, its rollout halted, or the job could not run
    SKIPPED_WINDOW = "skipped-window"  # outside its calendar window: not started, not a failure
    NOT_RUN = "not run"  # never started: the wave stopped first
    HALTED = "halted"  # running when a stop was requested, and stopped part-way


@dataclass(frozen=True)
class SchoolOutcome:
    school: str
    status: SchoolStatus
    canary: bool = False
    detail: str = ""
    result: JobResult | None = None  # the school's own job (its run record), when it ran


@dataclass(frozen=True)
class WavePlan:
    """Which schools, in which order (canaries first, then the others as given), how many at once."""

    schools: tuple[str, ...]
    canaries: tuple[str, ...] = ()
    at_once: int = 2
    max_failed: int = 1  # failed schools the wave tolerates; one more stops it

    def order(self) -> list[str]:
        return [*self.canaries, *(s for s in self.schools if s not in self.canaries)]


@dataclass(frozen=True)
class WaveResult:
    outcomes: tuple[SchoolOutcome, ...]  # in wave order: canaries first
    stopped: str | None = None  # why the wave stopped starting schools, if it did
    interrupted: str | None = None  # the stop request's reason, if one came

    def with_status(self, status: SchoolStatus) -> list[str]:
        return [o.school for o in self.outcomes if o.status is status]

    def counts(self) -> dict[SchoolStatus, int]:
        return {status: len(self.with_status(status)) for status in SchoolStatus}

    @property
    def succeeded(self) -> bool:
        """Every school ok or outside its window (skipped schools are reported, not failed)."""
        return all(o.status in (SchoolStatus.OK, SchoolStatus.SKIPPED_WINDOW) for o in self.outcomes)


@dataclass(frozen=True)
class WaveProgress:
    """A snapshot for a live display: the schools finished (or skipped) so far, and those running now."""

    total: int
    finished: tuple[SchoolOutcome, ...]
    running: tuple[str, ...]
    canaries: bool  # the canary schools are still going


def always_open(_school: str) -> str | None:
    """The calendar of a wave that ignores windows (``--force-window``): never closed."""
    return None


def run_wave(plan: WavePlan, run_school: Callable[[str], JobResult], *,
             closed: Callable[[str], str | None] = always_open, stop: Callable[[], str | None] = never,
             on_progress: Callable[[WaveProgress], None] | None = None) -> WaveResult:  # fmt: skip
    """Run *run_school* on every school of *plan* (see the module docstring); never raises for a failed school.

    *closed* says why a school is outside its window now (None: inside).
    """
    _check(plan)
    canaries = set(plan.canaries)
    pending = deque(plan.order())
    outcomes: dict[str, SchoolOutcome] = {}
    running: dict[Future[SchoolOutcome], str] = {}
    stopped: str | None = None

    def report() -> None:
        if on_progress is not None:
            now_running = tuple(running.values())
            finished = tuple(outcomes[s] for s in plan.order() if s in outcomes)
            on_progress(WaveProgress(len(plan.schools), finished, now_running,
                                     any(s in canaries for s in (*pending, *now_running))))  # fmt: skip

    with ThreadPoolExecutor(max_workers=plan.at_once, thread_name_prefix="wave") as pool:
        while pending or running:
            stopped = stopped or _why_stop(plan, outcomes, stop)
            while stopped is None and pending and len(running) < plan.at_once:
                school = pending[0]
                if school not in canaries and any(s in canaries for s in running.values()):
                    break  # the others wait until every canary is done
                pending.popleft()
                window = closed(school)
                if window is not None:
                    outcomes[school] = SchoolOutcome(school, SchoolStatus.SKIPPED_WINDOW, school in canaries, window)
                    stopped = _why_stop(plan, outcomes, stop)
                else:
                    running[pool.submit(_run_one, run_school, school, school in canaries)] = school
                report()
            if stopped is not None and pending:
                for school in pending:
                    outcomes[school] = SchoolOutcome(school, SchoolStatus.NOT_RUN, school in canaries, stopped)
                pending.clear()
                report()
            if running:
                done, _ = wait(running, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    outcomes[running.pop(future)] = future.result()
                if done:
                    report()
    return WaveResult(tuple(outcomes[s] for s in plan.order()), stopped, stop())


def _check(plan: WavePlan) -> None:
    if plan.at_once < 1:
        raise UsageError(f"--schools-at-once {plan.at_once}: at least one school must run", "give 1 or more")
    if plan.max_failed < 0:
        raise UsageError(f"--max-failed-schools {plan.max_failed} is negative", "give 0 or more")
    if len(set(plan.schools)) != len(plan.schools):
        raise UsageError("a school is named twice in the wave", "name each school once")
    strangers = [s for s in plan.canaries if s not in plan.schools]
    if strangers:
        raise UsageError(f"canary school {', '.join(strangers)} is not in the wave",
                         f"the wave's schools: {', '.join(plan.schools)}")  # fmt: skip


def _why_stop(plan: WavePlan, outcomes: dict[str, SchoolOutcome], stop: Callable[[], str | None]) -> str | None:
    """Why no further school may start, or None."""
    reason = stop()
    if reason is not None:
        return f"stopped: {reason}"
    for outcome in outcomes.values():
        if outcome.canary and outcome.status is not SchoolStatus.OK:
            return f"canary school {outcome.school} {_CANARY_VERDICT[outcome.status]} (its row says why)"
    failed = [o.school for o in outcomes.values() if o.status is SchoolStatus.FAILED]
    if len(failed) > plan.max_failed:
        return f"{len(failed)} schools failed ({', '.join(failed)}), more than --max-failed-schools {plan.max_failed}"
    return None


_CANARY_VERDICT = {SchoolStatus.FAILED: "failed", SchoolStatus.HALTED: "was halted",
                   SchoolStatus.SKIPPED_WINDOW: "is outside its window"}  # fmt: skip


def _run_one(run_school: Callable[[str], JobResult], school: str, canary: bool) -> SchoolOutcome:
    try:
        result = run_school(school)
    except FleetError as exc:
        return SchoolOutcome(school, SchoolStatus.FAILED, canary, exc.message)
    return SchoolOutcome(school, school_status(result), canary, job_summary(result), result)


def school_status(result: JobResult) -> SchoolStatus:
    """What a school's own job amounts to in the wave."""
    if result.interrupted is not None:
        return SchoolStatus.HALTED
    if result.succeeded and not result.record_failed:
        return SchoolStatus.OK
    return SchoolStatus.FAILED


def job_summary(result: JobResult) -> str:
    """One line for the district table: the PCs' counts, and what went wrong."""
    counts = {status: len(result.with_status(status)) for status in HostStatus}
    parts = [", ".join(f"{n} {status}" for status, n in counts.items() if n)]
    if result.halted:
        parts.append("rollout halted")
    if result.interrupted:
        parts.append(f"interrupted ({result.interrupted})")
    if result.record_failed:
        parts.append(result.record_failed)
    return "; ".join(p for p in parts if p)
