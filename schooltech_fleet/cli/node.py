"""``schooltech node setup``: make a school's execution nodes ready to run its jobs.

  setup     install the controller's own ansible-core and ansible-runner on each node the
            school's sites name (execution_node:), from wheels this machine downloads once
            and carries there over SSH (the node needs no internet), then verify them there;
            a node that has them already is only verified

The node is reached as jobs reach it: its recorded host_key is the only one trusted. A node
whose site has no host_key yet is asked for its key without logging in; the key's type and
SHA256 fingerprint are shown, and it is written into the school file (the site's
execution_node: host_key:) only once you confirm it, having compared the fingerprint with
'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub' on the node's console. Nothing else in the
file changes. --yes records without asking (when you checked the fingerprint already).

Exit codes: 0 every node is ready, 1 a node could not be reached or set up (or its wheels
could not be downloaded here), or its host key was not confirmed (nothing recorded, nothing
set up), 2 usage or inventory error (an unknown school, a school whose sites name no node, a
node without host_key that offers no key, no --yes when not asked on a terminal, a job of the
school running).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.prompt import Confirm

from ..errors import UsageError
from ..nodes.hostkey import OfferedKey
from ..nodes.setup import node_setup
from .commands import help_line
from .common import EXIT_FINDINGS, EXIT_OK, add_inventory_option, command_line
from .tables import Column, print_table

# a fingerprint is compared character by character with the node's console: never folded
_KEY_COLUMNS = (Column("node", whole=True), Column("site"), Column("declared at", whole=True), Column("key type"),
                Column("fingerprint", whole=True))  # fmt: skip


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "node", help=help_line("node"),
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    setup = actions.add_parser("setup", help="install and verify ansible-core and ansible-runner on the nodes")
    add_inventory_option(setup)
    setup.add_argument("--school", required=True, metavar="CODE", help="the school whose nodes to set up")
    setup.add_argument("--yes", action="store_true",
                       help="record host keys without asking (fingerprint checked on the console)")  # fmt: skip
    setup.set_defaults(handler=run_setup)


def run_setup(args: argparse.Namespace, console: Console) -> int:
    def confirm(keys: Sequence[OfferedKey]) -> bool:
        rows = [(k.node, k.site, f"{k.file}:{k.line}", k.key.split()[0], k.fingerprint) for k in keys]
        print_table(console, "execution node host keys to record", _KEY_COLUMNS, rows)
        if args.yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError("node setup asks before recording a node's host key, and this is not a terminal",
                             "compare the fingerprint with 'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub' on "
                             "the node's console, then run it again with --yes")  # fmt: skip
        return Confirm.ask("Record it in the school file? Compare the fingerprint with the node's console first",
                           console=console, default=False)  # fmt: skip

    status = console.status(f"asking the execution nodes of {escape(args.school)} for their host keys")
    status.start()

    def asking(keys: Sequence[OfferedKey]) -> bool:
        status.stop()
        confirmed = confirm(keys)
        status.update(f"setting up the execution nodes of {escape(args.school)}")
        status.start()
        return confirmed

    try:
        run = node_setup(args.inventory, args.school, asking, command_line())
    finally:
        status.stop()
    if not run.confirmed:
        console.print("[red]the host key was not recorded[/red]: nothing was set up")
        return EXIT_FINDINGS
    for key in run.keys:
        console.print(f"recorded the host key of {escape(key.node)} in {escape(str(key.file))} "
                      f"(site {escape(key.site)}): {key.fingerprint}", soft_wrap=False)  # fmt: skip
    for result in run.nodes:
        if result.removed_jobs:
            console.print(f"{escape(result.node)}: removed {result.removed_jobs} job director"
                          f"{'y' if result.removed_jobs == 1 else 'ies'} a lost node had left (with their secrets)")
        if result.ready:
            did = "installed" if result.changed else "already had"
            versions = ", ".join(f"{name} {version}" for name, version in sorted(result.versions.items()))
            console.print(f"[green]ready[/green] {escape(result.node)}: {did} {escape(versions)}", soft_wrap=False)
        else:
            console.print(f"[red]not ready[/red] {escape(result.node)}: {escape(result.error or '')}", soft_wrap=False)
    return EXIT_OK if all(result.ready for result in run.nodes) else EXIT_FINDINGS
