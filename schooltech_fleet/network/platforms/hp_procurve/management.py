"""How ArubaOS-Switch holds the management path: ``vlan N`` with its address and its member ports.

Ports belong to VLANs here (``vlan 99`` / ``tagged 9``), and hier_config reads that membership
into the interfaces (``interface 9`` / ``tagged vlan 99``): a session port keeps its session
while the intended config still has it in the management VLAN.
"""

from __future__ import annotations

import re

from hier_config.platforms.hp_procurve.functions import hp_procurve_expand_range

from ...config_text import ConfigLine
from ...management import ManagementRules


def carries(config: list[ConfigLine], port: str, vlan: int) -> bool:
    """Whether *port* is a member of *vlan* in *config* and is not disabled."""
    interface = next((b for b in config if b.text == f"interface {port}"), None)
    if interface is not None and any(child.text == "disable" for child in interface.children):
        return False
    section = next((b for b in config if b.text == f"vlan {vlan}"), None)
    if section is None:
        return False
    members = [child.text.split(" ", 1)[1] for child in section.children
               if child.text.startswith(("tagged ", "untagged "))]  # fmt: skip
    return any(port in hp_procurve_expand_range(ports) for ports in members)


RULES = ManagementRules(
    section=re.compile(r"^vlan (\d+)$"),
    section_changes=re.compile(r"^(no )?ip address( |$)"),
    harmless=re.compile(r"^(no )?(name|broadcast-limit)( |$)|^enable$|^no ip access-group "),
    depends=re.compile(r"^(no )?(un)?tagged vlan \d+$"),
    carries=carries,
)
