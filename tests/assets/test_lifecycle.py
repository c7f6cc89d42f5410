"""Warranty windows and the refresh plan, judged on a fixed day from small school files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from inventory.helpers import write_school

from schooltech_fleet.assets.lifecycle import (
    ROLE_CLASS,
    SWITCH_CLASS,
    Lifecycle,
    financial_year,
    lifecycles,
    refresh_plan,
    warranty,
)
from schooltech_fleet.inventory.loader import load_profile
from schooltech_fleet.inventory.model import SchoolType
from schooltech_fleet.inventory.school import LoadedSchool
from schooltech_fleet.inventory.validate import load_schools

TODAY = dt.date(2026, 11, 25)

ROOMS = """
- name: C1
  kind: ict_suite
  devices:
    - count: 3
      role: lab_pc
      os: debian12
      ip_start: 10.9.16.11
      model: OptiPlex 7010
      purchased: 2020-09-01
      warranty_end: 2026-11-25
    - name: TST-C1-TCH01
      role: teacher_pc
      os: debian12
      vlan: staff
      ip: 10.9.10.21
      purchased: 2021-04-01
      warranty_end: 2027-02-23
    - name: TST-C1-TCH02
      role: teacher_pc
      os: debian12
      vlan: staff
      ip: 10.9.10.22
      model: ThinkPad T14
      purchased: 2022-03-31
      warranty_end: 2026-06-30
      warranty_acknowledged: "no renewal, refresh 2027"
    - name: TST-C1-TCH03
      role: teacher_pc
      os: debian12
      vlan: staff
      ip: 10.9.10.23
      warranty_end: 2026-10-01
