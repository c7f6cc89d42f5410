"""Render a ``SwitchState`` as IOS 15.2 (Catalyst) prints it: running-config and ``show vlan``."""

from __future__ import annotations

from collections.abc import Iterator

from schooltech_fleet.sim.switches.acl import display_entry
from schooltech_fleet.sim.switches.allowlist import SECTIONS
from schooltech_fleet.sim.switches.cli_args import format_vlan_list
from schooltech_fleet.sim.switches.state import SwitchPort, SwitchState, VlanInterface
from schooltech_fleet.sim.switches.verbatim import VerbatimLine

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
    kept = sorted(state.verbatim, key=lambda line: line.order)
    yield from ("!", f"version {IOS_VERSION}")
    yield from _kept(kept, 0, 2, separate=False)
    yield from ("!", f"hostname {state.hostname}", "!")
    for low, high in ((2, 4), (4, 5), (5, 7), (7, 8), (8, 9), (9, 10), (10, 11), (11, 12), (12, 13)):
        yield from _kept(kept, low, high)
    yield from _vlan_lines(state)
    for low, high in ((13, 14), (14, 15), (15, 16)):
        yield from _kept(kept, low, high)
    for port in state.ports.values():
        yield from port_lines(port)
        yield "!"
    for vlan_id in sorted(state.svis):
        yield from svi_lines(state.svis[vlan_id])
        yield "!"
    if state.default_gateway:
        yield f"ip default-gateway {state.default_gateway}"
    yield from _kept(kept, 16, 18, separate=False)
    yield "!"
    for kind in ("standard", "extended"):
        for acl in (acl for acl in state.acls.values() if acl.kind == kind and not acl.numbered):
            yield f"ip access-list {kind} {acl.name}"
            yield from (" " + display_entry(entry.text) for entry in acl.entries)
            yield "!"
    yield from _kept(kept, 18, 21, separate=False)
    yield from (f"logging host {host}" for host in state.logging_hosts)
    for acl in (acl for acl in state.acls.values() if acl.numbered):
        yield from (f"access-list {acl.name} {display_entry(entry.text)}" for entry in acl.entries)
    yield from _snmp_lines(state, kept)
    yield "!"
    yield from _kept(kept, 23, 24)
    for kind in ("login", "motd"):
        if kind in state.banners:
            yield f"banner {kind} {BANNER_DELIMITER}{state.banners[kind]}{BANNER_DELIMITER}"
    yield "!"
    yield from _kept(kept, 24, 26)
    yield from _kept(kept, 26, 27, separate=False)
    for server, prefer in state.ntp_servers.items():
        yield f"ntp server {server}" + (" prefer" if prefer else "")
    yield from _kept(kept, 27, 1000, separate=False)
    yield "end"


def _kept(lines: list[VerbatimLine], low: float, high: float, *, separate: bool = True) -> Iterator[str]:
    """Kept lines with ``low <= order < high``; sections are followed by ``!`` (``line`` sections as a group).

    With ``separate`` a ``!`` closes the block, as between IOS's NVGEN blocks.
    """
    block = [line for line in lines if low <= line.order < high]
    last = ""
    for line in block:
        yield from line.lines()
        last = line.text
        if line.section is not None and SECTIONS[line.section].separated:
            last = "!"
            yield "!"
    if block and separate and last != "!":
        yield "!"


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
    """``interface NAME`` and its settings, in the order IOS prints them (kept lines by their order)."""
    lines: list[tuple[float, str]] = []
    if port.description is not None:
        lines.append((10, f" description {port.description}"))
    if port.access_vlan not in (None, 1):
        lines.append((20, f" switchport access vlan {port.access_vlan}"))
    if port.native_vlan not in (None, 1):
        lines.append((21, f" switchport trunk native vlan {port.native_vlan}"))
    if port.allowed_vlans is not None:
        allowed = format_vlan_list(port.allowed_vlans) if port.allowed_vlans else "none"
        lines.append((22, f" switchport trunk allowed vlan {allowed}"))
    if port.mode is not None:
        lines.append((23, f" switchport mode {port.mode}"))
    if port.nonegotiate:
        lines.append((24, " switchport nonegotiate"))
    security = port.port_security
    if security.maximum is not None:
        lines.append((31, f" switchport port-security maximum {security.maximum}"))
    if security.violation is not None:
        lines.append((32, f" switchport port-security violation {security.violation}"))
    if security.sticky:
        lines.append((33, " switchport port-security mac-address sticky"))
    if security.enabled:
        lines.append((35, " switchport port-security"))
    if port.access_group_in:
        lines.append((40, f" ip access-group {port.access_group_in} in"))
    if port.shutdown:
        lines.append((50, " shutdown"))
    for traffic in ("broadcast", "multicast", "unicast"):
        if traffic in port.storm_control:
            lines.append((60, f" storm-control {traffic} level {port.storm_control[traffic]}"))
    if port.storm_control_action:
        lines.append((61, f" storm-control action {port.storm_control_action}"))
    if port.portfast is not None:
        lines.append((80, " spanning-tree portfast" + (f" {port.portfast}" if port.portfast else "")))
    if port.bpduguard:
        lines.append((81, " spanning-tree bpduguard enable"))
    return [f"interface {port.name}", *_merged(lines, port.verbatim)]


def svi_lines(svi: VlanInterface) -> list[str]:
    """``interface VlanN``: secondary addresses are printed before the primary, as IOS does."""
    lines: list[tuple[float, str]] = []
    if svi.description is not None:
        lines.append((10, f" description {svi.description}"))
    if svi.addresses:
        primary, *secondaries = svi.addresses
        lines += [(20, f" ip address {ip.ip} {ip.netmask} secondary") for ip in secondaries]
        lines.append((20, f" ip address {primary.ip} {primary.netmask}"))
    else:
        lines.append((20, " no ip address"))
    if svi.access_group_in:
        lines.append((30, f" ip access-group {svi.access_group_in} in"))
    if svi.access_group_out:
        lines.append((31, f" ip access-group {svi.access_group_out} out"))
    if svi.shutdown:
        lines.append((50, " shutdown"))
    return [f"interface {svi.name}", *_merged(lines, svi.verbatim)]


def _merged(modelled: list[tuple[float, str]], kept: list[VerbatimLine]) -> list[str]:
    """Modelled and kept interface lines in display order (a stable sort: equal orders keep their order)."""
    lines = modelled + [(line.order, " " + line.text) for line in kept]
    return [text for _, text in sorted(lines, key=lambda pair: pair[0])]


def _snmp_lines(state: SwitchState, kept: list[VerbatimLine]) -> Iterator[str]:
    """Modelled and kept ``snmp-server`` lines: engineID, groups, communities and views, location,
    contact, ``enable traps``, hosts."""
    snmp = state.snmp
    yield from _kept(kept, 22.0, 22.15, separate=False)
    yield from (f"snmp-server group {group}" for group in snmp.groups)
    yield from _kept(kept, 22.15, 22.3, separate=False)
    if snmp.location is not None:
        yield f"snmp-server location {snmp.location}"
    if snmp.contact is not None:
        yield f"snmp-server contact {snmp.contact}"
    yield from _kept(kept, 22.3, 23, separate=False)
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
