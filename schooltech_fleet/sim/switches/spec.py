"""What an emulated switch is: name, SSH port and login, interfaces, startup-config, management path."""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.switches.interface_names import VLAN_TYPE, split_interface_name
from schooltech_fleet.sim.switches.mac_table import Station, dotted_mac

_SWITCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
MAX_PORT = 65535
MAX_VLAN = 4094
IOS_MINUTE_SECONDS = 60.0


@dataclass(frozen=True)
class ManagementSpec:
    """How schooltech's sessions reach a switch in-band (see ``management.py``).

    ``address`` is the switch's management address with its prefix (``10.70.99.11/24``) on
    ``interface Vlan<vlan>``; ``controller`` the address sessions come from; ``uplink`` the
    interface they arrive on; ``parent`` the emulated switch one hop closer to the
    controller and ``parent_interface`` its interface that leads here (None: the uplink
    leads to the router).
    """

    vlan: int
    address: str
    controller: str
    uplink: str
    parent: str | None = None
    parent_interface: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.vlan <= MAX_VLAN:
            raise SimulationError(f"management VLAN {self.vlan} is out of range")
        try:
            ipaddress.IPv4Interface(self.address)
            ipaddress.IPv4Address(self.controller)
        except ValueError as error:
            raise SimulationError(f"management path: {error}") from None
        if (self.parent is None) != (self.parent_interface is None):
            raise SimulationError("management path: give both parent and parent_interface, or neither")

    @property
    def interface(self) -> ipaddress.IPv4Interface:
        """The management address with its prefix."""
        return ipaddress.IPv4Interface(self.address)


