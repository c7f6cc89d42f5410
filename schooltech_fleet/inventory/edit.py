"""Give a school file one value it lacks, as a technician would type it: nothing else in the file changes.

The edit is textual, so comments, order, quoting and flow or block style stay as written. It
adds the key to the mapping, or replaces its null value; a key that already holds a value is
refused (an edit here never overwrites a decision). The result is read back and must hold the
same data plus this one value, and the file is replaced atomically: a failed edit leaves the
file as it was.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from .. import private
from ..errors import UsageError
from .yamlsource import LocDict, YamlProblem, loads

_NULL_VALUE = re.compile(r"[ \t]*(?:null|Null|NULL|~)?(?=[ \t]*(?:[,}#]|\r?$))")
"""What follows ``key:`` when its value is null: nothing or a null word, before a comma, brace, comment or the end."""


def add_value(path: Path, mapping: tuple[str | int, ...], key: str, value: str) -> None:
    """Set *key*: *value* (a string) in the mapping at *mapping* of *path*, where it is absent or null."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        data = loads(text)
    except (UnicodeDecodeError, YamlProblem) as exc:
        raise UsageError(f"{path}: cannot read it as YAML to add {key}", "run 'schooltech check' on it") from exc
    node = _mapping(data, mapping, path)
    lines = text.split("\n")
    quoted = json.dumps(value)  # a double-quoted YAML scalar
    if key in node:
        line, column = node.key_marks[key]
        if node[key] is not None:
            raise UsageError(f"{path}:{line}: {key} already holds a value; it was left as it is",
                             "remove it there if it is wrong, then run the command again")  # fmt: skip
        lines[line - 1] = _replace_null(lines[line - 1], column, quoted, path, line)
    else:
        line, column = min(node.key_marks.values())
        flow = lines[node.mark[0] - 1][node.mark[1] - 1 : node.mark[1]] == "{"
        end = "\r" if lines[line - 1].endswith("\r") else ""
        added = f"{key}: {quoted}, " if flow else f"{key}: {quoted}{end}\n{' ' * (column - 1)}"
        lines[line - 1] = lines[line - 1][: column - 1] + added + lines[line - 1][column - 1 :]
    edited = "\n".join(lines)
    node[key] = value
    if loads(edited) != data:
        raise UsageError(f"{path}: adding {key} by hand-like editing would change more than that value; "
                         "nothing was written", f"add it yourself: {key}: {quoted}")  # fmt: skip
    _replace(path, edited.encode("utf-8"))


def _mapping(data: Any, mapping: tuple[str | int, ...], path: Path) -> LocDict:
    node = data
    for step in mapping:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
            break
    if not isinstance(node, LocDict) or not node.key_marks:
        where = ".".join(str(step) for step in mapping)
        raise UsageError(f"{path}: no mapping at {where} to add a value to", "run 'schooltech check' on the file")
    return node


def _replace_null(text: str, column: int, quoted: str, path: Path, line: int) -> str:
    colon = text.find(":", column - 1)
    match = _NULL_VALUE.match(text, colon + 1) if colon >= 0 else None
    if match is None:
        raise UsageError(f"{path}:{line}: cannot tell where this value ends; nothing was written",
                         f"write the value there yourself: {quoted}")  # fmt: skip
    return f"{text[: colon + 1]} {quoted}{text[match.end() :]}"


def _replace(path: Path, content: bytes) -> None:
    """Write *content* atomically and durably (:func:`.private.write_bytes`), then give the file its mode back."""
    mode = path.stat().st_mode & 0o7777
    try:
        private.write_bytes(path, content)
        os.chmod(path, mode)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}; it was left as it was",
                         "check the file's directory is writable") from exc  # fmt: skip
