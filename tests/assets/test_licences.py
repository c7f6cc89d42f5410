"""Licence compliance: seats from the inventory's rooms and software sets, plus what an audit found installed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from inventory.helpers import write_school

from schooltech_fleet.assets.discovery import DiscoveredPc, Discovery
from schooltech_fleet.assets.licences import LicenceReport, compliance
from schooltech_fleet.inventory.school import LoadedSchool
from schooltech_fleet.inventory.validate import load_schools

from .licence_school import C1, SOFTWARE, T1, cad_licence

TODAY = dt.date(2026, 11, 25)

ROOMS = C1 + T1


def licences(seats: int = 4, expires: str = "2027-08-31") -> str:
    return cad_licence(seats, expires)


def school(tmp_path: Path, **sections: str) -> LoadedSchool:
    write_school(tmp_path, **{"rooms": ROOMS, "software_sets": SOFTWARE, "licences": licences(), **sections})
    schools, _ = load_schools(tmp_path, TODAY)
    return schools[0]


def pc(host: str, *packages: str) -> DiscoveredPc:
    return DiscoveredPc(host, host.lower(), None, None, None, (), None, (), "Debian 12", None, packages)


def audit(*pcs: DiscoveredPc) -> Discovery:
    return Discovery("TST", pcs, (), (), (), "2026-11-25T09:00:00Z")


def only(report: LicenceReport) -> tuple[int, bool, bool]:
    (cad,) = report.licences
    return cad.used, cad.over_allocated, bool(report.findings)


def test_seats_used_are_the_licence_rooms_and_the_rooms_that_install_its_set(tmp_path: Path) -> None:
    report = compliance(school(tmp_path), TODAY)
    (cad,) = report.licences
    assert cad.assigned == ("TST-C1-PC01", "TST-C1-PC02", "TST-T1-PC01", "TST-T1-PC02")
    assert (cad.used, cad.over_allocated, report.findings, report.audited) == (4, False, (), False)


def test_a_pc_with_the_product_installed_uses_a_seat_though_the_inventory_does_not_assign_it(tmp_path: Path) -> None:
    loaded = school(tmp_path, rooms=ROOMS + "- {name: L1, kind: ict_suite, devices: [{name: TST-L1-X, role: lab_pc,"
                                          " os: debian12, ip: 10.9.16.40}]}")  # fmt: skip
    report = compliance(loaded, TODAY, discovery=audit(pc("TST-L1-X", "freecad"), pc("TST-C1-PC01", "freecad")))
    (cad,) = report.licences
    assert cad.installed_unassigned == ("TST-L1-X",)
    assert only(report) == (5, True, True)


def test_a_discovered_pc_without_the_package_uses_no_extra_seat(tmp_path: Path) -> None:
    report = compliance(school(tmp_path), TODAY, discovery=audit(pc("TST-X", "vim")))
    assert only(report) == (4, False, False)


def test_over_allocation_is_a_finding(tmp_path: Path) -> None:
    assert only(compliance(school(tmp_path, licences=licences(seats=3)), TODAY)) == (4, True, True)


@pytest.mark.parametrize(("expires", "expired", "expiring", "finding"), [
    ("2026-11-24", True, False, True),
    ("2026-11-25", False, True, False),  # expires today: still valid, expiring
    ("2026-12-25", False, True, False),  # exactly 30 days
    ("2026-12-26", False, False, False),
])  # fmt: skip
def test_expiry(tmp_path: Path, expires: str, expired: bool, expiring: bool, finding: bool) -> None:
    report = compliance(school(tmp_path, licences=licences(expires=expires)), TODAY, within_days=30)
    (cad,) = report.licences
    assert (cad.expired, bool(report.expiring), bool(report.findings)) == (expired, expiring, finding)


def test_a_discovery_of_another_school_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="school OAK"):
        compliance(school(tmp_path), TODAY, discovery=Discovery("OAK", (), (), (), (), ""))
