"""Helpers shared by the command modules: options, exit codes, error rendering."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..errors import FleetError
from ..inventory.findings import Finding, Severity

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

DEFAULT_INVENTORY = "inventories"


def command_line() -> str:
    """The command as the technician typed it, for run records and the journal."""
    return shlex.join(["schooltech", *sys.argv[1:]])


def add_inventory_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-i",
        "--inventory",
        type=Path,
        default=Path(os.environ.get("SCHOOLTECH_INVENTORY", DEFAULT_INVENTORY)),
        help="school file or directory of school files (default: $SCHOOLTECH_INVENTORY or inventories/)",
    )


def positive_int(value: str) -> int:
    """argparse type: a whole number of at least 1."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number")
    return int(value)


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; write YYYY-MM-DD") from exc


def print_error(console: Console, error: FleetError) -> None:
    console.print(f"[bold red]error[/bold red]: {escape(error.message)}")
    if error.hint:
        console.print(f"  hint: {escape(error.hint)}")


def print_findings(console: Console, findings: Sequence[object]) -> None:
    for finding in findings:
        if not isinstance(finding, Finding):
            continue
        colour = "red" if finding.severity is Severity.ERROR else "yellow"
        console.print(
            f"{escape(finding.file)}:{finding.line}:{finding.column}: "
            f"[{colour}]{finding.severity}[/{colour}]{escape(f'[{finding.code}]')}: {escape(finding.message)}"
        )
        if finding.hint:
            console.print(f"    hint: {escape(finding.hint)}", style="dim")
