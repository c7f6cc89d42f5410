"""One command's inventory, read once: the schools as parsed and the fleet resolved from them.

A command that needs both the fleet (hosts, variables, the network guard) and the schools
themselves (a switch's intent, its port map, a school's licences) loads them here once and
hands the result down, so every school file is read, validated and resolved once per command.
Nothing is kept in the process between commands, so an edit shows in the next one.

The fleet is always resolved from the schools just parsed (resolving is a fraction of parsing,
which these commands need anyway), never taken from the cache: the fleet and the schools
always come from the same bytes, even when a file is saved while the command reads it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from .fleet import Fleet, UnknownSchool
from .resolve import resolve
from .school import LoadedSchool
from .validate import valid_schools


@dataclass(frozen=True)
class LoadedInventory:
    """The valid schools under *path* and the fleet resolved from them."""

    path: Path
    schools: tuple[LoadedSchool, ...]
    fleet: Fleet

    def school(self, code: str) -> LoadedSchool:
        """The school *code*; an unknown code is a usage error listing the known ones."""
        for school in self.schools:
            if school.code == code:
                return school
        raise UnknownSchool([code], (school.code for school in self.schools))


def load_inventory(path: Path, today: dt.date | None = None) -> LoadedInventory:
    """Read, validate and resolve every school file under *path* once; raises :class:`InventoryError` if invalid."""
    schools = valid_schools(path, today or clock.today())
    return LoadedInventory(path, tuple(schools), resolve(schools))
