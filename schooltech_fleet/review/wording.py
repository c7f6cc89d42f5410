"""The sentences of a change report, shared by its text and Markdown forms."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from ..inventory.licences import SeatUsage
from .changes import ChangeReport, DeviceChange, LicenceChange
from .implied import ImpliedJob
from .variables import VarChange

Code = Callable[[str], str]  # how a value is set off: as is in text, as a code span in Markdown
_PLAIN = re.compile(r"[\w.:/@+-]+")
_NUMBERED = re.compile(r"(.*?)(\d+)")
_NOT_PLAIN = {"null", "true", "false"}
MIN_RUN = 3


def plain(text: str) -> str:
    return text


def name_ranges(names: Iterable[str]) -> str:
    """``RVS-C101-PC01..PC30, RVS-C101-TCH01``: runs of consecutively numbered names shortened."""
    runs: list[list[str]] = []
    for name in names:
        if runs and _follows(runs[-1][-1], name):
            runs[-1].append(name)
        else:
            runs.append([name])
    parts: list[str] = []
    for run in runs:
        if len(run) < MIN_RUN:
            parts += run
            continue
        stem, _, tail = run[-1].rpartition("-")
        parts.append(f"{run[0]}..{tail}" if stem and run[0].startswith(stem + "-") else f"{run[0]}..{run[-1]}")
    return ", ".join(parts)


def _follows(previous: str, name: str) -> bool:
    a, b = _NUMBERED.fullmatch(previous), _NUMBERED.fullmatch(name)
    return bool(a and b and a[1] == b[1] and len(a[2]) == len(b[2]) and int(b[2]) == int(a[2]) + 1)


def show(value: Any) -> str:
    """A value as JSON, except plain words, names and addresses, which need no quotes."""
    if isinstance(value, str) and _PLAIN.fullmatch(value) and value not in _NOT_PLAIN and not value.isdigit():
        return value
    return json.dumps(value, ensure_ascii=False)


def describe(change: VarChange, code: Code = plain) -> str:
    """``software_sets: +exam -music``, ``vlan_id: 20 -> 21``, ``motd: unset -> "..."``."""
    if change.status == "added":
        return f"{code(change.name)}: unset -> {code(show(change.new))}"
    if change.status == "removed":
        return f"{code(change.name)}: {code(show(change.old))} -> unset"
    old, new = change.old, change.new
    if _scalars(old) and _scalars(new):
        added, removed = [v for v in new if v not in old], [v for v in old if v not in new]
        if added or removed:
            return f"{code(change.name)}: " + " ".join([*(f"+{code(show(v))}" for v in added),
                                                       *(f"-{code(show(v))}" for v in removed)])  # fmt: skip
    return f"{code(change.name)}: {code(show(old))} -> {code(show(new))}"


def _scalars(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str | int | float | bool) for v in value)


def school_summary(report: ChangeReport, school: str) -> str:
    """``devices: 1 added, 28 renamed; switches: 2 changed; licences: 1 changed``."""
    if school in report.schools_added:
        return "new school"
    if school in report.schools_removed:
        return "school removed"
    devices = [d for d in report.devices if d.school == school]
    device_counts: list[str] = [d.status for d in devices if d.status != "changed"]
    for label, attribute in (("renamed", "renamed_from"), ("moved", "moved_from"), ("with changed variables", "vars")):
        device_counts += [label for d in devices if getattr(d, attribute)]
    counts = {
        "rooms": _counts(r.status for r in report.rooms if r.school == school),
        "devices": _counts(device_counts),
        "switches": _counts(s.status for s in report.switches if s.school == school),
        "licences": _counts(_licence_status(c) for c in report.licences if c.school == school),
    }
    return "; ".join(f"{what}: {text}" for what, text in counts.items() if text)


def _counts(statuses: Iterable[str]) -> str:
    found: dict[str, int] = {}
    for status in statuses:
        found[status] = found.get(status, 0) + 1
    return ", ".join(f"{count} {status}" for status, count in found.items())


def _licence_status(change: LicenceChange) -> str:
    return "added" if change.before is None else "removed" if change.after is None else "changed"


def device_lines(devices: list[DeviceChange]) -> list[str]:
    """Devices added, removed, renamed and moved, grouped by room."""
    groups: dict[str, list[str]] = {}
    renamed: dict[str, list[DeviceChange]] = {}
    for device in devices:
        if device.status == "added":
            groups.setdefault(f"added in {device.room}", []).append(device.name)
        elif device.status == "removed":
            groups.setdefault(f"removed from {device.room}", []).append(device.name)
        if device.moved_from:
            groups.setdefault(f"moved from {device.moved_from} to {device.room}", []).append(device.name)
        if device.renamed_from:
            renamed.setdefault(device.room, []).append(device)
    lines = [f"{label}: {name_ranges(names)}" for label, names in groups.items()]
    for room, changes in renamed.items():
        if len(changes) < MIN_RUN:
            pairs = ", ".join(f"{c.renamed_from} -> {c.name}" for c in changes)
        else:
            pairs = f"{name_ranges(str(c.renamed_from) for c in changes)} -> {name_ranges(c.name for c in changes)}"
        lines.append(f"renamed in {room}: {pairs}")
    return lines


def variable_groups(devices: list[DeviceChange]) -> list[tuple[str, tuple[VarChange, ...]]]:
    """Devices whose variables changed alike, as (``names (N devices)``, the changes)."""
    groups: dict[str, tuple[list[str], tuple[VarChange, ...]]] = {}
    for device in devices:
        if device.vars:
            key = json.dumps([(v.name, v.status, v.old, v.new) for v in device.vars])
            groups.setdefault(key, ([], device.vars))[0].append(device.name)
    return [(name_ranges(names) + (f" ({len(names)} devices)" if len(names) > 1 else ""), changes)
            for names, changes in groups.values()]  # fmt: skip


def seats(usage: SeatUsage | None) -> str:
    """``24 of 20 seats (over)``, ``70 PCs (site)``, ``none``."""
    if usage is None:
        return "none"
    if usage.seats is None:
        return f"{usage.used} PCs ({usage.type})"
    over = " (over)" if usage.over_allocated else ""
    return f"{usage.used} of {usage.seats} {'seats' if usage.type == 'per_seat' else 'concurrent'}{over}"


def licence_terms(change: LicenceChange) -> str:
    """What else changed about a licence: ``rooms C101 -> C101, C102; expires 2029-08-31 -> 2030-08-31``."""
    before, after = change.before, change.after
    if before is None or after is None:
        return ""
    terms = [(what, getattr(before, what), getattr(after, what)) for what in ("product", "type", "rooms", "expires")]
    return "; ".join(f"{what} {_term(old)} -> {_term(new)}" for what, old, new in terms if old != new)


def _term(value: Any) -> str:
    return (", ".join(value) or "none") if isinstance(value, tuple) else str(value)


def job_where(job: ImpliedJob) -> str:
    """``rooms C101, C102 (58 PCs)``, ``room C101: RVS-C101-PC31``, ``switches RVS-SW-A1, RVS-SW-S1``."""
    if not job.rooms:
        return f"switch{'es' if len(job.hosts) > 1 else ''} {name_ranges(job.hosts)}"
    rooms = f"room{'s' if len(job.rooms) > 1 else ''} {', '.join(job.rooms)}"
    if len(job.hosts) > MIN_RUN:
        return f"{rooms} ({len(job.hosts)} PCs)"
    return f"{rooms}: {name_ranges(job.hosts)}"


def headline(report: ChangeReport) -> str:
    return f"{report.base.label} -> {report.head.label}"
