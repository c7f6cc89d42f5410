"""A switch configuration as the switch shows it: a tree of lines by indentation, text untouched.

hier_config reads a config the way it compares configs (it rewrites and drops some lines).
The engine also needs the text exactly as shown: to leave every line it does not manage
where it is, to count them, and to check a pushed config line by line with a reader that
does not share the planner's blind spots. This module is that reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache


class ConfigLine:
    """One line and the lines indented under it (a banner's text lines are its ``continued`` lines).

    Blocks are shared (parsing is cached): read them, never change them.
    """

    __slots__ = ("children", "continued", "raw", "text")

    def __init__(self, raw: str, children: list[ConfigLine] | None = None, continued: list[str] | None = None) -> None:
        self.raw = raw  # as shown, indentation included
        self.children: list[ConfigLine] = [] if children is None else children
        self.continued: list[str] = [] if continued is None else continued
        text = raw.strip()  # without indentation, runs of blanks collapsed
        self.text = " ".join(text.split()) if "  " in text or "\t" in text else text

    def __repr__(self) -> str:
        return f"ConfigLine({self.raw!r}, {len(self.children)} children)"

    def lines(self) -> Iterator[str]:
        """Every raw line of this block, in order."""
        yield self.raw
        yield from self.continued
        for child in self.children:
            yield from child.lines()


def parse_config(text: str, comment_prefix: str = "!") -> list[ConfigLine]:
    """The top-level blocks of *text*; comment lines, blank lines and ``end`` are left out."""
    return list(_parsed(text, comment_prefix))


_TOP_LEVEL = re.compile(r"\n(?=[^ \t\n])")  # before every line that starts in column 0


@lru_cache(maxsize=256)
def _parsed(text: str, comment_prefix: str) -> tuple[ConfigLine, ...]:
    """*text* read section by section (sections repeat within and across switches: each is read once)."""
    return tuple(block for section in sections(text) for block in read_section(section, comment_prefix))


def sections(text: str) -> list[str]:
    """*text* cut before every line in column 0, a banner's text kept with its banner."""
    found: list[str] = []
    banner: list[str] = []  # the sections of a banner still open
    closing = ""  # and its closing delimiter
    for section in _TOP_LEVEL.split(text.replace("\r\n", "\n")):
        if banner:
            banner.append(section)
            if closing in section:
                found.append("\n".join(banner))
                banner = []
            continue
        if section.startswith("banner "):
            header = section.split("\n", 1)[0]
            delimiter = _open_banner(" ".join(header.split()))
            if delimiter is not None and delimiter not in section[len(header) :]:  # its text runs on
                banner, closing = [section], delimiter
                continue
        found.append(section)
    if banner:
        found.append("\n".join(banner))
    return found


@lru_cache(maxsize=16384)
def read_section(text: str, comment_prefix: str) -> tuple[ConfigLine, ...]:
    """The blocks of *text*, line by line."""
    roots: list[ConfigLine] = []
    stack: list[tuple[int, ConfigLine]] = []  # (indentation, block) of the open blocks
    banner: tuple[ConfigLine, str] | None = None  # an open multi-line banner and its delimiter
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if banner is not None:
            banner[0].continued.append(line)
            if banner[1] in line:
                banner = None
            continue
        stripped = line.lstrip()
        if not stripped or stripped.startswith(comment_prefix) or stripped == "end":
            continue
        indent = len(line) - len(stripped)
        block = ConfigLine(line)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(block)
        stack.append((indent, block))
        closing = _open_banner(block.text) if block.text.startswith("banner ") else None
        if closing is not None:
            banner = (block, closing)
    return tuple(roots)


def _open_banner(text: str) -> str | None:
    """The delimiter that will close ``banner motd ^CText`` when the line does not close it itself."""
    parts = text.split(" ", 2)
    if len(parts) < 3 or parts[0] != "banner":
        return None
    body = parts[2]
    delimiter = "^C" if body.startswith("^C") else body[0]
    return None if delimiter in body[len(delimiter) :] else delimiter


def lineages(blocks: list[ConfigLine], parents: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every line as (its parents' texts..., its text), depth first."""
    for block in blocks:
        lineage = (*parents, block.text)
        yield lineage
        yield from lineages(block.children, lineage)


def serialise(blocks: list[ConfigLine]) -> str:
    """*blocks* back to text, each line as it was shown."""
    return "".join(line + "\n" for block in blocks for line in block.lines())
