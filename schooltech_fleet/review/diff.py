"""``schooltech diff``: what a change to the inventory does, from one git revision to another."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import clock
from ..errors import UsageError
from .changes import ChangeReport, compare
from .snapshot import take


def diff_inventory(inventory: Path, base: str, head: str | None = None, today: dt.date | None = None) -> ChangeReport:
    """Compare the inventory at *inventory* as of revision *base* with *head* (None: the work tree)."""
    today = today or clock.today()
    before = take(inventory, base, today)
    after = take(inventory, head, today)
    if not before.found and not after.found:
        raise UsageError(f"{inventory}: no school files at {base} nor at {head}",
                         "give the inventory's path in the repository with -i")  # fmt: skip
    return compare(before, after)
