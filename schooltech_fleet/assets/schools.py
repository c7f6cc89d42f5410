"""The schools the asset commands plan for: loaded and checked once, refused if the inventory has errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import InventoryError
from ..inventory.findings import Severity
from ..inventory.fleet import UnknownSchool
from ..inventory.school import LoadedSchool
from ..inventory.validate import load_schools

REPORTED = frozenset({"licence-seats", "licence-expired"})
"""Check errors that ``schooltech assets licences`` and ``schooltech report`` report, so they do not stop them."""


def asset_schools(path: Path, today: dt.date, code: str | None = None) -> list[LoadedSchool]:
    """The real schools under *path* (no simulation layer), or only the school *code*."""
    schools, findings = load_schools(path, today, simulation=False)
    errors = sorted(f for f in set(findings) if f.severity is Severity.ERROR and f.code not in REPORTED)
    if errors:
        raise InventoryError(list(errors))
    if code is None:
        return schools
    chosen = [s for s in schools if s.code == code]
    if not chosen:
        raise UnknownSchool([code], [s.code for s in schools])
    return chosen
