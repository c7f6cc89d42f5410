"""``schooltech net``: the school's switches, from intent to running config and back.

  render    write every switch's intended config to files (for review and CI)
  plan      per switch: the diff of the lines schooltech owns and the exact commands; changes nothing
  push      back up, send the commands under the switch's revert timer, verify over a fresh
            session, confirm, save; any failure takes the switch back to its backup
  status    pushes an interrupted run left in flight: checked on the switch, settled when safe
  backup    save running configs in the git-versioned backup store (a commit only on change)
  drift     intended vs running for every switch (nightly job or CI)
  rollback  restore one switch's owned lines to a backed-up revision, as safely as a push
  history   the backed-up revisions of one switch
  show      run one show command on the chosen switches (read-only)
  trust     record switches' SSH host keys, after checking their fingerprints

Only lines in the platform's owned scope are ever changed; users, AAA, vty lines and every
other line are kept as they are. A change to the management path (the management interface
and address, the default gateway, the ports and VLAN that carry the session) is refused
unless --allow-management-change is given with --reason.

Exit codes: 0 success (plan/drift: nothing to change), 1 changes pending or refused
(plan/drift), a switch failed, or an interrupted push is unresolved (status),
2 usage or inventory error, 130 interrupted (push: every switch is at its backup or at its
intended config, see the table).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.prompt import Confirm

from ..errors import UsageError
from ..interrupts import stop_on_signals
from ..network import backups
from ..network.operations import (
    PushOptions,
    PushResult,
    Selection,
    SwitchPlan,
    backup,
    plan,
    push,
    render_to,
    rollback,
    status,
)
from ..network.push import DEFAULT_REVERT_MINUTES, Outcome
from ..network.show import DEFAULT_WORKERS, show
from ..network.trust import KeyState, SwitchKey, TrustResult, trust
from .commands import help_line
from .common import EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, add_inventory_option, command_line, positive_int
from .progress import ProgressDisplay, Snapshot
from .tables import Column, print_table

TRUST_HELP = """\
Every switch session checks the switch's SSH host key and refuses an unknown or changed
one before it sends the password. This records the keys of real switches: it connects
without logging in, shows each key's type and SHA256 fingerprint and whether it is new,
already recorded or CHANGED, and asks before recording (compare each fingerprint with
the one the switch shows on its console first). A changed key is recorded only with
--replace (the switch was replaced). Simulated switches are refused: the simulation
records their keys.

