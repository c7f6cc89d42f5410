"""Configuration lines kept as typed: matched against the allow-list, stored, replaced and removed.

See ``allowlist.py`` for what is accepted, how a line's identity decides what it replaces,
and where it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from schooltech_fleet.sim.switches.allowlist import LINE_ALIASES, Keyword
from schooltech_fleet.sim.switches.cli_args import Args, match_keyword
from schooltech_fleet.sim.switches.cli_errors import AmbiguousCommand
from schooltech_fleet.sim.switches.ios_passwords import stored_words

PASSWORD_ENCRYPTION = "service password-encryption"


@dataclass
class VerbatimLine:
    """A kept line (``text`` as shown, without indentation) and, for a section, its children."""

    text: str
    identity: tuple[str, ...]
    order: float
    section: str | None = None
    secret: str | None = None
    children: list[VerbatimLine] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        """The words of ``text``."""
        return self.text.split()

    def lines(self, indent: int = 0) -> Iterator[str]:
        """This line and its children, indented one space per level."""
        yield " " * indent + self.text
        for child in self.children:
            yield from child.lines(indent + 1)


@dataclass(frozen=True)
class ParsedLine:
    """A line that matched an allow-list entry: its canonical words and identity."""

    keyword: Keyword
    words: list[str]
    identity: tuple[str, ...]


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    keyword: Keyword | None = None


class KeywordTable:
    """An allow-list as a keyword tree, matched with IOS abbreviations."""

    def __init__(self, keywords: Iterable[Keyword]) -> None:
        self.root = _Node()
        for keyword in keywords:
            node = self.root
            for word in keyword.path:
                node = node.children.setdefault(word, _Node())
            node.keyword = keyword

    @property
    def first_words(self) -> tuple[str, ...]:
        """The keywords a line can start with."""
        return tuple(self.root.children)

    def parse(self, args: Args) -> ParsedLine:
        """Match the rest of ``args``; raises the CliError IOS would print when nothing matches."""
        node, path = self.root, []
        found: tuple[Keyword, int] | None = None
        while not args.done:
            token = args.peek() or ""
            matches = match_keyword(token, node.children)
            if len(matches) > 1:
                raise AmbiguousCommand(args.line, depth=args.index)
            if not matches:
                break
            args.word()
            path.append(matches[0])
            node = node.children[matches[0]]
            if node.keyword is not None:
                found = (node.keyword, args.index)
        # nothing matched, or the line stops inside a longer keyword (``exec prompt`` of ``exec prompt timestamp``)
        stopped_inside = node.keyword is None and bool(node.children) and args.done
        if found is None or (stopped_inside and len(path) > len(found[0].path)):
            raise args.incomplete() if args.done else args.invalid()
        keyword, index = found
        args.index = index
        rest = [word for word, _ in args.remaining()]
        if keyword.choices:
            if not rest:
                raise args.incomplete()
            choice = match_keyword(rest[0], keyword.choices)
            if len(choice) != 1:
                raise args.invalid(index) if not choice else AmbiguousCommand(args.line, depth=index)
            rest[0] = LINE_ALIASES.get(choice[0], choice[0])
        if keyword.key > 0 and len(rest) < keyword.key:
            raise args.incomplete()
        return ParsedLine(keyword, [*keyword.path, *rest], keyword.identity(rest))


def store(lines: list[VerbatimLine], parsed: ParsedLine, *, encrypt: bool) -> VerbatimLine:
    """Add ``parsed`` to ``lines``, replacing the line of the same identity (and its ``no`` form) in place."""
    keyword = parsed.keyword
    words = stored_words(keyword.secret, parsed.words, encrypt=encrypt) if keyword.secret else parsed.words
    text = " ".join(words)
    for line in lines:
        if line.identity == parsed.identity:
            line.text = text
            return line
    line = VerbatimLine(text, parsed.identity, keyword.order, keyword.section, keyword.secret)
    lines.append(line)
    return line


def remove(lines: list[VerbatimLine], parsed: ParsedLine, *, keep_negation: bool) -> None:
    """``no LINE`` (``keep_negation``) or ``default LINE``: drop every line whose identity starts like LINE's.

    A ``no`` of a setting that is on by default is kept as ``no LINE``, as IOS shows it.
    """
    prefix = parsed.identity
    lines[:] = [line for line in lines if line.identity[: len(prefix)] != prefix]
    keyword = parsed.keyword
    if keep_negation and keyword.default_on:
        lines.append(VerbatimLine("no " + " ".join(parsed.words), parsed.identity, keyword.order))


def encrypt_passwords(lines: Iterable[VerbatimLine]) -> None:
    """``service password-encryption`` was turned on: every clear-text password is stored type 7."""
    for line in lines:
        if line.secret is not None and not line.text.startswith("no "):
            line.text = " ".join(stored_words(line.secret, line.words, encrypt=True))
        encrypt_passwords(line.children)


def find(lines: Iterable[VerbatimLine], *words: str) -> list[VerbatimLine]:
    """The lines whose text starts with ``words`` (whole words)."""
    return [line for line in lines if line.words[: len(words)] == list(words)]
