"""The declarative school inventory: load, validate, resolve, explain.

Reading a cached fleet needs none of the parsing and validation code, so that code
(and pydantic) is imported only when a name that needs it is first used: the
Ansible plugin pays for it only when the inventory changed.
"""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import clock
from . import cache
from .files import require_school_files
from .fleet import Fleet

if TYPE_CHECKING:
    from .explanation import HostExplanation, explain_host
    from .findings import Finding
    from .loaded import LoadedInventory, load_inventory
    from .resolve import ExplainedVar
    from .school import LoadedSchool
    from .summary import SchoolSummary, fleet_summary
    from .validate import CheckResult, check, load_schools

__all__ = [
    "CheckResult",
    "ExplainedVar",
    "Finding",
    "Fleet",
    "HostExplanation",
    "LoadedInventory",
    "LoadedSchool",
    "SchoolSummary",
    "check",
    "explain_host",
    "fleet_summary",
    "load_fleet",
    "load_inventory",
    "load_schools",
]

_LAZY = {
    "CheckResult": "validate",
    "check": "validate",
    "load_schools": "validate",
    "HostExplanation": "explanation",
    "explain_host": "explanation",
    "Finding": "findings",
    "ExplainedVar": "resolve",
    "LoadedInventory": "loaded",
    "load_inventory": "loaded",
    "LoadedSchool": "school",
    "SchoolSummary": "summary",
    "fleet_summary": "summary",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_fleet(path: Path, today: dt.date | None = None, *, school: str | None = None) -> Fleet:
    """The resolved fleet under *path*; raises :class:`InventoryError` if anything is wrong.

    Each school file comes from the cache unless it changed; only the changed ones are
    validated and resolved again, then the rules across schools run (:mod:`.assemble`).
    With *school* (a job's), the whole inventory is checked just the same, but the fleet
    may hold that school's hosts and groups only (from the cache it does; resolved from
    scratch it holds every school).
    """
    today = today or clock.today()
    files = require_school_files(path)
    if cache.enabled():
        from .assemble import assemble  # noqa: PLC0415 - see the module docstring

        if (fleet := assemble(files, today, school)) is not None:
            return fleet
    return _validated(path, today)


def _validated(path: Path, today: dt.date) -> Fleet:
    """Validate and resolve every school under *path* from scratch (raises :class:`InventoryError` if invalid)."""
    from .resolve import resolve  # noqa: PLC0415
    from .validate import valid_schools  # noqa: PLC0415 - see the module docstring

    return resolve(valid_schools(path, today))
