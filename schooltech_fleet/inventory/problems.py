"""A school rule's finding before it is located in its file, and the shape of a rule."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .findings import Finding, Severity
from .school import LoadedSchool
from .yamlsource import locate, locate_key

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


def located(school: LoadedSchool, problem: Problem) -> Finding:
    """*problem* as a finding at its ``file:line:column`` in the school file."""
    line, column = (locate_key if problem.at_key else locate)(school.parsed.data, problem.path) or (1, 1)
    return Finding(school.label, line, column, problem.code, problem.message, problem.hint, problem.severity)



def suggest(name: str, known: Iterable[str], what: str) -> str:
    """A did-you-mean for an unknown *name*, or the known names of *what* when none is close."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    listing = ", ".join(known[:12]) + (" ..." if len(known) > 12 else "")
    return f"known {what}: {listing}" if known else f"define {what} first"


def missing(path: Path, what: str, name: str, known: Iterable[str], owner: str) -> Problem:
    """*owner* refers to *what* *name* (at *path*), which is not among *known*."""
    return Problem(
        path,
        "unknown-ref",
        f"{owner} refers to {what} {name!r}, which does not exist",
        suggest(name, known, what + "s"),
    )


Rule = Callable[[LoadedSchool, dt.date], Iterable[Problem]]
"""A school rule: every problem it finds in one school, judged on a given day."""
