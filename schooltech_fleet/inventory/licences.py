"""Licence seats: how many managed devices each licence of a school is assigned to."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from .school import LoadedSchool


@dataclass(frozen=True)
class SeatUsage:
    school: str
    licence: str
    product: str
    type: str  # per_seat, site or concurrent
    seats: int | None  # bought (None for a site licence)
    used: int  # managed devices in the licence's rooms
    rooms: tuple[str, ...]
    expires: dt.date | None

    @property
    def over_allocated(self) -> bool:
        """A per-seat licence assigned to more devices than it has seats."""
        return self.type == "per_seat" and self.seats is not None and self.used > self.seats


def managed_per_room(school: LoadedSchool) -> Counter[str]:
    """Room name -> managed devices in it."""
    return Counter(school.model.rooms[d.room].name for d in school.devices if d.managed)


def seat_usage(school: LoadedSchool) -> list[SeatUsage]:
    """Every licence of *school* with the seats its assigned rooms take (each room counted once)."""
    in_room = managed_per_room(school)
    return [
        SeatUsage(school.code, licence.id, licence.product, licence.type, licence.seats,
                  sum(in_room[room] for room in dict.fromkeys(licence.rooms)), tuple(licence.rooms), licence.expires)
        for licence in school.model.licences
    ]  # fmt: skip
