"""The ``schooltech`` command: thin wrappers that parse arguments and render typed results.

Exit codes (every command): 0 success, 1 findings or failed hosts/switches, 2 usage or
inventory error, 3 internal error (a bug: rerun with SCHOOLTECH_DEBUG=1 for the traceback),
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from .. import __version__
from ..errors import FleetError, InventoryError
from .common import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, print_error, print_findings

# Every command, in the order --help lists them: the module that registers it and its help line.
# A command's module is imported only when that command runs: the engines behind the modules
# (Netmiko and paramiko, ansible-runner, the imaging and simulation code) take seconds to import
# and a command needs one of them. --help lists the others from these lines, which
# tests/cli/test_help.py holds equal to what each module registers.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "validate school inventories (schema, references, addressing, licences, calendar)"),
    "inventory": ("inventory", "list the fleet or show one host's resolved variables"),
    "rebuild": ("jobs", "term start: baseline, software, licences, verify; room by room"),
    "patch": ("jobs", "upgrades in rolling batches, reboots only outside lesson times"),
    "license": ("jobs", "licence files where licences are assigned, removed where not"),
    "configure": ("jobs", "settings only: accounts, banner, screen lock, USB, web filter, time"),
    "runs": ("jobs", "earlier lab jobs and their results"),
    "image": ("image", "reinstall a room's PCs over the network, then rebuild them (image plan: what it serves)"),
    "sim": ("sim", "start, inspect or stop the simulated school"),
    "node": ("node", "set up a school's execution nodes (ansible-runner from the controller's wheels)"),
    "net": ("net", "render, plan, push, back up and roll back switch configs"),
    "plan": ("plan", "what jobs and switch pushes would change at one school (changes nothing)"),
    "diff": ("diff", "what an inventory change does between two git revisions (changes nothing)"),
    "audit": ("audit", "the journal of jobs and switch changes: show it, verify its chain"),
    "assets": ("assets", "audit devices against the inventory, warranty and refresh, licences, exports"),
    "report": ("report", "write the fleet report (HTML, JSON) or compare two reports (report diff)"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line parser, every command's module imported; with ``only``, just the module of
    that command (none when no command has that name), the others listed by name and help line."""
    parser = argparse.ArgumentParser(
        prog="schooltech",
        description="Image, patch, license and configure school lab PCs and switches from a declarative inventory.",
        epilog="Exit codes: 0 success, 1 findings or failed hosts, 2 usage or inventory error.",
    )
    parser.add_argument("--version", action="version", version=f"schooltech-fleet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    wanted = {module for name, (module, _) in COMMANDS.items() if only is None or name == only}
    for name, (module, help_line) in COMMANDS.items():
        if module in wanted:
            importlib.import_module(f".{module}", __name__).register(commands)
            wanted.remove(module)  # a module registers all its commands at once (jobs: rebuild ... runs)
        elif name not in commands.choices:
            commands.add_parser(name, help=help_line)
    return parser


def command_named(argv: Sequence[str]) -> str:
    """The command ``argv`` names: its first word that is not an option (schooltech's own options take no value)."""
    return next((word for word in argv if not word.startswith("-")), "")


def main(argv: Sequence[str] | None = None) -> int:
    # Libraries (paramiko, netmiko) log connection noise; the command reports failures itself.
    logging.basicConfig(level=logging.DEBUG if os.environ.get("SCHOOLTECH_DEBUG") else logging.CRITICAL)
    # soft_wrap: a finding stays on one line, so file:line:column survives grep and editors
    # emoji=False: rich would turn "file.yml:100:5" into "file.yml💯5"
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    errors = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(only=command_named(words)).parse_args(words)
    try:
        code: int = args.handler(args, console)
        return code
    except InventoryError as exc:
        print_findings(errors, exc.findings)
        print_error(errors, exc)
        return EXIT_USAGE
    except FleetError as exc:
        print_error(errors, exc)
        return exc.exit_code
    except KeyboardInterrupt:
        errors.print("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: say so plainly, no traceback unless asked
        if os.environ.get("SCHOOLTECH_DEBUG"):
            raise
        errors.print(f"[red]internal error[/red]: {type(exc).__name__}: {escape(str(exc))}")
        errors.print("this is a bug in schooltech-fleet; rerun with SCHOOLTECH_DEBUG=1 and report the traceback")
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
