"""Read a table back from what the CLI printed, in either layout of ``cli/tables.py``."""

from __future__ import annotations

import re

_FIELD = re.compile(r"^([^\s:][^:]*):\s+(.*)$")


def squash(text: str) -> str:
    """*text* without whitespace: a value folded over several lines compares equal to the original."""
    return re.sub(r"\s+", "", text)


def rows(text: str) -> list[dict[str, str]]:
    """Every row printed in *text*: header -> value, a wrapped value's lines joined by a space."""
    return _table_rows(text) if "┏" in text else _block_rows(text)


def _table_rows(text: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    headers: list[str] = []
    header_lines: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("┏"):
            header_lines = []
        elif line.startswith("┃"):
            header_lines.append([cell.strip() for cell in line.strip()[1:-1].split("┃")])
        elif line.startswith("┡"):
            headers = [" ".join(filter(None, parts)) for parts in zip(*header_lines, strict=True)]
        elif line.startswith("│"):
            cells = [cell.strip() for cell in line.strip()[1:-1].split("│")]
            if cells[0] or not found:
                found.append(dict.fromkeys(headers, ""))
            for header, cell in zip(headers, cells, strict=True):
                if cell:
                    found[-1][header] = f"{found[-1][header]} {cell}".strip()
    return found


def _block_rows(text: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    last = ""
    for line in text.splitlines():
        if not line.strip():
            current = None
        elif current is not None and line.startswith(" "):
            current[last] = f"{current[last]} {line.strip()}"
        elif (match := _FIELD.match(line)) is not None:
            if current is None:
                current = {}
                found.append(current)
            last = match.group(1)
            current[last] = match.group(2).strip()
    return found
