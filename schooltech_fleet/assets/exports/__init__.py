"""Exports for the asset systems schools already run: a Snipe-IT importer CSV and GLPI native inventories.

Both read the declared inventory and, when given, what an audit discovered
(:class:`~..discovery.Discovery`); both write all or nothing and keep an existing
export unless ``force`` is given (:mod:`.output`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...inventory.fleet import Fleet
from ..discovery import Discovery
from .assets import AssetRecord, asset_records
from .glpi import file_name, glpi_json
from .output import OutputExists, write_directory, write_file
from .snipeit import DEFAULT_STATUS, snipeit_csv

__all__ = [
    "DEFAULT_STATUS",
    "AssetRecord",
    "ExportResult",
    "OutputExists",
    "asset_records",
    "export_glpi",
    "export_snipeit",
]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    assets: int  # rows (Snipe-IT) or files (GLPI) written
    audited: int  # of which the audit reached (their discovered facts are in the export)


def export_snipeit(fleet: Fleet, output: Path, *, school: str | None = None, discovery: Discovery | None = None,
                   status: str = DEFAULT_STATUS, force: bool = False) -> ExportResult:  # fmt: skip
    """Write one Snipe-IT importer CSV of every device and switch of *school* (default: all) to *output*."""
    assets = asset_records(fleet, school, discovery)
    write_file(output, snipeit_csv(assets, status), force=force)
    return ExportResult(output, len(assets), sum(a.found is not None for a in assets))


def export_glpi(fleet: Fleet, output: Path, *, school: str | None = None, discovery: Discovery | None = None,
                force: bool = False) -> ExportResult:  # fmt: skip
    """Write one GLPI native inventory JSON file per device and switch of *school* into the directory *output*."""
    assets = asset_records(fleet, school, discovery)
    write_directory(output, {file_name(a): glpi_json(a) for a in assets}, force=force)
    return ExportResult(output, len(assets), sum(a.found is not None for a in assets))
