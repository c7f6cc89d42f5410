"""The declarative school inventory: load, validate, resolve, explain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..errors import InventoryError, UsageError
from .crossref import check_district, check_school
from .findings import Finding, Severity
from .loader import discover, load_profile, parse
from .model import SchoolFile
from .resolve import ExplainedVar, Fleet, explain, resolve
from .school import LoadedSchool
from .summary import SchoolSummary, fleet_summary
from .yamlsource import locate

__all__ = [
    "CheckResult",
    "ExplainedVar",
    "Finding",
    "Fleet",
    "HostExplanation",
    "LoadedSchool",
    "SchoolSummary",
    "check",
    "explain_host",
    "fleet_summary",
    "load_fleet",
    "load_schools",
]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of validating the inventories under one path."""

    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    schools: int
    devices: int
    switches: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


@dataclass(frozen=True)
class HostExplanation:
    host: str
    school: str
    file: str
    variables: tuple[ExplainedVar, ...]


def load_schools(path: Path, today: dt.date | None = None) -> tuple[list[LoadedSchool], list[Finding]]:
    """Parse and check every school file under *path*; return the schools and all findings."""
    today = today or dt.date.today()
    findings: list[Finding] = []
    schools: list[LoadedSchool] = []
    for file in discover(path):
        parsed = parse(file, SchoolFile)
        findings.extend(parsed.findings)
        if parsed.model is None:
            continue
        profile = load_profile(parsed.model.school.type)
        findings.extend(profile.findings)
        if profile.model is None:
            continue
        school = LoadedSchool(parsed, profile)
        findings.extend(check_school(school, today))
        schools.append(school)
    codes: dict[str, LoadedSchool] = {}
    for school in schools:
        if school.code in codes:
            line, column = locate(school.parsed.data, ("school", "code")) or (1, 1)
            findings.append(
                Finding(
                    school.label,
                    line,
                    column,
                    "duplicate",
                    f"school code {school.code} is also used by {codes[school.code].label}",
                    "give each school its own code",
                )
            )
        codes.setdefault(school.code, school)
    findings.extend(check_district(schools))
    return schools, findings


def check(path: Path, today: dt.date | None = None) -> CheckResult:
    """Validate the inventories under *path*, reporting every problem at once."""
    files = discover(path)
    if not files:
        raise UsageError(f"{path}: no school files found", "school files are named CODE.school.yml")
    schools, findings = load_schools(path, today)
    return CheckResult(
        files=tuple(str(f) for f in files),
        findings=tuple(sorted(set(findings))),
        schools=len(schools),
        devices=sum(len(s.devices) for s in schools),
        switches=sum(len(s.model.switches) for s in schools),
    )


def load_fleet(path: Path, today: dt.date | None = None) -> Fleet:
    """The resolved fleet under *path*; raises :class:`InventoryError` if anything is wrong."""
    schools, findings = load_schools(path, today)
    errors = sorted(f for f in set(findings) if f.severity is Severity.ERROR)
    if errors:
        raise InventoryError(list(errors))
    if not schools:
        raise UsageError(f"{path}: no school files found", "school files are named CODE.school.yml")
    return resolve(schools)


def explain_host(path: Path, host: str, today: dt.date | None = None) -> HostExplanation:
    """The variables of one host and where each was set."""
    schools, findings = load_schools(path, today)
    errors = sorted(f for f in set(findings) if f.severity is Severity.ERROR)
    if errors:
        raise InventoryError(list(errors))
    for school in schools:
        if host in {d.name for d in school.devices} | {s.name for s in school.model.switches}:
            return HostExplanation(host, school.code, school.label, tuple(explain(school, host)))
    raise UsageError(f"no host named {host!r} in {path}", "list the hosts with 'schooltech inventory list'")
