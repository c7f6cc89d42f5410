"""Run one lab job for one school: pick the hosts, respect the calendar, lock, run, record.

The command resolves the fleet once and hands Ansible a static inventory of just the hosts it
runs, with the variables the fleet resolved (payload.py); Ansible does not read the school files
again.
A school whose site has an execution node runs the job there (remote.py); the results, progress,
run record and journal are the same either way.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import clock, journal
from ..errors import FleetError, UsageError
from ..guard import check_reachable
from ..interrupts import never
from ..inventory import Fleet, load_fleet
from ..sim.hardware import SIM_DMI_DIR
from . import runs
from .locks import school_lock
from .model import HostResult, HostStatus, JobKind, JobRequest, JobResult
from .payload import slice_fleet, write_inventory
from .remote import NodeSession, execution_node, node_label, node_project, node_session, run_remote_playbook
from .runner import EventTally, PlaybookExit, PlaybookRun, ProgressCallback, run_playbook
from .scratch import ansible_temporary_files, scratch_directory
from .secrets import job_secrets
from .tuning import FORKS, STATIC_INVENTORY, ansible_environment, node_environment, project_root, strategy
from .windows import WindowCheck, check_window

CANARY_ROLLOUT: list[int | str] = [1, "10%", "25%"]
"""One PC first; if it survives, a tenth of the rest, then quarters."""


BATCH_SIZE = re.compile(r"^(?:[1-9][0-9]*|(?:[1-9][0-9]?|100)%)$")
"""--batch: a number of PCs (at least 1) or a percentage of them (1-100%)."""


class JobRefused(FleetError):
    """The calendar (or an empty selection) leaves nothing to run."""


def run_job(request: JobRequest, on_progress: ProgressCallback | None = None, invocation: str | None = None,
            stop: Callable[[], str | None] = never, *, reach_node: NodeSession = node_session,
            fleet: Fleet | None = None) -> JobResult:  # fmt: skip
    """Run *request* and return one result per targeted host; never raises for failed hosts.

    *fleet*: the fleet of ``request.inventory`` when the command has loaded it already (a district
    wave, ``schooltech plan``); otherwise it is loaded here, once.

    When *stop* gives a reason (``interrupts.stop_on_signals``), ansible-playbook is stopped
    and the job returns what it did so far, ``interrupted`` with that reason. A job of a site
    with an execution node runs there, reached through *reach_node*; if the node is lost, the
    hosts it had not finished are *not run* (``execution node lost: ...``).
    """
    check_options(request)
    fleet = fleet if fleet is not None else load_fleet(request.inventory, school=request.school)
    targets = select_targets(fleet, request)
    resolved = {host: fleet.host_vars(host) for host in targets}
    check_reachable({host: values.get("ansible_host", host) for host, values in resolved.items()},
                    {host: fleet.networks_of(host) for host in resolved})  # fmt: skip
    now = clock.now()
    windows = {host: check_window(values, now) for host, values in resolved.items()}
    refused = [] if request.force_window or not request.kind.respects_exam_freezes else [
        host for host in targets if windows[host].frozen_by]  # fmt: skip
    runnable = [host for host in targets if host not in refused]
    if not runnable:
        freezes = sorted({str(windows[h].frozen_by) for h in refused})
        raise JobRefused(f"every targeted PC is in an exam freeze ({', '.join(freezes)}): nothing to {request.kind}",
                         "wait for the freeze to end, or --force-window --reason '...' (recorded)")  # fmt: skip
    node = execution_node(fleet, request.school, runnable)
    sliced = slice_fleet(fleet, request.school, runnable)
    simulation = fleet.simulated.get(request.school)
    run_id, run_dir = runs.new_run_dir(f"{request.kind}-{request.school}-{now:%Y%m%dT%H%M%SZ}")
    school_file = fleet.school(request.school)
    needs_keys = request.kind in (JobKind.REBUILD, JobKind.LICENSE)
    tally = EventTally(runnable, on_progress)
    started = time.monotonic()
    begin = {"event": "lab-job", "phase": "start", "run_id": run_id, "kind": str(request.kind),
             "school": request.school, "command": invocation, "targets": runnable, "refused": refused,
             "check": request.check, "force_window": request.reason if request.force_window else None,
             "simulation": simulation, "node": node_label(node) if node else None}  # fmt: skip
    # a check run or a read-only job changes nothing, so it neither waits for a real job nor keeps one waiting
    changes = not (request.check or request.kind.read_only)
    lock = school_lock(request.school, f"{request.kind} ({run_id})") if changes else nullcontext()
    with lock, scratch_directory() as scratch:
        secrets = job_secrets(sliced.licence_keys if needs_keys else {}, school_file.parent, scratch)
        journal.record(begin)
        cmdline = [*(["--check"] if request.check else []), *(["--diff"] if request.diff else []),
                   *secrets.arguments]  # fmt: skip
        run = PlaybookRun(
            run_id=run_id, run_dir=run_dir, project_dir=project_root() / "playbooks",
            # the slice holds exactly the runnable targets (no --limit of 580 names to match); on a node,
            # Ansible's inventory_dir is the payload's, where the school's files/ travel with it
            playbook=request.kind.playbook, inventory=write_inventory(scratch / "inventory.slice.json",
                                                                      sliced.inventory(None if node else school_file)),
            limit=(), extravars=job_extravars(request, fleet, runnable, windows), cmdline=cmdline,
            envvars={**ansible_environment(simulation or "real"), **ansible_temporary_files(scratch),
                     **STATIC_INVENTORY},
            forks=FORKS, secrets=secrets.values,
        )  # fmt: skip
        ended = run_playbook(run, tally, stop) if node is None else _on_node(
            run, node, scratch, tally, stop, reach_node, school_file.parent / "files")  # fmt: skip
    hosts = tally.results()
    halted = ended.stopped is None and ended.lost is None and ended.rc != 0 and any(
        h.status is HostStatus.NOT_RUN for h in hosts)  # fmt: skip
    result = JobResult(
        run_id=run_id, kind=request.kind, school=request.school, check=request.check,
        started=now.isoformat(timespec="seconds"), finished=clock.now().isoformat(timespec="seconds"),
        duration=round(time.monotonic() - started, 2),
        hosts=(*hosts, *(HostResult(h, HostStatus.REFUSED, message=f"exam freeze: {windows[h].frozen_by}")
                         for h in refused)),
        halted=halted, ansible_rc=ended.rc, simulation=simulation,
        warnings=(*_warnings(refused, node), *_node_warnings(run_id, node, ended)), interrupted=ended.stopped,
        node=node_label(node) if node else None,
    )  # fmt: skip
    return _recorded(result)


def check_options(request: JobRequest) -> None:
    """Refuse options that cannot run, before anything is loaded (a district wave asks once for every school)."""
    if request.force_window and not request.reason:
        raise UsageError("--force-window needs --reason", "say why, e.g. --reason 'exam board approved'")
    if not 0 <= request.max_fail <= 100:
        raise UsageError(f"--max-fail {request.max_fail} is not a percentage", "use 0-100")
    if request.batch is not None and not BATCH_SIZE.match(request.batch):
        raise UsageError(f"--batch {request.batch!r} is not a batch size",
                         "give a number of PCs (e.g. 5) or a percentage of them (e.g. 20%)")  # fmt: skip


def _on_node(run: PlaybookRun, node: Mapping[str, Any], scratch: Path, tally: EventTally,
             stop: Callable[[], str | None], reach_node: NodeSession, school_files: Path) -> PlaybookExit:  # fmt: skip
    """*run* on the execution node *node*: its project carries the collection, its inventory the
    school's *school_files*, its environment none of this machine's paths (the node's
    ``ansible.cfg`` travels in the payload). Ansible's
    temporary files on the node (a licence file rendered from its key) stay in the worker's
    directory, which goes when the job ends, as they stay in the scratch directory here."""
    transport, worker_dir = reach_node(node, scratch, run.run_id)
    local_temp = f"{worker_dir if worker_dir.startswith('/') else f'~/{worker_dir}'}/tmp"  # the node user's home
    on_node = replace(run, project_dir=node_project(project_root(), scratch / "project"),
                      envvars={**node_environment(), "ANSIBLE_LOCAL_TEMP": local_temp})  # fmt: skip
    return run_remote_playbook(on_node, tally, transport, worker_dir, stop=stop, inventory_files=school_files)


def _node_warnings(run_id: str, node: Mapping[str, Any] | None, ended: PlaybookExit) -> tuple[str, ...]:
    if node is None:
        return ()
    lost = () if ended.lost is None else (
        f"execution node {node_label(node)} lost: {ended.lost}; the PCs it had not finished were not run "
        f"(--retry-failed {run_id} runs them again)",)  # fmt: skip
    return (*lost, *ended.warnings)


def _recorded(result: JobResult) -> JobResult:
    """*result* once its run record and final journal record are written; if either cannot be, it says so."""
    problems = runs.record_end(lambda: runs.save(result), {
        "event": "lab-job", "phase": "end", "run_id": result.run_id, "kind": str(result.kind),
        "school": result.school, "check": result.check, "halted": result.halted,
        "interrupted": result.interrupted, "duration": result.duration, "node": result.node,
        "hosts": {h.name: str(h.status) for h in result.hosts},
    })  # fmt: skip
    return replace(result, record_failed=problems) if problems else result


def select_targets(fleet: Fleet, request: JobRequest) -> list[str]:
    """The managed PCs of the school, narrowed by rooms, --limit and --retry-failed, in inventory order."""
    fleet.school(request.school)
    chosen = fleet.select(f"school_{request.school.lower()}:&managed")
    if request.rooms:
        rooms = {fleet.host_vars(h)["room"] for h in chosen}
        unknown = [room for room in request.rooms if room not in rooms]
        if unknown:
            raise UsageError(f"no managed PCs in room {', '.join(unknown)}", f"rooms: {', '.join(sorted(rooms))}")
        chosen = {h for h in chosen if fleet.host_vars(h)["room"] in request.rooms}
    if request.limit:
        chosen &= fleet.select(request.limit)
    if request.retry_of:
        chosen &= set(runs.retry_targets(request.retry_of))
    if not chosen:
        raise JobRefused("no managed PCs match that selection", "check --room, --limit and --school")
    return [name for name in fleet.hosts if name in chosen]


def rollout(request: JobRequest, fleet: Fleet, hosts: Sequence[str]) -> list[int | str]:
    """Ansible's ``serial``: a canary PC first; a rebuild then goes room by room."""
    if request.batch:
        size: int | str = int(request.batch) if request.batch.isdigit() else request.batch
        return [1, size]
    if request.kind.read_only:
        return ["100%"]  # nothing to protect: every PC at once
    if request.kind is not JobKind.REBUILD:
        return CANARY_ROLLOUT
    rooms: dict[str, int] = {}
    for host in hosts:
        room = fleet.host_vars(host)["room"]
        rooms[room] = rooms.get(room, 0) + 1
    sizes = list(rooms.values())
    return [size for size in [1, sizes[0] - 1, *sizes[1:]] if size > 0]


