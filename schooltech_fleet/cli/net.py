"""``schooltech net``: the school's switches.

  show     run one show command (default: show running-config) on every chosen switch

Exit codes: 0 every switch answered, 1 a switch failed, 2 usage or inventory error.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..network.show import DEFAULT_WORKERS, show
from .common import EXIT_FINDINGS, EXIT_OK, add_inventory_option


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "net", help="work with the school's switches", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show_parser = actions.add_parser("show", help="run a show command on switches (read-only)")
    add_inventory_option(show_parser)
    show_parser.add_argument("--school", action="append", default=[], metavar="CODE")
    show_parser.add_argument("--switch", action="append", default=[], metavar="NAME")
    show_parser.add_argument("--command", default="show running-config", help="default: show running-config")
    show_parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    show_parser.set_defaults(handler=run_show)


def run_show(args: argparse.Namespace, console: Console) -> int:
    results = show(args.inventory, args.command, schools=args.school, switches=args.switch, workers=args.workers)
    for result in results:
        console.rule(f"{result.switch} ({result.school})")
        if result.error:
            console.print(f"[red]failed[/red]: {escape(result.error)}")
        else:
            console.out(result.output or "", highlight=False)
    failed = [r.switch for r in results if r.error]
    if failed:
        console.print(f"[red]{len(failed)} of {len(results)} switches failed[/red]: {', '.join(failed)}")
    return EXIT_FINDINGS if failed else EXIT_OK
