"""The ``ansible:`` section of a school file: Ansible's constructed features, evaluated here.

``compose``, ``groups``, ``keyed_groups`` and ``strict`` mean what they mean to Ansible's
``Constructable`` inventory plugins, with two differences that keep the controller safe:

- every expression is checked and evaluated by :mod:`.expressions` (an allow-list and a
  sandbox), never by Ansible; Ansible receives the results as plain variables and groups,
  so ``schooltech inventory show`` and ``ansible-inventory --host`` hold the same values;
- ``compose`` may add variables but never set one the model owns (:mod:`.variables`:
  connection variables above all), and no group the model creates may be made or joined.

Per host, as Ansible does it: every ``compose`` expression sees the host's resolved
variables and ``inventory_hostname``; ``groups`` conditions (which must give true or false)
and ``keyed_groups`` keys also see the composed ones. An expression that fails for a host
is skipped for that host, unless ``strict: true``, when it is an error; what the sandbox
stops (a value too large, a text with a template delimiter) is an error either way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .expressions import Compiled, EvaluationError, Refusal, compile_expression
from .fleet import Fleet
from .model import AnsibleOptions, KeyedGroup
from .problems import Path, Problem
from .school import LoadedSchool
from .variables import MODEL_GROUP_PREFIXES, MODEL_GROUPS, READABLE, model_group, model_only

CODE = "expression"
"""The finding code of everything this module reports."""

_INVALID_GROUP_CHARS = re.compile(r"^[^A-Za-z_]|[^A-Za-z0-9_]")
_EMPTY = (None, "")


@dataclass
class _Compiled:
    """The section's expressions, compiled."""

    compose: dict[str, Compiled] = field(default_factory=dict)
    groups: dict[str, Compiled] = field(default_factory=dict)
    keyed: list[tuple[KeyedGroup, Compiled]] = field(default_factory=list)


def _compile(options: AnsibleOptions) -> tuple[_Compiled, list[Problem]]:
    compiled, problems = _Compiled(), []
    composed = READABLE | frozenset(options.compose)  # what groups and keyed groups see

    def take(source: str, path: Path, variables: frozenset[str], what: str) -> Compiled | None:
        result = compile_expression(source, variables)
        if isinstance(result, Compiled):
            return result
        first: Refusal = result[0]
        problems.append(Problem(path, CODE, f"{what}: {first.message}", first.hint))
        return None

    for name, source in options.compose.items():
        path: Path = ("ansible", "compose", name)
        reason = model_only(name)
        if reason is not None:
            problems.append(Problem(path, CODE, f"compose may not set {name}: {reason}; only the model sets it",
                                    _MODEL_HINT, at_key=True))  # fmt: skip
        elif (expr := take(source, path, READABLE, f"compose {name}")) is not None:
            compiled.compose[name] = expr
    for name, source in options.groups.items():
        path = ("ansible", "groups", name)
        if model_group(group_name(name)):
            problems.append(_model_group_problem(path, group_name(name), at_key=True))
        elif (expr := take(source, path, composed, f"group {name}")) is not None:
            compiled.groups[name] = expr
    for i, keyed in enumerate(options.keyed_groups):
        path = ("ansible", "keyed_groups", i)
        if keyed.parent_group is not None and model_group(group_name(keyed.parent_group)):
            problems.append(_model_group_problem((*path, "parent_group"), group_name(keyed.parent_group)))
        elif keyed.prefix and model_group(group_name(keyed.prefix + keyed.separator)):
            name = f"{group_name(keyed.prefix + keyed.separator)}*"
            problems.append(_model_group_problem((*path, "prefix"), name))
        elif (expr := take(keyed.key, (*path, "key"), composed, f"keyed group {i + 1}")) is not None:
            compiled.keyed.append((keyed, expr))
    return compiled, problems


_MODEL_HINT = (
    "connection and job variables come from the device's fields, the settings and the simulation layer "
    "(docs/inventory.md, 'Variables only the model sets'); compose a new name instead"
)


_MODEL_GROUP_HINT = "choose another name: jobs and switch sessions select their hosts by these groups"


def _model_group_problem(path: Path, name: str, *, at_key: bool = False) -> Problem:
    return Problem(
        path,
        CODE,
        f"{name}: a group the inventory model creates ({_MODEL_GROUPS}); a constructed group may not make or join one",
        _MODEL_GROUP_HINT,
        at_key=at_key,
    )


_MODEL_GROUPS = (
    f"{', '.join(sorted(MODEL_GROUPS))} and the groups named {', '.join(p + '*' for p in MODEL_GROUP_PREFIXES)}"
)


def group_name(raw: str) -> str:
    """A valid Ansible group name: every character but ``[A-Za-z0-9_]`` (and a leading digit) becomes ``_``."""
    return _INVALID_GROUP_CHARS.sub("_", raw)


