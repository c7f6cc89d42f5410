"""Licence compliance per school: seats owned against seats used, and expiry.

Seats used are counted by :func:`schooltech_fleet.inventory.licences.licence_seats`, the one count
``schooltech check`` and ``schooltech report`` use too: the managed devices the inventory assigns the
licence (its ``rooms`` and every room that installs its ``software_set``) and, given an audit's
discovery, every PC found with one of the licence's packages installed, assigned or not. Only
per-seat licences can be over-allocated: a site licence has no seats and a concurrent one counts
users at once, not devices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..inventory.licences import licence_seats, over_allocated
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
        return over_allocated(self.type, self.seats, self.used)

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
    audit: str | None  # when the audit whose discovered packages were counted finished (ISO 8601 UTC); None: none
    licences: tuple[LicenceCompliance, ...]

    @property
    def audited(self) -> bool:
        """Whether an audit's discovered packages were counted."""
        return self.audit is not None

    @property
    def findings(self) -> tuple[LicenceCompliance, ...]:
        """Over-allocated licences, and expired licences still in use."""
        return tuple(c for c in self.licences if c.over_allocated or (c.expired and c.used))

    @property
    def expiring(self) -> tuple[LicenceCompliance, ...]:
        return tuple(c for c in self.licences if c.expiring(self.within_days))


def compliance(
    school: LoadedSchool, today: dt.date, within_days: int = 30, discovery: Discovery | None = None
) -> LicenceReport:
    """Every licence of *school*: seats used against owned, with the audit's installed packages if given."""
    if within_days < 1:
        raise ValueError(f"within_days must be positive, not {within_days}")
    if discovery is not None and discovery.school != school.code:
        raise ValueError(f"the discovery is of school {discovery.school}, not {school.code}")
    installed = {pc.host: pc.packages for pc in discovery.pcs} if discovery is not None else None
    out: list[LicenceCompliance] = []
    for licence in school.model.licences:
        seats = licence_seats(school, licence, installed)
        out.append(LicenceCompliance(
            school.code, licence.id, licence.product, licence.type, licence.seats, seats.assigned,
            seats.installed_unassigned, licence.expires,
            (licence.expires - today).days if licence.expires is not None else None,
        ))  # fmt: skip
    audit = discovery.collected if discovery is not None else None
    return LicenceReport(school.code, today, within_days, audit, tuple(out))
