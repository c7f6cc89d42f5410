"""How a Cisco IOS change can cut the management session, read from the commands themselves."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ...config_text import ConfigLine
from ...management import ManagementContext, gateway, holding

_SVI = re.compile(r"^interface Vlan(\d+)$")
_ALLOWED = re.compile(r"^switchport trunk allowed vlan (?:add )?([\d,-]+)$")
# What a session port may change without risk: its description, being enabled, its storm control and
# PortFast, dropping port security, an ACL or its allowed-VLAN list (which then allows every VLAN)
_HARMLESS = re.compile(
    r"^(no )?(description|storm-control|spanning-tree portfast)( |$)|^no shutdown$"
    r"|^no (switchport port-security|switchport trunk allowed vlan|ip access-group)( |$)"
)
_SVI_CHANGES = re.compile(r"^(no )?(ip address|shutdown)( |$)")


def session_vlans(running: Iterable[ConfigLine], address: str | None) -> set[int]:
    """The VLANs whose interface holds *address* in *running*."""
    return holding(running, _SVI, address)


def changes(commands: Sequence[tuple[str, ...]], running: list[ConfigLine], wanted: list[ConfigLine],
            context: ManagementContext) -> list[str]:  # fmt: skip
    """Why *commands* (each as its lineage) would touch the management path, one reason per command."""
    vlans = session_vlans(running, context.address) | ({context.vlan} if context.vlan else set())
    current_gateway = gateway(running)
    reasons = []
    for lineage in commands:
        top, line = lineage[0], lineage[-1]
        svi = _SVI.match(top.removeprefix("no "))
        if len(lineage) == 1:
            if top.startswith("no vlan ") and context.vlan in _vlans(top.removeprefix("no vlan ")):
                reasons.append(f"'{top}' removes the management VLAN {context.vlan}")
            elif svi and top.startswith("no ") and int(svi.group(1)) in vlans:
                reasons.append(f"'{top}' removes the interface that holds the management address")
            elif (top.startswith("ip default-gateway ") and current_gateway) or top.startswith("no ip default-gateway"):
                reasons.append(f"'{top}' changes the default gateway ({current_gateway})")
        elif svi and int(svi.group(1)) in vlans and _SVI_CHANGES.match(line):
            reasons.append(f"'{line}' under '{top}' changes the management interface")
        elif top.removeprefix("interface ") in context.session_ports and not _harmless(line, top, wanted, context):
            reasons.append(f"'{line}' under '{top}' changes a port that carries the management session")
    return reasons


def _harmless(line: str, interface: str, wanted: list[ConfigLine], context: ManagementContext) -> bool:
    if _HARMLESS.match(line):
        return True
    allowed = _ALLOWED.match(line)
    return bool(allowed) and context.vlan is not None and _carries(wanted, interface, context.vlan)


def _carries(config: list[ConfigLine], interface: str, vlan: int) -> bool:
    """Whether *interface* carries *vlan* in *config* and is not shut."""
    block = next((b for b in config if b.text == interface), None)
    if block is None:
        return False
    children = {child.text for child in block.children}
    if "shutdown" in children:
        return False
    allowed = next((c.removeprefix("switchport trunk allowed vlan ") for c in children
                    if c.startswith("switchport trunk allowed vlan ")), None)  # fmt: skip
    if "switchport mode trunk" in children:
        return allowed is None or vlan in _vlans(allowed)
    access = next((int(c.split()[-1]) for c in children if c.startswith("switchport access vlan ")), 1)
    return access == vlan


def _vlans(text: str) -> set[int]:
    """``10,20,30-32`` as a set of VLAN ids (``all`` and keywords give nothing)."""
    found: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            found.update(range(int(low), int(high or low) + 1))
    return found
