"""Validate school files: every problem of every file, located, in one run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from ..errors import InventoryError
from . import cache
from .crossref import check_district, check_school, files_read, identities
from .files import discover, require_school_files, simulation_layers
from .findings import Finding, Severity
from .loader import Parsed, load_profile, parse
from .model import SchoolFile, SimulationLayer
from .resolve import resolve_school
from .school import LoadedSchool
from .yamlsource import locate


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


def load_schools(
    path: Path, today: dt.date | None = None, *, simulation: bool = True
) -> tuple[list[LoadedSchool], list[Finding]]:
    """Parse and check every school file under *path*; return the schools and all findings.

    With *simulation*, a simulation layer beside the school files (``schooltech sim up``)
    is read and applies to the schools it names; without, the real schools are loaded.
    """
    today = today or clock.today()
    findings: list[Finding] = []
    schools: list[LoadedSchool] = []
    files = discover(path)
    layers: dict[Path, Parsed[SimulationLayer]] = {}
    if simulation:
        for layer_path in simulation_layers(files):
            layers[layer_path.parent] = parse(layer_path, SimulationLayer)
            findings.extend(layers[layer_path.parent].findings)
    for file in files:
        parsed = parse(file, SchoolFile)
        findings.extend(parsed.findings)
        if parsed.model is None:
            continue
        profile = load_profile(parsed.model.school.type)
        findings.extend(profile.findings)
        if profile.model is None:
            continue
        layer = layers.get(file.parent)
        if layer is not None and (layer.model is None or parsed.model.school.code not in layer.model.schools):
            layer = None
        school = LoadedSchool(parsed, profile, simulation=layer)
        school_findings = check_school(school, today)
        if parsed.model.ansible.model_fields_set and not any(f.severity is Severity.ERROR for f in school_findings):
            school_findings.extend(_constructed(school))
        findings.extend(school_findings)
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


def valid_schools(path: Path, today: dt.date | None = None) -> list[LoadedSchool]:
    """The schools under *path*, as :func:`load_schools` reads them; raises :class:`InventoryError` on any error."""
    schools, findings = load_schools(path, today)
    errors = sorted(f for f in set(findings) if f.severity is Severity.ERROR)
    if errors:
        raise InventoryError(list(errors))
    return schools


def _constructed(school: LoadedSchool) -> list[Finding]:
    """What evaluating the school's ``ansible:`` section for each of its hosts finds (``strict``, the sandbox)."""
    try:
        resolve_school(school)
    except InventoryError as exc:
        return [f for f in exc.findings if isinstance(f, Finding)]
    return []


def check(path: Path, today: dt.date | None = None) -> CheckResult:
    """Validate the inventories under *path*, reporting every problem at once.

    A valid inventory is left in the fleet cache as :func:`.load_fleet` and the Ansible
    plugin would leave it, so the run after a check reads it back instead of validating again.
    """
    today = today or clock.today()
    files = require_school_files(path)
    # keyed by the bytes before they are read: a file edited meanwhile then misses, never holds a stale school
    keys = {file: cache.school_key(file, today) for file in files} if cache.enabled() else {}
    schools, findings = load_schools(path, today)
    result = CheckResult(
        files=tuple(str(f) for f in files),
        findings=tuple(sorted(set(findings))),
        schools=len(schools),
        devices=sum(len(s.devices) for s in schools),
        switches=sum(len(s.model.switches) for s in schools),
    )
    if keys and not result.errors:
        fill_cache(schools, keys)
    return result


def school_entry(school: LoadedSchool) -> cache.Entry:
    """The cache entry of one valid school: its fleet, the files its rules read, its identities."""
    return cache.Entry(resolve_school(school), tuple(files_read(school)), identities(school))


def validated_entry(file: Path, today: dt.date) -> cache.Entry | None:
    """The cache entry of the school file *file* checked on its own (as the Ansible plugin loads it);
    None if it has errors."""
    schools, findings = load_schools(file, today)
    if any(f.severity is Severity.ERROR for f in findings):
        return None
    return school_entry(schools[0])


def fill_cache(schools: list[LoadedSchool], keys: dict[Path, str]) -> None:
    """Cache each of the valid *schools* under its file's key, unless its entry holds already."""
    for school in schools:
        file, key = school.parsed.path, keys[school.parsed.path]
        if not cache.holds(file, key):
            cache.put(file, key, school_entry(school))
