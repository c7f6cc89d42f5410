"""Interface configuration mode ``(config-if)#`` for switch ports and for ``interface VlanN``."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from fake_switches.cisco.command_processor.config_interface import ConfigInterfaceCommandProcessor

from schooltech_fleet.sim.switches.allowlist import PORT, SVI
from schooltech_fleet.sim.switches.cli_args import MAX_VLAN, MIN_VLAN, Args
from schooltech_fleet.sim.switches.cli_errors import CommandRejected
from schooltech_fleet.sim.switches.config_verbatim import VerbatimFallback
from schooltech_fleet.sim.switches.modes_base import ConfigSubMode
from schooltech_fleet.sim.switches.state import DEFAULT_VLAN, SwitchPort, VlanInterface
from schooltech_fleet.sim.switches.verbatim import KeywordTable, VerbatimLine

_LEVEL = re.compile(r"^\d{1,3}(\.\d{1,2})?$")
_ALL_VLANS = list(range(MIN_VLAN, MAX_VLAN + 1))
MAX_PORT_SECURITY_ADDRESSES = 4097
PORTFAST_WARNING = (
    "%Warning: portfast should only be enabled on ports connected to a single\n"
    " host. Connecting hubs, concentrators, switches, bridges, etc... to this\n"
    " interface  when portfast is enabled, can cause temporary bridging loops.\n"
    " Use with CAUTION\n"
)


def reset_port(port: SwitchPort) -> None:
    """``default interface``: every setting back to the factory default."""
    fresh = SwitchPort(port.name)
    for field_name, value in vars(fresh).items():
        setattr(port, field_name, value)


class InterfaceMode(VerbatimFallback, ConfigSubMode, ConfigInterfaceCommandProcessor):  # type: ignore[misc]
    """What switch ports and SVIs share: ``description``, ``shutdown``, lines kept verbatim."""

    mode_name = "config-if"

    interface: SwitchPort | VlanInterface

    def init(self, *args: Any) -> None:
        super().init(*args)
        self.interface = self.port

    def verbatim_lines(self) -> list[VerbatimLine]:
        return self.interface.verbatim

    def cmd_description(self, args: Args, negated: bool) -> None:
        """``description TEXT`` (the rest of the line, as typed)."""
        if negated:
            args.remaining()
            self.interface.description = None
        else:
            self.interface.description = args.rest()

    def cmd_shutdown(self, args: Args, negated: bool) -> None:
        """``[no] shutdown``."""
        args.end()
        self.interface.shutdown = not negated


class PortMode(InterfaceMode):
    """A physical switch port: switchport, port-security, storm-control, spanning-tree, PACL.

    Other lines of ``allowlist.PORT`` are kept verbatim.
    """

    keywords = ("description", "exit", "ip", "shutdown", "spanning-tree", "storm-control", "switchport")
    no_keywords = ("description", "ip", "shutdown", "spanning-tree", "storm-control", "switchport")
    verbatim_table = KeywordTable(PORT)

    @property
    def switch_port(self) -> SwitchPort:
        """The port being configured."""
        assert isinstance(self.interface, SwitchPort)
        return self.interface

    def cmd_ip(self, args: Args, negated: bool) -> None:
        """``ip access-group NAME in`` (a port ACL; layer 2 ports only filter inbound)."""
        args.keyword("access-group")
        if negated:
            args.remaining()
            self.switch_port.access_group_in = None
            return
        name = args.word()
        args.keyword("in")
        args.end()
        self.switch_port.access_group_in = name

    def cmd_switchport(self, args: Args, negated: bool) -> None:
        """``switchport mode|access|trunk|nonegotiate|port-security ...``."""
        topic = args.keyword("access", "mode", "nonegotiate", "port-security", "trunk")
        port = self.switch_port
        if topic == "access":
            args.keyword("vlan")
            if negated:
                args.remaining()
            port.access_vlan = None if negated else self._access_vlan(args)
        elif topic == "mode":
            port.mode = None if negated else _mode(args)
            if negated:
                args.remaining()
        elif topic == "nonegotiate":
            args.end()
            if not negated and port.mode not in ("access", "trunk"):
                raise CommandRejected("Command rejected: Conflict between 'nonegotiate' and 'dynamic' status.")
            port.nonegotiate = not negated
        elif topic == "port-security":
            self._port_security(args, negated)
        else:
            self._trunk(args, negated)

    def _access_vlan(self, args: Args) -> int | None:
        vlan_id = args.vlan_id()
        args.end()
        if not self.state.vlan_exists(vlan_id):
            self.write_line(f"% Access VLAN does not exist. Creating vlan {vlan_id}")
            self.state.vlans[vlan_id] = None
        return None if vlan_id == DEFAULT_VLAN else vlan_id

    def _port_security(self, args: Args, negated: bool) -> None:
        setting = args.optional_keyword("mac-address", "maximum", "violation")
        security = self.switch_port.port_security
        if negated and setting != "mac-address":
            args.remaining()
            if setting is None:
                security.enabled = False
            else:
                setattr(security, setting, None)
            return
        if setting is None:
            if self.switch_port.mode not in ("access", "trunk"):
                raise CommandRejected(f"Command rejected: {self.switch_port.name} is a dynamic port.")
            security.enabled = True
        elif setting == "maximum":
            maximum = args.integer(1, MAX_PORT_SECURITY_ADDRESSES)
            security.maximum = None if maximum == 1 else maximum
        elif setting == "violation":
            violation = args.keyword("protect", "restrict", "shutdown")
            security.violation = None if violation == "shutdown" else violation
        else:
            args.keyword("sticky")
            security.sticky = not negated
        args.end()

    def _trunk(self, args: Args, negated: bool) -> None:
        setting = args.keyword("allowed", "native")
        args.keyword("vlan")
        port = self.switch_port
        if negated:
            args.remaining()
            if setting == "native":
                port.native_vlan = None
            else:
                port.allowed_vlans = None
            return
        if setting == "native":
            vlan_id = args.vlan_id()
            port.native_vlan = None if vlan_id == DEFAULT_VLAN else vlan_id
        else:
            port.allowed_vlans = _allowed_vlans(args, port.allowed_vlans)
        args.end()

    def cmd_spanning_tree(self, args: Args, negated: bool) -> None:
        """``spanning-tree portfast [trunk]`` and ``spanning-tree bpduguard enable|disable``."""
        feature = args.keyword("bpduguard", "portfast")
        port = self.switch_port
        if feature == "bpduguard":
            choice = "enable" if negated and args.done else args.keyword("disable", "enable")
            args.end()
            port.bpduguard = choice == "enable" and not negated
            return
        if negated:
            args.remaining()
            port.portfast = None
            return
        trunk = args.optional_keyword("trunk")
        args.end()
        port.portfast = trunk or ""
        self.write(PORTFAST_WARNING)
        if port.mode != "access" and not trunk:
            self.write_line(f"%Portfast has been configured on {port.name} but will only")
            self.write_line(" have effect when the interface is in a non-trunking mode.")

    def cmd_storm_control(self, args: Args, negated: bool) -> None:
        """``storm-control broadcast|multicast|unicast level R [F]`` and ``storm-control action X``."""
        kind = args.keyword("action", "broadcast", "multicast", "unicast")
        port = self.switch_port
        if kind == "action":
            if negated:
                args.remaining()
                port.storm_control_action = None
                return
            port.storm_control_action = args.keyword("shutdown", "trap")
            args.end()
            return
        args.keyword("level")
        if negated:
            args.remaining()
            port.storm_control.pop(kind, None)
            return
        levels = [_level(args)]
        if not args.done:
            levels.append(_level(args))
        args.end()
        port.storm_control[kind] = " ".join(levels)


class SviMode(InterfaceMode):
    """``interface VlanN``: ``ip address``, ``ip access-group``, ``description``, ``shutdown``.

    Other lines of ``allowlist.SVI`` (``ip helper-address``...) are kept verbatim.
    """

    keywords = ("description", "exit", "ip", "shutdown")
    no_keywords = ("description", "ip", "shutdown")
    verbatim_table = KeywordTable(SVI)

    @property
    def svi(self) -> VlanInterface:
        """The SVI being configured."""
        assert isinstance(self.interface, VlanInterface)
        return self.interface

    def cmd_ip(self, args: Args, negated: bool) -> None:
        """``ip address A M [secondary]`` / ``ip access-group NAME in|out``."""
        topic = args.keyword("access-group", "address")
        if topic == "access-group":
            self._access_group(args, negated)
        elif negated:
            self._remove_address(args)
        else:
            self._add_address(args)

    def _access_group(self, args: Args, negated: bool) -> None:
        words = [word for word, _ in args.remaining()] if negated else [args.word()]
        if not negated:
            words.append(args.keyword("in", "out"))
            args.end()
        direction = "out" if words and "out".startswith(words[-1].lower()) else "in"
        name = None if negated else words[0]
        setattr(self.svi, f"access_group_{direction}", name)

    def _add_address(self, args: Args) -> None:
        address = args.ipv4()
        mask = args.ipv4()
        secondary = args.optional_keyword("secondary") is not None
        args.end()
        interface = _interface_address(address, mask)
        for other in self.state.svis.values():
            if other is not self.svi and any(ip.network.overlaps(interface.network) for ip in other.addresses):
                raise CommandRejected(f"% {interface.network.network_address} overlaps with {other.name}")
        addresses = [ip for ip in self.svi.addresses if ip.ip != interface.ip]
        if secondary and addresses:
            addresses.append(interface)
        elif addresses:
            addresses[0] = interface
        else:
            addresses = [interface]
        self.svi.addresses = addresses

    def _remove_address(self, args: Args) -> None:
        if args.done:
            self.svi.addresses = []
            return
        address = ipaddress.IPv4Address(args.ipv4())
        args.ipv4()
        secondary = args.optional_keyword("secondary") is not None
        args.end()
        addresses = self.svi.addresses
        if not secondary and len(addresses) > 1 and addresses[0].ip == address:
            raise CommandRejected("Must delete secondary before deleting primary")
        self.svi.addresses = [ip for ip in addresses if ip.ip != address]


def _mode(args: Args) -> str | None:
    mode = args.keyword("access", "dynamic", "trunk")
    if mode == "dynamic":
        mode = "dynamic " + args.keyword("auto", "desirable")
    args.end()
    return None if mode == "dynamic auto" else mode


def _allowed_vlans(args: Args, current: list[int] | None) -> list[int] | None:
    token = args.peek() or ""
    if token[:1].isdigit():
        vlans = args.vlan_list()
    else:
        action = args.keyword("add", "all", "except", "none", "remove")
        if action in ("all", "none"):
            return None if action == "all" else []
        listed = set(args.vlan_list())
        base = set(_ALL_VLANS if current is None else current)
        if action == "add":
            vlans = sorted(base | listed)
        elif action == "remove":
            vlans = sorted(base - listed)
        else:
            vlans = sorted(set(_ALL_VLANS) - listed)
    return None if vlans == _ALL_VLANS else vlans


def _level(args: Args) -> str:
    token = args.word()
    if not _LEVEL.match(token) or float(token) > 100:
        raise args.invalid(args.index - 1)
    return f"{float(token):.2f}"


def _interface_address(address: str, mask: str) -> ipaddress.IPv4Interface:
    mask_value = int(ipaddress.IPv4Address(mask))
    inverted = ~mask_value & 0xFFFFFFFF
    if inverted & (inverted + 1):
        raise CommandRejected(f"Bad mask 0x{mask_value:X} for address {address}")
    interface = ipaddress.IPv4Interface(f"{address}/{mask}")
    network = interface.network
    if network.prefixlen < 31 and interface.ip in (network.network_address, network.broadcast_address):
        raise CommandRejected(f"Bad mask /{network.prefixlen} for address {address}")
    return interface
