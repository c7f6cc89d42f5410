"""Render a ``SwitchState`` as IOS 15.2 (Catalyst) prints it: running-config and ``show vlan``."""

from __future__ import annotations

from collections.abc import Iterator

from schooltech_fleet.sim.switches.acl import display_entry
from schooltech_fleet.sim.switches.cli_args import format_vlan_list
from schooltech_fleet.sim.switches.state import SwitchPort, SwitchState, VlanInterface

IOS_VERSION = "15.2"
BANNER_DELIMITER = "^C"
RESERVED_VLANS = (
    (1002, "fddi-default"),
    (1003, "token-ring-default"),
    (1004, "fddinet-default"),
    (1005, "trnet-default"),
)


def running_config(state: SwitchState) -> str:
    """The configuration text, from the first ``!`` to ``end`` (as stored by ``write memory``)."""
    return "\n".join(_running_config_lines(state)) + "\n"


def show_running_config(state: SwitchState) -> list[str]:
    """The full ``show running-config`` output, header included."""
    return _with_header(running_config(state))


def show_running_interface(state: SwitchState, name: str) -> list[str]:
    """``show running-config interface NAME`` output."""
    port = state.ports.get(name)
    section = port_lines(port) if port else svi_lines(state.svis[int(name[len("Vlan") :])])
    return _with_header("\n".join(["!", *section, "end", ""]))


def _with_header(config: str) -> list[str]:
    return [
        "Building configuration...",
        "",
        f"Current configuration : {len(config)} bytes",
        *config.splitlines(),
        "",
    ]


def _running_config_lines(state: SwitchState) -> Iterator[str]:
    yield from ("!", f"version {IOS_VERSION}", "!", f"hostname {state.hostname}", "!")
    yield from _vlan_lines(state)
    for port in state.ports.values():
        yield from port_lines(port)
        yield "!"
    for vlan_id in sorted(state.svis):
        yield from svi_lines(state.svis[vlan_id])
        yield "!"
    if state.default_gateway:
        yield f"ip default-gateway {state.default_gateway}"
    yield "!"
    for acl in state.acls.values():
        yield f"ip access-list extended {acl.name}"
        yield from (" " + display_entry(entry.text) for entry in acl.entries)
        yield "!"
    yield from (f"logging host {host}" for host in state.logging_hosts)
    yield from _snmp_lines(state)
    yield "!"
    for kind in ("login", "motd"):
        if kind in state.banners:
            yield f"banner {kind} {BANNER_DELIMITER}{state.banners[kind]}{BANNER_DELIMITER}"
    yield "!"
    for server, prefer in state.ntp_servers.items():
        yield f"ntp server {server}" + (" prefer" if prefer else "")
    yield "end"


def _vlan_lines(state: SwitchState) -> Iterator[str]:
    """Named VLANs one block each; runs of unnamed VLANs collapsed like ``vlan 20-22,30``."""
    unnamed: list[int] = []
    for vlan_id in sorted(state.vlans):
        name = state.vlans[vlan_id]
        if name is None:
            unnamed.append(vlan_id)
            continue
        if unnamed:
            yield from (f"vlan {format_vlan_list(unnamed)}", "!")
            unnamed = []
        yield from (f"vlan {vlan_id}", f" name {name}", "!")
    if unnamed:
        yield from (f"vlan {format_vlan_list(unnamed)}", "!")