def job_extravars(request: JobRequest, fleet: Fleet, hosts: Sequence[str],
               windows: dict[str, WindowCheck]) -> dict[str, Any]:  # fmt: skip
    """The extra variables every playbook of the job gets: rollout, failure limit, calendar verdicts."""
    simulated = {"asset_facts_dmi_dir": SIM_DMI_DIR} if request.kind is JobKind.ASSET_FACTS and fleet.simulated.get(
        request.school) else {}  # fmt: skip
    return {
        **simulated,  # a simulated PC's firmware tables are not where the kernel puts them (sim/hardware.py)
        "schooltech_job": str(request.kind),
        "schooltech_serial": rollout(request, fleet, hosts),
        "schooltech_max_fail": request.max_fail,
        "schooltech_force_window": request.force_window,
        "schooltech_windows": {
            host: {
                "exam_freeze": windows[host].frozen_by,
                "reboot_allowed": request.force_window or not windows[host].in_lessons,
            }
            for host in hosts
        },
    }


def _warnings(refused: Sequence[str], node: Mapping[str, Any] | None) -> tuple[str, ...]:
    warnings = []
    if node is None and strategy() == "mitogen_linear":
        warnings.append("ran with Mitogen's strategy, which Ansible 12 deprecates for third-party plugins; "
                        "SCHOOLTECH_ANSIBLE_STRATEGY=linear falls back to Ansible's own")  # fmt: skip
    if refused:
        warnings.append(f"{len(refused)} PCs were left out: their room is in an exam freeze")
    return tuple(warnings)
