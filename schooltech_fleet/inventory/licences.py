"""Licence seats: the one count of which devices take a licence's seats.

A licence's seats are taken by the managed devices the inventory assigns it — the devices in
its ``rooms`` and in every room whose software sets include its ``software_set`` — and, when
an audit's findings are given, by every PC found with one of the licence's packages installed
(the packages of its software set), assigned or not. :func:`licence_seats` is that count;
``schooltech check`` (over-allocation), the plan, ``schooltech assets licences`` and
``schooltech report`` all take "seats used" from it, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from .model import Licence
from .school import LoadedSchool

Installed = Mapping[str, Collection[str]]
"""Host name -> the packages an audit found installed on it."""


@dataclass(frozen=True, slots=True)
class Seats:
    """The devices that take one licence's seats."""

    assigned: tuple[str, ...]  # managed devices the inventory gives it (its rooms and its software set's rooms)
    installed_unassigned: tuple[str, ...] = ()  # PCs an audit found it installed on that the inventory does not give it

    @property
    def used(self) -> int:
        return len(self.assigned) + len(self.installed_unassigned)


@dataclass(frozen=True)
class SeatUsage:
    school: str
    licence: str
    product: str
    type: str  # per_seat, site or concurrent
    seats: int | None  # bought (None for a site licence)
    used: int  # licence_seats(...).used
    rooms: tuple[str, ...]
    expires: dt.date | None

    @property
    def over_allocated(self) -> bool:
        """A per-seat licence taken by more devices than it has seats."""
        return over_allocated(self.type, self.seats, self.used)


def over_allocated(kind: str, seats: int | None, used: int) -> bool:
    """Only a per-seat licence can be over-allocated: a site licence has no seats, a concurrent one counts users."""
    return kind == "per_seat" and seats is not None and used > seats


def licence_packages(school: LoadedSchool, licence: Licence) -> frozenset[str]:
    """The package names that show a licence's product is installed (its software set's)."""
    software = school.software_sets.get(licence.software_set) if licence.software_set else None
    if software is None:
        return frozenset()
    return frozenset([p.name for p in software.packages] + list(software.windows_packages))


def licence_rooms(school: LoadedSchool, licence: Licence) -> list[int]:
    """Indexes of the rooms the licence is assigned to: its ``rooms``, then those installing its software set."""
    rooms = [r for r, room in enumerate(school.model.rooms) if room.name in licence.rooms]
    if licence.software_set is not None:
        rooms += [r for r in range(len(school.model.rooms))
                  if r not in rooms and licence.software_set in school.room_software_sets(r)[0]]  # fmt: skip
    return rooms


def rooms_taking_seats(school: LoadedSchool, licence: Licence) -> list[tuple[str, int, bool]]:
    """(room, managed devices, named in the licence's ``rooms``) of each room assigned the licence."""
    managed = Counter(d.room for d in school.devices if d.managed)
    return [(school.model.rooms[r].name, managed[r], school.model.rooms[r].name in licence.rooms)
            for r in licence_rooms(school, licence)]  # fmt: skip


def licence_seats(school: LoadedSchool, licence: Licence, installed: Installed | None = None) -> Seats:
    """The devices taking *licence*'s seats: those assigned, plus PCs in *installed* that have its packages."""
    rooms = set(licence_rooms(school, licence))
    assigned = tuple(sorted(d.name for d in school.devices if d.managed and d.room in rooms))
    packages = licence_packages(school, licence)
    found = {host for host, names in (installed or {}).items() if packages.intersection(names)}
    return Seats(assigned, tuple(sorted(found - set(assigned))))


def seat_usage(school: LoadedSchool, installed: Installed | None = None) -> list[SeatUsage]:
    """Every licence of *school* with the seats it takes (see :func:`licence_seats`)."""
    return [
        SeatUsage(school.code, licence.id, licence.product, licence.type, licence.seats,
                  licence_seats(school, licence, installed).used, tuple(licence.rooms), licence.expires)
        for licence in school.model.licences
    ]  # fmt: skip
