"""``schooltech assets warranty | refresh | licences``: how long kit lasts, what replacing it costs, what it may run."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import textwrap
from typing import Any

from rich.console import Console
from rich.markup import escape

from .. import clock
from ..assets.licences import LicenceReport, compliance
from ..assets.lifecycle import Lifecycle, RefreshPlan, lifecycles, refresh_plan, warranty
from ..assets.records import DamagedRecord, latest_audit
from ..assets.schools import asset_schools
from ..inventory.school import LoadedSchool
from .common import EXIT_FINDINGS, EXIT_OK, add_inventory_option, positive_int
from .tables import Column, print_table

UNKNOWN_SHOWN = 4
EPILOG = "exit codes: 0 {ok}, 1 {findings}, 2 usage or inventory error. SCHOOLTECH_NOW pins today."
_DEVICE_COLUMNS = (Column("device", whole=True), Column("model", drop=1), Column("warranty end", whole=True),
                   Column("end of life", whole=True))  # fmt: skip
_ACKNOWLEDGED_COLUMNS = (Column("device", whole=True), Column("warranty end", whole=True), Column("reason"))
_LICENCE_COLUMNS = (Column("licence", whole=True), Column("type", drop=1), Column("seats", justify="right"),
                    Column("used", justify="right"), Column("expires", whole=True), Column("status"))  # fmt: skip


def register(actions: Any) -> None:
    """Add ``warranty``, ``refresh`` and ``licences`` to ``schooltech assets``."""
    parsers = {
        "warranty": actions.add_parser(
            "warranty", help="warranties ending within DAYS, expired and acknowledged",
            description="Warranties that end within --within days (today included), those already ended, "
                        "and those a technician acknowledged (warranty_acknowledged: the reason).",
            epilog=EPILOG.format(ok="nothing unacknowledged", findings="an unacknowledged warranty ends "
                                 "within the window or has ended"),
        ),
        "refresh": actions.add_parser(
            "refresh", help="devices reaching end of life per financial year, and the cost",
            description="The refresh plan: which devices reach end of life (purchase date + the lifecycle of "
                        "their model class) in each financial year, how many per class, and the cost.",
            epilog="exit codes: 0 a plan was shown, 2 usage or inventory error. SCHOOLTECH_NOW pins today.",
        ),
        "licences": actions.add_parser(
            "licences", help="licence seats owned against used, and expiry",
            description="Licence compliance: seats owned against seats used: the devices assigned (the licence's "
                        "rooms and the rooms installing its software set) and, unless --no-audit, the PCs the "
                        "school's latest audit (schooltech assets audit) found it installed on.",
            epilog=EPILOG.format(ok="compliant", findings="a licence is over-allocated, or expired and in use"),
        ),
    }  # fmt: skip
    for name, parser in parsers.items():
        add_inventory_option(parser)
        parser.add_argument("--school", metavar="CODE", help="only this school")
        parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
        parser.set_defaults(handler=HANDLERS[name])
    parsers["warranty"].add_argument("--within", metavar="DAYS", type=positive_int, required=True,
                                     help="days ahead, e.g. 30, 60, 90 or 180")  # fmt: skip
    parsers["refresh"].add_argument("--years", metavar="N", type=positive_int, default=5,
                                    help="financial years to plan, this one first (default 5)")  # fmt: skip
    parsers["licences"].add_argument("--within", metavar="DAYS", type=positive_int, default=30,
                                     help="report licences expiring within DAYS (default 30)")  # fmt: skip
    parsers["licences"].add_argument("--no-audit", action="store_true",
                                     help="count the inventory's assignments alone, not the latest audit")  # fmt: skip


def _json(value: Any) -> str:
    def plain(item: Any) -> Any:
        if isinstance(item, dt.date):
            return item.isoformat()
        raise TypeError(type(item).__name__)

    return json.dumps(value, default=plain, indent=2)


def _devices(console: Console, title: str, items: tuple[Lifecycle, ...], acknowledged: bool = False) -> None:
    """One row per device; an acknowledged device shows the technician's reason instead of its model."""
    if not items:
        return
    columns: tuple[Column, ...] = _ACKNOWLEDGED_COLUMNS if acknowledged else _DEVICE_COLUMNS
    rows: list[tuple[str, ...]] = [
        (i.name, str(i.warranty_end), i.acknowledged or "") if acknowledged
        else (i.name, i.model or "-", str(i.warranty_end), str(i.end_of_life or "?"))
        for i in items
    ]  # fmt: skip
    print_table(console, escape(f"{title} ({len(items)})"), columns, [tuple(map(escape, row)) for row in rows])


