"""A lab job on many schools of the district: the schools, their canaries and calendars, then a wave.

:func:`run_district_job` is what ``schooltech patch|rebuild|license --school all`` (or
``--school A,B,C``) calls. It picks the schools, checks the options once, and runs a wave
(:mod:`.wave`) whose ``run_school`` is the single-school job (:func:`.job.run_job`) itself:
each school gets its own lock, run directory, run record and journal records, exactly as
``--school X`` would; the wave adds a ``district-wave`` record to the journal when it starts
and when it ends (each school's status, why it stopped, the run ids).

Schools run in threads; nothing they share is global to the process (the school lock is per
school, run ids name the school, the journal is appended under its own lock, ansible-runner
is given its environment without this process's being touched).

A school's calendar window, asked just before it would start:

- rebuild and patch: a school whose every managed PC is in an exam freeze is outside its window
  (a school partly frozen runs, its frozen rooms refused as in a single-school job);
- patch: a school whose every managed PC has a patch window (``settings.patch.window``) and
  none of them is open now is outside its window;
- ``--force-window --reason`` opens every window, as for one school.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import clock, journal
from ..errors import UsageError
from ..interrupts import never
from ..inventory import Fleet, load_fleet
from .job import check_options, run_job
from .model import JobKind, JobRequest, JobResult
from .wave import WavePlan, WaveProgress, WaveResult, always_open, run_wave
from .windows import check_window, describe_patch_window, patch_window_open

SCHOOLS_AT_ONCE = 2
"""Schools running at once by default: each school's job runs up to 25 Ansible forks on the controller."""

MAX_FAILED_SCHOOLS = 1
"""Failed schools a wave tolerates by default; the next one stops it."""


@dataclass(frozen=True)
class DistrictRequest:
    """A lab job for several schools: the options of a single-school job, less those that name PCs of one school."""

    kind: JobKind
    inventory: Path
    schools: tuple[str, ...] = ()  # school codes; none: every school of the inventory with managed PCs
    canaries: tuple[str, ...] | None = None  # None: the first school by code (none if the wave has one school)
    at_once: int = SCHOOLS_AT_ONCE
    max_failed: int = MAX_FAILED_SCHOOLS
    check: bool = False
    diff: bool = False
    batch: str | None = None
    max_fail: int = 0
    force_window: bool = False
    reason: str | None = None

    def for_school(self, school: str) -> JobRequest:
        return JobRequest(kind=self.kind, inventory=self.inventory, school=school, check=self.check, diff=self.diff,
                          batch=self.batch, max_fail=self.max_fail, force_window=self.force_window,
                          reason=self.reason)  # fmt: skip


@dataclass(frozen=True)
class DistrictResult:
    kind: JobKind
    check: bool
    started: str
    duration: float
    wave: WaveResult
    record_failed: str | None = None  # the wave's final journal record could not be written

    @property
    def succeeded(self) -> bool:
        return self.wave.succeeded and self.record_failed is None


def run_district_job(request: DistrictRequest, *, invocation: str | None = None,
                     stop: Callable[[], str | None] = never,
                     on_progress: Callable[[WaveProgress], None] | None = None) -> DistrictResult:  # fmt: skip
    """Run the job on every school of *request* in a wave; one run record per school, one typed summary.

    *stop* (``interrupts.stop_on_signals``) stops the wave starting schools and each running job.
    """
    if request.kind.read_only:
        raise UsageError(f"{request.kind} runs one school at a time", "give --school CODE")
    check_options(request.for_school("-"))  # the options every school shares: refused once, before any starts
    fleet = load_fleet(request.inventory)  # once here: the schools' jobs find it in the cache
    schools = wave_schools(fleet, request.schools)
    canaries = default_canaries(schools) if request.canaries is None else request.canaries
    plan = WavePlan(schools, canaries, request.at_once, request.max_failed)

    def run_school(school: str) -> JobResult:
        return run_job(request.for_school(school), invocation=invocation, stop=stop)

    def closed(school: str) -> str | None:  # the inventory as it is now: a freeze written during the wave counts
        return school_closed(load_fleet(request.inventory, school=school), school, request.kind, clock.now())

    started, began = clock.now(), time.monotonic()
    entry = {"event": "district-wave", "kind": str(request.kind), "check": request.check, "command": invocation}
    journal.record({**entry, "phase": "start", "schools": list(plan.order()), "canaries": list(canaries),
                    "at_once": plan.at_once, "max_failed": plan.max_failed,
                    "force_window": request.reason if request.force_window else None})  # fmt: skip
    wave = run_wave(plan, run_school, closed=always_open if request.force_window else closed, stop=stop,
                    on_progress=on_progress)  # fmt: skip
    duration = round(time.monotonic() - began, 2)
    problem = journal.record_outcome({**entry, "phase": "end", "stopped": wave.stopped, "interrupted": wave.interrupted,
                                      "duration": duration, "schools": {o.school: str(o.status) for o in wave.outcomes},
                                      "runs": [o.result.run_id for o in wave.outcomes if o.result]})  # fmt: skip
    return DistrictResult(request.kind, request.check, started.isoformat(timespec="seconds"), duration, wave, problem)


def wave_schools(fleet: Fleet, named: Sequence[str]) -> tuple[str, ...]:
    """The schools of the wave in code order: those *named* (each must exist), or every school with managed PCs."""
    for code in named:
        fleet.school(code)
    if named:
        return tuple(sorted(set(named)))
    found = tuple(code for code in sorted(fleet.schools) if fleet.select(f"school_{code.lower()}:&managed"))
    if not found:
        raise UsageError("no school of the inventory has managed PCs", "check -i INVENTORY")
    return found


def default_canaries(schools: Sequence[str]) -> tuple[str, ...]:
    """The first school by code goes first and alone; a wave of one school has no canary school."""
    return (min(schools),) if len(schools) > 1 else ()


def school_closed(fleet: Fleet, school: str, kind: JobKind, now: dt.datetime) -> str | None:
    """Why *school* is outside its calendar window for *kind* now (see the module docstring), or None."""
    managed = fleet.select(f"school_{school.lower()}:&managed")
    values = [fleet.host_vars(h) for h in fleet.hosts if h in managed]
    if not values:
        return None  # nothing to run: the job says so itself
    if kind.respects_exam_freezes:
        freezes = [check_window(v, now).frozen_by for v in values]
        if all(freezes):
            return f"exam freeze: {', '.join(sorted({str(f) for f in freezes}))}"
    if kind is JobKind.PATCH:
        verdicts = [patch_window_open(v, now) for v in values]
        if all(v is False for v in verdicts):
            return f"outside its patch window ({', '.join(sorted({describe_patch_window(v) for v in values}))})"
    return None
