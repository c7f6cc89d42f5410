"""Which switches a command works on, and how to reach each one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..guard import check_reachable
from ..inventory import Fleet
from ..inventory.nodes import SWITCH_VARIABLE
from . import hostkeys, jump
from .credentials import Credentials, credentials_for
from .platforms import Platform, platform


@dataclass(frozen=True)
class SwitchTarget:
    name: str
    school: str
    platform: Platform
    host: str
    port: int
    credentials: Credentials
    simulation: str | None
    known_hosts: Path  # its SSH host key must be recorded here (the simulation's file, or the state directory's)
    minute_seconds: float = 60.0  # how long a minute of the switch's clock lasts (shorter on emulated switches)
    via: jump.JumpNode | None = None  # its school's execution node, when sessions go through it (switches_via_node)


def switch_targets(fleet: Fleet, *, schools: Sequence[str] = (), switches: Sequence[str] = ()) -> list[SwitchTarget]:
    """The switches of *schools* (all by default), or exactly *switches*, in a stable order."""
    for code in schools:
        fleet.school(code)
    chosen = [h for h in fleet.hosts.values() if h.kind == "switch" and (not schools or h.school in schools)]
    if switches:
        names = {h.name for h in chosen}
        missing = [name for name in switches if name not in names]
        if missing:
            raise UsageError(f"no switch named {', '.join(missing)}", "list them with 'schooltech inventory list'")
        chosen = [h for h in chosen if h.name in switches]
    if not chosen:
        raise UsageError("no switches to work on", "check --school and --switch")
    resolved = {host.name: fleet.host_vars(host.name) for host in sorted(chosen, key=lambda h: h.name)}
    _one_world(resolved)
    _guard(fleet, resolved)
    targets = []
    for name, values in resolved.items():
        host = fleet.hosts[name]
        targets.append(SwitchTarget(
            name=host.name, school=host.school, platform=platform(values["switch_platform"]),
            host=values["ansible_host"], port=int(values.get("ansible_port", 22)),
            credentials=credentials_for(host.name, host.school, values, fleet.school(host.school).parent),
            simulation=values.get("simulation"),
            known_hosts=Path(values["switch_known_hosts"]) if values.get("switch_known_hosts")
            else hostkeys.default_file(),
            minute_seconds=float(values.get("switch_minute_seconds", 60.0)),
            via=jump.JumpNode.of(values[SWITCH_VARIABLE]) if values.get(SWITCH_VARIABLE) else None,
        ))  # fmt: skip
    return targets


def _guard(fleet: Fleet, resolved: dict[str, dict[str, Any]]) -> None:
    """The network guard on every switch's address and on the node each is reached through (if any)."""
    addresses = {name: str(values["ansible_host"]) for name, values in resolved.items()}
    declared = {name: fleet.networks_of(name) for name in resolved}
    for name, values in resolved.items():
        if values.get(SWITCH_VARIABLE):
            node = jump.JumpNode.of(values[SWITCH_VARIABLE])
            addresses[node.label] = node.host
            declared[node.label] = declared[name]
    check_reachable(addresses, declared)


def _one_world(resolved: dict[str, dict[str, Any]]) -> None:
    """Refuse a run that would reach simulated and real switches at once."""
    simulated = sorted(name for name, values in resolved.items() if values.get("simulation"))
    real = sorted(name for name in resolved if name not in simulated)
    if simulated and real:
        raise UsageError(
            f"this run would reach simulated switches ({', '.join(simulated[:3])}) and real ones "
            f"({', '.join(real[:3])}{' ...' if len(real) > 3 else ''}) at once",
            "limit it to the simulated school with --school (or simulate every school of the inventory)",
        )