def run_warranty(args: argparse.Namespace, console: Console) -> int:
    today = clock.today()
    items = [i for s in asset_schools(args.inventory, today, args.school) for i in lifecycles(s)]
    report = warranty(items, today, args.within)
    if args.json:
        console.print_json(_json(dataclasses.asdict(report) | {"findings": report.findings}))
    else:
        _devices(console, f"warranty ends by {today + dt.timedelta(days=args.within)}", report.expiring)
        _devices(console, "warranty ended", report.expired)
        _devices(console, "acknowledged", report.acknowledged, acknowledged=True)
        console.print(f"{len(report.expiring)} ending within {args.within} days, {len(report.expired)} ended, "
                      f"{len(report.acknowledged)} acknowledged, {len(report.no_warranty_date)} without a "
                      f"warranty date (today {today})", soft_wrap=False)  # fmt: skip
    return EXIT_FINDINGS if report.findings else EXIT_OK


def _plan(console: Console, plan: RefreshPlan) -> None:
    currency = plan.currency or ""
    month, day = plan.year_start
    columns = (Column("year", whole=True), Column("devices", justify="right"), Column("by class"),
               Column(f"cost {currency}".strip(), whole=True, justify="right"))  # fmt: skip
    rows = []
    for year in plan.years:
        classes = ", ".join(f"{c.devices} {c.model_class}" for c in year.classes) or "-"
        rows.append((year.label, str(len(year.devices)), escape(classes), f"{year.cost:,.0f}"))
    print_table(console, escape(f"{plan.school}: refresh plan (years from {month:02}-{day:02})"), columns, rows)
    if plan.unknown_age:
        names = ", ".join(i.name for i in plan.unknown_age[:UNKNOWN_SHOWN])
        more = len(plan.unknown_age) - UNKNOWN_SHOWN
        console.print(f"  unknown age (no purchase date): {len(plan.unknown_age)} devices")
        listed = names + (f" and {more} more (--json lists all)" if more > 0 else "")
        console.out(textwrap.fill(listed, console.width, initial_indent="    ", subsequent_indent="    ",
                                  break_long_words=False, break_on_hyphens=False), highlight=False)  # fmt: skip


def run_refresh(args: argparse.Namespace, console: Console) -> int:
    today = clock.today()
    plans = [refresh_plan(s, today, args.years) for s in asset_schools(args.inventory, today, args.school)]
    if args.json:
        console.print_json(_json([dataclasses.asdict(p) for p in plans]))
    else:
        for plan in plans:
            _plan(console, plan)
    return EXIT_OK


def _licences(console: Console, report: LicenceReport) -> None:
    rows = []
    for c in report.licences:
        status = ("OVER-ALLOCATED " if c.over_allocated else "") + (
            "expired" if c.expired else "expiring" if c.expiring(report.within_days) else "ok"
        )
        seats = "site" if c.seats is None else str(c.seats)
        rows.append((escape(c.licence), escape(c.type), seats, str(c.used), str(c.expires or "-"), status))
    print_table(console, escape(f"{report.school}: licences"), _LICENCE_COLUMNS, rows)


def _audit_note(console: Console, report: LicenceReport) -> None:
    """Under a school's table: which audit was counted, and how many PCs it added."""
    if report.audit is not None:
        found = sum(len(c.installed_unassigned) for c in report.licences)
        console.print(escape(f"  seats used include the audit of {report.audit}: {found} found installed "
                             "beyond the inventory's assignments (--no-audit: count the inventory alone)"),
                      soft_wrap=False)  # fmt: skip


def _licence_json(report: LicenceReport) -> dict[str, Any]:
    """The report as data, with each licence's seats used and status beside the devices counted."""
    licences = [dataclasses.asdict(c) | {"used": c.used, "over_allocated": c.over_allocated, "expired": c.expired}
                for c in report.licences]  # fmt: skip
    return dataclasses.asdict(report) | {"licences": licences, "findings": [c.licence for c in report.findings]}


def _audited(school: LoadedSchool, today: dt.date, within: int, use_audit: bool) -> LicenceReport:
    """The school's compliance, counting what its latest audit found installed unless told not to."""
    try:
        record = latest_audit(school.code) if use_audit else None
    except DamagedRecord as exc:
        raise DamagedRecord(exc.message, f"{exc.hint}; or count without it: --no-audit") from exc
    return compliance(school, today, within, record.discovery if record is not None else None)


def run_licences(args: argparse.Namespace, console: Console) -> int:
    today = clock.today()
    reports = [_audited(s, today, args.within, not args.no_audit)
               for s in asset_schools(args.inventory, today, args.school)]  # fmt: skip
    if args.json:
        console.print_json(_json([_licence_json(r) for r in reports]))
    else:
        for report in reports:
            _licences(console, report)
            _audit_note(console, report)
    return EXIT_FINDINGS if any(r.findings for r in reports) else EXIT_OK


HANDLERS = {"warranty": run_warranty, "refresh": run_refresh, "licences": run_licences}
