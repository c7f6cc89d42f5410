"""Problems found in an inventory, each pinned to ``file:line:column`` with a hint."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: where it is, what is wrong and how to fix it."""

    file: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def text(self) -> str:
        hint = f"\n    hint: {self.hint}" if self.hint else ""
        return f"{self.file}:{self.line}:{self.column}: {self.severity}[{self.code}]: {self.message}{hint}"

    def github(self) -> str:
        """A GitHub Actions workflow command, shown on the changed line of a pull request."""
        body = f"{self.message} (hint: {self.hint})" if self.hint else self.message
        return (
            f"::{self.severity} file={_escape_property(self.file)},line={self.line},col={self.column},"
            f"title={_escape_property('schooltech ' + self.code)}::{_escape_data(body)}"
        )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def display_path(path: Path) -> str:
    """Show *path* relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