"""

MODELS = """
ThinkPad T14: {lifecycle_class: laptop}
"""

FINANCE = """
currency: EUR
financial_year_start: "04-01"
"""


def school(tmp_path: Path, **sections: str | None) -> LoadedSchool:
    sections = {"rooms": ROOMS, "models": MODELS, "finance": FINANCE, **sections}
    write_school(tmp_path, "TST", **sections)
    schools, findings = load_schools(tmp_path, TODAY)
    assert not findings, "\n".join(f.text() for f in findings)
    return schools[0]


def by_name(items: tuple[Lifecycle, ...] | list[Lifecycle]) -> list[str]:
    return [i.name for i in items]


def test_warranty_end_and_end_of_life_are_separate_dates(tmp_path: Path) -> None:
    items = {i.name: i for i in lifecycles(school(tmp_path))}
    pc = items["TST-C1-PC01"]
    assert (pc.model_class, pc.warranty_end, pc.end_of_life) == ("desktop", dt.date(2026, 11, 25), dt.date(2026, 9, 1))
    laptop = items["TST-C1-TCH02"]  # the catalogue classifies the model: a laptop lasts 5 years, not 6
    assert (laptop.model_class, laptop.end_of_life) == ("laptop", dt.date(2027, 3, 31))
    assert items["TST-C1-TCH03"].end_of_life is None


@pytest.mark.parametrize(("within", "expiring"), [
    (1, ["TST-C1-PC01", "TST-C1-PC02", "TST-C1-PC03"]),  # ends today: counts
    (89, ["TST-C1-PC01", "TST-C1-PC02", "TST-C1-PC03"]),
    (90, ["TST-C1-PC01", "TST-C1-PC02", "TST-C1-PC03", "TST-C1-TCH01"]),  # exactly 90 days: counts
])  # fmt: skip
def test_warranty_window_includes_today_and_its_last_day(tmp_path: Path, within: int, expiring: list[str]) -> None:
    report = warranty(lifecycles(school(tmp_path)), TODAY, within)
    assert by_name(report.expiring) == expiring
    assert by_name(report.expired) == ["TST-C1-TCH03"]
    assert report.findings


def test_an_acknowledged_expiry_is_counted_apart_and_silenced(tmp_path: Path) -> None:
    report = warranty(lifecycles(school(tmp_path)), TODAY, 30)
    assert by_name(report.acknowledged) == ["TST-C1-TCH02"]
    assert report.acknowledged[0].acknowledged == "no renewal, refresh 2027"
    assert "TST-C1-TCH02" not in by_name(report.expired) + by_name(report.expiring)


def test_only_acknowledged_expiries_are_no_finding(tmp_path: Path) -> None:
    items = [i for i in lifecycles(school(tmp_path)) if i.acknowledged]
    assert not warranty(items, TODAY, 180).findings


def test_a_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        warranty([], TODAY, 0)


@pytest.mark.parametrize(("day", "year"), [
    (dt.date(2027, 3, 31), 2026), (dt.date(2027, 4, 1), 2027), (dt.date(2026, 11, 25), 2026),
])  # fmt: skip
def test_financial_year_starts_on_the_school_year_start(day: dt.date, year: int) -> None:
    assert financial_year(day, (4, 1)) == year


def test_refresh_plan_places_devices_in_the_financial_year_of_their_end_of_life(tmp_path: Path) -> None:
    plan = refresh_plan(school(tmp_path), TODAY, years=3)
    assert plan.currency == "EUR"
    assert [y.label for y in plan.years] == ["2026/27", "2027/28", "2028/29"]
    this_year, next_year, _ = plan.years
    # the PCs' end of life (2026-09-01) is in 2026/27; the laptop's (2027-03-31) is its last day
    assert by_name(this_year.devices) == ["TST-C1-PC01", "TST-C1-PC02", "TST-C1-PC03", "TST-C1-TCH02"]
    assert [(c.model_class, c.devices, c.cost) for c in this_year.classes] == [("desktop", 3, 1950), ("laptop", 1, 550)]
    assert this_year.cost == 2500
    assert by_name(next_year.devices) == ["TST-C1-TCH01"]  # 2027-04-01: the first day of 2027/28


def test_a_device_without_purchase_date_is_listed_as_unknown_age(tmp_path: Path) -> None:
    plan = refresh_plan(school(tmp_path), TODAY)
    assert by_name(plan.unknown_age) == ["TST-C1-TCH03"]


def test_devices_past_end_of_life_before_this_year_are_overdue(tmp_path: Path) -> None:
    plan = refresh_plan(school(tmp_path), dt.date(2028, 5, 1), years=1)
    assert [y.label for y in plan.years] == ["overdue", "2028/29"]
    assert len(plan.years[0].devices) == 5


def test_the_school_overrides_a_class_price_and_the_year_start(tmp_path: Path) -> None:
    loaded = school(tmp_path, model_classes="desktop: {lifecycle_years: 6, price: 700.5}",
                    finance='financial_year_start: "09-01"')  # fmt: skip
    plan = refresh_plan(loaded, TODAY, years=1)
    assert plan.currency == "GBP"  # the profile's, where the school says nothing
    (year,) = plan.years
    assert year.label == "2026/27" and year.start == dt.date(2026, 9, 1)
    # 1 September 2026 to 31 August 2027: the three lab PCs, the teacher desktop and the laptop
    assert [(c.model_class, c.devices, c.cost) for c in year.classes] == [("desktop", 4, 4 * 700.5), ("laptop", 1, 550)]


SWITCHES = """
- name: TST-SW-01
  platform: cisco_ios
  model: Catalyst 1000-8T
  mgmt_ip: 10.9.99.11
  access_ports: 8
  uplink_ports: 2
  purchased: 2019-02-01
  warranty_end: 2026-12-01
  uplinks:
    - {port: 9, description: to the school router}
"""


def test_a_switch_is_of_class_switch_and_has_its_own_warranty(tmp_path: Path) -> None:
    items = {i.name: i for i in lifecycles(school(tmp_path, switches=SWITCHES))}
    switch = items["TST-SW-01"]
    assert (switch.kind, switch.model_class, switch.end_of_life) == ("switch", "switch", dt.date(2027, 2, 1))
    assert "TST-SW-01" in by_name(warranty(items.values(), TODAY, 6).expiring)


@pytest.mark.parametrize("profile", ["primary", "secondary", "specialist"])
def test_every_shipped_profile_prices_every_default_class(profile: str) -> None:
    loaded = load_profile(SchoolType(profile)).model
    assert loaded is not None
    assert {*ROLE_CLASS.values(), SWITCH_CLASS} <= set(loaded.model_classes)
    assert loaded.finance.financial_year_start == "04-01" and loaded.finance.currency == "GBP"


def test_a_calendar_year_budget_is_labelled_by_its_year(tmp_path: Path) -> None:
    plan = refresh_plan(school(tmp_path, finance='financial_year_start: "01-01"'), TODAY, years=2)
    assert [y.label for y in plan.years] == ["2026", "2027"]
    assert by_name(plan.years[1].devices) == ["TST-C1-TCH02", "TST-C1-TCH01"]  # 2027-03-31, 2027-04-01
