"""Warranty and end of life, kept apart, and the refresh plan per financial year.

A device's warranty ends on its ``warranty_end``; its end of life is its purchase date plus
the lifecycle of its model class (``model_classes``). The class comes from the model
catalogue (``models: {M: {lifecycle_class: laptop}}``), else from the device's role
(:data:`ROLE_CLASS`); switches are of class ``switch``. A device without a purchase date
has an unknown age: the plan lists it apart, never drops it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..inventory.model import DeviceRole
from ..inventory.school import LoadedSchool

ROLE_CLASS: dict[DeviceRole, str] = {
    DeviceRole.LAB_PC: "desktop",
    DeviceRole.TEACHER_PC: "desktop",
    DeviceRole.STAFF_LAPTOP: "laptop",
    DeviceRole.STUDENT_LAPTOP: "laptop",
    DeviceRole.CHROMEBOOK: "laptop",
    DeviceRole.TABLET: "tablet",
    DeviceRole.SERVER: "server",
    DeviceRole.PRINTER: "printer",
    DeviceRole.DISPLAY: "display",
    DeviceRole.ACCESS_POINT: "network",
    DeviceRole.AV_DEVICE: "display",
}
"""The model class of a device whose model the catalogue does not classify."""

SWITCH_CLASS = "switch"
DEFAULT_YEAR_START = (9, 1)  # a school file without finance.financial_year_start plans by academic year


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """One device's (or switch's) dates: warranty and end of life are separate."""

    school: str
    name: str
    kind: str  # device role, or "switch"
    model: str | None
    model_class: str
    purchased: dt.date | None
    warranty_end: dt.date | None
    end_of_life: dt.date | None  # None: no purchase date, or a class without a lifecycle
    acknowledged: str | None  # the technician's reason for accepting the warranty expiry
    price: float | None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def lifecycles(school: LoadedSchool) -> list[Lifecycle]:
    """Every device and switch of *school* with its warranty end and end of life."""
    classes = school.model_classes
    out: list[Lifecycle] = []

    def entry(name: str, kind: str, model: str | None, cls: str, purchased: dt.date | None,
              warranty_end: dt.date | None, acknowledged: str | None) -> Lifecycle:  # fmt: skip
        known = classes.get(cls)
        eol = _add_years(purchased, known.lifecycle_years) if known and purchased else None
        return Lifecycle(school.code, name, kind, model, cls, purchased, warranty_end, eol, acknowledged,
                         known.price if known else None)  # fmt: skip

    for d in school.devices:
        catalogued = school.pc_models.get(d.model) if d.model is not None else None
        cls = (catalogued.lifecycle_class if catalogued else None) or ROLE_CLASS[d.role]
        out.append(entry(d.name, d.role.value, d.model, cls, d.purchased, d.warranty_end, d.warranty_acknowledged))
    for s in school.model.switches:
        catalogued = school.pc_models.get(s.model) if s.model is not None else None
        cls = (catalogued.lifecycle_class if catalogued else None) or SWITCH_CLASS
        out.append(entry(s.name, "switch", s.model, cls, s.purchased, s.warranty_end, s.warranty_acknowledged))
    return out


@dataclass(frozen=True, slots=True)
class WarrantyReport:
    """Warranties that end within a window, those already ended, and those acknowledged (silenced)."""

    today: dt.date
    within_days: int
    expiring: tuple[Lifecycle, ...]  # ends today .. today + within_days, not acknowledged
    expired: tuple[Lifecycle, ...]  # ended before today, not acknowledged
    acknowledged: tuple[Lifecycle, ...]  # expired or expiring, with a reason on record
    no_warranty_date: tuple[Lifecycle, ...]

    @property
    def findings(self) -> bool:
        """Anything a technician has not yet acknowledged."""
        return bool(self.expiring or self.expired)


def warranty(items: Iterable[Lifecycle], today: dt.date, within_days: int) -> WarrantyReport:
    """Sort warranties into expiring (within *within_days*, today included), expired, acknowledged."""
    if within_days < 1:
        raise ValueError(f"within_days must be positive, not {within_days}")
    horizon = today + dt.timedelta(days=within_days)
    expiring: list[Lifecycle] = []
    expired: list[Lifecycle] = []
    acknowledged: list[Lifecycle] = []
    undated: list[Lifecycle] = []
    for item in sorted(items, key=lambda i: (i.warranty_end or dt.date.max, i.school, i.name)):
        end = item.warranty_end
        if end is None:
            undated.append(item)
        elif end > horizon:
            continue
        elif item.acknowledged:
            acknowledged.append(item)
        else:
            (expired if end < today else expiring).append(item)
    return WarrantyReport(today, within_days, tuple(expiring), tuple(expired), tuple(acknowledged), tuple(undated))


def year_start(school: LoadedSchool) -> tuple[int, int]:
    """(month, day) the school's financial year starts on."""
    text = school.finance.financial_year_start
    if text is None:
        return DEFAULT_YEAR_START
    month, day = text.split("-")
    return int(month), int(day)


