"""What a job sent to an execution node carries: one school's targets and that job's secrets, nothing more.

A local job hands Ansible the school file and lets the inventory plugin resolve it. A job sent
to a node must not: the payload leaves the controller, so it holds a *slice* of the fleet, the
targeted hosts with their variables already resolved (group variables folded in, as
``Fleet.host_vars`` gives them), the groups those hosts are in (restricted to them, so that
``type_secondary`` names no other school's host) and the references of the licence keys those
hosts use. The secret values themselves are read by :func:`.secrets.job_secrets` from these
references only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..inventory import Fleet
from .secrets import licence_key_sources


@dataclass(frozen=True)
class FleetSlice:
    """The part of the fleet one job of one school may see."""

    school: str
    hosts: Mapping[str, Mapping[str, Any]]  # target -> its resolved variables, in inventory order
    groups: Mapping[str, Sequence[str]]  # group -> its direct members among the targets (hosts and groups)
    licence_keys: Mapping[str, Mapping[str, str]]  # licence id -> key reference ({"env": N} or {"vault": N})

    def inventory(self) -> dict[str, Any]:
        """The slice as an Ansible YAML/JSON inventory (``{"all": {"hosts": ..., "children": ...}}``)."""
        members = {name for children in self.groups.values() for name in children}

        def group(name: str) -> dict[str, Any]:
            hosts = [m for m in self.groups[name] if m in self.hosts]
            children = [m for m in self.groups[name] if m in self.groups]
            return {**({"hosts": {host: {} for host in hosts}} if hosts else {}),
                    **({"children": {child: group(child) for child in children}} if children else {})}  # fmt: skip

        top = [name for name in self.groups if name not in members and name != "all"]
        return {"all": {"hosts": {name: dict(values) for name, values in self.hosts.items()},
                        "children": {name: group(name) for name in top}}}  # fmt: skip


def slice_fleet(fleet: Fleet, school: str, targets: Sequence[str]) -> FleetSlice:
    """The hosts *targets* of *school* with their resolved variables, their groups and their licence keys' sources.

    A target of another school (or none at all) is refused: one payload is one school's.
    """
    fleet.school(school)
    unknown = [t for t in targets if t not in fleet.hosts]
    if unknown:
        raise UsageError(f"no host named {', '.join(unknown)}", "list the hosts with 'schooltech inventory list'")
    foreign = [t for t in targets if fleet.hosts[t].school != school]
    if foreign or not targets:
        raise UsageError(
            f"a job sent to school {school}'s node may target only its hosts, not {', '.join(foreign) or 'none'}",
            "run one job per school",
        )
    hosts = {name: fleet.host_vars(name) for name in fleet.hosts if name in set(targets)}
    parents: dict[str, list[str]] = {}
    for parent, entry in fleet.groups.items():
        for child in entry.children:
            parents.setdefault(child, []).append(parent)
    groups: dict[str, list[str]] = {}
    pending = [(name, group) for name in hosts for group in fleet.hosts[name].groups]
    while pending:  # walk up from the targets: only groups that hold one of them, only members that are theirs
        member, name = pending.pop()
        if name not in groups:
            groups[name] = []
            pending.extend((name, parent) for parent in parents.get(name, ()))
        if member not in groups[name]:
            groups[name].append(member)
    return FleetSlice(school, hosts, groups, licence_key_sources(hosts.values()))
