"""Gather the fleet report from what schooltech already keeps: the inventory, run records, switch backups.

Nothing here contacts a PC or a switch: switch drift compares the intended configuration with
the last backup (``net plan --from-backups``). Sections whose source is not on this machine yet
(an audit never run) come back empty with a note saying so.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from ..assets import records as audit_records
from ..assets.lifecycle import refresh_plan
from ..assets.schools import REPORTED
from ..errors import InventoryError
from ..inventory.findings import Severity
from ..inventory.fleet import UnknownSchool
from ..inventory.licences import seat_usage
from ..inventory.school import LoadedSchool
from ..inventory.validate import load_schools
from ..jobs import runs
from ..jobs.model import HostStatus, JobKind, JobResult
from ..network import operations
from .data import (
    AuditClass,
    AuditFinding,
    AuditSection,
    DriftSection,
    DriftState,
    LicenceSeats,
    LicenceSection,
    PatchSection,
    PatchState,
    RefreshSection,
    RefreshYear,
    ReportData,
    RoomPatch,
    RunRow,
    RunsSection,
    SchoolRef,
    SwitchDrift,
    WarrantyItem,
    WarrantySection,
    WarrantyYear,
)

PATCH_WINDOW_DAYS = 30
RECENT_RUNS = 20
SOONEST_WARRANTIES = 50
_DONE = (HostStatus.OK, HostStatus.CHANGED)


@dataclass(frozen=True)
class ReportRequest:
    inventory: Path
    schools: tuple[str, ...] = ()  # empty: every school under the inventory
    window_days: int = PATCH_WINDOW_DAYS
    drift: bool = True  # compare switch backups (renders every switch's intended config)


def gather(request: ReportRequest, now: dt.datetime | None = None) -> ReportData:
    """Everything the report shows, for the selected schools."""
    now = now or clock.now()
    schools = _load(request)
    codes = {s.code for s in schools}
    listing = runs.listing(limit=1_000_000)
    results = [r for r in listing.results if r.school in codes]
    return ReportData(
        generated=now,
        schools=[SchoolRef(code=s.code, name=s.model.school.name) for s in schools],
        patch=patch_section(schools, results, now, request.window_days),
        runs=RunsSection(runs=[run_row(r) for r in results[:RECENT_RUNS]], damaged=len(listing.damaged),
                         note=None if results else "no job has run for these schools yet"),
        drift=drift_section(schools) if request.drift else DriftSection(note="not compared (--no-drift)"),
        licences=licence_section(schools),
        warranty=warranty_section(schools, now.date()),
        refresh=refresh_section(schools, now.date()),
        audit=audit_section(schools),
    )


def _load(request: ReportRequest) -> list[LoadedSchool]:
    schools, findings = load_schools(request.inventory)
    errors = sorted(f for f in set(findings) if f.severity is Severity.ERROR and f.code not in REPORTED)
    if errors:
        raise InventoryError(list(errors))
    if not request.schools:
        return sorted(schools, key=lambda s: s.code)
    by_code = {s.code: s for s in schools}
    unknown = [c for c in request.schools if c not in by_code]
    if unknown:
        raise UnknownSchool(unknown, by_code)
    return [by_code[c] for c in dict.fromkeys(request.schools)]


def _when(result: JobResult) -> dt.datetime:
    started = dt.datetime.fromisoformat(result.started)
    return started if started.tzinfo else started.replace(tzinfo=dt.UTC)


def _planned(result: JobResult) -> dict[str, int]:
    """Upgrades a check run found per host it reported on (a host's first report, if it has several)."""
    found: dict[str, int] = {}
    for entry in result.hosts:
        if entry.status in _DONE and entry.name not in found:
            report = entry.report.get("patching_report")
            if isinstance(report, dict) and isinstance(report.get("planned"), list):
                found[entry.name] = len(report["planned"])
    return found


def patch_section(schools: Sequence[LoadedSchool], results: Sequence[JobResult], now: dt.datetime,
                  window_days: int) -> PatchSection:  # fmt: skip
    """Per room: PCs patched within the window, with upgrades pending, patched long ago, never patched."""
    last_patch: dict[str, dt.datetime] = {}
    last_check: dict[str, tuple[dt.datetime, int]] = {}
    for result in sorted((r for r in results if r.kind is JobKind.PATCH), key=_when):
        when = _when(result)
        if result.check:
            last_check.update((host, (when, planned)) for host, planned in _planned(result).items())
            continue
        for host in result.hosts:
            if host.status in _DONE:
                last_patch[host.name] = when
    window = dt.timedelta(days=window_days)
    rooms: list[RoomPatch] = []
    for school in schools:
        states: dict[str, Counter[PatchState]] = {}
        packages: Counter[str] = Counter()
        latest: dict[str, dt.datetime] = {}
        for device in school.devices:
            if not device.imageable:
                continue
            room = school.model.rooms[device.room].name
            patched = last_patch.get(device.name)
            check = last_check.get(device.name)
            pending = check is not None and check[1] > 0 and (patched is None or check[0] > patched)
            if pending and check is not None:
                state = PatchState.PENDING
                packages[room] += check[1]
            elif patched is None:
                state = PatchState.NEVER
            elif now - patched > window:
                state = PatchState.STALE
            else:
                state = PatchState.CURRENT
            states.setdefault(room, Counter())[state] += 1
            if patched is not None and (room not in latest or patched > latest[room]):
                latest[room] = patched
        for room, counts in states.items():
            rooms.append(RoomPatch(school=school.code, room=room, pcs=sum(counts.values()),
                                   **{s.value: counts[s] for s in PatchState},
                                   pending_packages=packages[room], last_patch=latest.get(room)))  # fmt: skip
    note = None if rooms else "no managed lab or teacher PCs in these schools"
    return PatchSection(window_days=window_days, rooms=rooms, note=note)


def run_row(result: JobResult) -> RunRow:
    failed = sum(h.status in (HostStatus.FAILED, HostStatus.UNREACHABLE, HostStatus.NOT_RUN) for h in result.hosts)
    return RunRow(run_id=result.run_id, kind=result.kind.value, school=result.school, check=result.check,
                  started=result.started, duration=result.duration, hosts=len(result.hosts), failed=failed,
                  succeeded=result.succeeded)  # fmt: skip


def drift_section(schools: Sequence[LoadedSchool]) -> DriftSection:
    """Intended configuration against each switch's last backup; no switch is contacted."""
    plans = operations.plan_from_backups(schools)
    switches = []
    for plan in plans:
        if plan.error is not None or plan.remediation is None:
            switches.append(SwitchDrift(school=plan.school, switch=plan.switch, state=DriftState.UNKNOWN,
                                        detail=plan.error))  # fmt: skip
            continue
        changes = len(plan.remediation.commands)
        state = DriftState.DRIFTED if plan.pending else DriftState.IN_SYNC
        detail = f"{len(plan.missing)} intended lines missing" if plan.missing else None
        switches.append(SwitchDrift(school=plan.school, switch=plan.switch, state=state, changes=changes,
                                    detail=detail))  # fmt: skip
    return DriftSection(switches=switches, note=None if switches else "no switches in these schools")


def licence_section(schools: Sequence[LoadedSchool]) -> LicenceSection:
    """Seats owned against used, as ``schooltech assets licences`` counts them: with each school's latest audit."""
    licences: list[LicenceSeats] = []
    audits: list[str] = []
    for school in schools:
        try:
            record = audit_records.latest_audit(school.code)
        except audit_records.DamagedRecord:
            record = None  # the audit section names the damaged record
        installed = None
        if record is not None:
            installed = {pc.host: pc.packages for pc in record.discovery.pcs}
            audits.append(f"{school.code} {record.discovery.collected}")
        licences += [
            LicenceSeats(school=u.school, licence=u.licence, product=u.product, type=u.type, seats=u.seats,
                         used=u.used, expires=u.expires, over_allocated=u.over_allocated)
            for u in seat_usage(school, installed)
        ]  # fmt: skip
    if not licences:
        note = "no licences declared"
    elif audits:
        note = "seats used include the packages found by the latest audit: " + ", ".join(audits)
    else:
        note = None
    return LicenceSection(licences=licences, note=note)


def warranty_section(schools: Sequence[LoadedSchool], today: dt.date) -> WarrantySection:
    """Warranty ends of every device and switch: expired, ending within 90 days, per year, soonest first."""
    dated: list[tuple[dt.date, str, str, str, str | None]] = []  # an item is made for the soonest only
    unknown = 0
    for school in schools:
        assets = [(d.name, d.role.value, d.model, d.warranty_end) for d in school.devices]
        assets += [(s.name, "switch", s.model, s.warranty_end) for s in school.model.switches]
        for name, kind, model, end in assets:
            if end is None:
                unknown += 1
            else:
                dated.append((end, school.code, name, kind, model))
    dated.sort(key=lambda w: w[:3])
    ahead = [w for w in dated if w[0] >= today]
    per_year = Counter(w[0].year for w in ahead)
    return WarrantySection(
        as_of=today,
        expired=len(dated) - len(ahead),
        within_90_days=sum(w[0] <= today + dt.timedelta(days=90) for w in ahead),
        unknown=unknown,
        by_year=[WarrantyYear(year=y, devices=n) for y, n in sorted(per_year.items())],
        soonest=[
            WarrantyItem(school=code, device=name, kind=kind, model=model, warranty_end=end)
            for end, code, name, kind, model in ahead[:SOONEST_WARRANTIES]
        ],
        soonest_total=len(ahead),
        note=None if dated or unknown else "no devices",
    )


def refresh_section(schools: Sequence[LoadedSchool], today: dt.date) -> RefreshSection:
    """End of life per financial year over every school (``assets refresh``), devices and cost per year."""
    years: dict[str, RefreshYear] = {}
    currencies = set()
    for school in schools:
        plan = refresh_plan(school, today)
        currencies.add(plan.currency or "GBP")
        for year in plan.years:
            starts = year.start or today
            unpriced = sum(c.devices for c in year.classes if c.cost is None)
            before = years.get(year.label)
            years[year.label] = RefreshYear(
                year=year.label, starts=min(starts, before.starts) if before else starts,
                devices=len(year.devices) + (before.devices if before else 0),
                cost=year.cost + (before.cost if before else 0.0),
                unpriced=unpriced + (before.unpriced if before else 0),
            )  # fmt: skip
    mixed = ", ".join(sorted(currencies))
    note = None if len(currencies) <= 1 else f"schools budget in {mixed}: costs are added as written"
    ordered = sorted(years.values(), key=lambda y: (y.year != "overdue", y.starts))
    return RefreshSection(currency=min(currencies, default="GBP"), years=ordered, note=note)


AUDIT_FINDINGS_SHOWN = 200


def audit_section(schools: Sequence[LoadedSchool]) -> AuditSection:
    """Each school's latest audit (``assets audit``): when it ran, findings per class, the first findings."""
    audited: dict[str, dt.datetime] = {}
    counts = dict.fromkeys(AuditClass, 0)
    findings: list[AuditFinding] = []
    damaged = []
    for school in schools:
        try:
            record = audit_records.latest_audit(school.code)
        except audit_records.DamagedRecord as exc:
            damaged.append(f"{school.code}: {exc}")
            continue
        if record is None:
            continue
        audited[school.code] = dt.datetime.fromisoformat(record.result.collected.replace("Z", "+00:00"))
        for finding in record.result.findings:
            kind = AuditClass(finding.kind.value)
            counts[kind] += 1
            if len(findings) < AUDIT_FINDINGS_SHOWN:
                detail = f"expected {finding.expected or '-'}, found {finding.found or '-'}"
                findings.append(AuditFinding(school=school.code, finding=kind, subject=finding.device, detail=detail))
    note = ("damaged audit records: " + "; ".join(damaged) if damaged
            else None if audited else "no audit has been run (schooltech assets audit)")  # fmt: skip
    return AuditSection(audited=audited, counts=counts, findings=findings, note=note)
