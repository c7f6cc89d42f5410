"""``schooltech assets audit``: what is really there, against what the inventory declares.

Asks every PC of the school (or of --room) for its serial, vendor/model, MACs, RAM, disks,
OS and BIOS (the asset_facts job, over SSH) and reads every switch's MAC address table,
then reports: missing (declared, not seen), unknown (a MAC on an access port that no
declared device has), moved (seen on a port of another room), mismatch (serial, MAC,
model, RAM or disk differs) and renamed (the same asset under another name). Each audit
is recorded in the state directory; --from audits a saved one again (the JSON this
command writes) without touching the network.

Exit codes: 0 no findings, 1 findings (what could not be checked is listed, and is not a
finding), 2 usage: unknown school or room, an invalid inventory, a --from file that is
not a saved discovery.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..assets.auditing import audit_school
from ..assets.render import as_json, as_markdown, as_text
from ..errors import UsageError
from ..jobs import Progress
from .common import EXIT_FINDINGS, EXIT_OK, add_inventory_option
from .progress import ProgressDisplay, Snapshot, job_snapshot


def register(actions: Any) -> None:
    """Add ``audit`` to ``schooltech assets``."""
    parser: argparse.ArgumentParser = actions.add_parser(
        "audit", help="compare the inventory with the PCs and switches' MAC tables (exit 1: findings)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    add_inventory_option(parser)
    parser.add_argument("--school", required=True, metavar="CODE", help="the school to audit")
    parser.add_argument("--room", action="append", default=[], metavar="ROOM",
                        help="audit this room only (repeat for several)")  # fmt: skip
    parser.add_argument("--from", dest="source", type=Path, metavar="DISCOVERY.json",
                        help="audit a saved discovery (an earlier audit's JSON); nothing is contacted")  # fmt: skip
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="text for people, json for tools (and --from), markdown for a ticket or PR")  # fmt: skip
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE instead of the terminal")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, console: Console) -> int:
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    if args.source is None:  # the progress on stderr: stdout may be the JSON or markdown asked for
        with ProgressDisplay(errors, f"audit {args.school}") as display:
            done = audit_school(args.inventory, args.school, tuple(args.room),
                                on_progress=lambda p: display.show(collecting(p)))  # fmt: skip
    else:
        done = audit_school(args.inventory, args.school, tuple(args.room), source=args.source)
    width = 80 if args.output else max(60, min(console.width, 100))
    text = {"json": as_json, "markdown": as_markdown}.get(args.format, lambda r: as_text(r, width))(done.record)
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot be written ({exc.strerror})",
                             "choose a file in a directory you can write to") from exc  # fmt: skip
    else:
        console.out(text, highlight=False, end="")
    if done.not_saved:
        errors.print(f"[yellow]warning[/yellow]: {escape(done.not_saved)}")
    return EXIT_FINDINGS if done.record.result.findings else EXIT_OK


def collecting(progress: Progress) -> Snapshot:
    """The ``asset_facts`` job's progress; once every PC has answered, the switches' MAC tables are read."""
    snapshot = job_snapshot(progress, batched=False)
    if progress.total and progress.done == progress.total:
        return replace(snapshot, step="reading the switches' MAC tables")
    return snapshot