Exit codes: 0 recorded or nothing to do, 1 a switch failed, a changed key was not
replaced or the keys were not confirmed, 2 usage error (no --yes when not asked on a
terminal, a simulated switch, unknown switch or school).
"""

_DRIFT_COLUMNS = (Column("switch", whole=True), Column("school", whole=True, drop=1), Column("state"),
                  Column("lines to send", justify="right"), Column("kept", justify="right"))  # fmt: skip
_PUSH_COLUMNS = (Column("switch", whole=True), Column("outcome", whole=True), Column("commands", justify="right"),
                 Column("kept", justify="right"), Column("backup", whole=True, drop=1), Column("detail"))  # fmt: skip
# a fingerprint is compared character by character with the switch's console: never folded
_KEY_COLUMNS = (Column("switch", whole=True), Column("address", whole=True), Column("key type"),
                Column("fingerprint", whole=True), Column("state"), Column("recorded before", whole=True))  # fmt: skip
_COLOURS = {
    Outcome.IN_SYNC: "green", Outcome.WOULD_CHANGE: "yellow", Outcome.APPLIED: "green", Outcome.VERIFIED: "green",
    Outcome.BLOCKED: "red", Outcome.ROLLED_BACK: "red", Outcome.REVERTED: "red", Outcome.UNDONE: "magenta",
    Outcome.NEEDS_ATTENTION: "bold red", Outcome.FAILED: "red",
}  # fmt: skip


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "net", help=help_line("net"), description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name: str, help_text: str, handler: Any, *, select: bool = True,
               description: str | None = None) -> argparse.ArgumentParser:  # fmt: skip
        sub: argparse.ArgumentParser = actions.add_parser(
            name, help=help_text, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        add_inventory_option(sub)
        if select:
            sub.add_argument("--school", action="append", default=[], metavar="CODE")
            sub.add_argument("--switch", action="append", default=[], metavar="NAME")
        sub.set_defaults(handler=handler)
        return sub

    action("render", "write intended configs", run_render).add_argument(
        "--output", type=Path, default=Path("rendered"), help="directory (default: rendered/)"
    )
    for name, text, handler in (("plan", "diff and commands, change nothing", run_plan),
                                ("drift", "does running match intended?", run_drift)):  # fmt: skip
        sub = action(name, text, handler)
        sub.add_argument("--from-backups", action="store_true", help="compare with the last backups, offline")
        sub.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS)
    push_parser = action("push", "apply intended configs safely", run_push)
    push_parser.add_argument("--check", action="store_true", help="back up and plan only; send nothing")
    push_parser.add_argument("--atomic", action="store_true",
                             help="confirm every switch only when all verified; else every one reverts")  # fmt: skip
    push_parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS)
    push_parser.add_argument("--revert-minutes", type=positive_int, default=DEFAULT_REVERT_MINUTES, metavar="N",
                             help=f"the switch reverts by itself N minutes after the change starts unless "
                                  f"confirmed (default {DEFAULT_REVERT_MINUTES})")  # fmt: skip
    _add_change_options(push_parser, accept_running=True)
    backup_parser = action("backup", "back up running configs", run_backup)
    backup_parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS)
    rollback_parser = action("rollback", "restore a backed-up revision", run_rollback, select=False)
    rollback_parser.add_argument("--switch", required=True, metavar="NAME")
    rollback_parser.add_argument("--to", required=True, metavar="REV", help="backup revision (see net history)")
    rollback_parser.add_argument("--check", action="store_true", help="show the commands; send nothing")
    _add_change_options(rollback_parser, accept_running=False)
    action("status", "check pushes an interrupted run left in flight", run_status)
    history_parser = action("history", "backed-up revisions of a switch", run_history, select=False)
    history_parser.add_argument("--switch", required=True, metavar="NAME")
    show_parser = action("show", "run a show command (read-only)", run_show)
    show_parser.add_argument("--command", default="show running-config", help="default: show running-config")
    show_parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS)
    trust_parser = action("trust", "record switches' SSH host keys", run_trust, description=TRUST_HELP)
    trust_parser.add_argument("--yes", action="store_true", help="record without asking (fingerprints checked)")
    trust_parser.add_argument("--replace", action="store_true",
                              help="record a CHANGED key too, in place of the old one (a replaced switch)")  # fmt: skip
    trust_parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS)


def _add_change_options(parser: argparse.ArgumentParser, *, accept_running: bool) -> None:
    parser.add_argument("--allow-management-change", action="store_true",
                        help="allow changes to the management interface, gateway and session ports (needs --reason)")
    if accept_running:
        parser.add_argument("--accept-running", action="store_true",
                            help="take a config an interrupted push left half-applied as it is (needs --reason)")
    parser.add_argument("--reason", metavar="TEXT", help="why: recorded in the audit log")  # fmt: skip


def _reason_for(args: argparse.Namespace, flag: str) -> str | None:
    """The --reason given with *flag* (None when the flag is not given); the flag without one is a usage error."""
    if not getattr(args, flag.replace("-", "_"), False):
        return None
    if not (args.reason or "").strip():
        raise UsageError(f"--{flag} needs --reason", "say why, for example --reason 'move management to VLAN 99'")
    reason: str = args.reason.strip()
    return reason


def _selection(args: argparse.Namespace) -> Selection:
    return Selection(args.inventory, tuple(getattr(args, "school", ())), tuple(getattr(args, "switch", ())))


def run_render(args: argparse.Namespace, console: Console) -> int:
    for config in render_to(_selection(args), args.output):
        console.print(f"{config.switch} ({config.platform}): {config.path}")
    return EXIT_OK


def _print_plans(console: Console, plans: list[SwitchPlan]) -> tuple[int, int]:
    pending = failed = 0
    for item in plans:
        console.rule(f"{item.switch} ({item.school})")
        if item.error or item.remediation is None:
            failed += 1
            console.print(f"[red]failed[/red]: {escape(item.error or '')}")
            continue
        found = item.remediation
        kept = f"{found.kept} lines outside the owned scope kept ({found.protected} protected)"
        if found.management:
            failed += 1
            console.print("[bold red]refused: the change would touch the management path[/bold red] "
                          "(push it only with --allow-management-change --reason):")  # fmt: skip
            console.out("\n".join(f"  {why}" for why in found.management), highlight=False)
        if not item.pending:
            console.print(f"[green]in sync[/green] with its {item.source}; {kept}")
            continue
        pending += 1
        if found.changes:
            console.out(found.diff, highlight=False)
            console.print(f"[yellow]{len(found.commands)} commands would be sent:[/yellow]")
            console.out("\n".join(found.commands), highlight=False)
        if item.missing:
            console.print(f"[yellow]{len(item.missing)} intended lines are not shown as rendered:[/yellow]")
            console.out("\n".join(item.missing), highlight=False)
        console.print(kept)
    return pending, failed


def run_plan(args: argparse.Namespace, console: Console) -> int:
    plans = plan(_selection(args), from_backups=args.from_backups, workers=args.workers)
    pending, failed = _print_plans(console, plans)
    console.print(f"{len(plans)} switches: {pending} with changes pending, {failed} failed or refused, "
                  f"{len(plans) - pending} in sync")  # fmt: skip
    return EXIT_FINDINGS if pending or failed else EXIT_OK


def run_drift(args: argparse.Namespace, console: Console) -> int:
    plans = plan(_selection(args), from_backups=args.from_backups, workers=args.workers)
    return EXIT_FINDINGS if _print_drift(console, plans) else EXIT_OK


def _print_drift(console: Console, plans: Sequence[SwitchPlan]) -> int:
    """The drift table; the number of switches that drifted or failed."""
    rows = []
    drifted = 0
    for item in plans:
        if item.error or item.remediation is None:
            state, count, kept = f"[red]failed: {escape(item.error or '')}[/red]", "-", "-"
            drifted += 1
        else:
            kept = str(item.remediation.kept)
            count = str(len(item.remediation.commands))
            state = "[green]in sync[/green]"
            if item.pending:
                drifted += 1
                state = "[yellow]drifted[/yellow]" + (f" ({len(item.missing)} lines not as rendered)"
                                                      if item.missing else "")  # fmt: skip
        rows.append((item.switch, item.school, state, count, kept))
    print_table(console, "intended vs running", _DRIFT_COLUMNS, rows)
    return drifted


def _print_push(console: Console, result: PushResult) -> int:
    title = f"run {result.run_id}{' (check)' if result.check else ''}{' (atomic)' if result.atomic else ''}"
    if result.simulation:
        title += escape(f" [simulation {result.simulation}]")
    rows = []
    for item in result.switches:
        colour = _COLOURS[item.outcome]
        rows.append((item.switch, f"[{colour}]{item.outcome}[/{colour}]", str(len(item.commands)), str(item.kept),
                     item.backup or "-", escape(item.message)))  # fmt: skip
    print_table(console, title, _PUSH_COLUMNS, rows)
    if result.check:
        for item in result.switches:
            if item.script:
                console.rule(f"{item.switch}: would send")
                console.out("\n".join(item.script), highlight=False)
    console.print(f"{result.duration:.1f} s")
    if result.record_failed:
        console.print(f"[bold red]{escape(result.record_failed)}[/bold red]")
    if result.interrupted:
        console.print(f"[bold red]interrupted ({escape(result.interrupted)})[/bold red]: every switch above is at "
                      "its backup or at its intended config")  # fmt: skip
        return EXIT_INTERRUPTED
    return EXIT_OK if result.succeeded and not result.record_failed else EXIT_FINDINGS


def run_push(args: argparse.Namespace, console: Console) -> int:
    allow, accept = _reason_for(args, "allow-management-change"), _reason_for(args, "accept-running")
    with stop_on_signals() as stop, ProgressDisplay(console, "net push") as progress:
        options = PushOptions(check=args.check, atomic=args.atomic, workers=args.workers, allow_management=allow,
                              accept_running=accept, revert_minutes=args.revert_minutes, stop=stop)  # fmt: skip
        done: list[str] = []

        def report(outcome: Any) -> None:
            done.append(outcome.switch)
            progress.show(Snapshot(len(done), None, "switches done", step=f"{outcome.switch}: {outcome.outcome}"))

        result = push(_selection(args), options, invocation=command_line(), on_done=report)
    return _print_push(console, result)


def run_rollback(args: argparse.Namespace, console: Console) -> int:
    selection = Selection(args.inventory, switches=(args.switch,))  # rollback's --switch names one switch
    with stop_on_signals() as stop:
        result = rollback(selection, args.to, check=args.check,
                          allow_management=_reason_for(args, "allow-management-change"), stop=stop,
                          invocation=command_line())  # fmt: skip
    return _print_push(console, result)


def run_status(args: argparse.Namespace, console: Console) -> int:
    found = status(_selection(args))
    if not found.items:
        console.print("[green]no push is in flight[/green]: every switch was left at a known config")
    for item in found.items:
        colour = "green" if item.settled else "red"
        state = "settled" if item.settled else "unresolved"
        console.print(f"[{colour}]{state}[/{colour}]: {escape(item.note)}")
    return _recorded(console, found.record_failed, all(item.settled for item in found.items))


def run_backup(args: argparse.Namespace, console: Console) -> int:
    done = backup(_selection(args), workers=args.workers, invocation=command_line())
    for item in done.switches:
        if item.error:
            console.print(f"[red]{item.switch}: failed[/red]: {escape(item.error)}")
        else:
            what = "new revision" if item.changed else "unchanged"
            console.print(f"{item.switch}: {what} {item.revision}")
    console.print(f"backup store: {backups.store()}")
    return _recorded(console, done.record_failed, not any(r.error for r in done.switches))


def _recorded(console: Console, record_failed: str | None, succeeded: bool) -> int:
    """The exit code of a command whose work is done: 1 when it failed somewhere or its record could not be written."""
    if record_failed:
        console.print(f"[bold red]{escape(record_failed)}[/bold red]")
    return EXIT_OK if succeeded and not record_failed else EXIT_FINDINGS


def run_history(args: argparse.Namespace, console: Console) -> int:
    from ..inventory import load_fleet  # noqa: PLC0415 - only this action needs the school of a switch

    fleet = load_fleet(args.inventory)
    if args.switch not in fleet.hosts:
        console.print(f"[red]no switch named {escape(args.switch)}[/red]")
        return 2
    for revision, date, message in backups.history(fleet.hosts[args.switch].school, args.switch):
        console.print(f"{revision}  {date}  {escape(message)}")
    return EXIT_OK


def run_show(args: argparse.Namespace, console: Console) -> int:
    results = show(args.inventory, args.command, schools=args.school, switches=args.switch, workers=args.workers)
    for result in results:
        console.rule(f"{result.switch} ({result.school})")
        if result.error:
            console.print(f"[red]failed[/red]: {escape(result.error)}")
        else:
            console.out(result.output or "", highlight=False)
    failed = [r.switch for r in results if r.error]
    if failed:
        console.print(f"[red]{len(failed)} of {len(results)} switches failed[/red]: {', '.join(failed)}")
    return EXIT_FINDINGS if failed else EXIT_OK


_STATE_COLOURS = {KeyState.NEW: "yellow", KeyState.RECORDED: "green", KeyState.CHANGED: "bold red",
                  KeyState.FAILED: "red"}  # fmt: skip


def run_trust(args: argparse.Namespace, console: Console) -> int:
    if not args.school and not args.switch:
        raise UsageError("name the switches whose host keys to record", "give --school CODE or --switch NAME")
    if not args.yes and not sys.stdin.isatty():
        raise UsageError("net trust asks before recording a host key, and this is not a terminal",
                         "check the fingerprints, then run it again with --yes")  # fmt: skip

    def confirm(pending: Sequence[SwitchKey]) -> bool:
        _print_keys(console, "host keys to record", pending)
        if args.yes:
            return True
        replacing = sum(1 for key in pending if key.state is KeyState.CHANGED)
        question = f"Record {len(pending)} host key{'s' if len(pending) != 1 else ''}"
        question += f" ({replacing} in place of a CHANGED key)?" if replacing else "?"
        return Confirm.ask(f"{question} Compare each fingerprint with the switch's console first", console=console,
                           default=False)  # fmt: skip

    result = trust(args.inventory, schools=args.school, switches=args.switch, replace=args.replace,
                   confirm=confirm, workers=args.workers, invocation=command_line())  # fmt: skip
    return _print_trusted(console, result)


def _print_keys(console: Console, title: str, keys: Sequence[SwitchKey]) -> None:
    rows = []
    for key in keys:
        state = f"[{_STATE_COLOURS[key.state]}]{key.state}[/]"
        recorded = "\n".join(k.fingerprint for k in key.recorded) if key.state is KeyState.CHANGED else ""
        rows.append((key.switch, key.address, key.offered.type if key.offered else "-",
                     key.offered.fingerprint if key.offered else "-", state, recorded))  # fmt: skip
    print_table(console, title, _KEY_COLUMNS, rows)


def _print_trusted(console: Console, result: TrustResult) -> int:
    for key in result.switches:
        line = f"{key.switch} ({key.address}): {key.outcome}"
        if key.error:
            line += f": {key.error}"
        elif key.state is KeyState.CHANGED and not key.outcome.ok:
            line += (f": it offers {key.offered.fingerprint if key.offered else '?'}, "
                     f"recorded {', '.join(k.fingerprint for k in key.recorded)}; sessions to it stay refused "
                     f"(if the switch was replaced and you checked the new fingerprint: --replace)")  # fmt: skip
        colour = "green" if key.outcome.ok else "red"
        console.print(f"[{colour}]{escape(line)}[/{colour}]")
    files = sorted({str(key.known_hosts) for key in result.switches})
    console.print(f"known hosts: {', '.join(files)}")
    return _recorded(console, result.record_failed, result.succeeded)
