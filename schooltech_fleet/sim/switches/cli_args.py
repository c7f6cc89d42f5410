"""Token-by-token parsing of one command line, raising the errors IOS would print."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from schooltech_fleet.sim.switches.cli_errors import (
    AmbiguousCommand,
    IncompleteCommand,
    InvalidInput,
)

_TOKEN = re.compile(r"\S+")
MIN_VLAN = 1
MAX_VLAN = 4094


def match_keyword(word: str, choices: Iterable[str]) -> list[str]:
    """Keywords that ``word`` abbreviates (case-insensitive); an exact match wins."""
    lowered = word.lower()
    candidates = [choice for choice in choices if choice.startswith(lowered)]
    if lowered in candidates:
        return [lowered]
    return candidates


class Args:
    """The words of a command line, consumed left to right.

    Every parser raises ``InvalidInput`` at the offending word, ``IncompleteCommand`` when
    the line ends too early, or ``AmbiguousCommand``, like the IOS parser.
    """

    def __init__(self, line: str) -> None:
        self.line = line
        self._tokens = [(match.group(), match.start()) for match in _TOKEN.finditer(line)]
        self.index = 0

    def __bool__(self) -> bool:
        return bool(self._tokens)

    @property
    def done(self) -> bool:
        """True once every word has been consumed."""
        return self.index >= len(self._tokens)

    def peek(self) -> str | None:
        """The next word, without consuming it."""
        return None if self.done else self._tokens[self.index][0]

    def invalid(self, index: int | None = None) -> InvalidInput:
        """An ``InvalidInput`` error pointing at word ``index`` (default: the next word)."""
        at = self.index if index is None else index
        position = self._tokens[at][1] if at < len(self._tokens) else len(self.line.rstrip())
        return InvalidInput(position, depth=at)

    def incomplete(self) -> IncompleteCommand:
        """An ``IncompleteCommand`` error."""
        return IncompleteCommand(depth=len(self._tokens))

    def word(self) -> str:
        """The next word, whatever it is."""
        if self.done:
            raise self.incomplete()
        token = self._tokens[self.index][0]
        self.index += 1
        return token

    def keyword(self, *choices: str) -> str:
        """The next word as one of ``choices`` (IOS abbreviations allowed)."""
        if self.done:
            raise self.incomplete()
        token = self._tokens[self.index][0]
        matches = match_keyword(token, choices)
        if not matches:
            raise self.invalid()
        if len(matches) > 1:
            raise AmbiguousCommand(self.line, depth=self.index)
        self.index += 1
        return matches[0]

    def optional_keyword(self, *choices: str) -> str | None:
        """Like ``keyword`` but returns None at the end of the line."""
        return None if self.done else self.keyword(*choices)

    def integer(self, low: int, high: int) -> int:
        """The next word as an integer within ``low..high``."""
        token = self.word()
        if not token.isdigit() or not low <= int(token) <= high:
            raise self.invalid(self.index - 1)
        return int(token)

    def vlan_id(self) -> int:
        """The next word as a VLAN id (1-4094)."""
        return self.integer(MIN_VLAN, MAX_VLAN)

    def vlan_list(self) -> list[int]:
        """The next word as an IOS VLAN list such as ``10,20,30-32``, sorted and unique."""
        token = self.word()
        try:
            vlans = parse_vlan_list(token)
        except ValueError:
            raise self.invalid(self.index - 1) from None
        return vlans

    def ipv4(self) -> str:
        """The next word as a dotted-quad IPv4 address (normalised)."""
        token = self.word()
        try:
            return str(ipaddress.IPv4Address(token))
        except ValueError:
            raise self.invalid(self.index - 1) from None

    def rest(self) -> str:
        """The raw remainder of the line from the next word on, as typed."""
        if self.done:
            raise self.incomplete()
        start = self._tokens[self.index][1]
        self.index = len(self._tokens)
        return self.line[start:].rstrip()

    def remaining(self) -> list[tuple[str, int]]:
        """Consume and return every word left, each with its column in the line."""
        words = self._tokens[self.index :]
        self.index = len(self._tokens)
        return words

    def end(self) -> None:
        """Fail with ``InvalidInput`` if words are left over."""
        if not self.done:
            raise self.invalid()


def parse_vlan_list(text: str) -> list[int]:
    """``10,20,30-32`` -> ``[10, 20, 30, 31, 32]``; ValueError when malformed or out of range."""
    vlans: set[int] = set()
    for part in text.split(","):
        low_text, _, high_text = part.partition("-")
        low = int(low_text)
        high = int(high_text) if high_text else low
        if not MIN_VLAN <= low <= high <= MAX_VLAN:
            raise ValueError(text)
        vlans.update(range(low, high + 1))
    return sorted(vlans)


def format_vlan_list(vlans: Iterable[int]) -> str:
    """IOS style: runs of three or more become ``a-b``, shorter runs stay comma-separated."""
    ordered = sorted(set(vlans))
    parts: list[str] = []
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        if end - start >= 2:
            parts.append(f"{ordered[start]}-{ordered[end]}")
        else:
            parts.extend(str(vlan) for vlan in ordered[start : end + 1])
        start = end + 1
    return ",".join(parts)
