"""``schooltech image``: reinstall a room's PCs over the network, then hand them to the rebuild.

The calendar is asked first (an exam freeze or a lesson time refuses, as for a rebuild,
unless ``--force-window --reason``); the school is locked; every PC's boot script and answer
file are rendered with one-shot tokens and validated (nothing boots if one fails); the PCs
are woken in waves (:mod:`.waves`); each one whose installer called back is handed to the
``rebuild`` job, with its canary rollout. Every run is journaled and recorded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import clock, journal, private
from ..errors import FleetError, UsageError
from ..interrupts import never
from ..inventory import Fleet, load_fleet
from ..jobs import runs
from ..jobs.job import run_job
from ..jobs.locks import school_lock
from ..jobs.model import JobKind, JobRequest, JobResult
from ..jobs.windows import check_window
from .answers import Finding
from .boot_server import BootServer
from .plan import ImagePlan, PlannedPc, admin_public_key, plan_images
from .pxe_service import new_token
from .targets import imaging_targets
from .waves import PcOutcome, PcProgress, ProgressCallback, WaveSettings, run_waves

RECORD = "imaging.json"


class ImagingRefused(FleetError):
    """The calendar, the plan or the selection leaves nothing to image; nothing was woken."""


@dataclass(frozen=True)
class ImagingRequest:
    inventory: Path
    school: str
    rooms: tuple[str, ...] = ()
    waves: WaveSettings = field(default_factory=WaveSettings)
    admin_key: Path | None = None
    force_window: bool = False
    reason: str | None = None
    retry_of: str | None = None  # an imaging run whose PCs that were not installed are imaged again
    hand_over: bool = True  # rebuild the installed PCs afterwards


@dataclass(frozen=True)
class PcResult:
    name: str
    room: str
    mac: str
    outcome: PcOutcome
    wakes: int
    seconds: float | None  # first wake packet to callback


@dataclass(frozen=True)
class ImagingResult:
    run_id: str
    school: str
    started: str
    finished: str
    duration: float
    pcs: tuple[PcResult, ...]
    rebuild: JobResult | None = None  # the hand-over, when a PC was installed
    hand_over_error: str | None = None  # why the hand-over could not start (the PCs are installed all the same)
    interrupted: str | None = None
    record_failed: str | None = None

    @property
    def installed(self) -> list[str]:
        return [pc.name for pc in self.pcs if pc.outcome is PcOutcome.INSTALLED]

    @property
    def succeeded(self) -> bool:
        every_pc = all(pc.outcome is PcOutcome.INSTALLED for pc in self.pcs)
        handed_over = self.hand_over_error is None and (self.rebuild is None or self.rebuild.succeeded)
        return every_pc and not self.interrupted and handed_over


BootServerFor = Callable[[Fleet, str], tuple[BootServer, Callable[[PlannedPc], None] | None]]
"""The boot server serving a school's PCs, and what to do with a PC once its installer called back."""


def image_school(request: ImagingRequest, boot_server_for: BootServerFor,
                 on_progress: ProgressCallback | None = None, invocation: str | None = None,
                 stop: Callable[[], str | None] = never) -> ImagingResult:  # fmt: skip
    """Image the PCs *request* selects; raises :class:`ImagingRefused` before waking anything."""
    if request.force_window and not request.reason:
        raise UsageError("--force-window needs --reason", "say why, e.g. --reason 'summer rebuild, site closed'")
    fleet = load_fleet(request.inventory)
    fleet.school(request.school)
    for room in request.rooms:
        fleet.room(request.school, room)
    boot, on_installed = boot_server_for(fleet, request.school)
    plan = _plan(fleet, request, boot)
    _check_calendar(fleet, request, plan)
    now = clock.now()
    run_id, run_dir = runs.new_run_dir(f"image-{request.school}-{now:%Y%m%dT%H%M%SZ}")
    started = time.monotonic()
    with school_lock(request.school, f"image ({run_id})"):
        journal.record({"event": "imaging", "phase": "start", "run_id": run_id, "school": request.school,
                        "command": invocation, "targets": [pc.target.name for pc in plan.pcs],
                        "force_window": request.reason if request.force_window else None})  # fmt: skip
        progress = run_waves(boot, plan.pcs, request.waves, on_progress, on_installed, stop)
    result = ImagingResult(
        run_id=run_id, school=request.school, started=now.isoformat(timespec="seconds"),
        finished=clock.now().isoformat(timespec="seconds"), duration=round(time.monotonic() - started, 1),
        pcs=tuple(_result(pc, state) for pc, state in zip(plan.pcs, progress, strict=True)), interrupted=stop(),
    )  # fmt: skip
    if request.hand_over and result.installed and not result.interrupted:
        result = _handed_over(result, request, stop)
    return _recorded(result, run_dir)