def port_lines(port: SwitchPort) -> list[str]:
    """``interface NAME`` and its settings, in the order IOS prints them."""
    lines = [f"interface {port.name}"]
    if port.description is not None:
        lines.append(f" description {port.description}")
    if port.access_vlan not in (None, 1):
        lines.append(f" switchport access vlan {port.access_vlan}")
    if port.native_vlan not in (None, 1):
        lines.append(f" switchport trunk native vlan {port.native_vlan}")
    if port.allowed_vlans is not None:
        allowed = format_vlan_list(port.allowed_vlans) if port.allowed_vlans else "none"
        lines.append(f" switchport trunk allowed vlan {allowed}")
    if port.mode is not None:
        lines.append(f" switchport mode {port.mode}")
    if port.nonegotiate:
        lines.append(" switchport nonegotiate")
    security = port.port_security
    if security.maximum is not None:
        lines.append(f" switchport port-security maximum {security.maximum}")
    if security.violation is not None:
        lines.append(f" switchport port-security violation {security.violation}")
    if security.sticky:
        lines.append(" switchport port-security mac-address sticky")
    if security.enabled:
        lines.append(" switchport port-security")
    if port.access_group_in:
        lines.append(f" ip access-group {port.access_group_in} in")
    if port.shutdown:
        lines.append(" shutdown")
    for traffic in ("broadcast", "multicast", "unicast"):
        if traffic in port.storm_control:
            lines.append(f" storm-control {traffic} level {port.storm_control[traffic]}")
    if port.storm_control_action:
        lines.append(f" storm-control action {port.storm_control_action}")
    if port.portfast is not None:
        lines.append(" spanning-tree portfast" + (f" {port.portfast}" if port.portfast else ""))
    if port.bpduguard:
        lines.append(" spanning-tree bpduguard enable")
    return lines


def svi_lines(svi: VlanInterface) -> list[str]:
    """``interface VlanN``: secondary addresses are printed before the primary, as IOS does."""
    lines = [f"interface {svi.name}"]
    if svi.description is not None:
        lines.append(f" description {svi.description}")
    if svi.addresses:
        primary, *secondaries = svi.addresses
        lines += [f" ip address {ip.ip} {ip.netmask} secondary" for ip in secondaries]
        lines.append(f" ip address {primary.ip} {primary.netmask}")
    else:
        lines.append(" no ip address")
    if svi.access_group_in:
        lines.append(f" ip access-group {svi.access_group_in} in")
    if svi.access_group_out:
        lines.append(f" ip access-group {svi.access_group_out} out")
    if svi.shutdown:
        lines.append(" shutdown")
    return lines


def _snmp_lines(state: SwitchState) -> Iterator[str]:
    snmp = state.snmp
    yield from (f"snmp-server group {group}" for group in snmp.groups)
    if snmp.location is not None:
        yield f"snmp-server location {snmp.location}"
    if snmp.contact is not None:
        yield f"snmp-server contact {snmp.contact}"
    yield from (f"snmp-server host {host}" for host in snmp.hosts)


def show_vlan_brief(state: SwitchState) -> list[str]:
    """``show vlan brief``: access-mode (non-trunk) ports listed under their access VLAN."""
    lines = [
        "",
        "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- -------------------------------",
    ]
    members: dict[int, list[str]] = {}
    for port in state.ports.values():
        if port.mode != "trunk":
            members.setdefault(port.access_vlan or 1, []).append(_short_name(port.name))
    vlans = [(1, "default"), *((vid, name or f"VLAN{vid:04d}") for vid, name in sorted(state.vlans.items()))]
    for vlan_id, name in vlans:
        rows = _wrap_ports(members.get(vlan_id, [])) or [""]
        lines.append(f"{vlan_id:<4} {name:<32} {'active':<9} {rows[0]}".rstrip())
        lines += [" " * 48 + row for row in rows[1:]]
    lines += [f"{vlan_id:<4} {name:<32} act/unsup" for vlan_id, name in RESERVED_VLANS]
    return lines


def _wrap_ports(ports: list[str], width: int = 31) -> list[str]:
    rows: list[str] = []
    current = ""
    for port in ports:
        candidate = f"{current}, {port}" if current else port
        if len(candidate) > width and current:
            rows.append(current)
            candidate = port
        current = candidate
    if current:
        rows.append(current)
    return rows


def _short_name(name: str) -> str:
    """``GigabitEthernet1/0/1`` -> ``Gi1/0/1``, ``TenGigabitEthernet1/1/1`` -> ``Te1/1/1``."""
    digits = next(index for index, char in enumerate(name) if char.isdigit())
    return name[:2] + name[digits:]
