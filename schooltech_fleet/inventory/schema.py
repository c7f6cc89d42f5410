"""Turn pydantic validation errors into findings a technician can act on."""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from .findings import Finding
from .scalars import HINTED, written
from .yamlsource import LocDict, LocList, Mark, locate, locate_key

_PATTERN_MEANING = {
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$": (
        "is not a valid name",
        "use letters, digits, '.', '_' or '-', no spaces, at most 63 characters (put a long name in title)",
    ),
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$": (
        "is not a valid host name",
        "use letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
    ),
    r"^[A-Z][A-Z0-9]{1,7}$": ("is not a valid school code", "use 2-8 capital letters or digits, e.g. RVS"),
    r"^[a-z0-9][a-z0-9+.-]+$": ("is not a Debian package name", "use the package's name as apt knows it"),
    r"^[A-Za-z0-9{}:_-]+$": (
        "is not a naming pattern",
        "use letters, digits, '-' and the fields {school}, {room}, {n} or {n:02}",
    ),
    r"^[A-Z_][A-Z0-9_]*$": ("is not an environment variable name", "use capitals, digits and '_'"),
    r"^[a-z_][a-z0-9_]*$": ("is not a vault variable name", "use lower case letters, digits and '_'"),
}

_DATE_TYPES = {"date_from_datetime_parsing", "date_parsing", "date_type", "date_from_datetime_inexact"}
_TIME_TYPES = {"time_parsing", "time_type"}


def _data_path(data: Any, loc: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], bool]:
    """Map a pydantic ``loc`` onto the path of the value in the raw data.

    Steps that are not in the data (union tags, validator names) are skipped.
    The flag says whether the error is about a mapping key rather than its value.
    """
    node = data
    path: list[str | int] = []
    is_key = False
    for step in loc:
        if step == "[key]":
            is_key = True
        elif _has(node, step):
            path.append(step)
            node = node[step]
        elif isinstance(node, LocDict) and isinstance(step, str) and not path_has_tag(step):
            path.append(step)  # a missing field: points at its parent mapping
            break
    return tuple(path), is_key


def _has(node: Any, step: str | int) -> bool:
    if isinstance(node, LocDict):
        return isinstance(step, str) and step in node
    return isinstance(node, LocList) and isinstance(step, int) and 0 <= step < len(node)


def path_has_tag(step: str) -> bool:
    """True for loc steps pydantic adds for unions and validators, not data keys."""
    return step in ("device", "pattern") or "[" in step


def format_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


@cache
def _known_fields(model: type[BaseModel]) -> frozenset[str]:
    names: set[str] = set()
    stack: list[Any] = [model]
    seen: set[Any] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            for name, field in current.model_fields.items():
                names.add(name)
                stack.append(field.annotation)
        for arg in getattr(current, "__args__", ()) or ():
            stack.append(arg)
        origin = getattr(current, "__origin__", None)
        if origin is not None:
            stack.append(origin)
    return frozenset(names)


def kind_of(value: Any) -> str:
    """What a parsed YAML value is, in the words of a school file ("a list", not "a LocList")."""
    if isinstance(value, (LocDict, dict)):
        return "a mapping"
    if isinstance(value, (LocList, list)):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string" if isinstance(value, str) else "empty"


