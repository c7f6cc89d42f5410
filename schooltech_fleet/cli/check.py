"""``schooltech check``: validate inventories, report every problem at once.

Exit codes: 0 valid (warnings allowed), 1 problems found (including YAML syntax
errors), 2 usage error (bad option, path not found).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console

from ..inventory import check
from .commands import help_line
from .common import EXIT_FINDINGS, EXIT_OK, iso_date, print_findings


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "check",
        help=help_line("check"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=Path("inventories"),
        help="school file or directory (default: inventories/)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text for people, json for tools, github for workflow annotations",
    )
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="judge licence expiry on this date instead of today",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, console: Console) -> int:
    result = check(args.path, today=args.as_of)
    summary = (
        f"checked {len(result.files)} file{'s' if len(result.files) != 1 else ''}: "
        f"{result.schools} schools, {result.devices} devices, {result.switches} switches; "
        f"{len(result.errors)} errors, {len(result.warnings)} warnings"
    )
    if args.format == "json":
        console.out(
            json.dumps(
                {
                    "files": list(result.files),
                    "summary": {
                        "schools": result.schools,
                        "devices": result.devices,
                        "switches": result.switches,
                        "errors": len(result.errors),
                        "warnings": len(result.warnings),
                    },
                    "findings": [asdict(f) for f in result.findings],
                },
                indent=2,
            ),
            highlight=False,
        )
    elif args.format == "github":
        for finding in result.findings:
            console.out(finding.github(), highlight=False)
        console.out(f"::notice title=schooltech check::{summary}", highlight=False)
    else:
        print_findings(console, result.findings)
        console.print(("[red]" if result.errors else "[green]") + summary)
    return EXIT_FINDINGS if result.errors else EXIT_OK
