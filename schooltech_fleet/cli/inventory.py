"""``schooltech inventory``: look at the resolved fleet.

  list            every school with its rooms, device counts and switches
  show HOST       the resolved variables of one device or switch;
                  --explain adds the file and line that set each one

Exit codes: 0 success, 2 usage error or invalid inventory (run 'schooltech check').
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..inventory import explain_host, fleet_summary, load_fleet
from .commands import help_line
from .common import EXIT_OK, add_inventory_option
from .tables import Column, print_table

_ROOM_COLUMNS = (Column("room", whole=True), Column("kind"), Column("vlan"), Column("devices", justify="right"),
                 Column("managed", justify="right"), Column("software sets"))  # fmt: skip


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "inventory",
        help=help_line("inventory"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="schools, rooms and device counts")
    add_inventory_option(listing)
    listing.add_argument("--school", help="only this school (code)")
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="resolved variables of one host")
    show.add_argument("host", help="device or switch name, e.g. RVS-C101-PC01")
    add_inventory_option(show)
    show.add_argument("--explain", action="store_true", help="say which file and line set each variable")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(handler=run_show)


def run_list(args: argparse.Namespace, console: Console) -> int:
    summary = fleet_summary(load_fleet(args.inventory), school=args.school)
    for school in summary:
        rows = [(escape(room.name), room.kind, escape(room.vlan or "-"), str(room.devices), str(room.managed),
                 escape(", ".join(room.software_sets) or "-")) for room in school.rooms]  # fmt: skip
        print_table(console, escape(f"{school.name} ({school.code}, {school.type})"), _ROOM_COLUMNS, rows)
        switches = ", ".join(f"{s.name} ({s.platform})" for s in school.switches) or "none"
        console.print(f"  switches: {escape(switches)}", soft_wrap=False)  # a list: wrapped between names
        console.print(f"  {school.devices} devices ({school.managed} managed), {len(school.switches)} switches\n")
    return EXIT_OK


def run_show(args: argparse.Namespace, console: Console) -> int:
    explanation = explain_host(args.inventory, args.host)
    if args.format == "json":
        payload: Any = explanation.values
        if args.explain:
            payload = {
                var.name: {
                    "value": var.value,
                    "layer": var.source.layer if var.source else "derived",
                    "source": str(var.source) if var.source else None,
                    "note": var.note,
                }
                for var in explanation.variables
            }
        console.out(json.dumps(payload, indent=2, default=str), highlight=False)
        return EXIT_OK
    console.print(f"[bold]{escape(explanation.host)}[/bold]  school {explanation.school}, {escape(explanation.file)}")
    for var in explanation.variables:
        value = var.value if isinstance(var.value, str) else json.dumps(var.value, default=str)
        console.print(f"{escape(var.name)} = {escape(value)}", soft_wrap=True)
        if args.explain:
            layer = var.source.layer if var.source else "derived"
            where = " ".join(
                x for x in (str(var.source) if var.source else "", f"({var.note})" if var.note else "") if x
            )
            console.print(f"    [dim]<- {layer}: {escape(where)}[/dim]", soft_wrap=True)
    return EXIT_OK
