"""``schooltech rebuild|patch|license|configure``: lab jobs on a school's managed PCs.

  rebuild    term start: baseline, software, licences, verify; room by room
  patch      upgrades in rolling batches, reboots only outside lesson times
  license    licence files where licences are assigned, removed where not
  configure  settings only: accounts, banner, screen lock, USB, web filter, time

A canary PC goes first; when more than --max-fail percent of a batch fails, the
rollout halts and later batches are left untouched. Rooms in an exam freeze are
left out of rebuilds and patching, and nothing reboots during lessons, unless
--force-window --reason TEXT (recorded in the audit log). One job per school at a
time. Licence keys come from environment variables or the school's vault file; a
sudo password, if the PCs ask for one, from ANSIBLE_BECOME_PASS or become_password
in the vault file.

District waves: --school all (or A,B,C) runs the job school by school, at most
--schools-at-once schools together (default 2), canary schools first (default: the
first school by code); a school outside its calendar window (wholly in an exam
freeze; for patch, outside its patch window) is skipped and reported, not failed; a
failed canary, or more than --max-failed-schools failed schools (default 1), stops
the wave and the schools not started are reported as not run. Each school gets its
own lock and run record, as with --school CODE.

Exit codes: 0 every host succeeded (a wave: every school ok or skipped), 1 a host
failed, was unreachable or was left out, the rollout halted, or the run's record
could not be written (the table is still shown) (a wave: a school failed or was not
run), 2 usage or inventory error, school busy, nothing to run, 130 interrupted
(Ctrl-C, kill): Ansible was stopped, the table shows how far it got.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..errors import UsageError
from ..interrupts import stop_on_signals
from ..jobs import HostStatus, JobKind, JobRequest, JobResult, run_job
from ..jobs import runs as run_records
from ..jobs.district import MAX_FAILED_SCHOOLS, SCHOOLS_AT_ONCE, DistrictRequest, DistrictResult, run_district_job
from ..jobs.wave import SchoolStatus, WaveProgress
from .commands import help_line
from .common import EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, add_inventory_option, command_line, positive_int
from .progress import ProgressDisplay, Snapshot, job_snapshot
from .tables import Column, print_table

_COLOURS = {
    HostStatus.OK: "green", HostStatus.CHANGED: "yellow", HostStatus.FAILED: "red",
    HostStatus.UNREACHABLE: "red", HostStatus.NOT_RUN: "magenta", HostStatus.REFUSED: "cyan",
}  # fmt: skip
_HOST_COLUMNS = (Column("host", whole=True), Column("result", whole=True), Column("ok", justify="right"),
                 Column("changed", justify="right"), Column("detail"))  # fmt: skip
_SCHOOL_COLOURS = {
    SchoolStatus.OK: "green", SchoolStatus.FAILED: "red", SchoolStatus.SKIPPED_WINDOW: "cyan",
    SchoolStatus.NOT_RUN: "magenta", SchoolStatus.HALTED: "red",
}  # fmt: skip
_SCHOOL_COLUMNS = (Column("school", whole=True), Column("status", whole=True), Column("canary", drop=1),
                   Column("run", whole=True), Column("detail"))  # fmt: skip
# the run id names the job and the school: on a narrow terminal those columns go first
_RUN_COLUMNS = (Column("run", whole=True), Column("job", drop=3), Column("school", whole=True, drop=3),
                Column("started"), Column("hosts", justify="right"), Column("failed", justify="right"),
                Column("halted", drop=1), Column("check", drop=2))  # fmt: skip


def register(commands: Any) -> None:
    for kind in JobKind:
        if kind.read_only:  # asset_facts: run by 'schooltech assets audit', not a command of its own
            continue
        parser: argparse.ArgumentParser = commands.add_parser(
            kind.value, help=help_line(kind.value),
            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        )  # fmt: skip
        add_inventory_option(parser)
        parser.add_argument("--school", required=True, metavar="CODE",
                            help="a school; 'all' or a list A,B,C runs a district wave")  # fmt: skip
        parser.add_argument("--room", action="append", default=[], metavar="ROOM", help="only this room (repeatable)")
        parser.add_argument("--limit", metavar="PATTERN", help="Ansible host pattern, e.g. 'DEMO-LAB1-PC0*'")
        parser.add_argument("--check", action="store_true", help="show what would change; change nothing")
        parser.add_argument("--diff", action="store_true", help="show the changes to files")
        parser.add_argument("--batch", metavar="SIZE", help="after the canary, batches of SIZE PCs (or 'N%%')")
        parser.add_argument(
            "--max-fail",
            type=int,
            default=0,
            metavar="PCT",
            help="halt when more than PCT%% of a batch fails (default 0: any failure halts)",
        )
        parser.add_argument("--force-window", action="store_true", help="ignore exam freezes and lesson times")
        parser.add_argument("--reason", help="why the window is forced (recorded; required with --force-window)")
        parser.add_argument("--retry-failed", metavar="RUN", help="rerun only the PCs that did not finish in RUN")
        parser.add_argument("--json", action="store_true", help="print the result as JSON (progress goes to stderr)")
        wave = parser.add_argument_group("district waves (--school all or A,B,C)")
        wave.add_argument("--schools-at-once", type=positive_int, default=SCHOOLS_AT_ONCE, metavar="N",
                          help=f"schools running at the same time (default {SCHOOLS_AT_ONCE})")  # fmt: skip
        wave.add_argument(
            "--max-failed-schools", type=_count, default=MAX_FAILED_SCHOOLS, metavar="N",
            help=f"stop the wave when more than N schools failed (default {MAX_FAILED_SCHOOLS})",
        )  # fmt: skip
        wave.add_argument(
            "--canary-schools", metavar="A,B|none",
            help="the schools that go first; a failing one stops the wave (default: the first by code)",
        )  # fmt: skip
        parser.set_defaults(handler=run, kind=kind)
    runs_parser: argparse.ArgumentParser = commands.add_parser("runs", help=help_line("runs"))
    actions = runs_parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="the most recent runs").set_defaults(handler=run_list)
    show = actions.add_parser("show", help="one run, host by host")
    show.add_argument("run_id", metavar="RUN")
    show.set_defaults(handler=run_show)


def run(args: argparse.Namespace, console: Console) -> int:
    if args.school == "all" or "," in args.school:
        return run_wave(args, console)
    request = JobRequest(
        kind=args.kind, inventory=args.inventory, school=args.school, rooms=tuple(args.room), limit=args.limit,
        check=args.check, diff=args.diff, batch=args.batch, max_fail=args.max_fail,
        force_window=args.force_window, reason=args.reason, retry_of=args.retry_failed,
    )  # fmt: skip
    invocation = command_line()
    label = f"{request.kind}{' (check)' if request.check else ''} {request.school}"
    with stop_on_signals() as stop, ProgressDisplay(_progress_console(args, console), label) as display:
        result = run_job(request, on_progress=lambda p: display.show(job_snapshot(p)), invocation=invocation,
                         stop=stop)  # fmt: skip
    if args.json:
        console.out(json.dumps(asdict(result), indent=2, default=str), highlight=False)
    else:
        print_job_result(console, result)
    if result.record_failed:
        console.print(f"[bold red]{escape(result.record_failed)}[/bold red]")
    if result.interrupted:
        return EXIT_INTERRUPTED
    if result.record_failed:
        return EXIT_FINDINGS
    return EXIT_OK if result.succeeded and not result.with_status(HostStatus.REFUSED) else EXIT_FINDINGS


def run_wave(args: argparse.Namespace, console: Console) -> int:
    """A district wave: the job on several schools (``--school all`` or ``A,B,C``), one summary."""
    one_school = [option for option, given in (("--room", args.room), ("--limit", args.limit),
                                                ("--retry-failed", args.retry_failed)) if given]  # fmt: skip
    if one_school:
        raise UsageError(
            f"{', '.join(one_school)} names PCs of one school, not of a district wave",
            f"run that school alone: schooltech {args.kind} --school CODE {one_school[0]} ...",
        )
    request = DistrictRequest(
        kind=args.kind, inventory=args.inventory, schools=_codes(args.school), canaries=_canaries(args.canary_schools),
        at_once=args.schools_at_once, max_failed=args.max_failed_schools, check=args.check, diff=args.diff,
        batch=args.batch, max_fail=args.max_fail, force_window=args.force_window, reason=args.reason,
    )  # fmt: skip
    invocation = command_line()
    label = f"{request.kind}{' (check)' if request.check else ''} district"
    with stop_on_signals() as stop, ProgressDisplay(_progress_console(args, console), label) as display:
        result = run_district_job(request, invocation=invocation, stop=stop,
                                  on_progress=lambda p: display.show(wave_snapshot(p)))  # fmt: skip
    if args.json:
        console.out(json.dumps(asdict(result), indent=2, default=str), highlight=False)
    else:
        print_district_result(console, result)
    if result.record_failed:
        console.print(f"[bold red]{escape(result.record_failed)}[/bold red]")
    if result.wave.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if result.succeeded else EXIT_FINDINGS


def wave_snapshot(progress: WaveProgress) -> Snapshot:
    """Schools done of the wave's; the schools running now; the counts of those finished."""
    counts = {status: sum(1 for o in progress.finished if o.status is status) for status in SchoolStatus}
    text = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    running = f"running {', '.join(progress.running)}" if progress.running else ""
    return Snapshot(len(progress.finished), progress.total, "schools", "canaries" if progress.canaries else "",
                    running, text)  # fmt: skip


