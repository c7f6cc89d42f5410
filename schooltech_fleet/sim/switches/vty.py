"""Which ``line vty`` range takes an SSH session from a given address, as IOS decides it.

A range takes SSH when its ``transport input`` is absent, or lists ``ssh`` or ``all``, and
its ``access-class NAME in`` (if any) permits the address: a standard or extended ACL of the
running-config, judged on the source address; an ACL that does not exist permits everyone,
as on IOS. The first range that takes the session is the one it lands on. A switch with no
``line vty`` section at all (the emulator's factory default) takes SSH from anywhere.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from schooltech_fleet.sim.switches.acl import permits
from schooltech_fleet.sim.switches.state import SwitchState
from schooltech_fleet.sim.switches.verbatim import VerbatimLine, find

_SSH_TRANSPORTS = ("ssh", "all")


@dataclass(frozen=True)
class VtyAccess:
    """Where an SSH session from one address lands: ``line`` (None: no vty sections), or why it is refused."""

    line: VerbatimLine | None
    refused: str | None = None


def ssh_access(state: SwitchState, source: ipaddress.IPv4Address) -> VtyAccess:
    """The vty range an SSH session from ``source`` lands on, or the reasons every range refuses it."""
    ranges = find(state.verbatim, "line", "vty")
    if not ranges:
        return VtyAccess(None)
    reasons = []
    for vty in ranges:
        reason = _refusal(state, vty, source)
        if reason is None:
            return VtyAccess(vty)
        reasons.append(f"{vty.text}: {reason}")
    return VtyAccess(None, "; ".join(reasons))


def _refusal(state: SwitchState, vty: VerbatimLine, source: ipaddress.IPv4Address) -> str | None:
    for transport in find(vty.children, "transport", "input"):
        protocols = transport.words[2:]
        if not any(protocol in _SSH_TRANSPORTS for protocol in protocols):
            return f"'{transport.text}' does not take SSH"
    for access_class in find(vty.children, "access-class"):
        words = access_class.words
        if words[-1] != "in" or len(words) < 3:
            continue
        acl = state.acls.get(words[1])
        if acl is not None and not permits(acl, source):
            return f"access-class {words[1]} does not permit {source}"
    return None
