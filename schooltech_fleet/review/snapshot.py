"""An inventory as it resolves at one revision: rooms, devices with their variables, rendered
switch configs and licence seats, as plain data that outlives the files it was read from.

A revision's files are exported from git into a temporary directory (the work tree is
never touched) and loaded from there without the resolved-fleet cache, so nothing is
written next to the user's inventory. Simulation layers are ignored: a diff is about
the real schools.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import FleetError, InventoryError, UsageError
from ..inventory.files import is_school_file
from ..inventory.findings import Finding, Severity, display_path
from ..inventory.licences import SeatUsage, seat_usage
from ..inventory.resolve import resolve
from ..inventory.school import LoadedSchool
from ..inventory.validate import load_schools
from ..network.intent import school_intents
from ..network.render import render
from . import git
from .git import WORK_TREE, Revision


@dataclass(frozen=True)
class RoomState:
    name: str
    kind: str
    title: str | None
    index: int  # position in the school file's room list


@dataclass(frozen=True)
class DeviceState:
    name: str
    room: str
    managed: bool
    slot: tuple[int, int]  # (entry in the room's device list, position within a counted pattern)
    identity: tuple[str, ...]  # "mac:..." and "serial:..." when the inventory records them
    vars: dict[str, Any]


@dataclass(frozen=True)
class SwitchState:
    name: str
    vars: dict[str, Any]
    config: str  # the rendered intended config


@dataclass(frozen=True)
class SchoolState:
    code: str
    rooms: tuple[RoomState, ...]
    devices: dict[str, DeviceState]
    switches: dict[str, SwitchState]
    licences: dict[str, SeatUsage]


@dataclass(frozen=True)
class Snapshot:
    revision: Revision
    schools: dict[str, SchoolState] = field(default_factory=dict)
    found: bool = True  # False: the inventory path did not exist at this revision


def take(inventory: Path, revision: str | None, today: dt.date) -> Snapshot:
    """The inventory at *inventory* as of *revision* (None: as it is in the work tree, judged as of *today*).

    A revision is judged as of its commit date: a licence that has expired since is not
    a problem of the change under review (``schooltech check`` reports it).
    """
    if revision is None:
        return _read(inventory, Revision(WORK_TREE), today)
    repo = git.toplevel(inventory)
    rev = git.resolve(repo, revision)
    assert rev.commit is not None and rev.date is not None
    relative = inventory.resolve().relative_to(repo)
    # a single school file brings its directory: the certificate files it names live there
    subtree = relative.parent if is_school_file(relative) else relative
    with tempfile.TemporaryDirectory(prefix="schooltech-diff-") as temporary:
        root = Path(temporary)
        if not git.export(repo, rev.commit, str(subtree), root) or not (root / relative).exists():
            return Snapshot(rev, found=False)
        return _read(root / relative, rev, rev.date, (root, repo))


def _read(path: Path, revision: Revision, today: dt.date, moved: tuple[Path, Path] | None = None) -> Snapshot:
    """Load, validate and resolve the inventory at *path*; *moved* maps an export directory back to the repository."""
    schools, findings = load_schools(path, today, simulation=False)
    errors = sorted({_relabel(f, moved) for f in findings if f.severity is Severity.ERROR})
    where = "in the work tree" if revision.commit is None else f"at {revision.label}"
    if errors:
        raise InventoryError(list(errors), f"the inventory {where}")
    fleet = resolve(schools)
    states: dict[str, SchoolState] = {}
    for school in schools:
        try:
            states[school.code] = _school_state(school, fleet.host_vars)
        except FleetError as exc:
            raise UsageError(f"{school.code} {where}: {exc.message}", exc.hint) from exc
    return Snapshot(revision, states)


def _school_state(school: LoadedSchool, host_vars: Callable[[str], dict[str, Any]]) -> SchoolState:
    rooms = school.model.rooms
    devices = {
        d.name: DeviceState(d.name, rooms[d.room].name, d.managed, (d.entry, d.k),
                            tuple(f"{what}:{value}" for what, value in (("mac", d.mac), ("serial", d.serial)) if value),
                            host_vars(d.name))
        for d in school.devices
    }  # fmt: skip
    return SchoolState(
        code=school.code,
        rooms=tuple(RoomState(room.name, room.kind, room.title, r) for r, room in enumerate(rooms)),
        devices=devices,
        switches={i.name: SwitchState(i.name, host_vars(i.name), render(i)) for i in school_intents(school)},
        licences={usage.licence: usage for usage in seat_usage(school)},
    )


def _relabel(finding: Finding, moved: tuple[Path, Path] | None) -> Finding:
    """Name a file of an exported revision by its path in the repository (as seen from here)."""
    if moved is None:
        return finding
    export_root, repo = moved
    try:
        inside = Path(finding.file).resolve().relative_to(export_root.resolve())
    except ValueError:
        return finding
    return dataclasses.replace(finding, file=display_path(repo / inside))
