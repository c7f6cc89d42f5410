"""What an inventory change does, school by school: the typed report behind ``schooltech diff``.

Rooms, devices and switches are matched by name. A room that is gone and a room that is
new are the same room **renamed** when they have the same kind and the same place in
the room list (or the same title). A device that is gone and one that is new are the
same device **renamed** when they share a MAC address or serial number, or when they
sit in the same place of the same (or renamed) room with the same role (and not both
with a MAC address or serial number of their own): the effect of renaming a room or its
naming pattern. A device **moved** when its room is another room.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from ..inventory.licences import SeatUsage
from .git import Revision
from .implied import ImpliedJob, implied_jobs
from .snapshot import DeviceState, SchoolState, Snapshot
from .variables import VarChange, var_changes

Status = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class RoomChange:
    school: str
    name: str  # the name at head (at base when removed)
    status: Literal["added", "removed", "renamed"]
    renamed_from: str | None = None


@dataclass(frozen=True)
class DeviceChange:
    school: str
    name: str  # the name at head (at base when removed)
    room: str
    status: Status
    managed: bool
    renamed_from: str | None = None
    moved_from: str | None = None  # the room at base, when the device is in another room now
    vars: tuple[VarChange, ...] = ()


@dataclass(frozen=True)
class SwitchChange:
    school: str
    name: str
    status: Status
    diff: str = ""  # unified diff of the rendered intended configs; empty when removed
    vars: tuple[VarChange, ...] = ()

    @property
    def lines(self) -> tuple[int, int]:
        """Lines added and removed by the diff."""
        body = [line for line in self.diff.splitlines() if not line.startswith(("+++", "---"))]
        return sum(line.startswith("+") for line in body), sum(line.startswith("-") for line in body)


@dataclass(frozen=True)
class LicenceChange:
    school: str
    licence: str
    before: SeatUsage | None
    after: SeatUsage | None


@dataclass(frozen=True)
class ChangeReport:
    base: Revision
    head: Revision
    schools_added: tuple[str, ...]
    schools_removed: tuple[str, ...]
    rooms: tuple[RoomChange, ...]
    devices: tuple[DeviceChange, ...]
    switches: tuple[SwitchChange, ...]
    licences: tuple[LicenceChange, ...]
    jobs: tuple[ImpliedJob, ...]

    @property
    def changed(self) -> bool:
        return bool(self.schools_added or self.schools_removed or self.rooms or self.devices or self.switches
                    or self.licences)  # fmt: skip

    @property
    def schools(self) -> tuple[str, ...]:
        """The schools something changed in, in code order."""
        parts = (self.rooms, self.devices, self.switches, self.licences)
        codes = {*self.schools_added, *self.schools_removed, *(c.school for part in parts for c in part)}
        return tuple(sorted(codes))


def compare(base: Snapshot, head: Snapshot) -> ChangeReport:
    """Everything that differs from *base* to *head*, and the jobs that the difference implies."""
    rooms: list[RoomChange] = []
    devices: list[DeviceChange] = []
    switches: list[SwitchChange] = []
    licences: list[LicenceChange] = []
    for code in sorted({*base.schools, *head.schools}):
        old = base.schools.get(code) or SchoolState(code, (), {}, {}, {})
        new = head.schools.get(code) or SchoolState(code, (), {}, {}, {})
        room_map, room_changes = _rooms(old, new)
        rooms += room_changes
        devices += _devices(old, new, room_map)
        switches += _switches(old, new, base.revision, head.revision)
        licences += [LicenceChange(code, licence, old.licences.get(licence), new.licences.get(licence))
                     for licence in dict.fromkeys([*old.licences, *new.licences])
                     if old.licences.get(licence) != new.licences.get(licence)]  # fmt: skip
    return ChangeReport(
        base=base.revision,
        head=head.revision,
        schools_added=tuple(sorted(set(head.schools) - set(base.schools))),
        schools_removed=tuple(sorted(set(base.schools) - set(head.schools))),
        rooms=tuple(rooms),
        devices=tuple(devices),
        switches=tuple(switches),
        licences=tuple(licences),
        jobs=implied_jobs(devices, switches, head.schools),
    )


def _rooms(old: SchoolState, new: SchoolState) -> tuple[dict[str, str], list[RoomChange]]:
    """Room name at base -> room name at head (for rooms kept or renamed), and the room changes."""
    old_names, new_names = {r.name for r in old.rooms}, {r.name for r in new.rooms}
    mapping = {name: name for name in old_names & new_names}
    fresh = [r for r in new.rooms if r.name not in old_names]
    changes: list[RoomChange] = []
    for room in (r for r in old.rooms if r.name not in new_names):
        candidates = [r for r in fresh if r.kind == room.kind
                      and (r.index == room.index or (room.title is not None and r.title == room.title))]  # fmt: skip
        if candidates:
            match = min(candidates, key=lambda r: r.index != room.index)  # the same place first
            fresh.remove(match)
            mapping[room.name] = match.name
            changes.append(RoomChange(old.code, match.name, "renamed", renamed_from=room.name))
        else:
            changes.append(RoomChange(old.code, room.name, "removed"))
    changes += [RoomChange(new.code, r.name, "added") for r in fresh]
    return mapping, changes


def _devices(old: SchoolState, new: SchoolState, room_map: dict[str, str]) -> list[DeviceChange]:
    pairs = _pair_devices(old, new, room_map)
    previous = {head: base for base, head in pairs.items()}
    changes: list[DeviceChange] = []
    for device in new.devices.values():
        if device.name not in previous:
            changes.append(DeviceChange(new.code, device.name, device.room, "added", device.managed))
            continue
        before = old.devices[previous[device.name]]
        change = DeviceChange(
            new.code, device.name, device.room, "changed", device.managed,
            renamed_from=before.name if before.name != device.name else None,
            moved_from=before.room if room_map.get(before.room) != device.room else None,
            vars=var_changes(before.vars, device.vars),
        )  # fmt: skip
        if change.renamed_from or change.moved_from or change.vars:
            changes.append(change)
    changes += [DeviceChange(old.code, d.name, d.room, "removed", d.managed)
                for d in old.devices.values() if d.name not in pairs]  # fmt: skip
    return changes


def _pair_devices(old: SchoolState, new: SchoolState, room_map: dict[str, str]) -> dict[str, str]:
    """Device name at base -> device name at head, for every device still there (renamed or not)."""
    pairs = {name: name for name in old.devices if name in new.devices}
    fresh = {name: d for name, d in new.devices.items() if name not in old.devices}
    by_identity = {identity: d.name for d in fresh.values() for identity in d.identity}
    by_place = {(d.room, d.slot, _role(d)): d.name for d in fresh.values()}
    for device in (d for name, d in old.devices.items() if name not in new.devices):
        match = next((by_identity[i] for i in device.identity if by_identity.get(i) in fresh), None)
        if match is None and device.room in room_map:
            place = by_place.get((room_map[device.room], device.slot, _role(device)))
            other_hardware = place in fresh and bool(device.identity and fresh[place].identity)
            match = place if place in fresh and not other_hardware else None
        if match is not None:
            pairs[device.name] = match
            del fresh[match]
    return pairs


def _role(device: DeviceState) -> str:
    return str(device.vars.get("device_role"))


def _switches(old: SchoolState, new: SchoolState, base: Revision, head: Revision) -> list[SwitchChange]:
    changes: list[SwitchChange] = []
    for name in dict.fromkeys([*new.switches, *old.switches]):
        before, after = old.switches.get(name), new.switches.get(name)
        if after is None:
            changes.append(SwitchChange(old.code, name, "removed"))
            continue
        diff = "\n".join(difflib.unified_diff(
            before.config.splitlines() if before else [], after.config.splitlines(),
            f"{name} ({base.name})", f"{name} ({head.name})", lineterm="",
        ))  # fmt: skip
        variables = var_changes(before.vars, after.vars) if before else ()
        if before is None or diff or variables:
            changes.append(SwitchChange(new.code, name, "added" if before is None else "changed", diff, variables))
    return changes
