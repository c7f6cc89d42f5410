"""What a lab job hands Ansible: one school's targets and that job's secrets, nothing more.

Every lab job (run here or on an execution node) gives ``ansible-playbook`` a static inventory,
a *slice* of the fleet the command resolved once: the targeted hosts with the variables the
fleet resolved for them (``Fleet.host_vars``; in the file, a group's variables stay on the
group, as the plugin hands them to Ansible), the groups those hosts are in (restricted to them,
so that ``type_secondary`` names no other school's host) and the references of the licence keys
those hosts use. The secret values themselves are read by :func:`.secrets.job_secrets` from
these references only. Ansible does not parse the school files again, and a payload that leaves
the controller holds no other school's host, address or key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import private
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
    own_vars: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # target -> what it sets itself
    group_vars: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # group -> what it gives its hosts

    def inventory(self, source: Path | None = None) -> dict[str, Any]:
        """The slice as an Ansible YAML/JSON inventory (``{"all": {"hosts": ..., "children": ...}}``).

        The variables stay where the fleet keeps them, as the plugin gives them to Ansible: a room's
        on its group, once, and each host's own on the host; Ansible merges them into what
        :attr:`hosts` holds (a tenth of the size and a quarter of Ansible's loading time of every
        host's resolved variables written out, on a school of 580 PCs). With *source* (the school
        file), each host's ``inventory_file`` and ``inventory_dir`` name it and its directory, as
        Ansible sets them when the plugin reads that file: the playbooks find the school's
        ``files/`` through ``inventory_dir``.
        """
        bookkeeping = {"inventory_file": str(source), "inventory_dir": str(source.parent)} if source else {}
        members = {name for children in self.groups.values() for name in children}

        def group(name: str) -> dict[str, Any]:
            hosts = [m for m in self.groups[name] if m in self.hosts]
            children = [m for m in self.groups[name] if m in self.groups]
            return {**({"vars": dict(self.group_vars[name])} if self.group_vars.get(name) else {}),
                    **({"hosts": {host: {} for host in hosts}} if hosts else {}),
                    **({"children": {child: group(child) for child in children}} if children else {})}  # fmt: skip

        top = [name for name in self.groups if name not in members and name != "all"]
        return {"all": {**({"vars": dict(self.group_vars["all"])} if self.group_vars.get("all") else {}),
                        "hosts": {name: {**self.own_vars.get(name, {}), **bookkeeping} for name in self.hosts},
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
    chosen = set(targets)
    hosts = {name: fleet.host_vars(name) for name in fleet.hosts if name in chosen}
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
    # members in inventory order: Ansible's `order: inventory` (the canary PC first) follows a group's list
    rank = {name: n for n, name in enumerate([*fleet.hosts, *fleet.groups])}
    groups = {name: sorted(members, key=rank.__getitem__) for name, members in groups.items()}
    own = {name: dict(fleet.hosts[name].vars) for name in hosts}
    applied = {group for name in hosts for group in fleet.hosts[name].var_groups}
    shared = {name: dict(fleet.groups[name].vars) for name in groups if name in applied and fleet.groups[name].vars}
    return FleetSlice(school, hosts, groups, licence_key_sources(hosts.values()), own, shared)


SUFFIX = ".slice.json"
"""A slice's file name ends so: what the ``schooltech.fleet.schooltech_slice`` inventory plugin reads."""


def write_inventory(path: Path, inventory: Mapping[str, Any]) -> Path:
    """*inventory* (:meth:`FleetSlice.inventory`) as a private file for the ``schooltech_slice`` plugin.

    Plain JSON with the plugin's marker: the plugin hands every value to Ansible as it was written,
    as data (Ansible templates no string it did not mark trusted), without the yaml plugin's
    tagging, deep copy and inspection of each value. JSON also keeps text text (YAML would read
    ``2026-09-03`` as a date).
    """
    if not path.name.endswith(SUFFIX):
        raise ValueError(f"a slice's file name ends with {SUFFIX}, not {path.name}")
    private.write_text(path, json.dumps({"schooltech_slice": 1, **inventory}))
    return path
