"""``schooltech node setup``: make a school's execution nodes ready to run its jobs.

  setup     install the controller's own ansible-core and ansible-runner on each node the
            school's sites name (execution_node:), from wheels this machine downloads once
            and carries there over SSH (the node needs no internet), then verify them there;
            a node that has them already is only verified

The node is reached as jobs reach it: its recorded host_key is the only one trusted.

Exit codes: 0 every node is ready, 1 a node could not be reached or set up (or its wheels
could not be downloaded here), 2 usage or inventory error (an unknown school, a school whose
sites name no node, a node without its host_key, a job of the school running).
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..inventory import load_fleet
from ..nodes.setup import setup_school_nodes
from .commands import help_line
from .common import EXIT_FINDINGS, EXIT_OK, add_inventory_option


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "node", help=help_line("node"),
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    setup = actions.add_parser("setup", help="install and verify ansible-core and ansible-runner on the nodes")
    add_inventory_option(setup)
    setup.add_argument("--school", required=True, metavar="CODE", help="the school whose nodes to set up")
    setup.set_defaults(handler=run_setup)


def run_setup(args: argparse.Namespace, console: Console) -> int:
    with console.status(f"setting up the execution nodes of {escape(args.school)}"):
        results = setup_school_nodes(load_fleet(args.inventory), args.school)
    for result in results:
        if result.removed_jobs:
            console.print(f"{escape(result.node)}: removed {result.removed_jobs} job director"
                          f"{'y' if result.removed_jobs == 1 else 'ies'} a lost node had left (with their secrets)")
        if result.ready:
            did = "installed" if result.changed else "already had"
            versions = ", ".join(f"{name} {version}" for name, version in sorted(result.versions.items()))
            console.print(f"[green]ready[/green] {escape(result.node)}: {did} {escape(versions)}", soft_wrap=False)
        else:
            console.print(f"[red]not ready[/red] {escape(result.node)}: {escape(result.error or '')}", soft_wrap=False)
    return EXIT_OK if all(result.ready for result in results) else EXIT_FINDINGS
