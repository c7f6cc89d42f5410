"""Plant findings in the running simulation's switches: a stranger on a port, a PC plugged in elsewhere.

Ports are the inventory's numbers (access ports first, then uplinks); the emulated switches
learn the change at once, upstream switches included (``switches/mac_table.py``). A PC is
found by its inventory name among the devices the switches see (``switch_stations.py``):
only PCs with a declared MAC are plugged in anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import SimulationError, UsageError
from ..inventory import load_schools
from .simulation import Simulation, current
from .switch_stations import interface_name
from .switches.mac_table import Station, dotted_mac


@dataclass(frozen=True)
class Planted:
    """A device plugged in: where it is now, and whether its port is up (a shut port learns nothing)."""

    station: Station
    switch: str
    port: int
    port_up: bool


def plant_stranger(switch: str, port: int, mac: str, *, vlan: int | None = None) -> Planted:
    """A device nobody declared appears on *port* of *switch* (with *mac*; in *vlan* if it is a trunk)."""
    simulation = _running()
    interface = _interface(simulation, switch, port)
    label = "stranger"
    up = simulation.control().plug(switch, _mac(mac), interface, vlan=vlan, label=label)
    return Planted(Station(mac, interface, vlan or 1, label), switch, port, up)


def plant_move(host: str, switch: str, port: int) -> Planted:
    """PC *host* is unplugged from its port and plugged into *port* of *switch*."""
    simulation = _running()
    interface = _interface(simulation, switch, port)
    control = simulation.control()
    found = next((station for name in _switches(simulation) for station in control.stations(name)
                  if station.label == host), None)  # fmt: skip
    if found is None:
        raise UsageError(f"no emulated switch sees {host}",
                         "only PCs with a declared mac are on the simulated switches; check the name")  # fmt: skip
    up = control.plug(switch, found.mac, interface)
    return Planted(Station(found.mac, interface, found.vlan, host), switch, port, up)


def unplant(switch: str, mac: str) -> Station:
    """The device *mac* is unplugged from *switch*: it vanishes from every switch's table. Returns it."""
    return _running().control().unplug(switch, _mac(mac))


def _running() -> Simulation:
    simulation = current()
    if simulation is None:
        raise UsageError("no simulation is running", "start one with 'schooltech sim up'")
    return simulation


def _switches(simulation: Simulation) -> list[str]:
    return [host.name for host in simulation.switches]


def _mac(text: str) -> str:
    try:
        return dotted_mac(text)
    except SimulationError:
        raise UsageError(f"{text!r} is not a MAC address", "write it as 3c:52:82:1a:2b:3c or 3c52.821a.2b3c") from None


def _interface(simulation: Simulation, switch: str, port: int) -> str:
    if switch not in _switches(simulation):
        raise UsageError(f"{switch} is not an emulated switch of this simulation",
                         f"emulated switches: {', '.join(_switches(simulation)) or 'none'}")  # fmt: skip
    schools, _ = load_schools(Path(simulation.inventory))
    declared = next(sw for school in schools for sw in school.model.switches if sw.name == switch)
    last = declared.access_ports + declared.uplink_ports
    if not 1 <= port <= last:
        raise UsageError(f"{switch} has ports 1 to {last}, not {port}", "ports count access ports first, then uplinks")
    return interface_name(declared, port)
