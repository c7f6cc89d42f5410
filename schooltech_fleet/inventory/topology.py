"""The management path of a school's switches: which port carries schooltech's session to each switch.

schooltech reaches a switch in-band, over the management VLAN: from the router, through
the switches between it and the target, to the target's management interface. The
inventory says how switches connect (``uplinks``); an uplink without ``to`` leads out of
the school's switches, to the router or firewall through which the management network
is reached, and makes its switch a root of the tree.

From the roots outwards, every switch reached through an uplink gets its **upstream
port** (the port its sessions arrive on) and its **parent** (the switch on the other
side, with the parent's port that leads here). These ports must always carry the
management VLAN and never be shut: a change that does so cuts the session.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Switch


@dataclass(frozen=True)
class ManagementPath:
    """How the management session reaches one switch."""

    switch: str
    reached: bool  # False: no chain of uplinks from a root leads here (nothing below is known)
    upstream_port: int | None = None  # the port the session arrives on (None: not declared)
    parent: str | None = None  # the switch the upstream port leads to (None: the router, or not reached)
    parent_port: int | None = None  # the port on the parent that leads here (None: not declared)
    hops: int = 0  # switches between the router and this one

    @property
    def root(self) -> bool:
        return self.reached and self.parent is None


def management_paths(switches: Sequence[Switch]) -> dict[str, ManagementPath]:
    """The management path of every switch of one school, by name."""
    names = {switch.name for switch in switches}
    towards: dict[tuple[str, str], int] = {}  # (switch, neighbour) -> the switch's port facing the neighbour
    neighbours: dict[str, list[str]] = {switch.name: [] for switch in switches}
    paths: dict[str, ManagementPath] = {}
    queue: deque[str] = deque()
    for switch in switches:
        for uplink in switch.uplinks:
            if uplink.to is None:
                if switch.name not in paths:
                    paths[switch.name] = ManagementPath(switch.name, True, uplink.port)
                    queue.append(switch.name)
            elif uplink.to in names:
                towards.setdefault((switch.name, uplink.to), uplink.port)
                for a, b in ((switch.name, uplink.to), (uplink.to, switch.name)):
                    if b not in neighbours[a]:
                        neighbours[a].append(b)
    while queue:
        parent = queue.popleft()
        for child in neighbours[parent]:
            if child in paths:
                continue
            paths[child] = ManagementPath(child, True, towards.get((child, parent)), parent,
                                          towards.get((parent, child)), paths[parent].hops + 1)  # fmt: skip
            queue.append(child)
    return {switch.name: paths.get(switch.name, ManagementPath(switch.name, False)) for switch in switches}


def behind(paths: dict[str, ManagementPath], switch: str) -> tuple[str, ...]:
    """The switches whose management path passes through *switch*, nearest first."""
    children: dict[str, list[str]] = {}
    for path in sorted(paths.values(), key=lambda p: p.hops):
        if path.parent is not None:
            children.setdefault(path.parent, []).append(path.switch)
    found: list[str] = []
    queue = deque(children.get(switch, ()))
    while queue:
        name = queue.popleft()
        found.append(name)
        queue.extend(children.get(name, ()))
    return tuple(found)


def session_ports(paths: dict[str, ManagementPath], switch: str) -> tuple[int, ...]:
    """The ports of *switch* that carry a management session: to itself, or on to the switches behind it."""
    own = paths[switch].upstream_port
    behind = (path.parent_port for path in paths.values() if path.parent == switch)
    return tuple(sorted({port for port in (own, *behind) if port is not None}))
