"""``progress.ProgressDisplay``: a bar on a terminal, plain lines in a pipe or CI log."""

from __future__ import annotations

import io
import re

from rich.console import Console

from schooltech_fleet.cli import assets_audit, image
from schooltech_fleet.cli.progress import ProgressDisplay, Snapshot, job_snapshot
from schooltech_fleet.imaging.waves import PcOutcome, PcProgress
from schooltech_fleet.jobs import Progress

UPGRADE = "schooltech.patching : Upgrade every package that has an update pending"
REBOOT = "schooltech.patching : Reboot when the kernel changed outside lesson times"
SNAPSHOTS = (
    Progress(total=8, done=0, changed=0, failed=0, unreachable=0, task="Gathering Facts", batch=1),
    Progress(total=8, done=1, changed=1, failed=0, unreachable=0, task=UPGRADE, batch=1),
    Progress(total=8, done=4, changed=3, failed=1, unreachable=0, task=REBOOT, batch=2),
    Progress(total=8, done=8, changed=6, failed=1, unreachable=1, task=None, batch=3),
)
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Clock:
    """A clock the test moves: 65 seconds per snapshot."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def play(console: Console, snapshots: tuple[Progress, ...] = SNAPSHOTS) -> None:
    clock = Clock()
    with ProgressDisplay(console, "patch RIVERSIDE", clock=clock) as display:
        for snapshot in snapshots:
            clock.now += 65
            display.show(job_snapshot(snapshot))
            display.show(job_snapshot(snapshot))  # the same snapshot again: nothing new to say


def test_in_a_pipe_each_change_is_one_plain_line() -> None:
    out = io.StringIO()
    play(Console(file=out, width=80, force_terminal=False))
    assert out.getvalue().splitlines() == [
        "patch RIVERSIDE: starting",
        "patch RIVERSIDE: 0/8 PCs, batch 1, 0:01:05: Gathering Facts",
        f"patch RIVERSIDE: 1/8 PCs, batch 1, 0:02:10, 1 changed: {UPGRADE}",
        f"patch RIVERSIDE: 4/8 PCs, batch 2, 0:03:15, 3 changed, 1 failed: {REBOOT}",
        "patch RIVERSIDE: 8/8 PCs, batch 3, 0:04:20, 6 changed, 1 failed, 1 unreachable",
    ]
    assert "\x1b" not in out.getvalue() and "\r" not in out.getvalue()


def test_in_a_pipe_the_clock_alone_prints_nothing() -> None:
    out = io.StringIO()
    clock = Clock()
    with ProgressDisplay(Console(file=out, width=80, force_terminal=False), "configure RVS", clock=clock) as display:
        for _ in range(3):
            clock.now += 30
            display.show(Snapshot(done=2, total=5, stage="batch 1", step="Set the banner"))
    assert out.getvalue().splitlines() == ["configure RVS: starting",
                                           "configure RVS: 2/5 PCs, batch 1, 0:00:30: Set the banner"]


def test_an_unknown_total_is_shown_as_a_count() -> None:
    out = io.StringIO()
    with ProgressDisplay(Console(file=out, width=80, force_terminal=False), "net push", clock=Clock()) as display:
        display.show(Snapshot(done=3, total=None, unit="switches", step="RVS-CORE-SW01: verified"))
    assert out.getvalue().splitlines()[-1] == "net push: 3 switches, 0:00:00: RVS-CORE-SW01: verified"


def frames(console_output: str) -> list[str]:
    """The lines a terminal showed, control sequences removed (each redraw overwrites the last)."""
    return [line for line in re.split(r"[\r\n]", _ESCAPE.sub("", console_output)) if line.strip()]


def test_on_a_terminal_a_bar_shows_done_of_total_elapsed_batch_counts_and_task() -> None:
    out = io.StringIO()
    play(Console(file=out, width=80, force_terminal=True, color_system="standard"))
    shown = frames(out.getvalue())
    assert max(len(line) for line in shown) <= 80
    bars = [re.sub(r"[━╺╸]+", "<bar>", line).split() for line in shown if line.startswith("patch RIVERSIDE")]
    assert ["patch", "RIVERSIDE", "<bar>", "4/8", "PCs", "0:03:15", "batch", "2"] in bars
    assert ["patch", "RIVERSIDE", "<bar>", "8/8", "PCs", "0:04:20", "batch", "3"] in bars
    assert "  Gathering Facts" in shown
    assert any(line.startswith("  3 changed, 1 failed | schooltech.patching : Reboot when") for line in shown)
    assert "  6 changed, 1 failed, 1 unreachable" in shown


def test_on_a_terminal_the_bar_is_gone_when_the_job_ends() -> None:
    out = io.StringIO()
    play(Console(file=out, width=80, force_terminal=True))
    # transient: the last thing written moves the cursor up over both lines and erases them
    assert out.getvalue().endswith("\x1b[1A\x1b[2K")


def test_imaging_waves_count_pcs_done_and_name_the_ones_installing() -> None:
    pcs = [PcProgress("RVS-LIB-PC01", "LIB", state="installed", wakes=1, outcome=PcOutcome.INSTALLED),
           PcProgress("RVS-LIB-PC02", "LIB", state="installing", wakes=1),
           PcProgress("RVS-LIB-PC03", "LIB", state="woken (2)", wakes=2),
           PcProgress("RVS-LIB-PC04", "LIB", state="woken (1)", wakes=1),
           PcProgress("RVS-LIB-PC05", "LIB")]  # fmt: skip
    out = io.StringIO()
    with ProgressDisplay(Console(file=out, width=80, force_terminal=False), "image RVS", clock=Clock()) as display:
        display.show(image._snapshot(pcs))
    assert out.getvalue().splitlines()[-1] == (
        "image RVS: 1/5 PCs, 0:00:00, 1 installed, 1 installing, 2 woken, 1 waiting: installing: RVS-LIB-PC02"
    )


def test_a_job_that_asks_every_pc_at_once_and_a_play_not_started_name_no_batch() -> None:
    facts = Progress(total=8, done=3, changed=0, failed=0, unreachable=1, task="Read the DMI tables", batch=1)
    assert job_snapshot(facts, batched=False) == Snapshot(3, 8, "PCs", "", "Read the DMI tables", "1 unreachable")
    starting = Progress(total=8, done=0, changed=0, failed=0, unreachable=0, task=None, batch=0)
    assert job_snapshot(starting).stage == ""
    out = io.StringIO()
    with ProgressDisplay(Console(file=out, width=80, force_terminal=False), "audit DEMO", clock=Clock()) as display:
        display.show(job_snapshot(facts, batched=False))
    assert out.getvalue().splitlines() == ["audit DEMO: starting",
                                           "audit DEMO: 3/8 PCs, 0:00:00, 1 unreachable: Read the DMI tables"]


def test_the_audit_says_it_reads_the_switches_once_every_pc_has_answered() -> None:
    asking = Progress(total=8, done=7, changed=0, failed=0, unreachable=1, task="Read the DMI tables", batch=1)
    assert assets_audit.collecting(asking).step == "Read the DMI tables"
    answered = Progress(total=8, done=8, changed=0, failed=0, unreachable=1, task="Read the DMI tables", batch=1)
    assert assets_audit.collecting(answered) == Snapshot(8, 8, "PCs", "", "reading the switches' MAC tables",
                                                         "1 unreachable")  # fmt: skip
