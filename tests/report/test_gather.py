"""Gathering the report from the inventory and the run records kept in the state directory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from schooltech_fleet.assets import records
from schooltech_fleet.assets.audit import compare
from schooltech_fleet.assets.declared import declared_school
from schooltech_fleet.assets.discovery import Discovery, MacSighting
from schooltech_fleet.assets.lifecycle import refresh_plan
from schooltech_fleet.assets.records import AuditRecord
from schooltech_fleet.cli import main
from schooltech_fleet.inventory.validate import load_schools
from schooltech_fleet.jobs import runs
from schooltech_fleet.jobs.model import HostResult, HostStatus, JobKind, JobResult
from schooltech_fleet.report import ReportData, ReportRequest, gather
from schooltech_fleet.report.data import AuditClass, DriftState

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def inventory(demo_copy: Path) -> Path:
    """The demo school (with a hostile name) and an empty state directory of this test's own."""
    target = demo_copy
    school = target / "demo.school.yml"
    text = school.read_text(encoding="utf-8")
    school.write_text(text.replace("  name: Demo Academy", '  name: "<script>alert(1)</script> $x$ Academy"', 1),
                      encoding="utf-8")  # fmt: skip
    return target


def _pcs(inventory: Path, room: str) -> list[str]:
    (school,), _ = load_schools(inventory)
    return [d.name for d in school.devices if d.imageable and school.model.rooms[d.room].name == room]


def _record(run_id: str, started: dt.datetime, check: bool, hosts: list[HostResult]) -> None:
    run_id, _ = runs.new_run_dir(run_id)
    runs.save(JobResult(run_id=run_id, kind=JobKind.PATCH, school="DEMO", check=check, started=started.isoformat(),
                        finished=started.isoformat(), duration=60.0, hosts=tuple(hosts)))  # fmt: skip


def _planned(name: str, packages: int) -> HostResult:
    planned = [{"name": f"pkg{i}", "from": "1.0", "to": "1.1"} for i in range(packages)]
    return HostResult(name, HostStatus.OK, report={"patching_report": {"status": "checked", "planned": planned}})


def test_patch_compliance_comes_from_the_last_patch_and_the_last_check_run(inventory: Path) -> None:
    a, b, c, d = _pcs(inventory, "LAB1")
    _record("patch-old", NOW - dt.timedelta(days=60), False, [HostResult(a, HostStatus.CHANGED)])
    _record("patch-recent", NOW - dt.timedelta(days=5), False,
            [HostResult(b, HostStatus.CHANGED), HostResult(c, HostStatus.OK), HostResult(d, HostStatus.FAILED)])
    _record("check-after", NOW - dt.timedelta(days=1), True, [_planned(c, 3), _planned(b, 0)])
    _record("check-before", NOW - dt.timedelta(days=10), True, [_planned(b, 7)])  # superseded by the patch after it

    data = gather(ReportRequest(inventory, drift=False), now=NOW)

    lab1 = next(r for r in data.patch.rooms if r.room == "LAB1")
    assert (lab1.pcs, lab1.current, lab1.pending, lab1.stale, lab1.never) == (4, 1, 1, 1, 1)
    assert lab1.pending_packages == 3
    assert lab1.last_patch == NOW - dt.timedelta(days=5)
    assert {r.room: r.never for r in data.patch.rooms if r.room != "LAB1"} == {"LAB2": 2, "LIB": 2}
    assert [r.run_id for r in data.runs.runs] == ["check-after", "patch-recent", "check-before", "patch-old"]
    assert [r.failed for r in data.runs.runs] == [0, 1, 0, 0]


def test_licences_and_warranty_come_from_the_inventory(inventory: Path) -> None:
    data = gather(ReportRequest(inventory, drift=False), now=NOW)
    seats = {lic.licence: (lic.type, lic.seats, lic.used) for lic in data.licences.licences}
    assert seats == {"exam-browser": ("site", None, 6), "datalogger": ("per_seat", 4, 2)}
    (school,), _ = load_schools(inventory)
    dated = sum(d.warranty_end is not None for d in school.devices) + sum(
        s.warranty_end is not None for s in school.model.switches)  # fmt: skip
    assert data.warranty.expired + data.warranty.soonest_total == dated
    assert sum(y.devices for y in data.warranty.by_year) == data.warranty.soonest_total
    assert data.warranty.unknown == len(school.devices) + len(school.model.switches) - dated
    plan = refresh_plan(school, NOW.date())
    assert [(y.year, y.devices, y.cost) for y in data.refresh.years] == [
        (y.label, len(y.devices), y.cost) for y in plan.years]  # fmt: skip
    assert data.audit.note == "no audit has been run (schooltech assets audit)"


def test_the_latest_audit_of_each_school_gives_its_findings(inventory: Path) -> None:
    stranger = MacSighting("DEMO-SW-LAB", "GigabitEthernet1/0/1", 1, 20, "02:00:00:00:be:ef", False)
    discovery = Discovery(school="DEMO", pcs=(), unreachable_pcs=(), sightings=(stranger,), unreachable_switches=(),
                          collected="2026-11-30T11:00:00Z")  # fmt: skip
    result = compare(declared_school(inventory, "DEMO"), discovery)
    records.save(AuditRecord(discovery, result))
    data = gather(ReportRequest(inventory, drift=False), now=NOW)
    assert data.audit.audited == {"DEMO": dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC)}
    assert data.audit.counts[AuditClass.UNKNOWN] == 1
    assert sum(data.audit.counts.values()) == len(result.findings) == len(data.audit.findings)
    assert data.audit.note is None


def test_drift_without_a_backup_is_unknown_and_contacts_no_switch(inventory: Path) -> None:
    data = gather(ReportRequest(inventory), now=NOW)
    assert {s.switch for s in data.drift.switches} == {"DEMO-SW-CORE", "DEMO-SW-LAB", "DEMO-SW-LIB"}
    assert {s.state for s in data.drift.switches} == {DriftState.UNKNOWN}
    assert all("no backup" in (s.detail or "") for s in data.drift.switches)


def test_the_command_writes_html_and_json_with_the_school_name_escaped(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html, data = tmp_path / "out" / "report.html", tmp_path / "out" / "report.json"
    html.parent.mkdir()
    assert main(["report", "-i", str(inventory), "--school", "DEMO", "--no-drift", "-o", str(html),
                 "--json", str(data)]) == 0  # fmt: skip
    page = html.read_text(encoding="utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; $x$ Academy" in page
    written = ReportData.from_json(data.read_text(encoding="utf-8"))
    assert written.schools[0].name == "<script>alert(1)</script> $x$ Academy"
    assert sorted(p.name for p in html.parent.iterdir()) == ["report.html", "report.json"]  # no temporary left
    capsys.readouterr()
    assert main(["report", "-i", str(inventory), "--school", "NOPE", "-o", str(html)]) == 2
    assert "no school with code 'NOPE'" in capsys.readouterr().err
    assert main(["report", "-i", str(inventory)]) == 2
    assert "nothing to write" in capsys.readouterr().err
    assert main(["report", "-i", str(inventory), "--no-drift", "-o", str(tmp_path / "absent" / "r.html")]) == 2
    assert "cannot write" in capsys.readouterr().err
