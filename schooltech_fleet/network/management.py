"""The management path of one switch, as the push engine must protect it.

schooltech's session reaches a switch over its management VLAN, through the ports named by
the inventory's uplinks (``inventory/topology.py``), to the interface that holds the switch's
management address. A change that removes that address, that VLAN or the default gateway, or
that stops a session port from carrying the VLAN, cuts the session (and a fresh login, which a
restore needs): such changes are *management changes*, refused unless a technician allows
them explicitly. The platforms say how their CLI expresses each of these
(``platforms/<name>/management.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .config_text import ConfigLine


@dataclass(frozen=True)
class ManagementContext:
    """What carries the management session to one switch."""

    vlan: int | None  # the school's management VLAN
    address: str | None  # the switch's management address
    session_ports: tuple[str, ...] = ()  # interfaces that carry a session: to this switch, or through it


def holding(blocks: Iterable[ConfigLine], header: re.Pattern[str], address: str | None) -> set[int]:
    """The numbers (group 1 of *header*) of the sections that hold ``ip address ADDRESS ...`` under them."""
    if address is None:
        return set()
    found = set()
    for block in blocks:
        match = header.match(block.text)
        if match and any(child.text.startswith(f"ip address {address} ") for child in block.children):
            found.add(int(match.group(1)))
    return found


def gateway(blocks: Iterable[ConfigLine]) -> str | None:
    """The ``ip default-gateway`` line of a config, if it has one."""
    return next((block.text for block in blocks if block.text.startswith("ip default-gateway ")), None)
