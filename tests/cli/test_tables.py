"""``tables.print_table``: every value whole where it must be, no line wider than the terminal."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from schooltech_fleet.cli.tables import Column, print_table

from .screen import rows, squash

RUN_ID = "rebuild-RIVERSIDE-20260901T173000Z-2"
HOSTS = ("RIVERSIDE-COMPUTING-LAB-1-PC01", "RIVERSIDE-DESIGN-TECHNOLOGY-STUDIO-PC12", "RIVERSIDE-LIBRARY-PC3")
DETAIL = "schooltech.baseline : Install the baseline packages: Failed to update apt cache (3 mirrors unreachable)"
COLUMNS = (Column("run", whole=True), Column("host", whole=True), Column("room", whole=True, drop=2),
           Column("started"), Column("detail"), Column("check", drop=1))  # fmt: skip
ROWS = [(RUN_ID, host, "Design and Technology Studio 2", "2026-09-01 17:30", DETAIL, "yes") for host in HOSTS]


def render(width: int, columns: tuple[Column, ...] = COLUMNS, rows: list[tuple[str, ...]] = ROWS) -> str:
    out = io.StringIO()
    print_table(Console(file=out, width=width, force_terminal=False), "runs at Riverside", columns, rows)
    return out.getvalue()


@pytest.mark.parametrize("width", [60, 80, 120])
def test_no_line_is_wider_than_the_terminal(width: int) -> None:
    lines = render(width).splitlines()
    assert lines
    assert max(len(line) for line in lines) <= width


@pytest.mark.parametrize("width", [60, 80, 120])
def test_run_ids_and_hostnames_are_never_cut(width: int) -> None:
    text = render(width)
    assert text.count(RUN_ID) == len(HOSTS)
    for host in HOSTS:
        assert host in text


@pytest.mark.parametrize("width", [60, 80, 120])
def test_a_wrapping_column_reads_whole_once_its_lines_are_joined(width: int) -> None:
    found = rows(render(width))
    assert [row["host"] for row in found] == list(HOSTS)
    assert all(squash(row["detail"]) == squash(DETAIL) for row in found)


def test_a_wide_terminal_shows_every_column_in_one_table() -> None:
    text = render(160)
    header = next(line for line in text.splitlines() if "┃" in line and "run" in line)
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == ["run", "host", "room", "started", "detail",
                                                                        "check"]  # fmt: skip
    assert "left out" not in text


def test_at_80_columns_the_lowest_ranked_columns_go_first_and_are_named() -> None:
    text = render(80, rows=[(RUN_ID, "RVS-LIB-PC3", "Library", "2026-09-01 17:30", DETAIL, "yes")])
    assert "┃ room" not in text and "┃ check" not in text
    assert "left out at 80 columns: room, check" in text
    assert "┃ started" in text


def test_at_60_columns_each_row_is_a_block_of_every_field() -> None:
    lines = render(60).splitlines()
    assert lines[:2] == ["runs at Riverside", ""]
    assert lines[2:8] == ["run:     " + RUN_ID, "host:    " + HOSTS[0], "room:    Design and Technology Studio 2",
                          "started: 2026-09-01 17:30", lines[6], lines[7]]  # fmt: skip
    assert lines[6].startswith("detail:  schooltech.baseline")
    assert lines.count("") == len(HOSTS) + 1  # before each block, and one ending the last
    assert sum(line.startswith("check:   yes") for line in lines) == len(HOSTS)


def test_a_block_leaves_out_empty_values() -> None:
    text = render(40, rows=[(RUN_ID, HOSTS[0], "Lab 1", "2026-09-01 17:30", "", "")])
    assert "detail:" not in text and "check:" not in text
    assert f"host:    {HOSTS[0]}" in text


def test_no_rows_is_said_in_a_word() -> None:
    assert render(80, rows=[]).splitlines() == ["runs at Riverside", "(none)"]


def test_a_narrow_table_stays_a_table() -> None:
    text = render(80, (Column("PC", whole=True), Column("state")), [("LIB-PC01", "installing")])
    assert "┃ PC       ┃ state      ┃" in text


def test_markup_in_a_cell_is_styled_not_printed() -> None:
    text = render(80, (Column("PC", whole=True), Column("state")), [("LIB-PC01", "[red]failed[/red]")])
    assert "failed" in text and "[red]" not in text
