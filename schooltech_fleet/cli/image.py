"""``schooltech image plan``: the boot script and answer file of every PC a school's imaging reinstalls.

Renders, from the inventory, each PC's iPXE script (naming the boot server by absolute
URL) and its answer file (Debian preseed, Ubuntu autoinstall, Windows autounattend.xml),
and validates every one (debconf-set-selections --checkonly and an allow-list of keys,
the autoinstall schema, well-formed XML with the required passes). Nothing boots: an
imaging run renders the same files with one-shot tokens. --output DIR writes them
(boot/<mac>.ipxe, answers/<file>) for review.

Exit codes: 0 every file valid, 1 a file fails its validator, 2 usage or inventory error
(unknown school or room, unreadable admin key, unusable --output).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..imaging.plan import ImagePlan, plan_school_images, write_plan
from .common import EXIT_FINDINGS, EXIT_OK, add_inventory_option


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "image", help="reinstall PCs over the network (image plan: what would be served, validated)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    plan = actions.add_parser("plan", help="render and validate every PC's boot script and answer file",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add_inventory_option(plan)
    plan.add_argument("--school", required=True, metavar="CODE")
    plan.add_argument("--room", metavar="ROOM", help="only this room's PCs")
    plan.add_argument("--admin-key", type=Path, metavar="FILE",
                      help="OpenSSH public key the admin account accepts (default: the public half of the key "
                           "the school's jobs use, else ~/.ssh/id_ed25519.pub)")  # fmt: skip
    plan.add_argument("--output", type=Path, metavar="DIR", help="write the scripts and answer files here")
    plan.add_argument("--format", choices=("text", "json"), default="text")
    plan.set_defaults(handler=run_plan)


def run_plan(args: argparse.Namespace, console: Console) -> int:
    plan = plan_school_images(args.inventory, args.school, args.room, args.admin_key)
    written = write_plan(plan, args.output) if args.output else []
    if args.format == "json":
        console.print_json(json.dumps(_as_json(plan)))
    else:
        _print(console, plan, len(written), args.output)
    return EXIT_OK if plan.valid else EXIT_FINDINGS


def _as_json(plan: ImagePlan) -> dict[str, Any]:
    return {
        "school": plan.school,
        "room": plan.room,
        "valid": plan.valid,
        "pcs": [
            {"name": pc.target.name, "room": pc.target.room, "mac": pc.target.mac, "os": str(pc.target.os),
             "firmware": pc.target.firmware, "secure_boot": pc.target.secure_boot,
             "boot_server": pc.target.boot_server.name, "server_url": pc.server_url, "script": pc.script_name,
             "answer": pc.answer.filename, "answer_format": str(pc.answer.format)}
            for pc in plan.pcs
        ],
        "findings": [{"file": f.file, "line": f.line, "problem": f.problem} for f in plan.findings],
    }


def _print(console: Console, plan: ImagePlan, written: int, output: Path | None) -> None:
    where = f"room {plan.room} of {plan.school}" if plan.room else plan.school
    table = Table(title=f"PCs imaging would reinstall: {where}", title_justify="left")
    for column in ("PC", "MAC", "OS", "firmware", "answer", "boot server"):
        table.add_column(column, no_wrap=True)
    for pc in plan.pcs:
        target = pc.target
        firmware = f"{target.firmware}{'+SB' if target.secure_boot else ''}"
        table.add_row(target.name, target.mac, str(target.os), firmware, str(pc.answer.format), target.boot_server.name)
    console.print(table)
    for server, url in sorted({(pc.target.boot_server.name, pc.server_url) for pc in plan.pcs}):
        console.print(f"{escape(server)} serves at {escape(url)}")
    if any(pc.target.secure_boot for pc in plan.pcs):
        console.print("+SB: Secure Boot (the PC boots through Debian's signed shim and GRUB, not iPXE)")
    for finding in plan.findings:
        line = f":{finding.line}" if finding.line is not None else ""
        console.print(f"[red]{escape(finding.file)}{line}[/red]: {escape(finding.problem)}")
    if output is not None:
        console.print(f"{written} files written to {escape(str(output))}")
    verdict = "[green]every file valid[/green]" if plan.valid else f"[red]{len(plan.findings)} problems[/red]"
    console.print(f"{len(plan.pcs)} PCs: {verdict}")