def ansible_section(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    """The school rule: every expression the section may not hold, every name it may not set."""
    yield from _compile(school.model.ansible)[1]


# --- evaluation ---------------------------------------------------------------------------


class _Construction:
    """One pass over a school's hosts: composed variables, group members, and what failed (once per expression)."""

    def __init__(self, compiled: _Compiled, strict: bool) -> None:
        self.compiled, self.strict = compiled, strict
        self.members: dict[str, list[str]] = {}
        self.parents: dict[str, str] = {}
        self.failed: dict[Path, tuple[str, str, EvaluationError]] = {}  # path -> (what, first host, error)
        self.count: dict[Path, int] = {}

    def host(self, host: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Evaluate the section for one host; return its composed variables."""
        composed: dict[str, Any] = {}
        for name, expr in self.compiled.compose.items():
            value = self._evaluate(expr, ("ansible", "compose", name), f"compose {name}", host, variables)
            if value is not _FAILED:
                composed[name] = value
        variables = {**variables, **composed}
        for name, expr in self.compiled.groups.items():
            path: Path = ("ansible", "groups", name)
            result = self._evaluate(expr, path, f"group {name}", host, variables)
            if result is not _FAILED and not isinstance(result, bool):
                message = f"the condition gives {result!r}; a condition must give true or false"
                self._fail(path, f"group {name}", host, EvaluationError(message))
            elif result is True:
                self.members.setdefault(group_name(name), []).append(host)
        for i, (keyed, expr) in enumerate(self.compiled.keyed):
            self._keyed(i, keyed, expr, host, variables)
        return composed

    def _keyed(self, i: int, keyed: KeyedGroup, expr: Compiled, host: str, variables: dict[str, Any]) -> None:
        path, what = ("ansible", "keyed_groups", i, "key"), f"keyed group {i + 1}"
        key = self._evaluate(expr, path, what, host, variables)
        if key is _FAILED:
            return
        try:
            names = [group_name(raw) for raw in _keyed_names(keyed, key, self.strict)]
        except EvaluationError as exc:
            self._fail(path, what, host, exc)
            return
        for name in names:
            if model_group(name):
                message = f"it gives the group {name}, which the inventory model creates"
                self._fail(path, what, host, EvaluationError(message, fatal=True, hint=_MODEL_GROUP_HINT))
                continue
            self.members.setdefault(name, []).append(host)
            if keyed.parent_group:
                self.parents[name] = group_name(keyed.parent_group)

    def _evaluate(self, expr: Compiled, path: Path, what: str, host: str, variables: dict[str, Any]) -> Any:
        try:
            return expr(variables)
        except EvaluationError as exc:
            self._fail(path, what, host, exc)
            return _FAILED

    def _fail(self, path: Path, what: str, host: str, error: EvaluationError) -> None:
        """Record a failure: an error under ``strict`` or when fatal; otherwise the host is skipped, as in Ansible."""
        if error.fatal or self.strict:
            self.failed.setdefault(path, (what, host, error))
            self.count[path] = self.count.get(path, 0) + 1

    def problems(self) -> list[Problem]:
        out = []
        for path, (what, host, error) in self.failed.items():
            more = self.count[path] - 1
            hosts = host + (f" (and {more} more host{'s' if more > 1 else ''})" if more else "")
            hint = error.hint or "guard it with 'is defined' or default(...), or leave strict off to skip such hosts"
            out.append(Problem(path, CODE, f"{what}: could not be evaluated for {hosts}: {error.message}", hint))
        return out


_FAILED = object()


def construct(fleet: Fleet, school: LoadedSchool) -> list[Problem]:
    """Apply the school's ``ansible:`` section to its hosts in *fleet*; return what went wrong.

    *fleet* gets the composed variables (on the hosts) and the constructed groups.
    """
    compiled, problems = _compile(school.model.ansible)
    if problems or not (compiled.compose or compiled.groups or compiled.keyed):
        return problems
    construction = _Construction(compiled, school.model.ansible.strict)
    for name in [name for name, host in fleet.hosts.items() if host.school == school.code]:
        composed = construction.host(name, {**fleet.host_vars(name), "inventory_hostname": name})
        fleet.hosts[name].vars.update(composed)
    problems = construction.problems()
    if not problems:
        _add_groups(fleet, construction.members, construction.parents)
    return problems


def _keyed_names(keyed: KeyedGroup, key: Any, strict: bool) -> list[str]:
    """The groups a keyed group's *key* puts a host in, as Ansible's ``_add_host_to_keyed_groups`` names them."""
    default = keyed.default_value
    use_default = key in _EMPTY and default is not None
    if not (key or use_default):
        if strict and key not in ([], {}):
            raise EvaluationError(f"the key gives {key!r}, which names no group")
        return []
    separator = keyed.separator
    bare: list[str] = []
    if use_default:
        bare.append(str(default))
    elif isinstance(key, str):
        bare.append(key)
    elif isinstance(key, list):
        bare.extend(str(default) if item in _EMPTY and default is not None else str(item) for item in key)
    elif isinstance(key, dict):
        for name, value in key.items():
            if value in _EMPTY and default is not None:
                bare.append(f"{name}{separator}{default}")
            elif value in _EMPTY and keyed.trailing_separator is False:
                bare.append(name)
            else:
                bare.append(f"{name}{separator}{value}")
    else:
        raise EvaluationError(f"the key gives {key!r}", fatal=True,
                              hint="a keyed group's key must give text, a list or a mapping")  # fmt: skip
    return [f"{keyed.prefix}{separator}{name}" for name in bare]


def _add_groups(fleet: Fleet, members: dict[str, list[str]], parents: dict[str, str]) -> None:
    for name, hosts in members.items():
        fleet.group(name, parents.get(name))
        for host in dict.fromkeys(hosts):
            current = fleet.hosts[host]
            if name not in current.groups:
                fleet.hosts[host] = replace(current, groups=(*current.groups, name))
