"""``schooltech assets``: what is really there, how long it lasts, what it may run, and exports.

Each action documents its own exit codes (``schooltech assets ACTION --help``).
"""

from __future__ import annotations

import argparse
from typing import Any

from . import assets_audit, assets_export, assets_lifecycle
from .commands import help_line


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "assets", help=help_line("assets"),
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for module in (assets_audit, assets_lifecycle, assets_export):
        module.register(actions)
