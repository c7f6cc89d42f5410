"""``schooltech audit [show|verify]``: the journal of everything that reached a device.

  show    the latest records: when, who, where, what, the run and its targets (default)
  verify  check the chain of every record; print the head to keep elsewhere, and with
          --head HASH check that a head kept earlier is still in the chain

The journal is ``audit.jsonl`` in the state directory (``SCHOOLTECH_STATE_DIR``; a team
sharing one state directory shares one journal). Each record carries the SHA-256 of the
line before it, so a record changed, inserted or removed breaks the chain at the next one.

Exit codes: show: 0 (damaged lines are listed as such), 2 usage; verify: 0 the chain is
intact, 1 it is broken (the line of the first broken record is named), 2 usage.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.markup import escape

from .. import journal
from .commands import help_line
from .common import EXIT_FINDINGS, EXIT_OK, positive_int


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "audit", help=help_line("audit"), description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.set_defaults(handler=run_show, last=20)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    show = actions.add_parser("show", help="the latest records (the default)")
    show.add_argument("--last", type=positive_int, default=20, metavar="N", help="how many records (default 20)")
    show.set_defaults(handler=run_show)
    verify = actions.add_parser("verify", help="check the chain of every record")
    verify.add_argument("--head", metavar="HASH", help="a head printed by an earlier verify: it must still be there")
    verify.set_defaults(handler=run_verify)


def run_show(args: argparse.Namespace, console: Console) -> int:
    found = list(journal.lines())[-args.last :]
    console.print(f"{journal.audit_path()}: the latest {len(found)} records (line, time, who, event, run, what)")
    for line in found:
        entry = line.entry
        if entry is None:
            console.print(f"{line.number:>6}  [red]damaged[/red]: {escape(line.error or '')}")
            continue
        event = " ".join(str(entry[key]) for key in ("event", "phase") if entry.get(key))
        fields = (str(entry.get("time", "?")), f"{entry.get('user')}@{entry.get('host')}", event,
                  str(entry.get("run_id") or "-"), _what(entry))  # fmt: skip
        console.print(f"{line.number:>6}  " + escape("  ".join(fields)))
    return EXIT_OK


def _what(entry: dict[str, Any]) -> str:
    """A short summary: the school, the targets or outcomes, check mode, the reasons given."""
    parts = [str(entry["school"])] if entry.get("school") else []
    for key in ("targets", "hosts", "switches"):
        value = entry.get(key)
        if isinstance(value, (list, dict)) and value:
            names = list(value)
            parts.append(", ".join(map(str, names[:4])) + (f" and {len(names) - 4} more" if len(names) > 4 else ""))
            break
    if entry.get("check"):
        parts.append("check")
    for key in ("force_window", "allow_management_change", "accept_running", "setting"):
        if entry.get(key):
            parts.append(f"{key.replace('_', ' ')}: {entry[key]}")
    return "; ".join(parts)


def run_verify(args: argparse.Namespace, console: Console) -> int:
    verdict = journal.verify(args.head)
    where = journal.audit_path()
    if not verdict.intact:
        broken = verdict.broken or 1
        console.print(f"[bold red]broken[/bold red] at line {broken}: {where}:{broken}: {escape(verdict.reason)}")
        trusted = {1: "", 2: "", 3: "line 1 is intact; "}.get(broken, f"lines 1 to {broken - 2} are intact; ")
        console.print(f"  {trusted}nothing from line {max(broken - 1, 1)} on can be trusted")
        return EXIT_FINDINGS
    if args.head and not verdict.anchored:
        console.print(f"[bold red]broken[/bold red]: {where} no longer holds the record whose head was "
                      f"{escape(args.head)}: a record up to it was changed or removed")  # fmt: skip
        return EXIT_FINDINGS
    if not verdict.records:
        console.print(f"[green]intact[/green]: {where} holds no records yet")
        return EXIT_OK
    console.print(f"[green]intact[/green]: {verdict.records} records in {where}; head {verdict.head}")
    console.print("  keep the head elsewhere (a ticket, a CI log): 'schooltech audit verify --head HASH' later "
                  "proves nothing up to it was cut or rewritten")  # fmt: skip
    return EXIT_OK
