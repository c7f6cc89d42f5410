"""The errors an IOS command line answers with, and how IOS prints them."""

from __future__ import annotations

INVALID_INPUT = "% Invalid input detected at '^' marker."
INCOMPLETE = "% Incomplete command."
UNKNOWN_COMMAND = "% Unknown command or computer name, or unable to find computer address"


class CliError(Exception):
    """A command the CLI refused; ``depth`` ranks errors when several modes tried the line.

    ``depth`` counts the tokens a mode understood before it gave up, so the mode that got
    furthest explains the failure (as IOS does when a sub-mode falls back to its parent).
    """

    def __init__(self, depth: int) -> None:
        super().__init__(type(self).__name__)
        self.depth = depth

    def lines(self, prompt: str) -> list[str]:
        """The lines IOS prints for this error, given the prompt the command was typed at."""
        raise NotImplementedError


class InvalidInput(CliError):
    """``% Invalid input detected at '^' marker.`` with the caret under ``position``."""

    def __init__(self, position: int, depth: int) -> None:
        super().__init__(depth)
        self.position = position

    def lines(self, prompt: str) -> list[str]:
        return [" " * (len(prompt) + self.position) + "^", INVALID_INPUT, ""]


class IncompleteCommand(CliError):
    """``% Incomplete command.``"""

    def lines(self, prompt: str) -> list[str]:
        return [INCOMPLETE, ""]


class AmbiguousCommand(CliError):
    """``% Ambiguous command:  "LINE"``."""

    def __init__(self, line: str, depth: int) -> None:
        super().__init__(depth)
        self.line = line

    def lines(self, prompt: str) -> list[str]:
        return [f'% Ambiguous command:  "{self.line.strip()}"', ""]


class UnknownCommand(CliError):
    """A single unknown word at an exec prompt, which IOS tries to resolve as a host name."""

    def __init__(self, word: str) -> None:
        super().__init__(0)
        self.word = word

    def lines(self, prompt: str) -> list[str]:
        return [f'Translating "{self.word}"', "", UNKNOWN_COMMAND, ""]


class CommandRejected(CliError):
    """A command that parsed but that IOS refused with a message of its own."""

    def __init__(self, *message: str) -> None:
        super().__init__(depth=1_000)
        self.message = list(message)

    def lines(self, prompt: str) -> list[str]:
        return list(self.message)


def deepest(first: CliError | None, second: CliError | None) -> CliError | None:
    """The error of the mode that understood more of the line (the first one on a tie)."""
    if first is None:
        return second
    if second is None:
        return first
    return second if second.depth > first.depth else first
