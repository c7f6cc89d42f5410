"""``schooltech diff``: what a change to the inventory does, before it is merged.

Loads the inventory at --base and at --head (default: the work tree, uncommitted edits
included) straight from git, without checking anything out, and reports per school:
rooms and devices added, removed, renamed or moved; per device, the resolved variables
that change (old -> new); per switch, the diff of its rendered intended config; licence
seats before and after; and the jobs the change implies (rebuild, license, configure,
net push), with their commands. Nothing is contacted or changed.

Exit codes (as 'schooltech plan'): 0 no change, 1 changes found (the report is
printed), 2 error: usage, not a git repository, unknown revision, or an invalid
inventory at either revision (its problems are listed with file:line).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console

from ..review.diff import diff_inventory
from ..review.markdown import as_markdown
from ..review.report import as_json, as_text
from .commands import help_line
from .common import EXIT_FINDINGS, EXIT_OK, add_inventory_option


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "diff", help=help_line("diff"),
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    add_inventory_option(parser)
    parser.add_argument("--base", required=True, metavar="REV", help="the revision before the change, e.g. origin/main")
    parser.add_argument("--head", metavar="REV", help="the revision after the change (default: the work tree)")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="text for people, json for tools, markdown for a merge-request comment")  # fmt: skip
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, console: Console) -> int:
    report = diff_inventory(args.inventory, args.base, args.head)
    if args.format == "json":
        text = json.dumps(as_json(report), indent=2, ensure_ascii=False) + "\n"
    else:
        text = as_markdown(report) if args.format == "markdown" else as_text(report)
    console.out(text, highlight=False, end="")
    return EXIT_FINDINGS if report.changed else EXIT_OK
