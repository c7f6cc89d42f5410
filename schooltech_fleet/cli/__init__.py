"""The ``schooltech`` command: thin wrappers that parse arguments and render typed results.

Exit codes (every command): 0 success, 1 findings or failed hosts/switches, 2 usage or
inventory error, 3 internal error (a bug: rerun with SCHOOLTECH_DEBUG=1 for the traceback),
130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from .. import __version__
from ..errors import FleetError, InventoryError
from . import assets, audit, check, diff, image, inventory, jobs, net, plan, report, sim
from .common import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, print_error, print_findings

COMMANDS = (check, inventory, jobs, image, sim, net, plan, diff, audit, assets, report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schooltech",
        description="Image, patch, license and configure school lab PCs and switches from a declarative inventory.",
        epilog="Exit codes: 0 success, 1 findings or failed hosts, 2 usage or inventory error.",
    )
    parser.add_argument("--version", action="version", version=f"schooltech-fleet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Libraries (paramiko, netmiko) log connection noise; the command reports failures itself.
    logging.basicConfig(level=logging.DEBUG if os.environ.get("SCHOOLTECH_DEBUG") else logging.CRITICAL)
    # soft_wrap: a finding stays on one line, so file:line:column survives grep and editors
    # emoji=False: rich would turn "file.yml:100:5" into "file.yml💯5"
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    errors = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
    args = build_parser().parse_args(argv)
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
