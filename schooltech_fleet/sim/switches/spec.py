"""What an emulated switch is: name, SSH port and login, its interfaces, its startup-config."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.switches.interface_names import VLAN_TYPE, split_interface_name

_SWITCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
MAX_PORT = 65535


@dataclass(frozen=True)
class SwitchSpec:
    """One emulated Catalyst switch.

    ``port`` 0 lets the emulator pick a free port (see ``SwitchFarm.ports``). Without an
    ``enable_secret`` the login lands directly in privileged EXEC (``Switch#``, as with
    ``privilege 15`` users); with one it lands at ``Switch>`` and needs ``enable``.
    Without a ``startup_config`` the switch boots factory-default with ``hostname NAME``.
    """

    name: str
    port: int
    username: str
    password: str
    interfaces: Sequence[str]
    startup_config: str | None = None
    enable_secret: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "interfaces", tuple(self.interfaces))
        if not _SWITCH_NAME.match(self.name):
            raise SimulationError(f"switch name {self.name!r} is not a valid name")
        if not 0 <= self.port <= MAX_PORT:
            raise SimulationError(f"switch {self.name}: port {self.port} is out of range")
        if not self.username or not self.password:
            raise SimulationError(f"switch {self.name}: username and password must not be empty")
        _check_interfaces(self.name, self.interfaces)

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible dict (the spec file format)."""
        data = dataclasses.asdict(self)
        data["interfaces"] = list(self.interfaces)
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
    """Raise SimulationError if two specs share a name or a fixed port."""
    names = [spec.name for spec in specs]
    ports = [spec.port for spec in specs if spec.port]
    if len(set(names)) != len(names):
        raise SimulationError("two emulated switches have the same name")
    if len(set(ports)) != len(ports):
        raise SimulationError("two emulated switches have the same SSH port")


def dump_specs(specs: Sequence[SwitchSpec], path: Path) -> None:
    """Write the spec file read by ``python -m schooltech_fleet.sim.switches --spec``."""
    check_unique(specs)
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
