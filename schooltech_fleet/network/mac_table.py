"""Read the MAC address tables of a school's switches: which device is seen on which port.

1. The inventory is loaded once; the school's switches are chosen and checked against the
   network guard (:func:`.targets.switch_targets`), their declared ports read from the school.
2. Each switch is asked, read-only and in parallel, its platform's MAC table command
   (``show mac address-table`` on IOS) over the usual Netmiko session.
3. The output is parsed by the ntc-templates TextFSM template Netmiko ships for that command;
   the platform's rules (``network/platforms/<os>/``, :class:`.platforms.MacTableRules`) drop
   the switch's own entries and map each interface name to the inventory's port number.
4. An entry on one of the switch's declared uplinks, or on a bundle of links (``Po1``), is
   marked ``uplink``: the device sits behind another switch.

A switch that cannot be reached, or whose answer cannot be parsed, is listed in
``unreachable``; the others' sightings are returned all the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ntc_templates.parse import parse_output
from textfsm import TextFSMError
from textfsm.clitable import CliTableError

from ..assets.discovery import MacSighting, normal_mac
from ..errors import FleetError
from ..inventory import load_inventory
from ..inventory.model import Switch
from .platforms import MacTableRules, Platform
from .session import open_session
from .show import DEFAULT_WORKERS
from .targets import SwitchTarget, switch_targets


@dataclass(frozen=True)
class MacTables:
    """What one school's switches have learned; ``unreachable`` names the switches that did not say."""

    sightings: tuple[MacSighting, ...]
    unreachable: tuple[str, ...]


@dataclass(frozen=True)
class PortMap:
    """A switch's declared ports, as the parser needs them."""

    switch: str
    access_ports: int
    uplink_ports: int
    uplinks: frozenset[int]  # inventory port numbers of its declared uplinks

    @classmethod
    def of(cls, switch: Switch) -> PortMap:
        return cls(switch.name, switch.access_ports, switch.uplink_ports,
                   frozenset(uplink.port for uplink in switch.uplinks))  # fmt: skip


class MacTableUnreadable(FleetError):
    """A switch answered its MAC table command with text its platform's template does not parse."""


def gather_mac_tables(inventory: Path, school: str, *, workers: int = DEFAULT_WORKERS) -> MacTables:
    """The MAC tables of every switch of *school* whose platform can list one (see the module docstring)."""
    loaded = load_inventory(inventory)  # once: the switches to reach (fleet) and their declared ports (school)
    targets = switch_targets(loaded.fleet, schools=[school])
    ports = {switch.name: PortMap.of(switch) for switch in loaded.school(school).model.switches}
    readable = [target for target in targets if target.platform.mac_table is not None]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(readable) or 1))) as pool:
        results = list(pool.map(lambda target: _read_one(target, ports[target.name]), readable))
    sightings = tuple(sighting for found in results if found is not None for sighting in found)
    unreachable = tuple(target.name for target, found in zip(readable, results, strict=True) if found is None)
    return MacTables(sightings, unreachable)


def _read_one(target: SwitchTarget, ports: PortMap) -> tuple[MacSighting, ...] | None:
    try:
        with open_session(target) as session:
            output = session.show(_rules(target.platform, ports.switch).command)
        return parse_mac_table(target.platform, ports, output)
    except FleetError:
        return None


def parse_mac_table(platform: Platform, ports: PortMap, output: str) -> tuple[MacSighting, ...]:
    """The devices in one switch's MAC table *output*; raises MacTableUnreadable if it does not parse."""
    rules = _rules(platform, ports.switch)
    try:
        records: list[dict[str, Any]] = parse_output(platform=rules.template_platform, command=rules.command,
                                                     data=output)  # fmt: skip
    except (TextFSMError, CliTableError) as exc:
        raise MacTableUnreadable(f"{ports.switch}: its MAC table did not parse ({exc})",
                                 "save the output of the command and report it") from exc  # fmt: skip
    total = ports.access_ports + ports.uplink_ports
    numbers = {platform.port_name(n, ports.access_ports): n for n in range(1, total + 1)}
    sightings = []
    mac_field, vlan_field, port_field = rules.fields
    for record in records:
        found = _sighting(rules, ports, numbers, record[mac_field], record[vlan_field], record[port_field])
        if found is not None:
            sightings.append(found)
    return tuple(sightings)


def _rules(platform: Platform, switch: str) -> MacTableRules:
    if platform.mac_table is None:
        raise MacTableUnreadable(f"{switch}: schooltech cannot read a {platform.title} MAC table")
    return platform.mac_table


def _sighting(rules: MacTableRules, ports: PortMap, numbers: dict[str, int], mac_text: str, vlan_text: str,
              port_value: str | Sequence[str]) -> MacSighting | None:  # fmt: skip
    interfaces = [port_value] if isinstance(port_value, str) else list(port_value)
    mac = normal_mac(mac_text)
    if len(interfaces) != 1 or mac is None or not vlan_text.isdigit():
        return None  # multicast (several ports), or a line for every VLAN ("All"): the switch's own
    short = interfaces[0]
    if re.match(rules.own_ports, short):
        return None
    interface = full_interface_name(rules, short)
    port = numbers.get(interface)
    uplink = port in ports.uplinks or re.match(rules.aggregate, short) is not None
    return MacSighting(ports.switch, interface, port, int(vlan_text), mac, uplink)


def full_interface_name(rules: MacTableRules, name: str) -> str:
    """``Gi1/0/3`` -> ``GigabitEthernet1/0/3`` (per the platform's abbreviations); other names unchanged."""
    match = re.match(r"([A-Za-z-]+)(\d.*)$", name)
    if match is None:
        return name
    kind, number = match.groups()
    return dict(rules.abbreviations).get(kind, kind) + number
