"""The configuration an emulated switch holds: what ``show running-config`` is rendered from."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from schooltech_fleet.sim.switches.verbatim import VerbatimLine

DEFAULT_HOSTNAME = "Switch"
DEFAULT_VLAN = 1


@dataclass
class PortSecurity:
    """``switchport port-security`` settings; None means the IOS default (not shown)."""

    enabled: bool = False
    maximum: int | None = None
    violation: str | None = None
    sticky: bool = False


@dataclass
class SwitchPort:
    """A physical (layer 2) interface such as ``GigabitEthernet1/0/1``."""

    name: str
    description: str | None = None
    mode: str | None = None
    access_vlan: int | None = None
    native_vlan: int | None = None
    allowed_vlans: list[int] | None = None
    nonegotiate: bool = False
    port_security: PortSecurity = field(default_factory=PortSecurity)
    access_group_in: str | None = None
    shutdown: bool = False
    storm_control: dict[str, str] = field(default_factory=dict)
    storm_control_action: str | None = None
    portfast: str | None = None
    bpduguard: bool = False
    verbatim: list[VerbatimLine] = field(default_factory=list)


@dataclass
class VlanInterface:
    """A switched virtual interface ``interface VlanN``; the first address is the primary."""

    vlan_id: int
    description: str | None = None
    addresses: list[ipaddress.IPv4Interface] = field(default_factory=list)
    access_group_in: str | None = None
    access_group_out: str | None = None
    shutdown: bool = False
    verbatim: list[VerbatimLine] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The IOS interface name, e.g. ``Vlan10``."""
        return f"Vlan{self.vlan_id}"


@dataclass
class AclEntry:
    """One line of a named ACL: a canonical ACE (``permit tcp any host 10.0.0.1 eq 22``) or a remark.

    Remarks take no sequence number (None): they belong to the entry that follows them.
    """

    sequence: int | None
    text: str


@dataclass
class AccessList:
    """An IP access list, named or numbered: entries in display order (remarks before their entry).

    ``kind`` is ``extended`` or ``standard``; a numbered list (``access-list 10 ...``) is
    named by its number and shown as ``access-list N ...`` lines.
    """

    name: str
    entries: list[AclEntry] = field(default_factory=list)
    kind: str = "extended"

    @property
    def numbered(self) -> bool:
        """``access-list N`` rather than ``ip access-list standard|extended NAME``."""
        return self.name.isdigit()

    def next_sequence(self) -> int:
        """The sequence number IOS gives an entry typed without one."""
        highest = max((entry.sequence or 0 for entry in self.entries), default=0)
        return (highest // 10 + 1) * 10

    def position_for(self, sequence: int) -> int:
        """Where an entry numbered ``sequence`` goes: before the first later entry and its remarks."""
        position = len(self.entries)
        for index in range(len(self.entries) - 1, -1, -1):
            owner = self.entries[index].sequence
            if owner is None:
                continue
            if owner < sequence:
                break
            position = index
            while position > 0 and self.entries[position - 1].sequence is None:
                position -= 1
        return position


@dataclass
class SnmpUser:
    """An SNMPv3 user; IOS keeps these out of the running-config."""

    name: str
    group: str
    settings: str


@dataclass
class SnmpSettings:
    """``snmp-server`` groups, users, hosts, location and contact."""

    groups: list[str] = field(default_factory=list)
    users: dict[str, SnmpUser] = field(default_factory=dict)
    hosts: list[str] = field(default_factory=list)
    location: str | None = None
    contact: str | None = None


@dataclass
class SwitchState:
    """Everything ``show running-config`` shows, plus the SNMP users it hides.

    ``verbatim`` holds the global lines the emulator does not model (``allowlist.py``).
    """

    hostname: str
    ports: dict[str, SwitchPort]
    vlans: dict[int, str | None] = field(default_factory=dict)
    svis: dict[int, VlanInterface] = field(default_factory=dict)
    default_gateway: str | None = None
    acls: dict[str, AccessList] = field(default_factory=dict)
    logging_hosts: list[str] = field(default_factory=list)
    ntp_servers: dict[str, bool] = field(default_factory=dict)
    snmp: SnmpSettings = field(default_factory=SnmpSettings)
    banners: dict[str, str] = field(default_factory=dict)
    verbatim: list[VerbatimLine] = field(default_factory=list)

    @classmethod
    def factory_default(cls, interfaces: Sequence[str], hostname: str = DEFAULT_HOSTNAME) -> SwitchState:
        """A switch fresh out of the box: every port default, ``interface Vlan1`` shut down."""
        return cls(
            hostname=hostname,
            ports={name: SwitchPort(name) for name in interfaces},
            svis={DEFAULT_VLAN: VlanInterface(DEFAULT_VLAN, shutdown=True)},
        )

    def vlan_exists(self, vlan_id: int) -> bool:
        """True for VLAN 1 and every configured VLAN."""
        return vlan_id == DEFAULT_VLAN or vlan_id in self.vlans