def financial_year(day: dt.date, start: tuple[int, int]) -> int:
    """The calendar year a financial year starting on *start* begins in, for *day* (2027-03-31 -> 2026 for 04-01)."""
    return day.year if (day.month, day.day) >= start else day.year - 1


@dataclass(frozen=True, slots=True)
class ClassCount:
    model_class: str
    devices: int
    cost: float | None  # None when the class has no price


@dataclass(frozen=True, slots=True)
class RefreshYear:
    """Devices reaching end of life in one financial year (``overdue`` collects those already past it)."""

    label: str  # "2026/27", or "overdue"
    start: dt.date | None
    devices: tuple[Lifecycle, ...]
    classes: tuple[ClassCount, ...]

    @property
    def cost(self) -> float:
        return sum(c.cost or 0.0 for c in self.classes)


@dataclass(frozen=True, slots=True)
class RefreshPlan:
    school: str
    currency: str | None
    year_start: tuple[int, int]
    years: tuple[RefreshYear, ...]  # overdue first (if any), then each financial year in order
    unknown_age: tuple[Lifecycle, ...]  # no purchase date, or a class without a lifecycle


def _year(label: str, start: dt.date | None, items: list[Lifecycle]) -> RefreshYear:
    counts = Counter(i.model_class for i in items)
    prices = {i.model_class: i.price for i in items}
    classes = tuple(
        ClassCount(cls, n, None if (price := prices[cls]) is None else n * price) for cls, n in sorted(counts.items())
    )
    return RefreshYear(label, start, tuple(sorted(items, key=lambda i: (i.end_of_life, i.name))), classes)


def refresh_plan(school: LoadedSchool, today: dt.date, years: int = 5) -> RefreshPlan:
    """Which devices reach end of life in each of the next *years* financial years (this one first)."""
    if years < 1:
        raise ValueError(f"years must be positive, not {years}")
    start = year_start(school)
    first = financial_year(today, start)
    items = lifecycles(school)
    unknown = tuple(i for i in items if i.end_of_life is None)
    dated = [i for i in items if i.end_of_life is not None]
    plan: list[RefreshYear] = []
    first_day = dt.date(first, *start)
    overdue = [i for i in dated if i.end_of_life is not None and i.end_of_life < first_day]
    if overdue:
        plan.append(_year("overdue", None, overdue))
    for year in range(first, first + years):
        members = [i for i in dated if i.end_of_life is not None and financial_year(i.end_of_life, start) == year]
        label = f"{year}" if start == (1, 1) else f"{year}/{(year + 1) % 100:02}"
        plan.append(_year(label, dt.date(year, *start), members))
    return RefreshPlan(school.code, school.finance.currency, start, tuple(plan), unknown)
