"""The MAC address table: what each emulated switch has learned, and ``show mac address-table``.

A **station** is a device plugged into one port of one emulated switch (a PC, the router,
an access point, a stranger's laptop): its MAC, the interface, and the VLAN it sends in.
Every switch learns, as a real switch does from the frames it forwards and floods:

* its own stations on their port, in the port's access VLAN (an access port) or the
  station's VLAN (a trunk: an access point, the router);
* every station of every other switch of the farm linked to it, on its own port towards
  that switch: the links are the management tree (a switch's ``management.uplink`` and its
  parent's ``parent_interface``), so a core switch sees a lab PC on its port down to the lab
  switch, and the lab switch sees the library's PCs on its uplink.

A station on a shut-down port, or behind a shut-down link, is not learned (nothing reaches
the switch from it). There is no ageing: a station stays until it is moved or removed.

The table also holds the switch's own entries, as IOS shows them: the ``All ... STATIC CPU``
entries of the control protocols and, on IOS-XE Catalysts (9200/9300/9400/9500), one
``STATIC`` entry per up SVI on ``VlN`` with the switch's base MAC. The layout is IOS's:
``Mac Address Table`` header, ``Vlan  Mac Address  Type  Ports`` columns, ``Total Mac
Addresses for this criterion: N`` (after a blank line on IOS-XE).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.switches.state import DEFAULT_VLAN

if TYPE_CHECKING:
    from schooltech_fleet.sim.switches.switch import EmulatedSwitch

_TWELVE_HEX = re.compile(r"[0-9a-f]{12}")
_TRUNK_MODES = ("trunk", "dynamic desirable")
_IOS_XE_MODEL = re.compile(r"\b(C|Catalyst\s*)9[2-5]\d\d", re.IGNORECASE)
# the control-protocol addresses every Catalyst punts to its CPU (CDP/VTP, STP, LLDP..., broadcast)
CPU_MACS_CLASSIC = ("0100.0ccc.cccc", "0100.0ccc.cccd", *(f"0180.c200.{n:04x}" for n in range(0x11)), "ffff.ffff.ffff")
CPU_MACS_XE = ("0100.0ccc.cccc", "0100.0ccc.cccd", "0180.c200.0000", "0180.c200.0002", "ffff.ffff.ffff")


def dotted_mac(text: str) -> str:
    """``52:54:00:90:20:65`` (or ``5254.0090.2065``, ``52-54-...``) as IOS writes it: ``5254.0090.2065``."""
    digits = re.sub(r"[-:.]", "", text.strip().lower())
    if not _TWELVE_HEX.fullmatch(digits):
        raise SimulationError(f"{text!r} is not a MAC address")
    return f"{digits[:4]}.{digits[4:8]}.{digits[8:]}"


@dataclass(frozen=True)
class Station:
    """A device plugged into ``interface`` of the switch that holds it; ``label`` says what it is."""

    mac: str  # dotted, as IOS writes it
    interface: str
    vlan: int = DEFAULT_VLAN
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "mac", dotted_mac(self.mac))


@dataclass(frozen=True)
class Entry:
    """One line of ``show mac address-table``; ``vlan`` None is IOS's ``All``."""

    vlan: int | None
    mac: str
    kind: str  # DYNAMIC | STATIC
    port: str  # short name (Gi1/0/1), or CPU

    def line(self) -> str:
        vlan = "All" if self.vlan is None else str(self.vlan)
        return f"{vlan:>4}    {self.mac}    {self.kind:<12}{self.port}"


def short_name(name: str) -> str:
    """``GigabitEthernet1/0/1`` -> ``Gi1/0/1``, ``Vlan10`` -> ``Vl10``."""
    digits = next(index for index, char in enumerate(name) if char.isdigit())
    return name[:2] + name[digits:]


def is_ios_xe(model: str | None) -> bool:
    """Whether a Catalyst model runs IOS-XE (its MAC table lists SVI entries and a blank line before the total)."""
    return model is not None and _IOS_XE_MODEL.search(model) is not None


