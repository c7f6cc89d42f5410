"""The resolved fleet: hosts, groups and their variables (plain data, cheap to import)."""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import UsageError

_UNSAFE_GROUP_CHARS = re.compile(r"[^a-z0-9_]")


def group_name(*parts: str) -> str:
    """A valid Ansible group name from *parts* (``room``, ``RVS``, ``C101`` -> ``room_rvs_c101``)."""
    return _UNSAFE_GROUP_CHARS.sub("_", "_".join(parts).lower())


class UnknownSchool(UsageError):
    """A school code that no loaded school file has."""

    def __init__(self, codes: Sequence[str], known: Iterable[str]) -> None:
        super().__init__(f"no school with code {', '.join(map(repr, codes))}",
                         f"known schools: {', '.join(sorted(known))}")  # fmt: skip


class UnknownRoom(UsageError):
    """A room name that the school has not declared."""

    def __init__(self, school: str, room: str, known: Iterable[str]) -> None:
        known = sorted(known)
        close = difflib.get_close_matches(room, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"rooms of {school}: {', '.join(known) or 'none'}"
        super().__init__(f"school {school} has no room {room!r}", hint)


@dataclass(frozen=True, slots=True)
class Host:
    name: str
    school: str
    kind: Literal["device", "switch"]
    groups: tuple[str, ...]  # direct memberships
    var_groups: tuple[str, ...]  # the groups whose variables apply, least specific first
    vars: dict[str, Any]


@dataclass(slots=True)
class Group:
    name: str
    children: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)


@dataclass
class Fleet:
    """Every host and group of the inventories that were loaded."""

    hosts: dict[str, Host] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    schools: dict[str, str] = field(default_factory=dict)  # code -> absolute path of the school file
    simulated: dict[str, str] = field(default_factory=dict)  # code -> simulation id, while one runs
    networks: dict[str, list[str]] = field(default_factory=dict)  # code -> its VLANs' subnets (management included)

    def group(self, name: str, parent: str | None = None) -> Group:
        found = self.groups.get(name)
        if found is None:
            found = self.groups[name] = Group(name)
        if parent is not None:
            parent_group = self.group(parent)
            if name not in parent_group.children:
                parent_group.children.append(name)
        return found

    def school(self, code: str) -> Path:
        """The school file of the school *code*; an unknown code is a usage error listing the known ones."""
        try:
            return Path(self.schools[code])
        except KeyError:
            raise UnknownSchool([code], self.schools) from None

    def rooms(self, code: str) -> list[str]:
        """The rooms of the school *code*, in the order of its school file; an unknown code is refused."""
        self.school(code)
        return [g.vars["room"] for g in self.groups.values()
                if g.vars.get("school_code") == code and "room" in g.vars and g.name.startswith("room_")]  # fmt: skip

    def room(self, code: str, room: str) -> str:
        """*room* if the school *code* has it; otherwise :class:`UnknownRoom` (with did-you-mean)."""
        rooms = self.rooms(code)
        if room not in rooms:
            raise UnknownRoom(code, room, rooms)
        return room

    def networks_of(self, host: str) -> tuple[str, ...]:
        """The networks the school of *host* declares: what the network guard allows by default."""
        return tuple(self.networks.get(self.hosts[host].school, ()))

    def host_vars(self, name: str) -> dict[str, Any]:
        """The resolved variables of one host."""
        host = self.hosts[name]
        merged: dict[str, Any] = {}
        for group in host.var_groups:
            merged.update(self.groups[group].vars)
        merged.update(host.vars)
        return merged

    def merge(self, other: Fleet) -> None:
        for name, group in other.groups.items():
            mine = self.group(name)
            mine.children.extend(c for c in group.children if c not in mine.children)
            mine.vars.update(group.vars)
        self.hosts.update(other.hosts)
        self.schools.update(other.schools)
        self.simulated.update(other.simulated)
        self.networks.update(other.networks)

    def hosts_of(self, group: str) -> set[str]:
        """Every host in *group* or any group below it."""
        found: set[str] = set()
        pending, seen = [group], set()
        while pending:
            name = pending.pop()
            if name in seen or name not in self.groups:
                continue
            seen.add(name)
            pending.extend(self.groups[name].children)
        for host in self.hosts.values():
            if any(g in seen for g in host.groups):
                found.add(host.name)
        return found

    def select(self, pattern: str) -> set[str]:
        """Hosts matching an Ansible host pattern: names, groups and globs joined by ``:`` or ``,``,
        with ``&`` (and also in) and ``!`` (but not in), as in ``room_rvs_c101:&managed:!RVS-C101-PC01``."""
        selected: set[str] = set()
        terms = [t for t in re.split(r"[:,]", pattern) if t]
        for term in sorted(terms, key=lambda t: t[0] in "&!"):  # unions first, then & and !
            op, name = (term[0], term[1:]) if term[0] in "&!" else ("", term)
            matched = self._match(name)
            if op == "&":
                selected &= matched
            elif op == "!":
                selected -= matched
            else:
                selected |= matched
        return selected

    def _match(self, name: str) -> set[str]:
        if name in {"all", "*"}:
            return set(self.hosts)
        if any(c in name for c in "*?["):
            hosts = {h for h in self.hosts if fnmatch.fnmatchcase(h, name)}
            for group in self.groups:
                if fnmatch.fnmatchcase(group, name):
                    hosts |= self.hosts_of(group)
            return hosts
        if name in self.hosts:
            return {name}
        return self.hosts_of(name)
