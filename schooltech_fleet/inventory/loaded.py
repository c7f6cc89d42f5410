"""One command's inventory, read once: the schools as parsed and the fleet resolved from them.

A command that needs both the fleet (hosts, variables, the network guard) and the schools
themselves (a switch's intent, its port map, a school's licences) loads them here once and
hands the result down, so every school file is read, validated and resolved once per command.
Nothing is kept in the process between commands, so an edit shows in the next one.

The resolved-fleet cache (:mod:`.cache`) stands in for resolving when it holds the fleet of
exactly the files that were parsed: their fingerprint is taken before and after parsing, and a
file that changed in between means the fleet is resolved from the schools parsed, the cache
left alone. So the fleet and the schools always come from the same files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from . import cache, cache_key
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
    today = today or clock.today()
    key = cache_key(path, today)
    schools = valid_schools(path, today)
    if key and cache_key(path, today) != key:
        key = ""  # a file changed while it was being read: the cache is no stand-in for these schools
    fleet = cache.get(path, key) if key else None
    if fleet is None:
        fleet = resolve(schools)
        if key:
            cache.put(path, key, fleet)
    return LoadedInventory(path, tuple(schools), fleet)
