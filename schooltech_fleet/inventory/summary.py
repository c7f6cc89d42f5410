"""A short overview of a fleet: schools, rooms, device counts, switches."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .fleet import Fleet


@dataclass(frozen=True)
class RoomSummary:
    name: str
    kind: str
    vlan: str | None
    devices: int
    managed: int
    software_sets: tuple[str, ...]


@dataclass(frozen=True)
class SwitchSummary:
    name: str
    platform: str


@dataclass(frozen=True)
class SchoolSummary:
    code: str
    name: str
    type: str
    rooms: tuple[RoomSummary, ...]
    switches: tuple[SwitchSummary, ...]

    @property
    def devices(self) -> int:
        return sum(r.devices for r in self.rooms)

    @property
    def managed(self) -> int:
        return sum(r.managed for r in self.rooms)


def fleet_summary(fleet: Fleet, school: str | None = None) -> list[SchoolSummary]:
    """One summary per school (or only *school*), rooms in file order."""
    if school is not None:
        fleet.school(school)
    devices: Counter[str] = Counter()
    managed: Counter[str] = Counter()
    switches: dict[str, list[SwitchSummary]] = {}
    for host in fleet.hosts.values():
        if host.kind == "switch":
            switches.setdefault(host.school, []).append(SwitchSummary(host.name, host.vars["switch_platform"]))
        else:
            room = host.var_groups[0]
            devices[room] += 1
            managed[room] += bool(fleet.host_vars(host.name)["managed"])
    rooms: dict[str, list[RoomSummary]] = {}
    names: dict[str, tuple[str, str]] = {}
    for group in fleet.groups.values():
        values = group.vars
        if "room" not in values:
            continue
        code = values["school_code"]
        names[code] = (values["school_name"], values["school_type"])
        rooms.setdefault(code, []).append(
            RoomSummary(
                values["room"],
                values["room_kind"],
                values["vlan"],
                devices[group.name],
                managed[group.name],
                tuple(values["software_sets"]),
            )
        )
    return [
        SchoolSummary(code, *names.get(code, (code, "?")), tuple(rooms.get(code, ())), tuple(switches.get(code, ())))
        for code in sorted(fleet.schools)
        if school is None or code == school
    ]
