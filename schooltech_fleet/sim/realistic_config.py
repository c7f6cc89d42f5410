"""The running-config of a school switch that has been in service for years, for the simulated school.

Written with the simulation's own template, never the engine's renderer: the VLANs and ports
come from the vendor-neutral ``switch_intent``, laid out as IOS 15.2 shows them, with

* a little deterministic drift (seeded by the switch name): one port's description and
  another's access VLAN differ, an old NTP server is still configured, a VLAN the inventory
  does not have is still defined, storm control is missing on a few edge ports;
* everything a school switch has that schooltech does not manage: a local admin user, the
  simulation's service account, ``enable secret``, AAA with TACACS+ and local fallback, a
  ``tacacs server`` with its key, vty lines limited to the management subnet and to SSH,
  SSH version 2, a domain name, an SNMP community and v3 user, rapid PVST+, a banner,
  logging, authenticated NTP, ``service password-encryption``, per-port extras (BPDU guard,
  PoE off on PC ports, a voice VLAN on staff ports, DHCP snooping trust on trunks) and an
  ``archive`` section;
* on the school's core switch (the root of the uplink tree): ``ip routing``, an SVI with an
  address (the VLAN's gateway) and a DHCP helper per user VLAN, and a static default route.
"""

from __future__ import annotations

import hashlib
import ipaddress
import random
from collections.abc import Iterator
from dataclasses import dataclass

from ..network.intent import PortIntent, SwitchIntent
from .switches.cli_args import format_vlan_list
from .switches.ios_passwords import md5_crypt, type7_encode
from .switches.spec import catalyst_interfaces

VOICE_VLAN = 40
TACACS_SERVER_HOST = 30  # host number of the TACACS+ server in the management subnet
DHCP_SERVER_HOST = 10  # host number of the DHCP server the SVIs relay to
OLD_NTP_HOST = 123  # host number of the NTP server the school used before
LEFTOVER_VLAN = (998, "OLD-CCTV")
DRIFTED_EDGE_PORTS = 3  # at most this many edge ports lack storm control (one in four)


@dataclass(frozen=True)
class CanarySecrets:
    """The plaintext secrets the simulated configs hold; each contains ``CANARY`` so leaks can be found."""

    enable_secret: str
    admin_password: str
    snmp_community: str
    snmp_auth_password: str
    snmp_priv_password: str
    tacacs_key: str
    ntp_key: str


@dataclass(frozen=True)
class SchoolSwitch:
    """What the template needs besides the intent: who the switch is in its school."""

    intent: SwitchIntent
    school_name: str
    core: bool
    service_secret: str  # type 5 hash of the simulation's service account password
    subnets: dict[int, ipaddress.IPv4Network]  # VLAN id -> subnet
    gateways: dict[int, ipaddress.IPv4Address]  # VLAN id -> gateway
    dns_servers: tuple[str, ...] = ()


def realistic_config(switch: SchoolSwitch, canaries: CanarySecrets) -> str:
    """The full running-config text (``!`` ... ``end``)."""
    return "\n".join(_lines(switch, canaries, random.Random(_seed(switch.intent.name)))) + "\n"


