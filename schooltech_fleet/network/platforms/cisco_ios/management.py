"""How Cisco IOS holds the management path: ``interface VlanN`` with its address; switchports."""

from __future__ import annotations

import re

from ...config_text import ConfigLine
from ...management import ManagementRules, vlan_ids


def carries(config: list[ConfigLine], port: str, vlan: int) -> bool:
    """Whether *port* carries *vlan* in *config* and is not shut."""
    block = next((b for b in config if b.text == f"interface {port}"), None)
    if block is None:
        return False
    children = {child.text for child in block.children}
    if "shutdown" in children:
        return False
    allowed = next((c.removeprefix("switchport trunk allowed vlan ") for c in children
                    if c.startswith("switchport trunk allowed vlan ")), None)  # fmt: skip
    if "switchport mode trunk" in children:
        return allowed is None or vlan in vlan_ids(allowed)
    access = next((int(c.split()[-1]) for c in children if c.startswith("switchport access vlan ")), 1)
    return access == vlan


RULES = ManagementRules(
    section=re.compile(r"^interface Vlan(\d+)$"),
    section_changes=re.compile(r"^(no )?(ip address|shutdown)( |$)"),
    # a session port may change its description, be enabled, change its storm control and PortFast,
    # drop port security, an ACL or its allowed-VLAN list (which then allows every VLAN)
    harmless=re.compile(r"^(no )?(description|storm-control|spanning-tree portfast)( |$)|^no shutdown$"
                        r"|^no (switchport port-security|switchport trunk allowed vlan|ip access-group)( |$)"),
    depends=re.compile(r"^switchport trunk allowed vlan (?:add )?[\d,-]+$"),
    carries=carries,
)
