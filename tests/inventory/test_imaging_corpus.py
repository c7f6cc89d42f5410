"""The imaging mutation corpus: each deliberate mistake makes ``schooltech check`` exit 1 at its file:line."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from schooltech_fleet.cli import main

from .helpers import TODAY
from .mutations import IMAGING_CASES, TargetedCase, write_mutant

_REPORTED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):\d+: error\[(?P<code>[a-z-]+)\]", re.MULTILINE)


def _line_of(text: str, needle: str, nth: int) -> int:
    return [n for n, line in enumerate(text.splitlines(), start=1) if needle in line][nth - 1]


@pytest.mark.parametrize("name", sorted(IMAGING_CASES))
def test_an_imaging_mistake_exits_1_with_every_error_at_its_line(tmp_path: Path, name: str) -> None:
    case: TargetedCase = IMAGING_CASES[name]
    data = case.mutant()
    path = write_mutant(tmp_path, data)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["check", str(path), "--as-of", TODAY.isoformat()])
    found = _REPORTED.finditer(out.getvalue())
    reported = {(int(m["line"]), m["code"]) for m in found if m["file"].endswith(path.name)}
    text = data.decode("utf-8")
    assert code == 1
    expected = {(_line_of(text, needle, nth), finding) for needle, finding, nth in case.expected}
    assert reported == expected, out.getvalue()


def test_the_corpus_covers_the_issues_cases() -> None:
    assert {"bad-mac", "duplicate-mac", "windows-name-16-characters", "unknown-profile",
            "room-without-a-boot-server"} <= set(IMAGING_CASES)  # fmt: skip
