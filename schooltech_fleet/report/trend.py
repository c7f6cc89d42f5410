"""``report diff``: what got better or worse between two JSON reports, section by section.

Each section yields a few figures per subject (a school, a switch, a licence, a year); a figure
that changed becomes one :class:`Change`, marked better or worse by which way is good for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..errors import UsageError
from .data import FORMAT, AuditClass, DriftState, PatchState, ReportData

# A figure's key: (section, subject, measure) -> (value, higher_is_better or None when neither)
Figures = dict[tuple[str, str, str], tuple[float, bool | None]]


class Direction(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    CHANGED = "changed"  # neither better nor worse (e.g. devices added)


@dataclass(frozen=True)
class Change:
    section: str
    subject: str
    measure: str
    old: float | None  # None: not in the old report
    new: float | None  # None: gone from the new report
    direction: Direction


def read(path: Path) -> ReportData:
    """A report written by ``schooltech report --json``; anything else is a usage error."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = ReportData.from_json(text)
    except ValueError as exc:
        hint = "write one with 'schooltech report --json FILE'"
        raise UsageError(f"{path} is not a schooltech report (format {FORMAT})", hint) from exc
    return data


def figures(data: ReportData) -> Figures:
    """The figures of *data* that a trend compares."""
    found: Figures = {}
    for school, states in data.patch.per_school().items():
        total = sum(states.values())
        current = round(100 * states[PatchState.CURRENT] / total, 1) if total else 0
        found["patch", school, "PCs current %"] = (current, True)
        found["patch", school, "PCs never patched"] = (states[PatchState.NEVER], False)
        found["patch", school, "PCs with upgrades pending"] = (states[PatchState.PENDING], False)
    found["patch", "all", "upgrades pending"] = (sum(r.pending_packages for r in data.patch.rooms), False)
    found["runs", "recent", "runs that did not succeed"] = (sum(not r.succeeded for r in data.runs.runs), False)
    for switch in data.drift.switches:
        if switch.state is not DriftState.UNKNOWN:
            found["drift", f"{switch.school} {switch.switch}", "changes"] = (switch.changes, False)
    for state in (DriftState.DRIFTED, DriftState.UNKNOWN):
        found["drift", "all", f"switches {state.value}"] = (sum(s.state is state for s in data.drift.switches), False)
    for lic in data.licences.licences:
        subject = f"{lic.school} {lic.licence}"
        found["licences", subject, "seats used"] = (lic.used, None)
        if lic.seats is not None:
            found["licences", subject, "seats owned"] = (lic.seats, None)
            found["licences", subject, "seats over"] = (max(0, lic.used - lic.seats), False)
    found["warranty", "all", "expired"] = (data.warranty.expired, False)
    found["warranty", "all", "ending within 90 days"] = (data.warranty.within_90_days, False)
    found["warranty", "all", "no warranty date"] = (data.warranty.unknown, False)
    for year in data.refresh.years:
        found["refresh", year.year, f"cost ({data.refresh.currency})"] = (year.cost, None)
        found["refresh", year.year, "devices"] = (year.devices, None)
    if data.audit.audited:
        for finding in AuditClass:
            found["audit", "all", f"{finding.value} findings"] = (data.audit.counts.get(finding, 0), False)
    return found


def compare(old: ReportData, new: ReportData) -> list[Change]:
    """Every figure that differs between *old* and *new*, in section order."""
    before, after = figures(old), figures(new)
    return list(_changes(before, after))


def _changes(before: Figures, after: Figures) -> Iterator[Change]:
    order = ("patch", "runs", "drift", "licences", "warranty", "refresh", "audit")
    keys = sorted(before.keys() | after.keys(), key=lambda k: (order.index(k[0]), k[1], k[2]))
    for key in keys:
        old, new = before.get(key), after.get(key)
        if old is not None and new is not None and old[0] == new[0]:
            continue
        higher_is_better = (new or old or (0, None))[1]
        if old is None or new is None or higher_is_better is None:
            direction = Direction.CHANGED
        else:
            direction = Direction.BETTER if (new[0] > old[0]) == higher_is_better else Direction.WORSE
        yield Change(*key, old[0] if old else None, new[0] if new else None, direction)
