"""A switch configuration as the switch shows it: a tree of lines by indentation, text untouched.

hier_config reads a config the way it compares configs (it rewrites and drops some lines).
The engine also needs the text exactly as shown: to leave every line it does not manage
where it is, to count them, and to check a pushed config line by line with a reader that
does not share the planner's blind spots. This module is that reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class ConfigLine:
    """One line and the lines indented under it (a banner's text lines are its ``continued`` lines)."""

    raw: str  # as shown, indentation included
    children: list[ConfigLine] = field(default_factory=list)
    continued: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The line without indentation, runs of blanks collapsed."""
        return " ".join(self.raw.split())

    def lines(self) -> Iterator[str]:
        """Every raw line of this block, in order."""
        yield self.raw
        yield from self.continued
        for child in self.children:
            yield from child.lines()

    def count(self) -> int:
        return sum(1 for _ in self.lines())


def parse_config(text: str, comment_prefix: str = "!") -> list[ConfigLine]:
    """The top-level blocks of *text*; comment lines, blank lines and ``end`` are left out."""
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
        stripped = line.strip()
        if not stripped or stripped.startswith(comment_prefix) or stripped == "end":
            continue
        indent = len(line) - len(line.lstrip())
        block = ConfigLine(line)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(block)
        stack.append((indent, block))
        closing = _open_banner(block.text)
        if closing is not None:
            banner = (block, closing)
    return roots


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
