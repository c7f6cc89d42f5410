"""Global configuration mode ``(config)#``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from fake_switches.cisco.command_processor.config import ConfigCommandProcessor

from schooltech_fleet.sim.switches.allowlist import GLOBAL
from schooltech_fleet.sim.switches.cli_args import Args
from schooltech_fleet.sim.switches.cli_errors import CommandRejected
from schooltech_fleet.sim.switches.config_acl import AclMode, add_entry, entry_text
from schooltech_fleet.sim.switches.config_interface import PortMode, SviMode, reset_port
from schooltech_fleet.sim.switches.config_snmp import configure_snmp
from schooltech_fleet.sim.switches.config_verbatim import VerbatimFallback
from schooltech_fleet.sim.switches.config_vlan import VlanMode
from schooltech_fleet.sim.switches.interface_names import VLAN_TYPE, resolve_interface
from schooltech_fleet.sim.switches.modes_base import ConfigMode
from schooltech_fleet.sim.switches.state import DEFAULT_HOSTNAME, DEFAULT_VLAN, AccessList, VlanInterface
from schooltech_fleet.sim.switches.verbatim import KeywordTable, VerbatimLine

if TYPE_CHECKING:
    from schooltech_fleet.sim.switches.exec_modes import PrivilegedExecMode

_HOSTNAME = re.compile(r"^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
ETX = "^C"
_STANDARD_NUMBERS = ((1, 99), (1300, 1999))
_MAX_ACL_NUMBER = 2699
ACL_TYPE_CONFLICT = "% Access-list type conflicts with existing type"


class GlobalConfigMode(VerbatimFallback, ConfigMode, ConfigCommandProcessor):  # type: ignore[misc]
    """``(config)#``: hostname, vlan, interface, ip, access-list, logging, ntp, snmp-server, banner.

    Other lines of the allow-list (``allowlist.GLOBAL``) are kept verbatim.
    """

    keywords = ("access-list", "banner", "default", "do", "end", "exit", "hostname", "interface", "ip",
                "logging", "ntp", "snmp-server", "version", "vlan")  # fmt: skip
    no_keywords = ("access-list", "banner", "hostname", "interface", "ip", "logging", "ntp", "snmp-server", "vlan")
    verbatim_table = KeywordTable(GLOBAL)

    exec_mode: PrivilegedExecMode

    def __init__(self, vlan_mode: VlanMode, port_mode: PortMode, svi_mode: SviMode, acl_mode: AclMode) -> None:
        super().__init__(config_vlan=vlan_mode, config_vrf=None, config_interface=port_mode)
        self.svi_mode = svi_mode
        self.acl_mode = acl_mode
        self._banner: tuple[str, str, list[str]] | None = None

    def init(self, *args: Any) -> None:
        super().init(*args)
        self._banner = None

    def verbatim_lines(self) -> list[VerbatimLine]:
        return self.state.verbatim

    def cmd_end(self, args: Args, negated: bool) -> None:
        """``end``: back to privileged EXEC from any configuration mode."""
        args.end()
        self.is_done = True

    def cmd_do(self, args: Args, negated: bool) -> None:
        """``do show ...`` / ``do write``: an EXEC command from any configuration mode."""
        self.stay_in_sub_mode()
        self.exec_mode.run_from_config(args.rest())

    def cmd_version(self, args: Args, negated: bool) -> None:
        """``version 15.2`` (part of every saved config): accepted and ignored."""
        args.word()
        args.end()

    def cmd_hostname(self, args: Args, negated: bool) -> None:
        """``hostname NAME`` / ``no hostname``."""
        if negated:
            args.remaining()
            self.state.hostname = DEFAULT_HOSTNAME
            return
        name = args.word()
        args.end()
        if not _HOSTNAME.match(name):
            raise CommandRejected("% Hostname contains one or more illegal characters.")
        self.state.hostname = name

    def cmd_vlan(self, args: Args, negated: bool) -> None:
        """``vlan LIST`` enters ``(config-vlan)#``; ``no vlan LIST`` deletes (not VLAN 1)."""
        vlans = args.vlan_list()
        args.end()
        if negated:
            if DEFAULT_VLAN in vlans:
                raise CommandRejected("%Default VLAN 1 may not be deleted.")
            for vlan_id in vlans:
                self.state.vlans.pop(vlan_id, None)
            return
        for vlan_id in vlans:
            if vlan_id != DEFAULT_VLAN:
                self.state.vlans.setdefault(vlan_id, None)
        self.move_to(self.config_vlan_processor, vlans)

    def cmd_interface(self, args: Args, negated: bool) -> None:
        """``interface NAME`` enters ``(config-if)#``; ``no interface VlanN`` deletes an SVI."""
        not_removable = args.invalid()
        name = resolve_interface(args, self.state, allow_new_svi=not negated)
        if name.startswith(VLAN_TYPE):
            vlan_id = int(name[len(VLAN_TYPE) :])
            if negated:
                if vlan_id == DEFAULT_VLAN:
                    raise not_removable
                self.state.svis.pop(vlan_id, None)
                return
            svi = self.state.svis.setdefault(vlan_id, VlanInterface(vlan_id))
            self.move_to(self.svi_mode, svi)
        elif negated:
            raise not_removable
        else:
            self.move_to(self.config_interface_processor, self.state.ports[name])

    def cmd_default(self, args: Args, negated: bool) -> None:
        """``default interface NAME``: every setting of the interface back to its default."""
        args.keyword("interface")
        name = resolve_interface(args, self.state, allow_new_svi=False)
        if name in self.state.ports:
            reset_port(self.state.ports[name])
        else:
            vlan_id = int(name[len(VLAN_TYPE) :])
            self.state.svis[vlan_id] = VlanInterface(vlan_id)

    def cmd_ip(self, args: Args, negated: bool) -> None:
        """``ip default-gateway A`` and ``ip access-list extended|standard NAME``."""
        topic = args.keyword("access-list", "default-gateway")
        if topic == "default-gateway":
            if negated:
                args.remaining()
                self.state.default_gateway = None
                return
            gateway = args.ipv4()
            args.end()
            self.state.default_gateway = gateway
            return
        kind = args.keyword("extended", "standard")
        name = args.word()
        args.end()
        if negated:
            self.state.acls.pop(name, None)
            return
        acl = self.state.acls.setdefault(name, AccessList(name, kind=kind))
        if acl.kind != kind:
            raise CommandRejected(ACL_TYPE_CONFLICT)
        self.move_to(self.acl_mode, acl)

    def cmd_access_list(self, args: Args, negated: bool) -> None:
        """``access-list N permit|deny|remark ...`` (1-99, 1300-1999 standard, else extended); ``no access-list N``."""
        number = args.integer(1, _MAX_ACL_NUMBER)
        if negated:
            args.remaining()
            self.state.acls.pop(str(number), None)
            return
        kind = "standard" if any(low <= number <= high for low, high in _STANDARD_NUMBERS) else "extended"
        acl = self.state.acls.get(str(number)) or AccessList(str(number), kind=kind)
        text = entry_text(acl, args.keyword("deny", "permit", "remark"), args)
        self.state.acls[acl.name] = acl
        add_entry(acl, text)

    def cmd_logging(self, args: Args, negated: bool) -> None:
        """``logging host A`` (``logging A`` is the older spelling of the same)."""
        if not (args.peek() or "x")[0].isdigit():
            args.keyword("host")
        host = args.ipv4()
        args.end()
        hosts = self.state.logging_hosts
        if negated and host in hosts:
            hosts.remove(host)
        elif not negated and host not in hosts:
            hosts.append(host)

    def cmd_ntp(self, args: Args, negated: bool) -> None:
        """``ntp server A [prefer]``."""
        args.keyword("server")
        server = args.ipv4()
        prefer = args.optional_keyword("prefer") is not None
        args.end()
        if negated:
            self.state.ntp_servers.pop(server, None)
        else:
            self.state.ntp_servers[server] = prefer

    def cmd_snmp_server(self, args: Args, negated: bool) -> None:
        """``snmp-server group|user|host|location|contact ...``."""
        configure_snmp(self.state.snmp, args, negated)

    def cmd_banner(self, args: Args, negated: bool) -> None:
        """``banner motd|login DtextD``; without the closing delimiter, further lines are read."""
        kind = args.keyword("login", "motd")
        if negated:
            args.remaining()
            self.state.banners.pop(kind, None)
            return
        text = args.rest()
        delimiter = ETX if text.startswith(ETX) else text[0]
        body = text[len(delimiter) :]
        if delimiter in body:
            self.state.banners[kind] = body[: body.index(delimiter)]
            return
        self.write_line(f"Enter TEXT message.  End with the character '{delimiter}'.")
        self._banner = (kind, delimiter, [body])
        self.continue_to(self._banner_line)

    def _banner_line(self, line: str) -> None:
        assert self._banner is not None
        kind, delimiter, parts = self._banner
        if delimiter not in line:
            parts.append(line)
            self.continue_to(self._banner_line)
            return
        parts.append(line[: line.index(delimiter)])
        self.state.banners[kind] = "\n".join(parts)
        self._banner = None


def make_config_mode() -> GlobalConfigMode:
    """A global configuration mode with its sub-modes, for one session."""
    return GlobalConfigMode(VlanMode(), PortMode(), SviMode(), AclMode())
