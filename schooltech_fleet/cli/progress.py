"""Progress of a long command: a bar on a terminal, one plain line per change anywhere else.

A command opens a :class:`ProgressDisplay` around the library call and feeds it
snapshots (:class:`Snapshot`) from the library's callback. On a terminal it draws a rich progress bar
(done of total, elapsed time, stage; the counts and what runs now on the line below) that
disappears when the result table is printed. In a pipe or a CI log it prints a line only when
something other than the clock has changed, with no control characters:
``patch RVS: 3/8 PCs, batch 2, 0:01:05, 1 failed: Upgrade packages``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar
from rich.table import Column
from rich.text import Text

from ..jobs import Progress


@dataclass(frozen=True)
class Snapshot:
    """Where a long command is: *done* of *total* (None: not known yet) *unit*, its stage and current step."""

    done: int
    total: int | None
    unit: str = "PCs"
    stage: str = ""  # e.g. "batch 2", "wave 1"
    step: str = ""  # what runs now: a task name, the last switch done
    counts: str = ""  # e.g. "2 changed, 1 failed"


def job_snapshot(progress: Progress, *, batched: bool = True) -> Snapshot:
    """A lab job's :class:`~schooltech_fleet.jobs.Progress` as a :class:`Snapshot`.

    *batched*: the job rolls out in batches (a canary first), so the batch is worth showing; a
    read-only job (``asset_facts``) runs every PC at once. Before the play starts there is no batch.
    """
    counts = ", ".join(f"{n} {what}" for n, what in ((progress.changed, "changed"), (progress.failed, "failed"),
                                                      (progress.unreachable, "unreachable")) if n)  # fmt: skip
    stage = f"batch {progress.batch}" if batched and progress.batch > 0 else ""
    return Snapshot(progress.done, progress.total, "PCs", stage, progress.task or "", counts)


class _BarAndStep(Bar):
    """The bar on one line; the counts and what runs now on the next (a task name needs a line of its own at 80)."""

    def get_renderables(self) -> Iterable[RenderableType]:
        yield self.make_tasks_table(self.tasks)
        for task in self.tasks:
            counts, step = task.fields.get("counts", ""), task.fields.get("step", "")
            line = Text.assemble("  ", (counts, "bold"), " | " if counts and step else "", (step, "dim"))
            line.no_wrap, line.overflow = True, "ellipsis"
            yield line


class ProgressDisplay:
    """A context manager: ``with ProgressDisplay(console, "patch RVS") as display: run(on_progress=display.show)``."""

    def __init__(self, console: Console, label: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._console, self._label, self._clock = console, label, clock
        self._started = clock()
        self._last: tuple[object, ...] | None = None
        self._bar: Bar | None = None
        self._task = None
        if console.is_terminal:
            self._bar = _BarAndStep(
                TextColumn(escape(label), table_column=Column(no_wrap=True)),
                BarColumn(bar_width=16),
                MofNCompleteColumn(),
                TextColumn("{task.fields[unit]}"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[stage]}", table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1)),
                console=console, transient=True, get_time=clock, expand=True,
            )  # fmt: skip
            self._task = self._bar.add_task(label, total=None, unit="", stage="starting", counts="", step="")

    def __enter__(self) -> ProgressDisplay:
        if self._bar is not None:
            self._bar.start()
        else:
            self._console.out(f"{self._label}: starting", highlight=False)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def show(self, snapshot: Snapshot) -> None:
        """Show *snapshot*: redraw the bar, or print a line when something other than the clock changed."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=snapshot.done, total=snapshot.total, unit=snapshot.unit,
                             stage=escape(snapshot.stage), counts=snapshot.counts, step=snapshot.step,
                             refresh=True)  # fmt: skip
            return
        key = (snapshot.done, snapshot.total, snapshot.stage, snapshot.step, snapshot.counts)
        if key == self._last:
            return
        self._last = key
        self._console.out(self.line(snapshot), highlight=False)

    def line(self, snapshot: Snapshot) -> str:
        """The plain line for *snapshot*: label, done/total unit, stage, elapsed time, counts: step."""
        elapsed = dt.timedelta(seconds=int(self._clock() - self._started))
        of = f"{snapshot.done}/{snapshot.total}" if snapshot.total is not None else str(snapshot.done)
        parts = [f"{of} {snapshot.unit}", snapshot.stage, str(elapsed), snapshot.counts]
        text = f"{self._label}: " + ", ".join(part for part in parts if part)
        return f"{text}: {snapshot.step}" if snapshot.step else text
