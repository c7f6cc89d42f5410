"""``schooltech image``: reinstall a school's PCs over the network; ``image plan``: what it would serve.

schooltech image --school CODE [--room ROOM ...]: asks the school calendar first (an exam
freeze or a lesson time refuses, unless --force-window --reason TEXT, recorded), locks the
school, renders every PC's boot script and answer file with one-shot tokens and validates
them (nothing is woken if one fails), wakes the PCs room by room from the boot server in
their VLAN (--parallel at once, --stagger seconds apart, woken again after --wake-timeout
up to --wake-retries times; given up after --install-timeout without a callback), closes
each PC's boot entry when it is done, and hands the PCs whose installer called back to the
rebuild job (its canary rollout). A PC that never calls back is reported; the rest go on.
--retry-failed RUN images again the PCs of RUN that were not installed.

Exit codes: 0 every PC installed and rebuilt, 1 a PC not installed, the rebuild failed, or
the run's record could not be written (the table is still shown), 2 usage or inventory
error, refused (calendar, a boot file failing its validator, nothing to image), school
busy, 130 interrupted (the PCs in flight are reported; their entries are closed).

schooltech image plan --school CODE: the boot script and answer file of every PC to image.

Renders, from the inventory, each PC's iPXE script (naming the boot server by absolute
URL) and its answer file (Debian preseed, Ubuntu autoinstall, Windows autounattend.xml),
and validates every one (debconf-set-selections --checkonly and an allow-list of keys,
the autoinstall schema, well-formed XML with the required passes). Nothing boots: an
imaging run renders the same files with one-shot tokens. --output DIR writes them
(boot/<mac>.ipxe, answers/<file>) for review.

Exit codes (plan): 0 every file valid, 1 a file fails its validator, 2 usage or inventory
error (unknown school or room, unreadable admin key, unusable --output).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..errors import UsageError
from ..imaging.plan import ImagePlan, plan_school_images, write_plan
from ..imaging.run import ImagingRequest, ImagingResult, image_school
from ..imaging.servers import boot_server_for
from ..imaging.waves import PcOutcome, PcProgress, WaveSettings
from ..interrupts import stop_on_signals
from .commands import help_line
from .common import EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, add_inventory_option, command_line, positive_int
from .jobs import print_job_result
from .progress import ProgressDisplay, Snapshot
from .tables import Column, print_table

_ADMIN_KEY_HELP = ("OpenSSH public key the installed PCs' admin account accepts (default: the public half of the "
                   "key the school's jobs use, else ~/.ssh/id_ed25519.pub)")  # fmt: skip


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "image", help=help_line("image"),
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    add_inventory_option(parser)
    parser.add_argument("--school", metavar="CODE", help="the school to image (required)")
    parser.add_argument("--room", action="append", default=[], metavar="ROOM", help="only this room (repeatable)")
    parser.add_argument("--parallel", type=positive_int, default=2, help="PCs installing at once (default 2)")
    parser.add_argument("--stagger", type=float, default=2.0, metavar="S", help="seconds between wake packets")
    parser.add_argument("--wake-timeout", type=float, default=60.0, metavar="S",
                        help="wake a PC again when it has not asked for its script (a Secure Boot PC: its answer "
                             "file) after S seconds (default 60)")
    parser.add_argument("--wake-retries", type=int, default=2, metavar="N", help="wake packets after the first")
    parser.add_argument("--install-timeout", type=float, default=1800.0, metavar="S",
                        help="give a PC up when its installer has not called back after S seconds (default 1800)")
    parser.add_argument("--no-hand-over", action="store_true", help="do not rebuild the installed PCs afterwards")
    parser.add_argument("--force-window", action="store_true", help="ignore exam freezes and lesson times")
    parser.add_argument("--reason", help="why the window is forced (recorded; required with --force-window)")
    parser.add_argument("--retry-failed", metavar="RUN", help="image again the PCs of RUN that were not installed")
    parser.add_argument("--admin-key", type=Path, metavar="FILE", help=_ADMIN_KEY_HELP)
    parser.set_defaults(handler=run_image)
    actions = parser.add_subparsers(dest="action", metavar="plan")
    plan = actions.add_parser("plan", help="render and validate every PC's boot script and answer file",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add_inventory_option(plan)
    plan.add_argument("--school", required=True, metavar="CODE")
    plan.add_argument("--room", metavar="ROOM", help="only this room's PCs")
    plan.add_argument("--admin-key", type=Path, metavar="FILE", help=_ADMIN_KEY_HELP)
    plan.add_argument("--output", type=Path, metavar="DIR", help="write the scripts and answer files here")
    plan.add_argument("--format", choices=("text", "json"), default="text")
    plan.set_defaults(handler=run_plan)


def run_image(args: argparse.Namespace, console: Console) -> int:
    if not args.school:
        raise UsageError("which school? image needs --school CODE", "e.g. schooltech image --school DEMO --room LIB")
    request = ImagingRequest(
        inventory=args.inventory, school=args.school, rooms=tuple(args.room), admin_key=args.admin_key,
        waves=WaveSettings(parallel=args.parallel, stagger=args.stagger, wake_timeout=args.wake_timeout,
                           wake_retries=args.wake_retries, install_timeout=args.install_timeout),
        force_window=args.force_window, reason=args.reason, retry_of=args.retry_failed,
        hand_over=not args.no_hand_over,
    )  # fmt: skip
    invocation = command_line()
    with stop_on_signals() as stop, ProgressDisplay(console, f"image {args.school}") as display:
        result = image_school(request, boot_server_for, on_progress=lambda pcs: display.show(_snapshot(pcs)),
                              invocation=invocation, stop=stop)  # fmt: skip
    _print_result(console, result)
    if result.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if result.succeeded and not result.record_failed else EXIT_FINDINGS


_RESULT_COLUMNS = (Column("PC", whole=True), Column("room", whole=True, drop=1), Column("result", whole=True),
                   Column("wake packets", justify="right"), Column("wake to callback", justify="right"))  # fmt: skip
_PLAN_COLUMNS = (Column("PC", whole=True), Column("MAC", whole=True), Column("OS"), Column("firmware"),
                 Column("answer"))  # fmt: skip
_COLOURS = {PcOutcome.INSTALLED: "green", PcOutcome.NO_WAKE: "red", PcOutcome.NO_CALLBACK: "red",
            PcOutcome.INTERRUPTED: "red", PcOutcome.NOT_RUN: "yellow"}  # fmt: skip


def _snapshot(pcs: Sequence[PcProgress]) -> Snapshot:
    """PCs done (installed or given up) of all; how many are in each state; which PCs are installing now."""
    states = Counter(pc.state.split(" (")[0] for pc in pcs)  # "woken (2)": woken
    installing = [pc.name for pc in pcs if pc.state == "installing"]
    return Snapshot(done=sum(1 for pc in pcs if pc.outcome is not None), total=len(pcs),
                    counts=", ".join(f"{n} {state}" for state, n in states.items()),
                    step=f"installing: {', '.join(installing)}" if installing else "")  # fmt: skip


def _print_result(console: Console, result: ImagingResult) -> None:
    rows = []
    for pc in result.pcs:
        colour = _COLOURS[pc.outcome]
        seconds = f"{pc.seconds:.0f} s" if pc.seconds is not None else "-"
        rows.append((pc.name, pc.room, f"[{colour}]{pc.outcome}[/{colour}]", str(pc.wakes), seconds))
    print_table(console, f"image {result.school}: run {result.run_id}", _RESULT_COLUMNS, rows)
    console.print(f"{len(result.installed)} of {len(result.pcs)} PCs installed; {result.duration:.0f} s")
    if result.interrupted:
        console.print(f"[bold red]interrupted ({escape(result.interrupted)})[/bold red]: every boot entry was "
                      "closed; a PC that was installing boots its old disk or a half-installed one")  # fmt: skip
    left = [pc.name for pc in result.pcs if pc.outcome is not PcOutcome.INSTALLED]
    if left:
        console.print(f"image them again with: schooltech image --school {result.school} "
                      f"--retry-failed {result.run_id}")  # fmt: skip
    if result.rebuild is not None:
        console.print("hand-over: the installed PCs are rebuilt")
        print_job_result(console, result.rebuild)
    if result.hand_over_error:
        console.print(f"[bold red]the hand-over could not start[/bold red]: {escape(result.hand_over_error)}; "
                      f"once fixed: schooltech rebuild --school {result.school} --limit "
                      f"{','.join(result.installed)}")  # fmt: skip
    if result.record_failed:
        console.print(f"[bold red]{escape(result.record_failed)}[/bold red]")


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
             "grub_entry": pc.grub_entry_name if pc.grub_entry is not None else None,
             "answer": pc.answer.filename, "answer_format": str(pc.answer.format)}
            for pc in plan.pcs
        ],
        "findings": [{"file": f.file, "line": f.line, "problem": f.problem} for f in plan.findings],
    }


def _print(console: Console, plan: ImagePlan, written: int, output: Path | None) -> None:
    where = f"room {plan.room} of {plan.school}" if plan.room else plan.school
    rows = []
    for pc in plan.pcs:
        target = pc.target
        firmware = f"{target.firmware}{'+SB' if target.secure_boot else ''}"
        rows.append((target.name, target.mac, str(target.os), firmware, str(pc.answer.format)))
    print_table(console, f"PCs imaging would reinstall: {escape(where)}", _PLAN_COLUMNS, rows)
    for server, url in sorted({(pc.target.boot_server.name, pc.server_url) for pc in plan.pcs}):
        pcs = sum(1 for pc in plan.pcs if pc.target.boot_server.name == server)
        console.print(f"boot server {escape(server)} serves {pcs} of them at {escape(url)}")
    if any(pc.target.secure_boot for pc in plan.pcs):
        console.print("+SB: Secure Boot (the PC boots through Debian's signed shim and GRUB, not iPXE: its GRUB entry "
                      "grub/<mac>.cfg belongs in the boot server's TFTP root)")  # fmt: skip
    for finding in plan.findings:
        line = f":{finding.line}" if finding.line is not None else ""
        console.print(f"[red]{escape(finding.file)}{line}[/red]: {escape(finding.problem)}")
    if output is not None:
        console.print(f"{written} files written to {escape(str(output))}")
    verdict = "[green]every file valid[/green]" if plan.valid else f"[red]{len(plan.findings)} problems[/red]"
    console.print(f"{len(plan.pcs)} PCs: {verdict}")
