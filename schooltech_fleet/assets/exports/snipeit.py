"""A CSV for Snipe-IT's asset importer: one row per device and switch, under its documented headers.

Headers are those of Snipe-IT's "Importing Assets" page (https://snipe-it.readme.io/docs/importing-assets)
and its importer's field map (``app/Importer/import_mappings.md``: asset tag, item name, serial number,
model name, model number, category, manufacturer, status, location, purchase date, warranty months,
notes); the importer matches headers case-insensitively, and any other header to a custom field of that
name, so ``MAC Address`` fills a custom field of that name when the school's Snipe-IT has one. Dates
are written ``YYYY-MM-DD``, as its documentation writes them.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab, carriage return, line
feed or NUL) as a formula; following OWASP's advice on CSV injection, such a cell gets a leading ``'``
and every cell is quoted, with quotes doubled (RFC 4180).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from .assets import AssetRecord

HEADERS = (
    "Asset Tag", "Item Name", "Serial Number", "Model Name", "Model Number", "Category", "Manufacturer",
    "Status", "Location", "Purchase Date", "Warranty Months", "MAC Address", "Notes",
)  # fmt: skip

DEFAULT_STATUS = "Ready to Deploy"
"""A status label every Snipe-IT has from installation, and a deployable one."""

CATEGORIES = {
    "lab_pc": "Desktop",
    "teacher_pc": "Desktop",
    "staff_laptop": "Laptop",
    "student_laptop": "Laptop",
    "chromebook": "Chromebook",
    "tablet": "Tablet",
    "server": "Server",
    "printer": "Printer",
    "display": "Display",
    "access_point": "Access Point",
    "av_device": "AV Equipment",
    "switch": "Network Switch",
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def neutralised(cell: str) -> str:
    """*cell* as text a spreadsheet will not evaluate: a leading ``'`` when it starts like a formula."""
    return f"'{cell}" if cell.startswith(_FORMULA_START) else cell


def warranty_months(purchased: dt.date | None, warranty_end: dt.date | None) -> int | None:
    """Whole months from purchase to the end of warranty (its last day included), rounded down.

    Snipe-IT derives the expiry as purchase date + months, so rounding down never shows more
    warranty than was bought: 2025-08-01 to 2030-07-31 is 60 months; to 2030-07-30, 59.
    None when either date is missing or the warranty ends before the purchase.
    """
    if purchased is None or warranty_end is None or warranty_end < purchased:
        return None
    after = warranty_end + dt.timedelta(days=1)  # the first day out of warranty
    months = (after.year - purchased.year) * 12 + after.month - purchased.month
    return months - 1 if after.day < purchased.day else months


def row(asset: AssetRecord, status: str = DEFAULT_STATUS) -> dict[str, str]:
    """The importer's fields for one asset, before neutralisation.

    What the PC reported (audit) wins over what was declared for the serial, MAC and the
    manufacturer/model number; the difference is written in Notes for a person to check.
    """
    found = asset.found
    serial = (found.serial if found else None) or asset.serial
    mac = asset.mac if (found is None or not found.macs or asset.mac in found.macs) else found.macs[0]
    notes = [f"schooltech: {asset.role.replace('_', ' ')}"]
    if asset.ip:
        notes.append(f"IP {asset.ip}")
    if found and found.os:
        notes.append(f"OS {found.os}")
    elif asset.os:
        notes.append(f"{'platform' if asset.kind == 'switch' else 'OS'} {asset.os}")
    if found and found.serial and asset.serial and found.serial != asset.serial:
        notes.append(f"inventory serial {asset.serial}")
    if mac != asset.mac and asset.mac:
        notes.append(f"inventory MAC {asset.mac}")
    months = warranty_months(asset.purchased, asset.warranty_end)
    where = [asset.school_name, asset.building, asset.room] if asset.room else [asset.school_name, asset.site]
    return {
        "Asset Tag": serial or asset.name,
        "Item Name": asset.name,
        "Serial Number": serial or "",
        "Model Name": asset.model or (" ".join(x for x in (found.vendor, found.model) if x) if found else ""),
        "Model Number": (found.model if found else None) or "",
        "Category": CATEGORIES[asset.role],
        "Manufacturer": (found.vendor if found else None) or "",
        "Status": status,
        "Location": ", ".join(x for x in where if x),
        "Purchase Date": asset.purchased.isoformat() if asset.purchased else "",
        "Warranty Months": "" if months is None else str(months),
        "MAC Address": mac or "",
        "Notes": "; ".join(notes),
    }


def snipeit_csv(assets: Sequence[AssetRecord], status: str = DEFAULT_STATUS) -> str:
    """The whole CSV: the header line, then one row per asset; every cell quoted and neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADERS, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writeheader()
    for asset in assets:
        writer.writerow({key: neutralised(value) for key, value in row(asset, status).items()})
    return buffer.getvalue()
