"""``schooltech report``: one fleet report a head teacher can read, and its trend.

  schooltech report [-i INVENTORY] [--school X] --output report.html [--json report.json]
  schooltech report diff OLD.json NEW.json

The report is one self-contained HTML file (no JavaScript, no external reference, printable):
patch compliance per school and room, recent runs, switch drift (against the last backups; no
switch is contacted), licence seats, warranty, refresh budget and audit findings. --json writes
the same data, which 'report diff' compares: what got better or worse per section.

Exit codes: report: 0 written, 2 usage or inventory error. report diff: 0 nothing got worse,
1 something got worse (listed), 2 a file is missing or not a report.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from ..errors import UsageError
from .commands import help_line
from .common import EXIT_FINDINGS, EXIT_OK, add_inventory_option, positive_int
from .tables import Column, print_table

if TYPE_CHECKING:
    from ..report import Change

# a subject names a school, a room or a switch: kept whole; the figures are short
_CHANGE_COLUMNS = (Column("change", whole=True), Column("subject", whole=True), Column("measure"),
                   Column("was", whole=True, justify="right"), Column("now", whole=True, justify="right"))  # fmt: skip


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "report", help=help_line("report"),
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    add_inventory_option(parser)
    parser.add_argument("--school", action="append", default=[], metavar="CODE",
                        help="only this school (repeatable; default: every school)")  # fmt: skip
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="the HTML report to write")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the report's data as JSON")
    parser.add_argument("--patch-window", type=positive_int, default=30, metavar="DAYS",
                        help="a PC patched within this many days is current (default: 30)")  # fmt: skip
    parser.add_argument("--no-drift", action="store_true",
                        help="leave out switch drift (skips rendering every switch's intended config)")  # fmt: skip
    parser.set_defaults(handler=run)
    actions = parser.add_subparsers(dest="report_action", metavar="diff", required=False)
    trend = actions.add_parser("diff", help="what got better or worse between two JSON reports",
                               description="Compare two reports written with --json; exit 1 if anything got worse.")
    trend.add_argument("old", type=Path, metavar="OLD.json")
    trend.add_argument("new", type=Path, metavar="NEW.json")
    trend.set_defaults(handler=run_diff)


def run(args: argparse.Namespace, console: Console) -> int:
    from ..report import ReportRequest, gather, render_html, write  # noqa: PLC0415 - matplotlib only when asked

    if args.output is None and args.json is None:
        raise UsageError("nothing to write", "give --output report.html (and/or --json report.json)")
    request = ReportRequest(args.inventory, tuple(args.school), window_days=args.patch_window, drift=not args.no_drift)
    data = gather(request)
    if args.output is not None:
        write(args.output, render_html(data))
        console.print(f"wrote {escape(str(args.output))}")
    if args.json is not None:
        write(args.json, data.to_json())
        console.print(f"wrote {escape(str(args.json))}")
    return EXIT_OK


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


_COLOURS = {"better": "green", "worse": "red"}


def _row(change: Change) -> tuple[str, str, str, str, str]:
    """One change as a row of its section's table: direction, subject, measure, old and new figures."""
    direction = change.direction.value
    colour = _COLOURS.get(direction)
    shown = f"[{colour}]{direction}[/{colour}]" if colour else direction
    return shown, escape(change.subject), escape(change.measure), _figure(change.old), _figure(change.new)


def run_diff(args: argparse.Namespace, console: Console) -> int:
    from ..report import Direction, compare, read  # noqa: PLC0415 - see run

    old, new = read(args.old), read(args.new)
    changes = compare(old, new)
    console.print(escape(f"{args.old} ({old.generated:%Y-%m-%d %H:%M}) -> {args.new} ({new.generated:%Y-%m-%d %H:%M})"),
                  soft_wrap=False)  # fmt: skip
    if not changes:
        console.out("no change", highlight=False)
        return EXIT_OK
    for section in dict.fromkeys(change.section for change in changes):
        print_table(console, escape(section), _CHANGE_COLUMNS, [_row(c) for c in changes if c.section == section])
    counts = {d: sum(c.direction is d for c in changes) for d in Direction}
    console.out(", ".join(f"{n} {d.value}" for d, n in counts.items()), highlight=False)
    return EXIT_FINDINGS if counts[Direction.WORSE] else EXIT_OK
