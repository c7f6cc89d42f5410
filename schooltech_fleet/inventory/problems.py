"""A school rule's finding before it is located in its file, and the shape of a rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .findings import Severity
from .school import LoadedSchool

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """A finding before it is located in its file.

    *path* names the value responsible; with *at_key* the finding points at the key of
    that path instead (a section that lacks something, such as ``switches:``).
    """

    path: Path
    code: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    at_key: bool = False


Rule = Callable[[LoadedSchool, dt.date], Iterable[Problem]]
"""A school rule: every problem it finds in one school, judged on a given day."""
