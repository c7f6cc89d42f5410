"""Explain one host: its resolved variables and the file and line that set each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InventoryError, UsageError
from .findings import Severity
from .resolve import ExplainedVar, explain, resolve_school
from .validate import load_schools


@dataclass(frozen=True)
class HostExplanation:
    host: str
    school: str
    file: str
    values: dict[str, Any]  # the resolved variables, exactly as Ansible sees them
    variables: tuple[ExplainedVar, ...]  # the same, leaf by leaf, with where each was set


def explain_host(path: Path, host: str, today: dt.date | None = None) -> HostExplanation:
    """The variables of one host and where each was set."""
    schools, findings = load_schools(path, today)
    errors = sorted(f for f in set(findings) if f.severity is Severity.ERROR)
    if errors:
        raise InventoryError(list(errors))
    for school in schools:
        if host in {d.name for d in school.devices} | {s.name for s in school.model.switches}:
            fleet = resolve_school(school)
            if host not in fleet.hosts:
                raise UsageError(
                    f"{host} is not part of the simulation of {school.code} that is running",
                    "'schooltech sim status' lists the simulated hosts; 'schooltech sim down' ends the simulation",
                )
            return HostExplanation(host, school.code, school.label, fleet.host_vars(host), tuple(explain(school, host)))
    raise UsageError(f"no host named {host!r} in {path}", "list the hosts with 'schooltech inventory list'")
