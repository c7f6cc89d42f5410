"""Read inventory YAML fast, remembering where every key and value came from.

PyYAML's composer builds a node per scalar and resolves its tag in Python, which
costs seconds on a district of 30,000 devices. This reader consumes libyaml's
events directly and builds plain containers (:class:`LocDict`, :class:`LocList`)
that carry the line and column of each entry, so a validation error found much
later can still point at ``file:line:column``.

Scalars follow the YAML 1.2 core schema: ``true``/``false``, ``null``/``~``,
integers and floats are typed; everything else, including dates and ``yes``/``no``,
stays a string (the models decide what a string means, and never turn one kind into
another: :mod:`.scalars`). Mapping keys are names: always the text as written. No tag is
accepted, not even ``!!str`` (quoting says the same).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml import events as ev

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - libyaml is part of PyYAML's wheels
    from yaml import Loader as _Parser  # type: ignore[assignment]

Mark = tuple[int, int]
"""A 1-based (line, column) position."""

_INT = re.compile(r"[-+]?[0-9][0-9_]*\Z")  # leading zeros are decimal in YAML 1.2: 0830 is 830
_HEX_OCT = re.compile(r"0x[0-9a-fA-F][0-9a-fA-F_]*\Z|0o[0-7][0-7_]*\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})


class LocDict(dict[str, Any]):
    """A mapping that knows where each of its keys and values was written."""

    __slots__ = ("key_marks", "mark", "value_marks")

    def __init__(self, mark: Mark = (0, 0)) -> None:
        super().__init__()
        self.mark = mark
        self.key_marks: dict[str, Mark] = {}
        self.value_marks: dict[str, Mark] = {}


class LocList(list[Any]):
    """A sequence that knows where each of its items was written."""

    __slots__ = ("item_marks", "mark")

    def __init__(self, mark: Mark = (0, 0)) -> None:
        super().__init__()
        self.mark = mark
        self.item_marks: list[Mark] = []


@dataclass
class YamlProblem(Exception):
    """The file is not readable YAML of the shape an inventory needs."""

    message: str
    line: int
    column: int
    hint: str


class _NoKey:
    __slots__ = ()


_NO_KEY = _NoKey()


def _mark(event: Any) -> Mark:
    m = event.start_mark
    return (m.line + 1, m.column + 1)


def _refuse_tag(event: Any) -> None:
    """Refuse the tag of a node: any tag, ``!!str`` and the non-specific ``!`` too (quoting says the same)."""
    tag = event.tag.replace("tag:yaml.org,2002:", "!!")
    if tag.startswith("!vault"):
        hint = "a school file holds no secret: refer to one with {vault: NAME} or {env: NAME} (docs/inventory.md)"
    elif tag in ("!!str", "!"):
        hint = 'remove the tag; to make a value text, put it in quotes ("0830")'
    else:
        hint = "remove the tag; inventory values are plain text, numbers, booleans, lists and mappings"
    raise YamlProblem(f"the YAML tag {tag} is not allowed", *_mark(event), hint)


def _scalar(event: Any) -> Any:
    value: str = event.value
    if event.style is not None and event.style != "":  # quoted or block scalar: always a string
        return value
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    first = value[0]
    if first.isdigit() or first in "+-.":
        if _INT.match(value):
            return int(value.replace("_", ""), 10)
        if _HEX_OCT.match(value):
            return int(value.replace("_", ""), 0)
        if value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        if _FLOAT.match(value) and any(c.isdigit() for c in value):
            return float(value.replace("_", ""))
    return value


def _key_text(key: Any, mark: Mark) -> str:
    if isinstance(key, (LocDict, LocList)):
        raise YamlProblem("a mapping key must be a plain value", *mark, "write the key as a simple name")
    if not isinstance(key, str):  # an alias to an anchored number, boolean or null
        raise YamlProblem("a mapping key must be text", *mark, "write the name itself, not an alias")
    return key


def loads(text: str) -> Any:  # noqa: PLR0915 - one hot loop over events, kept flat for speed
    """Parse one YAML document into plain data with location marks.

    Raises :class:`YamlProblem` for syntax errors, several documents, duplicate
    keys, unknown tags or aliases to undefined anchors.
    """
    parser = _Parser(text)
    anchors: dict[str, Any] = {}
    stack: list[Any] = []  # containers being filled
    pending_keys: list[Any] = []  # for each LocDict on the stack: the key awaiting its value, or _NO_KEY
    result: Any = None
    documents = 0

    def attach(value: Any, mark: Mark) -> None:
        nonlocal result
        if not stack:
            result = value
            return
        top = stack[-1]
        if type(top) is LocList:
            top.append(value)
            top.item_marks.append(mark)
            return
        key = pending_keys[-1]
        if key is _NO_KEY:
            text_key = _key_text(value, mark)
            if text_key in top:
                first = top.key_marks[text_key][0]
                raise YamlProblem(
                    f"duplicate key {text_key!r} (first written on line {first})",
                    *mark,
                    "keep one of the two entries; YAML would silently use only the last",
                )
            pending_keys[-1] = text_key
            top.key_marks[text_key] = mark
        else:
            top[key] = value
            top.value_marks[key] = mark
            pending_keys[-1] = _NO_KEY

    try:
        while parser.check_event():
            event: Any = parser.get_event()
            kind = type(event)
            if kind is ev.ScalarEvent:
                if event.tag is not None:
                    _refuse_tag(event)
                if stack and pending_keys[-1] is _NO_KEY and type(stack[-1]) is LocDict:
                    value = event.value  # a key: the text as written (``10:`` is the name "10")
                else:
                    value = _scalar(event)
                if event.anchor:
                    anchors[event.anchor] = value
                attach(value, _mark(event))
            elif kind is ev.MappingStartEvent:
                if event.tag is not None:
                    _refuse_tag(event)
                mapping = LocDict(_mark(event))
                if event.anchor:
                    anchors[event.anchor] = mapping
                attach(mapping, mapping.mark)
                stack.append(mapping)
                pending_keys.append(_NO_KEY)
            elif kind is ev.SequenceStartEvent:
                if event.tag is not None:
                    _refuse_tag(event)
                seq = LocList(_mark(event))
                if event.anchor:
                    anchors[event.anchor] = seq
                attach(seq, seq.mark)
                stack.append(seq)
                pending_keys.append(_NO_KEY)
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                stack.pop()
                pending_keys.pop()
            elif kind is ev.AliasEvent:
                if event.anchor not in anchors:
                    raise YamlProblem(
                        f"alias *{event.anchor} refers to an anchor that is not defined above it",
                        *_mark(event),
                        f"define &{event.anchor} before using *{event.anchor}",
                    )
                attach(anchors[event.anchor], _mark(event))
            elif kind is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise YamlProblem(
                        "the file holds more than one YAML document",
                        *_mark(event),
                        "remove the '---' separator: one school per file",
                    )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        last = text.count("\n") + 1
        if line > last:  # libyaml puts the end of a file without a final newline on a line after it
            line, col = last, len(text) - text.rfind("\n")
        raise YamlProblem(
            f"YAML syntax error: {exc.problem or exc.context}",
            line,
            col,
            "check indentation and quoting on this line and the one before it",
        ) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML error: {exc}", 1, 1, "the file is not valid YAML") from exc
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    return result


def read_file(path: Path) -> Any:
    """Read and parse *path*; unreadable or non-UTF-8 files become :class:`YamlProblem`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(f"the file is not UTF-8 text (byte {exc.start})", 1, 1, "save the file as UTF-8") from exc
    except OSError as exc:
        raise YamlProblem(f"cannot read the file: {exc.strerror}", 1, 1, "check the path and permissions") from exc
    return loads(text)


def locate(data: Any, path: tuple[str | int, ...]) -> Mark | None:
    """Return the position of the value at *path* inside *data*, or of its nearest ancestor."""
    best: Mark | None = getattr(data, "mark", None)
    node = data
    for step in path:
        if isinstance(node, LocDict) and isinstance(step, str) and step in node:
            best = node.value_marks.get(step, best)
            node = node[step]
        elif isinstance(node, LocList) and isinstance(step, int) and 0 <= step < len(node):
            best = node.item_marks[step]
            node = node[step]
        else:
            break
    return best


def locate_key(data: Any, path: tuple[str | int, ...]) -> Mark | None:
    """Return the position of the key at the end of *path* (for "unknown field" errors)."""
    parent = data
    for step in path[:-1]:
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return locate(data, path)
    last = path[-1] if path else None
    if isinstance(parent, LocDict) and isinstance(last, str) and last in parent.key_marks:
        return parent.key_marks[last]
    return locate(data, path)
