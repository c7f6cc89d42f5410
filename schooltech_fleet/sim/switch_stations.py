"""Which devices the emulated switches see on their ports at boot, from the inventory.

The rule (documented in docs/simulation.md, "MAC address tables"):

* a port assignment with ``device: NAME`` holds that device;
* a port assignment with ``room: R`` holds the room's wired devices (PCs, printers, displays,
  AV and servers; not laptops, tablets or access points), in the order the school file
  declares them, on the room's ports in the order the school file lists them (switches in
  file order, then each switch's assignments and port lists in order): the k-th device of
  LAB1 on the k-th port of LAB1. A device named by a ``device`` assignment is not counted
  among its room's; devices beyond the room's ports, and ports beyond its devices, stay empty;
* an ``access_point`` assignment holds the school's declared access points (role
  ``access_point``) in the same order, in the management VLAN;
* the root switch's uplink to the router holds the router: a locally administered MAC
  derived from the school code (``02:...``), in the management VLAN.

Only devices with a declared MAC are plugged in. Each device sends in its VLAN (its own,
else its room's); on an access port the switch learns it in the port's access VLAN.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from ..inventory.model import DeviceRole, PortAssignment, Switch
from ..inventory.school import DeviceRecord, LoadedSchool
from ..inventory.topology import management_paths
from .switches import catalyst_interfaces
from .switches.mac_table import Station

WIRED_ROLES = frozenset({DeviceRole.LAB_PC, DeviceRole.TEACHER_PC, DeviceRole.SERVER, DeviceRole.PRINTER,
                         DeviceRole.DISPLAY, DeviceRole.AV_DEVICE})  # fmt: skip
ROUTER_LABEL = "router"


def router_mac(school_code: str) -> str:
    """The simulated router's MAC: locally administered (``02:``), the same for a school every time."""
    digest = hashlib.sha256(f"router {school_code}".encode()).hexdigest()
    return "02:" + ":".join(digest[i : i + 2] for i in range(0, 10, 2))


def interface_name(switch: Switch, port: int) -> str:
    """The emulated interface of inventory port *port* (access ports first, then the uplinks)."""
    return catalyst_interfaces(switch.access_ports, switch.uplink_ports)[port - 1]


def declared_ports(school: LoadedSchool) -> dict[str, tuple[str, int]]:
    """Where the module docstring's rule puts each device with a port: name -> (switch, port)."""
    devices = school.devices
    named = {a.device for sw in school.model.switches for a in sw.ports if a.device is not None}
    rooms = {room.name: r for r, room in enumerate(school.model.rooms)}
    queues: dict[str, list[DeviceRecord]] = {
        room.name: [d for d in devices if d.room == r and d.role in WIRED_ROLES and d.name not in named]
        for room, r in ((room, rooms[room.name]) for room in school.model.rooms)
    }
    access_points = [d for d in devices if d.role == DeviceRole.ACCESS_POINT]
    placed: dict[str, tuple[str, int]] = {}
    for switch, assignment, port in _assigned_ports(school):
        if assignment.device is not None:
            placed[assignment.device] = (switch.name, port)
            continue
        queue = queues.get(assignment.room or "") if assignment.room is not None else (
            access_points if assignment.access_point else None)  # fmt: skip
        if queue:
            placed[queue.pop(0).name] = (switch.name, port)
    return placed


def school_stations(school: LoadedSchool) -> dict[str, list[Station]]:
    """The stations plugged into each switch of *school* at boot, by switch name."""
    vlan_ids = {name: vlan.id for name, vlan in school.vlans.items() if vlan.id is not None}
    management = vlan_ids.get("management", 1)
    switches = {switch.name: switch for switch in school.model.switches}
    by_name = {device.name: device for device in school.devices}
    stations: dict[str, list[Station]] = {name: [] for name in switches}
    for name, (switch, port) in declared_ports(school).items():
        device = by_name.get(name)
        if device is None or device.mac is None:
            continue
        vlan = management if device.role == DeviceRole.ACCESS_POINT else vlan_ids.get(
            device.vlan or school.room_vlan(device.room)[0] or "", 1)  # fmt: skip
        stations[switch].append(Station(device.mac, interface_name(switches[switch], port), vlan, name))
    for name, path in management_paths(school.model.switches).items():
        if path.root and path.upstream_port is not None:
            stations[name].append(Station(router_mac(school.code), interface_name(switches[name], path.upstream_port),
                                          management, ROUTER_LABEL))  # fmt: skip
    return stations


def _assigned_ports(school: LoadedSchool) -> Iterator[tuple[Switch, PortAssignment, int]]:
    for switch in school.model.switches:
        for assignment in switch.ports:
            for port in assignment.ports:
                if port <= switch.access_ports + switch.uplink_ports:
                    yield switch, assignment, port
