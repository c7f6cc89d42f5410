"""Tables that stay readable at any terminal width: one layout rule for every command.

A command names its columns once (:class:`Column`) and hands the rows to :func:`print_table`::

    FINDINGS = (Column("device", whole=True), Column("room", whole=True, drop=1), Column("finding"))
    print_table(console, f"audit {school}", FINDINGS, [(escape(d.name), escape(d.room), escape(d.why)) ...])

Cells are rich markup (escape what comes from an inventory or a device) or ``rich.text.Text``.
The rule, applied at the console's width:

1. Everything fits: a normal table.
2. Too wide: columns marked ``whole`` (names, run ids, hostnames) keep their full width and
   never break; the other columns wrap (``overflow="fold"``) down to a readable minimum.
3. Still too wide: columns with a ``drop`` rank are left out, highest rank first, and a line
   under the table names them.
4. Still too wide: one block per row, ``header: value`` per line, every column kept, a blank
   line before each block.

No rows: the title and ``(none)``. The width is the console's: ``COLUMNS`` when set, else the
terminal's (stdin, stdout or stderr, so ``| less`` in a terminal keeps its width), else 80
(CI logs, cron mail).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

WRAP_MIN = 10  # a wrapping column is never squeezed below this many characters (or its longest value)
_PADDING = 2  # one space each side of a cell
Cell = str | Text  # a str is rich markup: escape() values that may hold brackets


@dataclass(frozen=True)
class Column:
    """One column: *whole* values are never broken; a *drop* rank > 0 lets it go on a narrow terminal."""

    header: str
    whole: bool = False
    drop: int = 0
    justify: JustifyMethod = "left"


def print_table(console: Console, title: str | None, columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> None:
    """Print *rows* under *title* in the layout that fits the console's width (see the module docstring)."""
    texts = [[_text(cell) for cell in row] for row in rows]
    if title:
        console.print(Text.from_markup(title, style="table.title"), soft_wrap=False, overflow="fold")
    if not rows:
        console.print(Text("(none)", style="dim"))
        return
    kept = list(range(len(columns)))
    while _needed(columns, texts, kept) > console.width:
        droppable = [i for i in kept if columns[i].drop > 0]
        if not droppable:
            _print_blocks(console, columns, texts)
            return
        kept.remove(max(droppable, key=lambda i: (columns[i].drop, i)))
    table = Table(title_justify="left")
    for i in kept:
        column, longest = columns[i], _longest(columns, texts, i)
        if column.whole:
            table.add_column(column.header, justify=column.justify, no_wrap=True, min_width=longest)
        else:
            table.add_column(column.header, justify=column.justify, overflow="fold", min_width=_floor(longest))
    for row in texts:
        table.add_row(*(row[i] for i in kept))
    console.print(table, soft_wrap=False)
    left_out = [columns[i].header for i in range(len(columns)) if i not in kept]
    if left_out:
        note = f"left out at {console.width} columns: {', '.join(left_out)} (a wider terminal shows them)"
        console.print(Text(note, style="dim"), soft_wrap=False)


def _text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text.from_markup(cell)


def _longest(columns: Sequence[Column], texts: Sequence[Sequence[Text]], i: int) -> int:
    return max([len(columns[i].header), *(cell_len(line) for row in texts for line in row[i].plain.splitlines())])


def _floor(longest: int) -> int:
    return min(longest, WRAP_MIN)


def _needed(columns: Sequence[Column], texts: Sequence[Sequence[Text]], kept: Sequence[int]) -> int:
    """The narrowest table these columns make: whole columns at full width, the others at their floor."""
    widths = [_longest(columns, texts, i) if columns[i].whole else _floor(_longest(columns, texts, i)) for i in kept]
    return sum(widths) + _PADDING * len(kept) + len(kept) + 1  # cells, padding, the vertical lines


def _print_blocks(console: Console, columns: Sequence[Column], texts: Sequence[Sequence[Text]]) -> None:
    """One block per row: ``header: value`` lines (empty values left out), each after a blank line.

    A blank line also ends the last block, so that what the command prints next is not read as its value.
    """
    for row in texts:
        console.print()
        label = max(len(column.header) for column in columns) + 2  # "header:" and a space
        for column, value in zip(columns, row, strict=True):
            if not value.plain.strip():
                continue
            lines = value.wrap(console, max(console.width - label, WRAP_MIN), overflow="fold")
            for n, line in enumerate(lines):
                line.rstrip()
                start = Text(f"{column.header}:".ljust(label), style="bold") if n == 0 else Text(" " * label)
                console.print(start + line, soft_wrap=True)  # wrapped here already, to the width
    console.print()
