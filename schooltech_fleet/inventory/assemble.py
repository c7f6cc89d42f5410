"""A fleet from its school files' cache entries: only changed schools are validated again.

Each school file has its own cache entry (:mod:`.cache`), the one the Ansible plugin
reads when Ansible hands it that file. A directory's fleet is assembled from them: a
school whose entry holds is taken as it is, a school whose entry misses (its file was
edited) is validated and resolved on its own and its entry written. Reading fifty
entries and merging them costs what reading one entry of the whole directory would.

What only the whole directory can show, the rules across schools (a school code, a host
name, a MAC or a serial number used twice), is then decided over the identities every
entry keeps. Whatever fails here is reported by validating the whole directory again
(:func:`.validate.load_schools`): the findings, with file and line, are exactly those
of a run without the cache.

Reading entries needs no pydantic and no rules: those are imported only for a school
that changed. A job needs one school of the district: with *school*, every entry's
identities are read and the rules across schools decided as always, but only that school's
resolved hosts are read back (a tenth of a second less per 10,000 hosts left out).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import cache
from .fleet import Fleet


def assemble(files: list[Path], today: dt.date, school: str | None = None) -> Fleet | None:
    """The fleet of the school files *files* (a directory's, in its order); None if a school has errors
    or a rule across the schools fails. With *school*, only that school's hosts and groups are in it
    (the other schools are only named in ``Fleet.schools``)."""
    fleet = Fleet()
    seen: dict[str, set[str]] = {}
    for file in files:
        key = cache.school_key(file, today)
        entry = cache.get(file, key, only=school)
        if entry is None:
            from .validate import validated_entry  # noqa: PLC0415 - only a changed school needs validation

            entry = validated_entry(file, today)
            if entry is None:
                return None
            cache.put(file, key, entry)
        for attribute, values in entry.identities.items():
            known = seen.setdefault(attribute, set())
            if not known.isdisjoint(values):
                return None
            known.update(values)
        if school is None or entry.identities["code"] == [school]:
            fleet.merge(entry.fleet)
        else:
            fleet.schools.update(dict.fromkeys(entry.identities["code"], str(file.resolve())))  # known, not loaded
    return fleet
