"""What each switch should be: its intended configuration, vendor-neutral, from the inventory.

The school's VLAN plan; every access port as its room's, device's or VLAN's access
port (with port security, storm control and PortFast on edge ports), access-point
ports and uplinks as trunks, unused ports shut; the management interface and
gateway; NTP, syslog and SNMPv3 servers; the guest-isolation ACL on guest ports.
Platform templates (``platforms/<name>/running.j2``) turn this into CLI text.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import UsageError
from ..inventory.model import PortAssignment, Switch
from ..inventory.school import LoadedSchool
from ..inventory.topology import management_paths, session_ports

PRIVATE_NETWORKS = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
GUEST_ACL = "GUEST-ISOLATION"


@dataclass(frozen=True)
class VlanIntent:
    id: int
    name: str


@dataclass(frozen=True)
class PortIntent:
    number: int
    kind: Literal["access", "trunk", "unused"]
    description: str | None = None
    vlan: int | None = None  # access VLAN
    allowed: tuple[int, ...] = ()  # trunk VLANs
    native: int | None = None
    edge: bool = False  # PortFast, port security and storm control: a device or room port
    guest: bool = False  # the guest-isolation ACL applies


@dataclass(frozen=True)
class Acl:
    name: str
    remark: str
    source: ipaddress.IPv4Network
    denied: tuple[ipaddress.IPv4Network, ...]


@dataclass(frozen=True)
class SwitchIntent:
    name: str
    school: str
    platform: str
    access_ports: int
    uplink_ports: int
    vlans: tuple[VlanIntent, ...]
    ports: tuple[PortIntent, ...]
    management_vlan: int | None
    management_ip: ipaddress.IPv4Interface | None
    gateway: ipaddress.IPv4Address | None
    ntp_servers: tuple[str, ...] = ()
    syslog_servers: tuple[str, ...] = ()
    snmp: dict[str, Any] = field(default_factory=dict)
    port_security: dict[str, Any] = field(default_factory=dict)
    storm_control_level: float | None = None
    unused_ports: str = "shutdown"
    acl: Acl | None = None
    session_ports: tuple[int, ...] = ()  # ports that carry a management session: to this switch, or through it


def school_intents(school: LoadedSchool, names: Sequence[str] = ()) -> list[SwitchIntent]:
    """The intended configuration of every switch of *school* (or only *names*)."""
    return [switch_intent(school, s) for s, sw in enumerate(school.model.switches) if not names or sw.name in names]


def switch_intent(school: LoadedSchool, index: int) -> SwitchIntent:
    switch = school.model.switches[index]
    settings = school.switch_settings(index)
    policy = settings.get("switch") or {}
    vlans = tuple(sorted((VlanIntent(v.id, name.upper()) for name, v in school.vlans.items() if v.id is not None),
                         key=lambda v: v.id))  # fmt: skip
    ids = {name: v.id for name, v in school.vlans.items() if v.id is not None}
    management = school.vlans.get("management")
    guest = school.vlans.get("guest")
    acl = None
    if policy.get("guest_isolation") and guest is not None and guest.subnet is not None:
        acl = Acl(GUEST_ACL, "guests reach the internet only", guest.subnet,
                  tuple(n for n in PRIVATE_NETWORKS))  # fmt: skip
    ports = _ports(school, switch, ids, policy, guest_id=guest.id if guest else None, has_acl=acl is not None)
    mgmt_ip = None
    if management is not None and management.subnet is not None:
        mgmt_ip = ipaddress.IPv4Interface(f"{switch.mgmt_ip}/{management.subnet.prefixlen}")
    security = policy.get("port_security") or {}
    return SwitchIntent(
        name=switch.name, school=school.code, platform=switch.platform, access_ports=switch.access_ports,
        uplink_ports=switch.uplink_ports, vlans=vlans, ports=ports,
        management_vlan=management.id if management else None, management_ip=mgmt_ip,
        gateway=management.gateway if management else None,
        ntp_servers=tuple(settings.get("ntp_servers") or ()),
        syslog_servers=tuple(settings.get("syslog_servers") or ()),
        snmp=dict(settings.get("snmp") or {}),
        port_security=security if security.get("enabled") else {},
        storm_control_level=(policy.get("storm_control") or {}).get("broadcast_level"),
        unused_ports=policy.get("unused_ports") or "shutdown", acl=acl,
        session_ports=session_ports(management_paths(school.model.switches), switch.name),
    )  # fmt: skip


def _ports(school: LoadedSchool, switch: Switch, ids: dict[str, int], policy: dict[str, Any],
           guest_id: int | None, has_acl: bool) -> tuple[PortIntent, ...]:  # fmt: skip
    by_port: dict[int, PortIntent] = {}
    for assignment in switch.ports:
        for number in assignment.ports:
            by_port[number] = _assigned(school, assignment, number, ids, policy, guest_id, has_acl)
    all_vlans = tuple(sorted(ids.values()))
    for uplink in switch.uplinks:
        allowed = tuple(sorted(ids[v] for v in uplink.vlans)) if uplink.vlans else all_vlans
        by_port[uplink.port] = PortIntent(uplink.port, "trunk", uplink.label[0], allowed=allowed)
    total = switch.access_ports + switch.uplink_ports
    return tuple(by_port.get(n, PortIntent(n, "unused", "unused")) for n in range(1, total + 1))


def _assigned(school: LoadedSchool, assignment: PortAssignment, number: int, ids: dict[str, int],
              policy: dict[str, Any], guest_id: int | None, has_acl: bool) -> PortIntent:  # fmt: skip
    if assignment.access_point:
        names = policy.get("access_point_vlans") or []
        management = ids.get("management")
        allowed = tuple(sorted({ids[n] for n in names if n in ids} | ({management} if management else set())))
        return PortIntent(number, "trunk", assignment.label[0], allowed=allowed, native=management)
    if assignment.room is not None:
        r = next(i for i, room in enumerate(school.model.rooms) if room.name == assignment.room)
        vlan_name, _ = school.room_vlan(r)
    elif assignment.device is not None:
        device = next(d for d in school.devices if d.name == assignment.device)
        vlan_name = device.vlan or school.room_vlan(device.room)[0]
    else:
        vlan_name = assignment.vlan
    if vlan_name is None or vlan_name not in ids:
        raise UsageError(f"port {number}: VLAN {vlan_name!r} has no id", "run 'schooltech check'")
    vlan = ids[vlan_name]
    return PortIntent(number, "access", assignment.label[0], vlan=vlan, edge=True,
                      guest=has_acl and vlan == guest_id)  # fmt: skip
