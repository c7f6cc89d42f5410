"""The management path of one switch, as the push engine must protect it.

schooltech's session reaches a switch over its management VLAN, through the ports named by
the inventory's uplinks (``inventory/topology.py``), to the interface that holds the switch's
management address. A change that removes that address, that VLAN or the default gateway, or
that stops a session port from carrying the VLAN, cuts the session (and a fresh login, which a
restore needs): such changes are *management changes*, refused unless a technician allows
them explicitly. The reading is vendor-neutral; each platform says, as a
:class:`ManagementRules` in ``platforms/<name>/management.py``, how its CLI holds the path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .config_text import ConfigLine


@dataclass(frozen=True)
class ManagementContext:
    """What carries the management session to one switch."""

    vlan: int | None  # the school's management VLAN
    address: str | None  # the switch's management address
    session_ports: tuple[str, ...] = ()  # interfaces that carry a session: to this switch, or through it


@dataclass(frozen=True)
class ManagementRules:
    """How one platform's config holds the management path."""

    section: re.Pattern[str]  # a section that can hold the management address; group 1 is its VLAN
    section_changes: re.Pattern[str]  # the lines under it that move or remove the address, or shut it
    harmless: re.Pattern[str]  # what a session port may change without risk
    depends: re.Pattern[str]  # what a session port may change only if the intended config still carries the VLAN
    carries: Callable[[list[ConfigLine], str, int], bool]  # whether a port (by name) carries a VLAN in a config


def session_vlans(rules: ManagementRules, running: Iterable[ConfigLine], address: str | None) -> set[int]:
    """The VLANs whose section holds *address* in *running* (the session's interface, as the switch has it)."""
    if address is None:
        return set()
    found = set()
    for block in running:
        match = rules.section.match(block.text)
        if match and any(child.text.startswith(f"ip address {address} ") for child in block.children):
            found.add(int(match.group(1)))
    return found


def changes(rules: ManagementRules, commands: Sequence[tuple[str, ...]], running: list[ConfigLine],
            wanted: list[ConfigLine], context: ManagementContext) -> list[str]:  # fmt: skip
    """Why *commands* (each as its lineage) would touch the management path, one reason per command."""
    vlans = session_vlans(rules, running, context.address) | ({context.vlan} if context.vlan else set())
    gateway = next((block.text for block in running if block.text.startswith("ip default-gateway ")), None)
    reasons = []
    for lineage in commands:
        top, line = lineage[0], lineage[-1]
        held = rules.section.match(top.removeprefix("no "))
        if len(lineage) == 1:
            if top.startswith("no vlan ") and context.vlan in vlan_ids(top.removeprefix("no vlan ")):
                reasons.append(f"'{top}' removes the management VLAN {context.vlan}")
            elif held and top.startswith("no ") and int(held.group(1)) in vlans:
                reasons.append(f"'{top}' removes what holds the management address")
            elif (top.startswith("ip default-gateway ") and gateway) or top.startswith("no ip default-gateway"):
                reasons.append(f"'{top}' changes the default gateway ({gateway})")
        elif held and int(held.group(1)) in vlans and rules.section_changes.match(line):
            reasons.append(f"'{line}' under '{top}' changes the management interface")
        elif top.startswith("interface ") and top.removeprefix("interface ") in context.session_ports and not (
            rules.harmless.match(line) or (rules.depends.match(line) and context.vlan is not None
                                           and rules.carries(wanted, top.removeprefix("interface "), context.vlan))
        ):  # fmt: skip
            reasons.append(f"'{line}' under '{top}' changes a port that carries the management session")
    return reasons


def vlan_ids(text: str) -> set[int]:
    """``10,20,30-32`` as a set of VLAN ids (``all`` and keywords give nothing)."""
    found: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            found.update(range(int(low), int(high or low) + 1))
    return found