def entries(switch: EmulatedSwitch) -> list[Entry]:
    """Everything ``switch`` has learned and holds, in IOS's order (CPU entries, then by VLAN and MAC)."""
    xe = is_ios_xe(switch.spec.model)
    own = [Entry(None, mac, "STATIC", "CPU") for mac in (CPU_MACS_XE if xe else CPU_MACS_CLASSIC)]
    learned: list[Entry] = []
    if xe:
        base = dotted_mac(switch.spec.base_mac)
        learned += [Entry(vid, base, "STATIC", f"Vl{vid}") for vid, svi in switch.state.svis.items()
                    if not svi.shutdown and svi.addresses]  # fmt: skip
    for holder in switch.fabric.switches.values():
        interface = switch.spec.name == holder.spec.name or towards(switch, holder, switch.fabric.switches)
        if interface is None:
            continue
        for station in holder.stations.values():
            port = holder.state.ports.get(station.interface)
            if port is None or port.shutdown:
                continue
            name = station.interface if interface is True else interface
            learned.append(Entry(_vlan(port.mode, port.access_vlan, station.vlan), station.mac, "DYNAMIC",
                                 short_name(name)))  # fmt: skip
    return own + sorted(learned, key=lambda entry: (entry.vlan or 0, entry.mac))


def _vlan(mode: str | None, access_vlan: int | None, station_vlan: int) -> int:
    return station_vlan if mode in _TRUNK_MODES else (access_vlan or DEFAULT_VLAN)


def _links(farm: Mapping[str, EmulatedSwitch]) -> dict[str, list[tuple[str, str, str]]]:
    """switch -> [(its interface, neighbour, the neighbour's interface)] along the management tree."""
    links: dict[str, list[tuple[str, str, str]]] = {name: [] for name in farm}
    for name, switch in farm.items():
        management = switch.spec.management
        if management is None or management.parent is None or management.parent_interface is None:
            continue
        if management.parent in farm:
            links[name].append((management.uplink, management.parent, management.parent_interface))
            links[management.parent].append((management.parent_interface, name, management.uplink))
    return links


def towards(switch: EmulatedSwitch, other: EmulatedSwitch, farm: Mapping[str, EmulatedSwitch]) -> str | None:
    """``switch``'s interface on the way to ``other``; None if no link (or a shut one) joins them."""
    links = _links(farm)
    queue = deque((name, interface) for interface, name, _ in _up(links, farm, switch.spec.name))
    seen = {switch.spec.name}
    while queue:
        name, first = queue.popleft()
        if name in seen:
            continue
        seen.add(name)
        if name == other.spec.name:
            return first
        queue.extend((next_name, first) for _, next_name, _ in _up(links, farm, name))
    return None


def _up(links: Mapping[str, list[tuple[str, str, str]]], farm: Mapping[str, EmulatedSwitch],
        name: str) -> Iterable[tuple[str, str, str]]:  # fmt: skip
    """The links of ``name`` whose two ends are not shut down."""
    for interface, neighbour, far in links[name]:
        if not farm[name].state.ports[interface].shutdown and not farm[neighbour].state.ports[far].shutdown:
            yield interface, neighbour, far


def show_mac_address_table(switch: EmulatedSwitch, *, kind: str | None = None, vlan: int | None = None,
                           interface: str | None = None, mac: str | None = None) -> list[str]:  # fmt: skip
    """``show mac address-table [dynamic|static] [vlan N] [interface X] [address M]``, as IOS prints it."""
    chosen = [
        entry for entry in entries(switch)
        if (kind is None or entry.kind == kind.upper())
        and (vlan is None or entry.vlan == vlan)
        and (interface is None or entry.port == short_name(interface))
        and (mac is None or entry.mac == mac)
    ]  # fmt: skip
    lines = ["          Mac Address Table", "-------------------------------------------", "",
             "Vlan    Mac Address       Type        Ports", "----    -----------       --------    -----"]  # fmt: skip
    lines += [entry.line() for entry in chosen]
    if is_ios_xe(switch.spec.model):
        lines.append("")
    lines.append(f"Total Mac Addresses for this criterion: {len(chosen)}")
    return lines
