"""A change report as text for people and as JSON for tools (Markdown: :mod:`.markdown`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..inventory.licences import SeatUsage
from .changes import ChangeReport, LicenceChange, SwitchChange
from .git import Revision
from .variables import VarChange
from .wording import describe, device_lines, headline, job_where, licence_terms, school_summary, seats, variable_groups


def as_text(report: ChangeReport) -> str:
    """The report as indented plain text."""
    if not report.changed:
        return f"schooltech diff {headline(report)}: no change\n"
    lines = [f"schooltech diff {headline(report)}"]
    for school in report.schools:
        lines += ["", f"{school}: {school_summary(report, school)}"]
        lines += _section("rooms", [f"{r.renamed_from} renamed {r.name}" if r.renamed_from else f"{r.name} {r.status}"
                                    for r in report.rooms if r.school == school])  # fmt: skip
        devices = [d for d in report.devices if d.school == school]
        lines += _section("devices", device_lines(devices))
        variables: list[str] = []
        for names, changes in variable_groups(devices):
            variables += [names, *(f"  {describe(change)}" for change in changes)]
        lines += _section("variables", variables)
        lines += _section("licence seats", [_licence(c) for c in report.licences if c.school == school])
        switches: list[str] = []
        for switch in (s for s in report.switches if s.school == school):
            switches += [_switch(switch), *(f"  {describe(change)}" for change in switch.vars)]
            switches += [f"    {line}" for line in switch.diff.splitlines()]
        lines += _section("switches", switches)
    lines += ["", "jobs this change implies:" if report.jobs else "jobs this change implies: none"]
    for job in report.jobs:
        lines += [f"  {job.job} at {job.school}, {job_where(job)}; why: {', '.join(job.reasons)}"]
        lines += [f"    $ {job.command}"]
    return "\n".join(lines) + "\n"


def _licence(change: LicenceChange) -> str:
    terms = licence_terms(change)
    return f"{change.licence}: {seats(change.before)} -> {seats(change.after)}" + (f"; {terms}" if terms else "")


def _switch(switch: SwitchChange) -> str:
    if switch.status == "removed":
        return f"{switch.name}: removed; nothing is sent"
    added, removed = switch.lines
    what = "new switch" if switch.status == "added" else "changed"
    return f"{switch.name}: {what}" + (f", intended config +{added} -{removed} lines" if switch.diff else "")


def _section(title: str, items: list[str]) -> list[str]:
    return [f"  {title}:", *(f"    {item}" for item in items)] if items else []


def as_json(report: ChangeReport) -> dict[str, Any]:
    """The whole report as JSON types: every device, every variable, whole switch diffs."""
    return {
        "base": _revision(report.base),
        "head": _revision(report.head),
        "changed": report.changed,
        "schools": {"added": list(report.schools_added), "removed": list(report.schools_removed)},
        "rooms": [asdict(room) for room in report.rooms],
        "devices": [{**asdict(device), "vars": [_variable(v) for v in device.vars]} for device in report.devices],
        "switches": [{**asdict(switch), "vars": [_variable(v) for v in switch.vars]} for switch in report.switches],
        "licences": [
            {"school": c.school, "licence": c.licence, "before": _usage(c.before), "after": _usage(c.after)}
            for c in report.licences
        ],
        "jobs": [asdict(job) for job in report.jobs],
    }


def _revision(revision: Revision) -> dict[str, Any]:
    return {"name": revision.name, "commit": revision.commit,
            "date": revision.date.isoformat() if revision.date else None}  # fmt: skip


def _variable(change: VarChange) -> dict[str, Any]:
    out: dict[str, Any] = {"name": change.name, "status": change.status}
    if change.status != "added":
        out["old"] = change.old
    if change.status != "removed":
        out["new"] = change.new
    return out


def _usage(usage: SeatUsage | None) -> dict[str, Any] | None:
    if usage is None:
        return None
    return {"product": usage.product, "type": usage.type, "seats": usage.seats, "used": usage.used,
            "rooms": list(usage.rooms), "expires": usage.expires.isoformat() if usage.expires else None,
            "over_allocated": usage.over_allocated}  # fmt: skip
