"""Output filters after ``|``: ``include``, ``exclude``, ``begin``, ``section`` (regular expressions)."""

from __future__ import annotations

import logging
import re

from fake_switches.cisco.command_processor.piping import PipingProcessor


class Include:
    """``| include REGEX``: keep matching lines (``exclude``: drop them)."""

    def __init__(self, pattern: str, keep: bool = True) -> None:
        self.pattern = re.compile(pattern)
        self.keep = keep

    def pipe(self, data: str) -> str | bool:
        return data if bool(self.pattern.search(data)) == self.keep else False


class Begin:
    """``| begin REGEX``: everything from the first matching line on."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)
        self.started = False

    def pipe(self, data: str) -> str | bool:
        self.started = self.started or bool(self.pattern.search(data))
        return data if self.started else False


class Section:
    """``| section REGEX``: top-level lines matching REGEX, with their indented children."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)
        self.inside = False

    def pipe(self, data: str) -> str | bool:
        if data.startswith(" ") and data.strip():
            return data if self.inside else False
        self.inside = bool(self.pattern.search(data))
        return data if self.inside else False


class IosPipingProcessor(PipingProcessor):  # type: ignore[misc]
    """The ``|`` filters a session supports (fake-switches' dispatch, IOS regex semantics)."""

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger)

    def start_listening(self, command: str) -> bool:
        """Start a filter; False (an invalid command) for unknown filters and bad expressions."""
        try:
            return bool(super().start_listening(command))
        except (re.error, IndexError):
            return False

    def do_begin(self, *args: str) -> Begin:
        return Begin(" ".join(args))

    def do_include(self, *args: str) -> Include:
        return Include(" ".join(args))

    def do_exclude(self, *args: str) -> Include:
        return Include(" ".join(args), keep=False)

    def do_section(self, *args: str) -> Section:
        return Section(" ".join(args))
