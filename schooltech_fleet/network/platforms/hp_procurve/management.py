"""How an ArubaOS-Switch change can cut the management session, read from the commands themselves.

Ports belong to VLANs here (``vlan 99`` / ``tagged 9``), and hier_config reads that membership
into the interfaces (``interface 9`` / ``tagged vlan 99``): a session port keeps its session
while the intended config still has it in the management VLAN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from hier_config.platforms.hp_procurve.functions import hp_procurve_expand_range

from ...config_text import ConfigLine
from ...management import ManagementContext, gateway, holding

_VLAN = re.compile(r"^vlan (\d+)$")
_HARMLESS = re.compile(r"^(no )?(name|broadcast-limit)( |$)|^enable$|^no ip access-group ")
_MEMBERSHIP = re.compile(r"^(no )?(un)?tagged vlan \d+$")


def session_vlans(running: Iterable[ConfigLine], address: str | None) -> set[int]:
    """The VLANs that hold *address* in *running*."""
    return holding(running, _VLAN, address)


def changes(commands: Sequence[tuple[str, ...]], running: list[ConfigLine], wanted: list[ConfigLine],
            context: ManagementContext) -> list[str]:  # fmt: skip
    """Why *commands* (each as its lineage) would touch the management path, one reason per command."""
    vlans = session_vlans(running, context.address) | ({context.vlan} if context.vlan else set())
    current_gateway = gateway(running)
    reasons = []
    for lineage in commands:
        top, line = lineage[0], lineage[-1]
        vlan = _VLAN.match(top.removeprefix("no "))
        if len(lineage) == 1:
            if vlan and top.startswith("no ") and int(vlan.group(1)) in vlans:
                reasons.append(f"'{top}' removes the management VLAN")
            elif (top.startswith("ip default-gateway ") and current_gateway) or top.startswith("no ip default-gateway"):
                reasons.append(f"'{top}' changes the default gateway ({current_gateway})")
        elif vlan and int(vlan.group(1)) in vlans and line.removeprefix("no ").startswith("ip address"):
            reasons.append(f"'{line}' under '{top}' changes the management address")
        elif top.removeprefix("interface ") in context.session_ports and not (
            _HARMLESS.match(line) or (_MEMBERSHIP.match(line) and _carries(wanted, top.split()[1], context.vlan))
        ):
            reasons.append(f"'{line}' under '{top}' changes a port that carries the management session")
    return reasons


def _carries(config: list[ConfigLine], port: str, vlan: int | None) -> bool:
    """Whether *port* is a member of *vlan* in *config* and is not disabled."""
    if vlan is None:
        return False
    interface = next((b for b in config if b.text == f"interface {port}"), None)
    if interface is not None and any(child.text == "disable" for child in interface.children):
        return False
    section = next((b for b in config if b.text == f"vlan {vlan}"), None)
    if section is None:
        return False
    members = [child.text.split(" ", 1)[1] for child in section.children
               if child.text.startswith(("tagged ", "untagged "))]  # fmt: skip
    return any(port in hp_procurve_expand_range(ports) for ports in members)
