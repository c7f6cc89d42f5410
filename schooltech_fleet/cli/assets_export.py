"""``schooltech assets export``: the declared fleet as records for the asset system the school runs.

  --format snipeit   one CSV for Snipe-IT's asset importer (its Import page, or
                     'php artisan snipeit:import FILE'): one row per device and switch
  --format glpi      a directory of GLPI native inventory JSON files, one per device and
                     switch, as the GLPI agent submits them (e.g. 'glpi-injector --directory DIR --url URL')

The export is written all at once or not at all; an existing, non-empty --output is kept
unless --force is given (and a directory is only replaced if it holds nothing but .json files).
Nothing is contacted.

Exit codes: 0 written, 2 usage error (unknown school, existing output, invalid inventory).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..assets.discovery import Discovery
from ..assets.exports import DEFAULT_STATUS, export_glpi, export_snipeit
from ..assets.records import latest_audit
from ..errors import UsageError
from ..inventory import load_fleet
from .common import EXIT_OK, add_inventory_option


def register(actions: Any) -> None:
    """Add ``export`` to ``schooltech assets``."""
    parser: argparse.ArgumentParser = actions.add_parser(
        "export", help="a Snipe-IT import CSV or GLPI inventory files of the declared fleet",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--format", required=True, choices=("snipeit", "glpi"), help="the asset system to feed")
    add_inventory_option(parser)
    parser.add_argument("--school", help="only this school (code); default every school")
    parser.add_argument("--output", "-o", required=True, type=Path, metavar="PATH",
                        help="the CSV file (snipeit) or the directory of JSON files (glpi) to write")  # fmt: skip
    parser.add_argument("--force", action="store_true", help="replace an existing export at PATH")
    parser.add_argument("--status", default=DEFAULT_STATUS, metavar="LABEL",
                        help=f"Snipe-IT status label of every row (default: {DEFAULT_STATUS!r})")  # fmt: skip
    parser.add_argument(
        "--with-audit",
        action="store_true",
        help="add what the school's latest audit found on each PC (serial, MACs, RAM, disks, OS, BIOS)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, console: Console) -> int:
    discovery = _latest_discovery(args.school) if args.with_audit else None
    fleet = load_fleet(args.inventory)
    if args.format == "snipeit":
        result = export_snipeit(fleet, args.output, school=args.school, discovery=discovery, status=args.status,
                                force=args.force)  # fmt: skip
        what = f"{result.assets} rows"
    else:
        result = export_glpi(fleet, args.output, school=args.school, discovery=discovery, force=args.force)
        what = f"{result.assets} inventory files"
    audited = f" ({result.audited} with what the audit found)" if result.audited else ""
    console.print(f"wrote {what}{audited} to {escape(str(result.path))}")
    return EXIT_OK


def _latest_discovery(school: str | None) -> Discovery:
    """What the school's latest audit found (``--with-audit``)."""
    if school is None:
        raise UsageError("--with-audit needs --school", "an audit is of one school: add --school CODE")
    record = latest_audit(school)
    if record is None:
        raise UsageError(f"school {school} has not been audited yet",
                         f"run 'schooltech assets audit --school {school}' first, "
                         "or export without --with-audit")  # fmt: skip
    return record.discovery
