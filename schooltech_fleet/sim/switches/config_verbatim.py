"""Configuration modes for kept (unmodelled) lines: the fallback of modelled modes, and generic sections.

A modelled mode (global configuration, interfaces) first runs a line through its own
commands; if they refuse it with ``% Invalid input`` or ``% Incomplete command``, the line is
matched against the mode's allow-list (``allowlist.py``) and kept verbatim. A kept line that
opens a section (``line vty 0 4``, ``archive``, ``tacacs server TAC1``) enters a
``SectionMode`` whose lines become the section's children.
"""

from __future__ import annotations

from typing import Any, ClassVar

from schooltech_fleet.sim.switches.allowlist import SECTIONS, Keyword
from schooltech_fleet.sim.switches.cli_args import Args, match_keyword
from schooltech_fleet.sim.switches.cli_errors import (
    AmbiguousCommand,
    CliError,
    IncompleteCommand,
    InvalidInput,
    deepest,
)
from schooltech_fleet.sim.switches.modes_base import ConfigSubMode, IosMode
from schooltech_fleet.sim.switches.verbatim import (
    PASSWORD_ENCRYPTION,
    KeywordTable,
    VerbatimLine,
    encrypt_passwords,
    find,
    remove,
    store,
)

_NEGATIONS = ("no", "default")
_EVERY_CONFIG_MODE = ("do", "end", "exit")
"""Keywords of every configuration mode: never taken as an abbreviation of a kept keyword."""


class VerbatimMode(IosMode):
    """What modes that keep lines share: ``no``/``default`` forms, storing, entering sections."""

    def verbatim_lines(self) -> list[VerbatimLine]:
        """Where this mode keeps its lines."""
        raise NotImplementedError

    def apply_verbatim(self, line: str, table: KeywordTable) -> None:
        """Keep, replace or remove ``line`` according to ``table``; raises the IOS error if it does not match."""
        words, args = line.split(), Args(line)
        if words and set(match_keyword(words[0], (*_EVERY_CONFIG_MODE, *table.first_words))) & {*_EVERY_CONFIG_MODE}:
            raise args.invalid()
        negation = None
        if len(words) > 1 and match_keyword(words[0], (*_NEGATIONS, *table.first_words)) in (["no"], ["default"]):
            negation = match_keyword(words[0], _NEGATIONS)[0]
            args.word()
        parsed = table.parse(args)
        lines = self.verbatim_lines()
        if negation is not None:
            remove(lines, parsed, keep_negation=negation == "no")
            return
        kept = store(lines, parsed, encrypt=bool(find(self.state.verbatim, *PASSWORD_ENCRYPTION.split())))
        if kept.text == PASSWORD_ENCRYPTION:
            encrypt_passwords(self.state.verbatim)  # global lines and their sections hold the passwords
        if kept.section is not None:
            self.move_to(SectionMode(), kept, parsed.keyword)


class VerbatimFallback(VerbatimMode):
    """A modelled mode whose refused lines are tried against ``verbatim_table``."""

    verbatim_table: ClassVar[KeywordTable]

    def execute(self, line: str) -> None:
        words = line.split()
        if words and not line.lstrip().startswith("!"):
            self._check_ambiguity(line, words)
        try:
            super().execute(line)
        except (InvalidInput, IncompleteCommand) as modelled:
            try:
                self.apply_verbatim(line, self.verbatim_table)
            except CliError as kept:
                raise (deepest(modelled, kept) or kept) from None

    def _check_ambiguity(self, line: str, words: list[str]) -> None:
        """An abbreviation is ambiguous if it matches several keywords, modelled or kept."""
        first = match_keyword(words[0], {*self.keywords, *_NEGATIONS, *self.verbatim_table.first_words})
        if len(first) > 1:
            raise AmbiguousCommand(line, depth=0)
        if first and first[0] in _NEGATIONS and len(words) > 1:
            second = match_keyword(words[1], {*self.no_keywords, *self.verbatim_table.first_words})
            if len(second) > 1:
                raise AmbiguousCommand(line, depth=1)


class SectionMode(ConfigSubMode, VerbatimMode):
    """A kept section (``line vty 0 4``, ``archive``...): its lines are the section's children.

    Lines the section does not accept are tried by the parent mode, which leaves the section
    if it accepts them (as IOS does).
    """

    section_line: VerbatimLine
    header: Keyword

    def init(self, *args: Any) -> None:
        super().init(*args)
        self.section_line, self.header = args[4], args[5]
        self.kind = SECTIONS[self.section_line.section or ""]
        self.table = KeywordTable(self.kind.children)

    def get_prompt(self) -> str:
        arguments = self.section_line.words[len(self.header.path) :]
        return f"{self.state.hostname}({self.kind.mode_name.format(*arguments, '')})#"

    def verbatim_lines(self) -> list[VerbatimLine]:
        return self.section_line.children

    def execute(self, line: str) -> None:
        args = Args(line)
        if not args or line.lstrip().startswith("!"):
            return
        if match_keyword(line.split(maxsplit=1)[0], ("exit", *self.table.first_words)) == ["exit"]:
            args.word()
            args.end()
            self.is_done = True
            return
        self.apply_verbatim(line, self.table)