def _describe(error: Any, field: str, known: frozenset[str]) -> tuple[str, str]:
    """Message (without the field's path) and hint for one pydantic error."""
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return f"missing required field {field!r}", f"add '{field}:' here"
    if kind == "extra_forbidden":
        if field in known:  # a real field in the wrong place (serial on a counted pattern): not a typo
            hint = "check the indentation; docs/inventory.md shows where it belongs"
            return f"field {field!r} is not allowed here", hint
        close = difflib.get_close_matches(field, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "remove it or check the spelling against docs/inventory.md"
        return f"unknown field {field!r}", hint
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, "), ""
    if kind == HINTED:
        return error["ctx"]["message"], error["ctx"]["hint"]
    if kind in _WRONG_KIND:
        return _wrong_kind(kind, value)
    if kind == "string_pattern_mismatch":
        meaning, hint = _PATTERN_MEANING.get(error["ctx"]["pattern"], ("has the wrong form", ""))
        return f"{value!r} {meaning}", hint
    if kind in _DATE_TYPES:
        return f"{value!r} is not a date", "write dates as YYYY-MM-DD, e.g. 2026-09-03"
    if kind in _TIME_TYPES:
        return f"{value!r} is not a time of day", 'write times as quoted "HH:MM", e.g. "08:45"'
    if kind in ("literal_error", "enum"):
        expected = str(error["msg"]).removeprefix("Input should be ")
        shown = repr(value) if isinstance(value, str) else written(value)
        return f"{shown} is not allowed", f"use {expected}"
    if kind == "ip_v4_address":
        return f"{value!r} is not an IPv4 address", "write it as four numbers, e.g. 10.20.16.21"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        expected = "a list" if kind == "list_type" else "a mapping of 'key: value' lines"
        return f"expected {expected}, found {kind_of(value)} {value!r}", ""
    return str(error["msg"]), ""


_WRONG_KIND = {"int_type": "a whole number", "float_type": "a number", "bool_type": "true or false",
               "string_type": "text"}  # fmt: skip
_BOOLEAN_WORDS = {"yes": True, "no": False, "on": True, "off": False, "y": True, "n": False, "true": True,
                  "false": False, "1": True, "0": False}  # fmt: skip


def _wrong_kind(kind: str, value: Any) -> tuple[str, str]:
    """A value of the wrong kind (no conversion between text, numbers and booleans): what was found, what to write."""
    message = f"expected {_WRONG_KIND[kind]}, found {written(value)}"
    if kind == "string_type":
        if isinstance(value, (int, float)):  # booleans too
            text = str(value).lower() if isinstance(value, bool) else str(value)
            return message, f'put it in quotes to make it text: "{text}"'
        return message, "write a single line of text"
    if kind == "bool_type":
        meant = _BOOLEAN_WORDS.get(str(value).strip().lower()) if isinstance(value, (str, int)) else None
        if meant is not None:
            return message, f"write {str(meant).lower()} (without quotes), not {_as_written(value)}"
        return message, "write true or false (without quotes)"
    number = _number_in(value)
    if number is not None:
        return message, f"write {number} without quotes"
    if kind == "int_type" and isinstance(value, float) and value.is_integer():
        return message, f"write {int(value)}, not {value}"
    example = "10" if kind == "int_type" else "2.5"
    return message, f"write a number such as {example}" + (f", not {_as_written(value)}" if value is not None else "")


def _as_written(value: Any) -> str:
    return repr(value) if isinstance(value, str) else (str(value).lower() if isinstance(value, bool) else str(value))


def _number_in(value: Any) -> str | None:
    """The number a text holds (``"10"``: 10), to suggest writing it without quotes."""
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return value.strip()
    return None


_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?\Z")


def schema_findings(file: str, data: Any, exc: ValidationError, model: type[BaseModel]) -> list[Finding]:
    """One finding per validation error, located in *data* (the parsed file)."""
    known = _known_fields(model)
    findings: list[Finding] = []
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    for error in exc.errors():
        path, is_key = _data_path(data, tuple(error["loc"]))
        kind = error["type"]
        if (path, kind) in seen:
            continue
        seen.add((path, kind))
        field = next((str(step) for step in reversed(path) if isinstance(step, str)), "file")
        message, hint = _describe(error, field, known)
        if kind in ("missing", "extra_forbidden"):
            where = format_path(path[:-1])
            mark: Mark | None = locate(data, path[:-1]) if kind == "missing" else locate_key(data, path)
        elif is_key:
            where, mark = f"key of {format_path(path)}", locate_key(data, path)
        else:
            where, mark = format_path(path), locate(data, path)
        line, column = mark or (1, 1)
        text = f"{where}: {message}" if where else message
        findings.append(Finding(file, line, column, "schema", text, hint))
    return findings
