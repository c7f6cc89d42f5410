"""String types that are safe to put on a switch CLI or into a config file.

Inventory values end up in switch sessions (``description C101``), in files on
lab PCs and in Jinja templates. A newline in a description would inject a
command into a switch session (``"lab\\nno vlan 20"``); a Jinja delimiter would
be evaluated by Ansible. Every string of the inventory is one of these types.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_CONTROL_EXCEPT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u0085\u2028\u2029]")
_JINJA = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")

_WHY = "inventory values are sent to switch CLIs and written into config files"


def unsafe_reason(value: str, *, multiline: bool = False) -> str | None:
    """Say why *value* must not reach a device, or return None when it is safe."""
    control = (_CONTROL_EXCEPT_NEWLINE if multiline else _CONTROL).search(value)
    if control:
        char = control.group()
        name = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab"}.get(
            char, f"the control character U+{ord(char):04X}"
        )
        return f"contains {name}; {_WHY}, where it could inject a command"
    jinja = _JINJA.search(value)
    if jinja:
        return f"contains the template delimiter {jinja.group()!r}; {_WHY}, where Ansible would evaluate it"
    return None


def _single_line(value: str) -> str:
    reason = unsafe_reason(value)
    if reason:
        raise ValueError(reason)
    return value


def _text_block(value: str) -> str:
    reason = unsafe_reason(value, multiline=True)
    if reason:
        raise ValueError(reason)
    return value


SafeStr = Annotated[str, AfterValidator(_single_line)]
"""One line of printable text without template delimiters."""

SafeText = Annotated[str, AfterValidator(_text_block)]
"""Printable text that may span lines (banners, message of the day)."""

Name = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"),
]
"""An identifier: room, site, VLAN, software set and licence names."""

Hostname = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"),
]
"""An RFC 1123 host label: devices and switches."""
