"""What the inventory says is there: each declared device of a school, and what each switch port leads to.

This is the declared side of an audit (:mod:`.audit` compares it with a :class:`~.discovery.Discovery`).
A port assigned to a device belongs to that device's room; ports leading to access points
and uplinks carry MACs of devices *behind* them (wireless clients, other switches), so a MAC
seen there says nothing about where a device is plugged in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import InventoryError
from ..inventory.findings import Severity
from ..inventory.fleet import UnknownRoom, UnknownSchool
from ..inventory.school import LoadedSchool
from .discovery import normal_mac


@dataclass(frozen=True)
class DeclaredDevice:
    """One device as the inventory declares it."""

    name: str
    room: str
    role: str  # e.g. "lab_pc", "printer"
    managed: bool  # schooltech reaches it over SSH/WinRM (a PC); an unmanaged device is seen only by its MAC
    mac: str | None  # normalised
    serial: str | None
    model: str | None
    ram_gb: int | None  # from the model catalogue
    disk_gb: int | None


@dataclass(frozen=True)
class DeclaredPort:
    """What one switch port leads to, by the inventory."""

    switch: str
    port: int
    room: str | None  # the room it serves (a port assigned to a device: that device's room)
    device: str | None  # the device it is assigned to, if one
    behind: bool  # an uplink or an access point's port: the MACs on it belong to devices behind it


@dataclass(frozen=True)
class DeclaredSchool:
    """The declared side of one school's audit."""

    school: str
    rooms: tuple[str, ...]  # the rooms audited (every room of the school when none was asked for)
    devices: tuple[DeclaredDevice, ...]  # every device of the school, whatever the rooms asked
    ports: tuple[DeclaredPort, ...]  # every assigned port and every uplink
    whole_school: bool = True  # False: only some rooms were asked for (ports of no room are not audited)

    def port(self, switch: str, port: int | None) -> DeclaredPort | None:
        """What *port* of *switch* leads to, by the inventory (None: nothing is assigned to it)."""
        return None if port is None else self._ports.get((switch, port))

    @cached_property
    def _ports(self) -> dict[tuple[str, int], DeclaredPort]:
        return {(p.switch, p.port): p for p in self.ports}


def declared_school(inventory: Path, school: str, rooms: Sequence[str] = ()) -> DeclaredSchool:
    """The declared devices and port map of *school* under *inventory*; unknown schools and rooms are refused."""
    from ..inventory.validate import load_schools  # noqa: PLC0415 - pydantic only when an audit runs
    from .schools import REPORTED  # noqa: PLC0415 - as above

    loaded, findings = load_schools(inventory)
    errors = sorted(f for f in set(findings) if f.severity is Severity.ERROR and f.code not in REPORTED)
    if errors:
        raise InventoryError(list(errors))
    by_code = {s.code: s for s in loaded}
    if school not in by_code:
        raise UnknownSchool([school], by_code)
    return from_loaded(by_code[school], rooms)


def from_loaded(school: LoadedSchool, rooms: Sequence[str] = ()) -> DeclaredSchool:
    """The declared side of an audit of the already loaded *school* (restricted to *rooms*, if any)."""
    names = [room.name for room in school.model.rooms]
    for room in rooms:
        if room not in names:
            raise UnknownRoom(school.code, room, names)
    devices = []
    for record in school.devices:
        model = school.pc_model(record.model)
        devices.append(DeclaredDevice(
            name=record.name,
            room=names[record.room],
            role=record.role.value,
            managed=record.managed,
            mac=normal_mac(record.mac) if record.mac else None,
            serial=record.serial,
            model=record.model,
            ram_gb=model.ram_gb,
            disk_gb=model.disk_gb,
        ))  # fmt: skip
    room_of = {device.name: device.room for device in devices}
    ports: list[DeclaredPort] = []
    for switch in school.model.switches:
        for assignment in switch.ports:
            served = assignment.room if assignment.room is not None else room_of.get(assignment.device or "")
            ports.extend(DeclaredPort(switch.name, number, served, assignment.device, assignment.access_point)
                         for number in assignment.ports)  # fmt: skip
        ports.extend(DeclaredPort(switch.name, uplink.port, None, None, True) for uplink in switch.uplinks)
    return DeclaredSchool(school.code, tuple(rooms) or tuple(names), tuple(devices), tuple(ports), not rooms)
