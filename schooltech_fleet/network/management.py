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

from dataclasses import dataclass


@dataclass(frozen=True)
class ManagementContext:
    """What carries the management session to one switch."""

    vlan: int | None  # the school's management VLAN
    address: str | None  # the switch's management address
    session_ports: tuple[str, ...] = ()  # interfaces that carry a session: to this switch, or through it