def _seed(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")


def _lines(switch: SchoolSwitch, canaries: CanarySecrets, rng: random.Random) -> Iterator[str]:
    intent = switch.intent
    user_vlans = [vlan.id for vlan in intent.vlans if vlan.id != intent.management_vlan]
    yield from _head(switch, canaries)
    yield from _global(switch, user_vlans)
    known = {vlan.id for vlan in intent.vlans}
    leftover = [] if LEFTOVER_VLAN[0] in known else [LEFTOVER_VLAN]
    for vlan_id, name in sorted([*((vlan.id, vlan.name) for vlan in intent.vlans if vlan.id != 1), *leftover]):
        yield from (f"vlan {vlan_id}", f" name {name}", "!")  # VLAN 1 is never shown (nor renamed)
    yield from ("lldp run", "!", "ip ssh version 2", "ip ssh time-out 60", "ip ssh authentication-retries 3", "!")
    yield from _ports(intent, rng, known)
    if intent.management_vlan != 1:
        yield from ("interface Vlan1", " no ip address", " shutdown", "!")
    yield from _svis(switch, user_vlans)
    if intent.gateway:
        yield f"ip default-gateway {intent.gateway}"
    yield from ("ip forward-protocol nd", "no ip http server", "no ip http secure-server")
    if switch.core and intent.gateway:
        yield f"ip route 0.0.0.0 0.0.0.0 {intent.gateway}"
    yield "!"
    yield from _acls(intent)
    yield from _management_services(switch, canaries)


def _head(switch: SchoolSwitch, canaries: CanarySecrets) -> Iterator[str]:
    """From ``version`` to the clock: services, enable secret, users, AAA."""
    yield from ("!", "version 15.2", "no service pad", "service timestamps debug datetime msec",
                "service timestamps log datetime msec", "service password-encryption", "!",
                f"hostname {switch.intent.name}", "!", "boot-start-marker", "boot-end-marker", "!",
                f"enable secret 5 {md5_crypt(canaries.enable_secret)}", "!",
                f"username admin privilege 15 secret 5 {md5_crypt(canaries.admin_password)}",
                f"username schooltech privilege 15 secret 5 {switch.service_secret}",
                "aaa new-model", "!", "aaa group server tacacs+ SCHOOL-TACACS", " server name TAC1", "!",
                "aaa authentication login default group SCHOOL-TACACS local",
                "aaa authorization exec default group SCHOOL-TACACS local", "aaa session-id common",
                "clock timezone GMT 0 0", "clock summer-time BST recurring last Sun Mar 1:00 last Sun Oct 2:00",
                "!")  # fmt: skip


def _global(switch: SchoolSwitch, user_vlans: list[int]) -> Iterator[str]:
    """Routing, DHCP snooping, DNS, VTP, login hardening, archive, spanning tree."""
    if switch.core:
        yield "ip routing"
    if user_vlans:
        yield f"ip dhcp snooping vlan {','.join(map(str, user_vlans))}"
        yield "ip dhcp snooping"
    yield from ("no ip domain-lookup", f"ip domain-name {switch.intent.school.lower()}.sch.example")
    if switch.dns_servers:
        yield f"ip name-server {' '.join(switch.dns_servers)}"
    yield from ("vtp mode transparent", "login block-for 120 attempts 5 within 60", "login on-failure log",
                "login on-success log", "!", "archive", " log config", "  logging enable", "  hidekeys",
                " path flash:archive/$h", " maximum 5", "!", "spanning-tree mode rapid-pvst",
                "spanning-tree extend system-id")  # fmt: skip
    if switch.core:
        yield "spanning-tree vlan 1-4094 priority 24576"
    yield from ("!", "errdisable recovery cause bpduguard", "errdisable recovery interval 300", "!",
                "vlan internal allocation policy ascending", "!")  # fmt: skip


def _acls(intent: SwitchIntent) -> Iterator[str]:
    """The vty ACL (the management subnet) and the guest-isolation ACL of the intent."""
    if intent.management_ip is not None:
        network = intent.management_ip.network
        yield from ("ip access-list standard MGMT-SSH", f" permit {network.network_address} {network.hostmask}",
                    " deny   any log", "!")  # fmt: skip
    if intent.acl:
        yield from (f"ip access-list extended {intent.acl.name}", f" remark {intent.acl.remark}")
        source = f"{intent.acl.source.network_address} {intent.acl.source.hostmask}"
        yield from (f" deny   ip {source} {net.network_address} {net.hostmask}" for net in intent.acl.denied)
        yield from (" permit ip any any", "!")


def _management_services(switch: SchoolSwitch, canaries: CanarySecrets) -> Iterator[str]:
    """Logging, SNMP, TACACS+, banner, console and vty lines, NTP."""
    intent = switch.intent
    management = intent.management_vlan
    mgmt_net = intent.management_ip.network if intent.management_ip else None
    yield from ("logging buffered 16384", "logging trap informational")
    if management is not None:
        yield f"logging source-interface Vlan{management}"
    yield from (f"logging host {server}" for server in intent.syslog_servers)
    yield from _snmp(intent, canaries)
    yield "!"
    if mgmt_net is not None:
        yield from ("tacacs server TAC1", f" address ipv4 {mgmt_net.network_address + TACACS_SERVER_HOST}",
                    f" key 7 {type7_encode(canaries.tacacs_key)}", "!")  # fmt: skip
    yield from ("banner motd ^C", f"{switch.school_name}: authorised school IT staff only.",
                "All access is logged. Disconnect now if you are not authorised.", "^C", "!")  # fmt: skip
    yield from ("line con 0", " exec-timeout 15 0", " logging synchronous", "line vty 0 4",
                " access-class MGMT-SSH in", " exec-timeout 15 0", " logging synchronous", " transport input ssh",
                "line vty 5 15", " access-class MGMT-SSH in", " exec-timeout 15 0", " transport input ssh",
                "!")  # fmt: skip
    yield from (f"ntp authentication-key 1 md5 {type7_encode(canaries.ntp_key)} 7", "ntp authenticate",
                "ntp trusted-key 1")  # fmt: skip
    if management is not None:
        yield f"ntp source Vlan{management}"
    if mgmt_net is not None:
        yield f"ntp server {mgmt_net.network_address + OLD_NTP_HOST}"
    yield from (f"ntp server {server}" for server in intent.ntp_servers)
    yield "end"


def _ports(intent: SwitchIntent, rng: random.Random, known: set[int]) -> Iterator[str]:
    edge = [port.number for port in intent.ports if port.edge]
    without_storm_control = set(rng.sample(edge, min(DRIFTED_EDGE_PORTS, max(1, len(edge) // 4), len(edge))))
    renamed = rng.choice(edge) if edge else None
    moved = rng.choice([n for n in edge if n != renamed] or [0])
    other_vlans = sorted(known - {intent.management_vlan})
    names = catalyst_interfaces(intent.access_ports, intent.uplink_ports)
    for port in intent.ports:
        yield f"interface {names[port.number - 1]}"
        if port.kind == "access":
            yield from _access_port(intent, port, renamed=port.number == renamed,
                                    moved_to=_other(other_vlans, port.vlan, rng) if port.number == moved else None,
                                    storm=port.number not in without_storm_control)  # fmt: skip
        elif port.kind == "trunk":
            yield f" description {port.description}" if port.description else " description trunk"
            if port.native:
                yield f" switchport trunk native vlan {port.native}"
            allowed = format_vlan_list(port.allowed) or "none"
            yield from (f" switchport trunk allowed vlan {allowed}", " switchport mode trunk",
                        " ip dhcp snooping trust")  # fmt: skip
        else:
            yield from (f" description {port.description or 'unused'}", " switchport mode access")
            if intent.unused_ports == "shutdown":
                yield " shutdown"
        yield "!"


def _access_port(intent: SwitchIntent, port: PortIntent, *, renamed: bool, moved_to: int | None,
                 storm: bool) -> Iterator[str]:  # fmt: skip
    description = "old desk - do not use" if renamed else port.description
    if description:
        yield f" description {description}"
    yield from (f" switchport access vlan {moved_to or port.vlan}", " switchport mode access")
    staff = any(vlan.name == "STAFF" and vlan.id == port.vlan for vlan in intent.vlans)
    if staff and any(vlan.id == VOICE_VLAN for vlan in intent.vlans):
        yield f" switchport voice vlan {VOICE_VLAN}"
    security = intent.port_security
    if port.edge and security:
        if security.get("maximum") and security["maximum"] > 1:
            yield f" switchport port-security maximum {security['maximum']}"
        if security.get("violation") and security["violation"] != "shutdown":
            yield f" switchport port-security violation {security['violation']}"
        yield " switchport port-security aging time 2"
        yield " switchport port-security"
    if port.guest and intent.acl:
        yield f" ip access-group {intent.acl.name} in"
    if port.edge and storm and intent.storm_control_level:
        yield f" storm-control broadcast level {intent.storm_control_level:.2f}"
    if port.edge:
        yield " power inline never"
        yield from (" spanning-tree portfast", " spanning-tree bpduguard enable")


def _svis(switch: SchoolSwitch, user_vlans: list[int]) -> Iterator[str]:
    intent = switch.intent
    if switch.core:
        helper = None
        if intent.management_ip is not None:
            helper = intent.management_ip.network.network_address + DHCP_SERVER_HOST
        for vlan in user_vlans:
            gateway, subnet = switch.gateways.get(vlan), switch.subnets.get(vlan)
            if gateway is None or subnet is None:
                continue
            name = next(v.name for v in intent.vlans if v.id == vlan)
            yield from (f"interface Vlan{vlan}", f" description {name.lower()} gateway",
                        f" ip address {gateway} {subnet.netmask}")  # fmt: skip
            if helper is not None:
                yield f" ip helper-address {helper}"
            yield from (" no ip redirects", "!")
    if intent.management_ip is not None and intent.management_vlan is not None:
        yield from (f"interface Vlan{intent.management_vlan}", " description management",
                    f" ip address {intent.management_ip.ip} {intent.management_ip.netmask}", " no ip redirects",
                    "!")  # fmt: skip


def _snmp(intent: SwitchIntent, canaries: CanarySecrets) -> Iterator[str]:
    snmp = intent.snmp
    if snmp.get("group"):
        yield f"snmp-server group {snmp['group']} v3 priv"
    yield f"snmp-server community {canaries.snmp_community} RO MGMT-SSH"
    if snmp.get("location"):
        yield f"snmp-server location {snmp['location']}"
    if snmp.get("contact"):
        yield f"snmp-server contact {snmp['contact']}"
    yield "snmp-server enable traps snmp linkdown linkup coldstart"
    if snmp.get("user") and snmp.get("group"):
        yield (f"snmp-server user {snmp['user']} {snmp['group']} v3 auth sha {canaries.snmp_auth_password} "
               f"priv aes 128 {canaries.snmp_priv_password}")  # fmt: skip
        yield from (f"snmp-server host {server} version 3 priv {snmp['user']}" for server in snmp.get("servers") or ())


def _other(vlans: list[int], current: int | None, rng: random.Random) -> int | None:
    choices = [vlan for vlan in vlans if vlan != current]
    return rng.choice(choices) if choices else None
