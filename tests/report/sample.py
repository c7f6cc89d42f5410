"""A report with every section filled, built by hand: what the rendering tests read.

Its strings are hostile where a user could set them (school names, products, devices):
markup, a script, a URL, and a mathtext ``$...$`` that matplotlib must not interpret.
"""

from __future__ import annotations

import datetime as dt

from schooltech_fleet.report.data import (
    AuditClass,
    AuditFinding,
    AuditSection,
    DriftSection,
    DriftState,
    LicenceSeats,
    LicenceSection,
    PatchSection,
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

HOSTILE_NAME = '<script>alert("pwned")</script> $\\frac{1}{0}$ & Co'
HOSTILE_PRODUCT = "Maths <b>Pro</b> $\\frac{1}{0}$ https://evil.example/track.png"
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def report(**changes: object) -> ReportData:
    data = ReportData(
        generated=NOW,
        schools=[SchoolRef(code="RVS", name="Riverside Valley School"), SchoolRef(code="EVL", name=HOSTILE_NAME)],
        patch=PatchSection(window_days=30, rooms=[
            RoomPatch(school="RVS", room="C101", pcs=30, current=24, pending=3, stale=2, never=1,
                      pending_packages=11, last_patch=dt.datetime(2026, 11, 20, 17, 30, tzinfo=dt.UTC)),
            RoomPatch(school="EVL", room="<img src=x onerror=alert(1)>", pcs=5, never=5),
        ]),
        runs=RunsSection(runs=[
            RunRow(run_id="patch-20261120T1730Z", kind="patch", school="RVS", check=False,
                   started="2026-11-20T17:30:00+00:00", duration=812.5, hosts=30, failed=2, succeeded=False),
            RunRow(run_id="patch-20261127T1730Z", kind="patch", school="RVS", check=True,
                   started="2026-11-27T17:30:00+00:00", duration=95.0, hosts=30, failed=0, succeeded=True),
        ], damaged=1),
        drift=DriftSection(switches=[
            SwitchDrift(school="RVS", switch="RVS-SW-A1", state=DriftState.DRIFTED, changes=4),
            SwitchDrift(school="RVS", switch="RVS-SW-CORE", state=DriftState.IN_SYNC),
            SwitchDrift(school="EVL", switch="EVL-SW-1", state=DriftState.UNKNOWN, detail="no backup yet"),
        ]),
        licences=LicenceSection(licences=[
            LicenceSeats(school="RVS", licence="cad-suite", product="SolidDesign CAD Education", type="per_seat",
                         seats=20, used=16, expires=dt.date(2029, 8, 31)),
            LicenceSeats(school="EVL", licence="maths", product=HOSTILE_PRODUCT, type="per_seat", seats=10, used=14,
                         expires=dt.date(2026, 8, 31), over_allocated=True),
            LicenceSeats(school="RVS", licence="office", product="Office for schools", type="site", seats=None,
                         used=140),
        ]),
        warranty=WarrantySection(as_of=NOW.date(), expired=7, within_90_days=12, unknown=3, by_year=[
            WarrantyYear(year=2026, devices=12), WarrantyYear(year=2027, devices=40),
            WarrantyYear(year=2029, devices=90),
        ], soonest=[
            WarrantyItem(school="EVL", device="EVL-<b>PC01</b>", kind="lab_pc", model="$x$ Model",
                         warranty_end=dt.date(2026, 12, 14)),
        ], soonest_total=142),
        refresh=RefreshSection(currency="GBP", years=[
            RefreshYear(year="2026/27", starts=dt.date(2026, 9, 1), devices=12, cost=7800.0),
            RefreshYear(year="2027/28", starts=dt.date(2027, 9, 1), devices=40, cost=26000.0, unpriced=2),
        ]),
        audit=AuditSection(
            audited={"RVS": dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)},
            counts={AuditClass.MISSING: 1, AuditClass.UNKNOWN: 1, AuditClass.MOVED: 0, AuditClass.MISMATCH: 1},
            findings=[
                AuditFinding(school="RVS", finding=AuditClass.MISSING, subject="RVS-C101-PC07", detail="not seen"),
                AuditFinding(school="RVS", finding=AuditClass.UNKNOWN, subject="02:00:00:00:00:99",
                             detail="<script>x()</script> on RVS-SW-A1 port 12 (C101)"),
                AuditFinding(school="RVS", finding=AuditClass.MISMATCH, subject="RVS-C101-PC03",
                             detail="serial SN123 declared, SN999 found"),
            ],
        ),
    )
    return data.model_copy(update=changes)
