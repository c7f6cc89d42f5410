"""Read tables back from what the CLI printed, in either layout of ``cli/tables.py`` (or both, one per table)."""

from __future__ import annotations

import re

_FIELD = re.compile(r"^([^\s:][^:]*):\s+(.*)$")
_BOX = tuple("┏┃┡│└")


def squash(text: str) -> str:
    """*text* without whitespace: a value folded over several lines compares equal to the original."""
    return re.sub(r"\s+", "", text)


def rows(text: str) -> list[dict[str, str]]:
    """Every row printed in *text*, in order: header -> value, a wrapped value's lines joined by a space.

    A block (the per-row layout) begins after a blank line, so a title such as ``run: X`` is not one.
    """
    found: list[dict[str, str]] = []
    headers: list[str] = []
    header_lines: list[list[str]] = []
    block: dict[str, str] | None = None
    last, after_blank = "", False
    for line in text.splitlines():
        starts_block, after_blank = after_blank, not line.strip()
        if line.startswith(_BOX):
            block = None
            if line.startswith("┏"):
                header_lines = []
            elif line.startswith("┃"):
                header_lines.append(_cells(line, "┃"))
            elif line.startswith("┡"):
                headers = [" ".join(filter(None, parts)) for parts in zip(*header_lines, strict=True)]
            elif line.startswith("│"):
                cells = _cells(line, "│")
                if cells[0] or not found:
                    found.append(dict.fromkeys(headers, ""))
                for header, cell in zip(headers, cells, strict=True):
                    if cell:
                        found[-1][header] = f"{found[-1][header]} {cell}".strip()
        elif not line.strip():
            block = None
        elif block is not None and line.startswith(" "):
            block[last] = f"{block[last]} {line.strip()}"
        elif (match := _FIELD.match(line)) is not None and (block is not None or starts_block):
            if block is None:
                block = {}
                found.append(block)
            last = match.group(1)
            block[last] = match.group(2).strip()
        else:
            block = None
    return found


def _cells(line: str, bar: str) -> list[str]:
    return [cell.strip() for cell in line.strip()[1:-1].split(bar)]