def print_district_result(console: Console, result: DistrictResult) -> None:
    title = f"{result.kind} district{' (check mode)' if result.check else ''}: {len(result.wave.outcomes)} schools"
    rows = []
    for outcome in result.wave.outcomes:
        colour = _SCHOOL_COLOURS[outcome.status]
        rows.append((escape(outcome.school), f"[{colour}]{outcome.status}[/{colour}]", "yes" if outcome.canary else "",
                     outcome.result.run_id if outcome.result else "", escape(outcome.detail)))  # fmt: skip
    print_table(console, title, _SCHOOL_COLUMNS, rows)
    summary = ", ".join(f"{n} {status}" for status, n in result.wave.counts().items() if n)
    console.print(f"{summary}; {result.duration:.1f} s")
    if result.wave.stopped:
        console.print(f"[bold red]wave stopped[/bold red]: {escape(result.wave.stopped)}")
    for outcome in result.wave.outcomes:
        if outcome.result is not None and outcome.status is not SchoolStatus.OK:
            console.print(f"{escape(outcome.school)}: schooltech runs show {outcome.result.run_id}; retry its PCs "
                          f"with: schooltech {result.kind} --school {escape(outcome.school)} --retry-failed "
                          f"{outcome.result.run_id}")  # fmt: skip