@dataclass(frozen=True)
class SwitchSpec:
    """One emulated Catalyst switch.

    ``port`` 0 lets the emulator pick a free port (see ``SwitchFarm.ports``). While the
    running-config has no ``username`` line, ``username``/``password`` log in (see
    ``logins.py``): without an ``enable_secret`` the login lands directly in privileged EXEC
    (``Switch#``, as with ``privilege 15`` users); with one it lands at ``Switch>`` and needs
    ``enable``. Without a ``startup_config`` the switch boots factory-default with
    ``hostname NAME``. ``host_key`` is an SSH private key (OpenSSH text); without one the
    emulator generates an Ed25519 key at start. ``management``, when given, is the path every
    session needs (``management.py``). ``minute_seconds`` is how many real seconds an
    emulated minute lasts (the ``configure terminal revert timer``). ``model`` (``Catalyst
    9300-24T``) picks the MAC table's layout (IOS-XE or classic IOS, ``mac_table.py``);
    ``base_mac`` is the switch's own MAC (derived from the name if not given); ``stations``
    are the devices plugged into its ports at boot (``mac_table.Station``).
    """

    name: str
    port: int
    username: str
    password: str
    interfaces: Sequence[str]
    startup_config: str | None = None
    enable_secret: str | None = None
    host_key: str | None = None
    management: ManagementSpec | None = None
    minute_seconds: float = IOS_MINUTE_SECONDS
    model: str | None = None
    base_mac: str = ""
    stations: Sequence[Station] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "interfaces", tuple(self.interfaces))
        object.__setattr__(self, "stations", tuple(Station(**s) if isinstance(s, dict) else s for s in self.stations))
        digest = hashlib.sha256(self.name.encode()).hexdigest()
        object.__setattr__(self, "base_mac", dotted_mac(self.base_mac or f"00a3d1{digest[:6]}"))
        if isinstance(self.management, dict):
            object.__setattr__(self, "management", ManagementSpec(**self.management))
        if not _SWITCH_NAME.match(self.name):
            raise SimulationError(f"switch name {self.name!r} is not a valid name")
        if not 0 <= self.port <= MAX_PORT:
            raise SimulationError(f"switch {self.name}: port {self.port} is out of range")
        if not self.username or not self.password:
            raise SimulationError(f"switch {self.name}: username and password must not be empty")
        if not self.minute_seconds > 0:
            raise SimulationError(f"switch {self.name}: minute_seconds must be positive")
        _check_interfaces(self.name, self.interfaces)
        for station in self.stations:
            if station.interface not in self.interfaces:
                raise SimulationError(f"switch {self.name}: station {station.mac} is on {station.interface}, "
                                      "which is not one of its interfaces")  # fmt: skip
        if self.management is not None and self.management.uplink not in self.interfaces:
            raise SimulationError(f"switch {self.name}: management uplink {self.management.uplink} is not one of its "
                                  "interfaces")  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible dict (the spec file format)."""
        data = dataclasses.asdict(self)
        data["interfaces"] = list(self.interfaces)
        data["stations"] = [dataclasses.asdict(station) for station in self.stations]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SwitchSpec:
        """Inverse of ``to_json``; raises SimulationError on unknown or missing fields."""
        try:
            return cls(**data)
        except TypeError as error:
            raise SimulationError(f"invalid switch spec {data.get('name', '?')!r}: {error}") from None


def _check_interfaces(switch: str, interfaces: Sequence[str]) -> None:
    if not interfaces:
        raise SimulationError(f"switch {switch}: no interfaces given")
    if len(set(interfaces)) != len(interfaces):
        raise SimulationError(f"switch {switch}: duplicate interface names")
    for name in interfaces:
        try:
            kind, _ = split_interface_name(name)
        except ValueError:
            raise SimulationError(f"switch {switch}: {name!r} is not an IOS interface name") from None
        if kind == VLAN_TYPE:
            raise SimulationError(f"switch {switch}: {name} is an SVI, not a physical interface")


def catalyst_interfaces(access_ports: int = 48, uplinks: int = 4, member: int = 1) -> list[str]:
    """Port names of a Catalyst 2960-X/9300-style switch: ``Gi1/0/1..N`` and ``Te1/1/1..M``."""
    return [f"GigabitEthernet{member}/0/{index}" for index in range(1, access_ports + 1)] + [
        f"TenGigabitEthernet{member}/1/{index}" for index in range(1, uplinks + 1)
    ]


def check_unique(specs: Sequence[SwitchSpec]) -> None:
    """Raise SimulationError if two specs share a name or a fixed port, or a management parent is wrong."""
    names = [spec.name for spec in specs]
    ports = [spec.port for spec in specs if spec.port]
    if len(set(names)) != len(names):
        raise SimulationError("two emulated switches have the same name")
    if len(set(ports)) != len(ports):
        raise SimulationError("two emulated switches have the same SSH port")
    by_name = {spec.name: spec for spec in specs}
    for spec in specs:
        _check_parents(spec, by_name)


def _check_parents(spec: SwitchSpec, by_name: dict[str, SwitchSpec]) -> None:
    """Every management parent is an emulated switch with that interface, and the chain ends."""
    seen = {spec.name}
    current = spec
    while current.management is not None and current.management.parent is not None:
        parent = by_name.get(current.management.parent)
        if parent is None:
            raise SimulationError(f"switch {current.name}: management parent {current.management.parent} is not an "
                                  "emulated switch of this farm")  # fmt: skip
        if current.management.parent_interface not in parent.interfaces:
            raise SimulationError(f"switch {current.name}: {parent.name} has no interface "
                                  f"{current.management.parent_interface}")  # fmt: skip
        if parent.name in seen:
            raise SimulationError(f"switch {spec.name}: the management parents form a loop")
        seen.add(parent.name)
        current = parent


def dump_specs(specs: Sequence[SwitchSpec], path: Path) -> None:
    """Write the spec file read by ``python -m schooltech_fleet.sim.switches --spec``."""
    check_unique(specs)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps({"switches": [spec.to_json() for spec in specs]}, indent=2))


def load_specs(path: Path) -> list[SwitchSpec]:
    """Read a spec file: ``{"switches": [...]}`` or a bare list of switch objects."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SimulationError(f"cannot read switch spec file {path}: {error}") from None
    entries = data.get("switches") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise SimulationError(f"{path}: expected a list of switch objects")
    specs = [SwitchSpec.from_json(entry) for entry in entries]
    check_unique(specs)
    return specs
