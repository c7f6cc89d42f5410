"""Collection: the PCs' own facts (the ``asset_facts`` job) and the switches' MAC tables, as one :class:`Discovery`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import clock
from ..jobs.runner import ProgressCallback
from .discovery import Discovery


def collect(inventory: Path, school: str, rooms: tuple[str, ...] = (), *, workers: int = 10,
            on_progress: ProgressCallback | None = None) -> Discovery:  # fmt: skip
    """Ask the PCs of *school* (its *rooms*, if any) about themselves, then read every switch's MAC table."""
    from ..jobs.asset_facts import gather_pc_facts  # noqa: PLC0415 - the job stack only when collecting
    from ..network.mac_table import gather_mac_tables  # noqa: PLC0415 - Netmiko only when collecting

    facts = gather_pc_facts(inventory, school, rooms, on_progress=on_progress)
    tables = gather_mac_tables(inventory, school, workers=workers)
    collected = clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Discovery(school, facts.pcs, facts.unreachable, tables.sightings, tables.unreachable, collected)
