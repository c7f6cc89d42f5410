"""The management path: whether schooltech's in-band sessions can reach a switch at all.

A switch with a ``ManagementSpec`` is reached only while, at every moment:

* VLAN ``vlan`` exists and ``interface Vlan<vlan>`` exists, is not shut down and holds the
  management address;
* the ``uplink`` is not shut down and carries the VLAN: a trunk (``switchport mode trunk`` or
  ``dynamic desirable``) whose allowed list contains it, or any other port whose access VLAN
  (default 1) it is;
* on every parent hop up the chain, the parent has the VLAN, and the parent's interface
  towards this switch and the parent's own uplink are not shut down and carry it (transit
  only: the parent's SVI does not matter). A parent without a management spec ends the chain;
* at least one ``line vty`` range takes SSH from the controller address (``vty.py``).

The farm evaluates every path after each line typed in any session of any switch, after
control operations and after a configuration revert: every open connection of a switch
whose path is cut is reset at once (the line that cut it gets no answer), and new
connections are refused until the path is whole again. Real IOS keeps a session open when
only its vty settings change; the emulator drops it, so that a push that locks schooltech
out of the vty lines fails where it happens.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from schooltech_fleet.sim.switches.state import DEFAULT_VLAN, SwitchState
from schooltech_fleet.sim.switches.vty import ssh_access

if TYPE_CHECKING:
    from schooltech_fleet.sim.switches.switch import EmulatedSwitch

LOGGER = logging.getLogger("schooltech_fleet.sim.switches")
_TRUNK_MODES = ("trunk", "dynamic desirable")


def path_problems(switch: EmulatedSwitch, farm: Mapping[str, EmulatedSwitch]) -> list[str]:
    """Why sessions cannot reach ``switch`` (empty: the path is intact, or it has none)."""
    management = switch.spec.management
    if management is None:
        return []
    state, vlan = switch.state, management.vlan
    problems = []
    if not state.vlan_exists(vlan):
        problems.append(f"VLAN {vlan} does not exist")
    svi = state.svis.get(vlan)
    if svi is None:
        problems.append(f"interface Vlan{vlan} does not exist")
    else:
        if svi.shutdown:
            problems.append(f"interface Vlan{vlan} is shut down")
        if all(address.ip != management.interface.ip for address in svi.addresses):
            problems.append(f"interface Vlan{vlan} does not hold {management.interface.ip}")
    problems += _carrying(state, management.uplink, vlan)
    hop = management
    while hop.parent is not None and hop.parent_interface is not None:
        parent = farm[hop.parent]
        transit = [] if parent.state.vlan_exists(vlan) else [f"VLAN {vlan} does not exist"]
        transit += _carrying(parent.state, hop.parent_interface, vlan)
        if parent.spec.management is not None:
            transit += _carrying(parent.state, parent.spec.management.uplink, vlan)
        problems += [f"on {parent.spec.name}: {problem}" for problem in dict.fromkeys(transit)]
        if parent.spec.management is None:
            break
        hop = parent.spec.management
    refused = ssh_access(state, switch.session_source).refused
    if refused is not None:
        problems.append(f"no vty line takes SSH from {switch.session_source} ({refused})")
    return problems


def _carrying(state: SwitchState, name: str, vlan: int) -> list[str]:
    port = state.ports[name]
    problems = [f"{name} is shut down"] if port.shutdown else []
    if port.mode in _TRUNK_MODES:
        if port.allowed_vlans is not None and vlan not in port.allowed_vlans:
            problems.append(f"{name} does not carry VLAN {vlan} (a trunk without it in its allowed VLANs)")
    elif (access := port.access_vlan or DEFAULT_VLAN) != vlan:
        problems.append(f"{name} does not carry VLAN {vlan} (an access port in VLAN {access})")
    return problems


class Fabric:
    """The switches of one emulator process, whose management paths depend on each other."""

    def __init__(self, switches: Mapping[str, EmulatedSwitch]) -> None:
        self.switches = switches
        for switch in switches.values():
            switch.fabric = self

    def enforce(self) -> None:
        """Re-evaluate every path; reset every connection of a switch that is cut off."""
        for switch in self.switches.values():
            problems = path_problems(switch, self.switches)
            if problems and not switch.path_problems:
                LOGGER.warning("%s: management path cut: %s", switch.spec.name, "; ".join(problems))
            elif switch.path_problems and not problems:
                LOGGER.warning("%s: management path restored", switch.spec.name)
            switch.path_problems = problems
            if problems:
                switch.disconnect()