def _codes(text: str) -> tuple[str, ...]:
    """``all``: every school (an empty tuple); else the school codes of ``A,B,C``."""
    if text == "all":
        return ()
    codes = tuple(code.strip() for code in text.split(","))
    if not all(codes):
        raise UsageError(f"--school {text!r} names an empty school", "give codes separated by commas: A,B,C")
    return codes


def _canaries(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return () if text == "none" else _codes(text)


def _count(value: str) -> int:
    """argparse type: a whole number, 0 or more."""
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of schools (0 or more)")
    return int(value)


def _progress_console(args: argparse.Namespace, console: Console) -> Console:
    """With --json, stdout holds the JSON alone: progress goes to stderr."""
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False) if args.json else console


def print_job_result(console: Console, result: JobResult) -> None:
    title = f"{result.kind} {result.school}{' (check mode)' if result.check else ''}: run {result.run_id}"
    if result.simulation:
        title += escape(f" [simulation {result.simulation}]")
    if result.node:
        title += escape(f" [on execution node {result.node}]")
    rows = []
    for host in result.hosts:
        colour = _COLOURS[host.status]
        detail = host.message or _report_summary(host.report)
        if host.failed_task:
            detail = f"{host.failed_task}: {detail}"
        rows.append((host.name, f"[{colour}]{host.status}[/{colour}]", str(host.ok), str(host.changed),
                     escape(detail or "")))  # fmt: skip
    print_table(console, title, _HOST_COLUMNS, rows)
    counts = {status: len(result.with_status(status)) for status in HostStatus}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    console.print(f"{summary}; {result.duration:.1f} s")
    if result.interrupted:
        console.print(f"[bold red]interrupted ({escape(result.interrupted)})[/bold red]: Ansible was stopped "
                      f"mid-run and {counts[HostStatus.NOT_RUN]} PCs were not reached; the PCs it was working on "
                      "may be half done. Run the job again to finish: it changes only what is not as intended yet.")
    if result.halted:
        console.print(
            f"[red]rollout halted[/red]: the failure limit was exceeded; "
            f"{counts[HostStatus.NOT_RUN]} PCs were left untouched. "
            f"Retry them with: schooltech {result.kind} --school {result.school} --retry-failed {result.run_id}"
        )
    for warning in result.warnings:
        console.print(f"[yellow]note[/yellow]: {escape(warning)}")


def _report_summary(reports: dict[str, Any]) -> str:
    """One line from what the roles reported (``patching_report``: upgraded packages, reboot)."""
    report = reports.get("patching_report") or {}
    parts = []
    if report.get("upgraded"):
        parts.append("upgraded " + ", ".join(_package(p) for p in report["upgraded"]))
    elif report.get("status") == "checked" and report.get("planned"):
        planned = [{"name": p.get("name"), "from": p.get("installed"), "to": p.get("candidate")}
                   for p in report["planned"] if isinstance(p, dict)]  # fmt: skip
        parts.append("would upgrade " + ", ".join(_package(p) for p in planned))
    if report.get("reboot"):
        parts.append(f"reboot {report['reboot']}")
    return "; ".join(parts)


def run_list(args: argparse.Namespace, console: Console) -> int:
    found = run_records.listing()
    rows = []
    for result in found.results:
        failed = len(result.with_status(HostStatus.FAILED)) + len(result.with_status(HostStatus.UNREACHABLE))
        started = result.started[:16].replace("T", " ")
        rows.append((result.run_id, str(result.kind), result.school, started, str(len(result.hosts)), str(failed),
                     "yes" if result.halted else "", "yes" if result.check else ""))  # fmt: skip
    print_table(console, "lab jobs, most recent first", _RUN_COLUMNS, rows)
    for damaged in found.damaged:
        console.print(f"[yellow]skipped[/yellow]: {escape(damaged.message)}")
        console.print(f"  hint: {escape(damaged.hint or '')}")
    return EXIT_OK


def run_show(args: argparse.Namespace, console: Console) -> int:
    print_job_result(console, run_records.load(args.run_id))
    return EXIT_OK


def _package(entry: Any) -> str:
    if isinstance(entry, dict):
        return f"{entry.get('name', '?')} {entry.get('from', '')} -> {entry.get('to', '')}"
    return str(entry)
