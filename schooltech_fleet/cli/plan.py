"""``schooltech plan``: what rebuild, patch and a switch push would do to one school now.

Runs the rebuild and patch playbooks in Ansible check mode on the school's lab PCs
(the live school, or its simulation while 'schooltech sim up' runs), plans every
switch against its running config, and counts licence seats. Nothing is changed.

Exit codes: 0 nothing to do, 1 changes pending (a PC or switch would change, or a
licence is over its seats), 2 error (usage, inventory, or a PC or switch that did
not answer: the plan is incomplete).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..review.school_plan import SchoolPlan, plan_school
from .commands import help_line
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, add_inventory_option, command_line, positive_int
from .tables import Column, print_table

_HOST_COLUMNS = (Column("PC", whole=True), Column("tasks that would change", justify="right"),
                 Column("upgrades pending"), Column("problem"))  # fmt: skip
_SEAT_COLUMNS = (Column("licence", whole=True), Column("product"), Column("type", drop=1),
                 Column("seats", justify="right"), Column("used", justify="right"), Column("rooms"))  # fmt: skip


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "plan", help=help_line("plan"),
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    add_inventory_option(parser)
    parser.add_argument("--school", required=True, metavar="CODE")
    parser.add_argument("--room", action="append", default=[], metavar="ROOM",
                        help="only the PCs of this room (repeatable; switches are then left out)")  # fmt: skip
    parser.add_argument("--workers", type=positive_int, default=10, help="switch sessions at once (default 10)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run_plan)


def run_plan(args: argparse.Namespace, console: Console) -> int:
    invocation = command_line()
    if args.format == "json":
        result = plan_school(args.inventory, args.school, tuple(args.room), workers=args.workers,
                             invocation=invocation)  # fmt: skip
        console.print_json(json.dumps(_as_json(result)))
    else:
        with console.status("planning") as spinner:
            result = plan_school(args.inventory, args.school, tuple(args.room), workers=args.workers,
                                 on_step=lambda step: spinner.update(escape(step)), invocation=invocation)  # fmt: skip
        _print(console, result)
    if not result.complete:
        return EXIT_USAGE
    return EXIT_FINDINGS if result.pending else EXIT_OK


def _as_json(result: SchoolPlan) -> dict[str, Any]:
    return {
        "school": result.school,
        "pending": result.pending,
        "complete": result.complete,
        "hosts": [{**asdict(h), "pending": h.pending} for h in result.hosts],
        "switches": [
            {"switch": s.switch, "error": s.error,
             "commands": list(s.remediation.commands) if s.remediation else [],
             "management_changes": list(s.remediation.management) if s.remediation else [],
             "kept_lines": s.remediation.kept if s.remediation else None, "missing": list(s.missing)}
            for s in result.switches
        ],
        "licences": [
            {**asdict(u), "expires": str(u.expires) if u.expires else None, "over_allocated": u.over_allocated}
            for u in result.licences
        ],
        "runs": list(result.runs),
        "notes": list(result.notes),
    }


def _print(console: Console, result: SchoolPlan) -> None:
    hosts = []
    for host in result.hosts:
        problem = f"[red]{escape(host.problem)}[/red]" if host.problem else ""
        hosts.append((host.name, str(len(host.would_change)), escape(", ".join(host.upgrades)) or "-", problem))
    print_table(console, f"lab PCs of {result.school} (check mode)", _HOST_COLUMNS, hosts)
    tasks = Counter(task for host in result.hosts for task in host.would_change)
    if tasks:
        console.print("tasks that would change, with the number of PCs:")
        for task, count in tasks.items():
            console.print(f"  {count:4}  {escape(task)}")
    for switch in result.switches:
        if switch.error:
            console.print(f"[red]{escape(switch.switch)}: {escape(switch.error)}[/red]")
        elif switch.remediation is not None and switch.pending:
            found = switch.remediation
            console.print(f"[yellow]{escape(switch.switch)}[/yellow]: {len(found.commands)} commands to send "
                          f"({found.kept} lines outside the owned scope kept)")  # fmt: skip
            console.print(escape("\n".join(f"    {line}" for line in found.commands)))
            for why in found.management:
                console.print(f"    [red]refused without --allow-management-change[/red]: {escape(why)}")
        else:
            console.print(f"[green]{escape(switch.switch)}[/green]: in sync")
    seats = []
    for usage in result.licences:
        used = f"[red]{usage.used}[/red]" if usage.over_allocated else str(usage.used)
        seats.append((escape(usage.licence), escape(usage.product), usage.type, str(usage.seats or "-"), used,
                      escape(", ".join(usage.rooms) or "-")))  # fmt: skip
    print_table(console, "licences", _SEAT_COLUMNS, seats)
    for note in result.notes:
        console.print(f"[yellow]note[/yellow]: {escape(note)}")
    pcs = sum(1 for h in result.hosts if h.pending)
    switches = sum(1 for s in result.switches if s.pending)
    state = "incomplete" if not result.complete else "changes pending" if result.pending else "nothing to do"
    console.print(f"{state}: {pcs} of {len(result.hosts)} PCs and {switches} of {len(result.switches)} switches "
                  f"would change; check runs: {', '.join(result.runs) or 'none'}")  # fmt: skip