def _handed_over(result: ImagingResult, request: ImagingRequest, stop: Callable[[], str | None]) -> ImagingResult:
    """*result* with the rebuild of its installed PCs, or why that rebuild could not start."""
    try:
        return replace(result, rebuild=run_job(JobRequest(
            kind=JobKind.REBUILD, inventory=request.inventory, school=request.school, limit=",".join(result.installed),
            force_window=request.force_window, reason=request.reason,
        ), invocation=f"hand-over of {result.run_id}", stop=stop))  # fmt: skip
    except FleetError as exc:  # the installs are done: they must still be shown and recorded
        return replace(result, hand_over_error=f"{exc.message}{f' ({exc.hint})' if exc.hint else ''}")


def _plan(fleet: Fleet, request: ImagingRequest, boot: BootServer) -> ImagePlan:
    """The run's plan: its PCs (narrowed by room and retry), each with a fresh token, every file valid."""
    key = admin_public_key(fleet, request.school, request.admin_key)
    retry = set(retry_targets(request.retry_of)) if request.retry_of else None
    pcs: list[PlannedPc] = []
    findings: list[Finding] = []
    for room in request.rooms or (None,):
        tokens = {target.mac: new_token() for target in imaging_targets(fleet, request.school, room)}
        plan = plan_images(fleet, request.school, room, admin_key=key, tokens=tokens,
                           server_url=lambda _server: boot.url)  # fmt: skip
        pcs += [pc for pc in plan.pcs if retry is None or pc.target.name in retry]
        findings += plan.findings
    if findings:
        shown = "; ".join(f"{f.file}{f':{f.line}' if f.line else ''}: {f.problem}" for f in findings[:5])
        raise ImagingRefused(f"{len(findings)} boot files fail their validator, nothing was woken: {shown}",
                             "see them all with 'schooltech image plan'")  # fmt: skip
    if not pcs:
        raise ImagingRefused("no PCs to image in that selection",
                             "rooms are imaged when their imaging_profile is set (docs/imaging.md)")  # fmt: skip
    return ImagePlan(request.school, None, tuple(pcs), ())


def _check_calendar(fleet: Fleet, request: ImagingRequest, plan: ImagePlan) -> None:
    """Refuse during an exam freeze of a room or a lesson time: imaging wipes and reboots."""
    if request.force_window:
        return
    now = clock.now()
    for pc in plan.pcs:
        window = check_window(fleet.host_vars(pc.target.name), now)
        if window.frozen_by or window.in_lessons:
            why = f"the exam freeze {window.frozen_by}" if window.frozen_by else "lesson time"
            raise ImagingRefused(f"{pc.target.name} (room {pc.target.room}) is in {why}: imaging wipes and "
                                 f"reboots it, so nothing was woken",
                                 "image it after the freeze or outside lessons, or --force-window --reason "
                                 "'...' (recorded)")  # fmt: skip


def _result(pc: PlannedPc, state: PcProgress) -> PcResult:
    outcome = state.outcome or PcOutcome.NOT_RUN  # run_waves gives every PC its outcome
    return PcResult(pc.target.name, pc.target.room, pc.target.mac, outcome, state.wakes, state.seconds)


def _recorded(result: ImagingResult, run_dir: Path) -> ImagingResult:
    """*result* once its record and final journal record are written; if either cannot be, it says so."""
    record = json.dumps(asdict(result), indent=2, default=str)
    problems = runs.record_end(lambda: private.write_text(run_dir / RECORD, record), {
        "event": "imaging", "phase": "end", "run_id": result.run_id, "school": result.school,
        "interrupted": result.interrupted, "duration": result.duration,
        "pcs": {pc.name: str(pc.outcome) for pc in result.pcs},
        "rebuild": result.rebuild.run_id if result.rebuild else None, "hand_over_error": result.hand_over_error,
    })  # fmt: skip
    return replace(result, record_failed=problems) if problems else result


def retry_targets(run_id: str) -> list[str]:
    """The PCs of the imaging run *run_id* that were not installed."""
    path = runs.runs_dir() / run_id / RECORD
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        pcs = [(pc["name"], pc["outcome"]) for pc in data["pcs"]]
    except FileNotFoundError:
        raise UsageError(f"no imaging run {run_id!r}", "the run ids are in 'schooltech audit show'") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"the record of imaging run {run_id} is damaged ({exc})", f"its files are in {path.parent}"
                         ) from None  # fmt: skip
    left = [name for name, outcome in pcs if outcome != PcOutcome.INSTALLED]
    if not left:
        raise ImagingRefused(f"every PC of {run_id} was installed: nothing to retry")
    return left
