"""Licence compliance per school: seats owned against seats used, and expiry.

A licence's seats are used by the managed devices the inventory assigns it (the devices in its
``rooms``, and in every room that installs its ``software_set``) and, once an audit has run, by
every PC that has one of the licence's packages installed (the packages of its software set),
assigned or not. Only per-seat licences can be over-allocated: a site licence has no seats and a
concurrent one counts users at once, not devices. ``schooltech check`` counts the rooms alone
(:mod:`schooltech_fleet.inventory.licences`); this adds the software sets and what is really installed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..inventory.model import Licence
from ..inventory.school import LoadedSchool
from .discovery import Discovery


@dataclass(frozen=True, slots=True)
class LicenceCompliance:
    school: str
    licence: str
    product: str
    type: str  # per_seat, site or concurrent
    seats: int | None  # bought (None for a site licence)
    assigned: tuple[str, ...]  # devices the inventory gives it
    installed_unassigned: tuple[str, ...]  # PCs the audit found it on that the inventory does not give it
    expires: dt.date | None
    days_left: int | None  # from today to expiry; negative once expired

    @property
    def used(self) -> int:
        return len(self.assigned) + len(self.installed_unassigned)

    @property
    def over_allocated(self) -> bool:
        return self.type == "per_seat" and self.seats is not None and self.used > self.seats

    @property
    def expired(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    def expiring(self, within_days: int) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= within_days


@dataclass(frozen=True, slots=True)
class LicenceReport:
    school: str
    today: dt.date
    within_days: int
    audited: bool  # whether discovered packages were counted
    licences: tuple[LicenceCompliance, ...]

    @property
    def findings(self) -> tuple[LicenceCompliance, ...]:
        """Over-allocated licences, and expired licences still in use."""
        return tuple(c for c in self.licences if c.over_allocated or (c.expired and c.used))

    @property
    def expiring(self) -> tuple[LicenceCompliance, ...]:
        return tuple(c for c in self.licences if c.expiring(self.within_days))


def licence_packages(school: LoadedSchool, licence: Licence) -> frozenset[str]:
    """The package names that show a licence's product is installed (its software set's)."""
    software = school.software_sets.get(licence.software_set) if licence.software_set else None
    if software is None:
        return frozenset()
    return frozenset([p.name for p in software.packages] + list(software.windows_packages))


def assigned_devices(school: LoadedSchool, licence: Licence) -> tuple[str, ...]:
    """Managed devices in the licence's rooms and in the rooms that install its software set."""
    rooms = {r for r, room in enumerate(school.model.rooms) if room.name in licence.rooms}
    if licence.software_set is not None:
        rooms |= {r for r in range(len(school.model.rooms)) if licence.software_set in school.room_software_sets(r)[0]}
    return tuple(sorted(d.name for d in school.devices if d.managed and d.room in rooms))


def compliance(
    school: LoadedSchool, today: dt.date, within_days: int = 30, discovery: Discovery | None = None
) -> LicenceReport:
    """Every licence of *school*: seats used against owned, with the audit's installed packages if given."""
    if within_days < 1:
        raise ValueError(f"within_days must be positive, not {within_days}")
    if discovery is not None and discovery.school != school.code:
        raise ValueError(f"the discovery is of school {discovery.school}, not {school.code}")
    out: list[LicenceCompliance] = []
    for licence in school.model.licences:
        assigned = assigned_devices(school, licence)
        packages = licence_packages(school, licence)
        found = {pc.host for pc in (discovery.pcs if discovery else ()) if packages & set(pc.packages)}
        out.append(LicenceCompliance(
            school.code, licence.id, licence.product, licence.type, licence.seats, assigned,
            tuple(sorted(found - set(assigned))), licence.expires,
            (licence.expires - today).days if licence.expires is not None else None,
        ))  # fmt: skip
    return LicenceReport(school.code, today, within_days, discovery is not None, tuple(out))
