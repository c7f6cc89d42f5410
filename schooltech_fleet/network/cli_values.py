"""Values a switch CLI cannot take: every inventory value that reaches a switch's config, held
to what its platform's CLI takes (``Platform.port_description`` and the like, data in
``network/platforms/<name>/``).

A value too long is refused or cut by the switch, so the push fails its verification
and rolls back, or the switch keeps a text nobody wrote; a ``?`` asks the CLI for help
in the middle of the line; a ``"`` ends a quoted name early; control characters and
Unicode bidirectional controls make a line do or read something other than what the
school file shows. Each finding is located at the field that supplies the value.
A rule the network package provides to ``schooltech check`` (:mod:`.school_rules`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from ..inventory.problems import Path, Problem
from ..inventory.school import LoadedSchool
from .platforms import PLATFORMS, CliText, Platform

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
"""Unicode bidirectional controls: invisible, they make text display in another order than stored."""

SHOWN = 40
"""Characters of a value quoted in a finding."""


@dataclass(frozen=True)
class _Value:
    text: str
    path: Path
    kind: str  # what it is, for messages: "port description"
    field: str  # the Platform attribute that says what the CLI takes: "port_description"
    at_key: bool = False


def cli_values(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    """Every value on its way to a switch that the switch's CLI would refuse or misread."""
    grouped: dict[tuple[_Value, str], list[str]] = {}
    for s, switch in enumerate(school.model.switches):
        target = PLATFORMS.get(switch.platform)
        if target is None:
            continue  # an unknown platform is reported on its own
        for value in _switch_values(school, s):
            grouped.setdefault((value, target.name), []).append(switch.name)
    for (value, name), switches in grouped.items():
        target = PLATFORMS[name]
        refusal = refusal_of(value.text, getattr(target, value.field), target)
        if refusal is None:
            continue
        reason, hint = refusal
        who = f"switch {switches[0]}" if len(switches) == 1 else f"switches {', '.join(switches)}"
        shown = value.text if len(value.text) <= SHOWN else value.text[:SHOWN] + "..."
        yield Problem(value.path, "cli-value", f"{who} ({target.title}): {value.kind} {shown!r} {reason}", hint,
                      at_key=value.at_key)  # fmt: skip


def refusal_of(text: str, rule: CliText, target: Platform) -> tuple[str, str] | None:
    """Why *target*'s CLI cannot take *text* where *rule* applies (reason, hint), or None when it can."""
    for char in text:
        if unicodedata.category(char) == "Cc":
            return (f"contains the control character U+{ord(char):04X}, which a switch session would act on",
                    "remove it")  # fmt: skip
        if char in BIDI_CONTROLS:
            return (f"contains the Unicode bidirectional control U+{ord(char):04X}, which makes the text read "
                    "differently from what the switch stores", "remove it (most editors do not show it)")  # fmt: skip
        if char in target.refused:
            return (f"contains {char!r}, which the switch CLI takes as a request for help, not as text",
                    f"remove the {char!r}")  # fmt: skip
        if char == '"' and rule.quoted:
            return (f"contains '\"', which would end the quoted value early ({rule.command})",
                    "remove the double quote, or write ' instead")  # fmt: skip
        if target.ascii_only and not char.isascii():
            return f"contains {char!r}, which is not ASCII; the switch takes printable ASCII only", (
                "write it in plain ASCII (e for é)"
            )
    if any(re.search(secret.pattern, text) for secret in target.secrets if secret.anywhere):
        return ("looks like a secret a switch holds (a type 7 value or a password hash): schooltech hides such "
                "values in every backup, plan and log, so this line would never verify after a push",
                "reword it (leave out the key or hash)")  # fmt: skip
    if rule.letter_first and not (text[:1].isascii() and text[:1].isalpha()):
        return f"does not start with a letter, as a {rule.command} must", "rename it to start with a letter"
    if len(text) > rule.max_length:
        return (f"is {len(text)} characters long; the switch takes at most {rule.max_length} ({rule.command})",
                f"shorten it to {rule.max_length} characters or fewer")  # fmt: skip
    return None


def _switch_values(school: LoadedSchool, s: int) -> Iterator[_Value]:
    """Every inventory value that switch *s*'s config is rendered with, and the field that supplies it."""
    switch = school.model.switches[s]
    yield _Value(switch.name, ("switches", s, "name"), "host name", "hostname")
    for p, assignment in enumerate(switch.ports):
        text, source = assignment.label
        yield _Value(text, ("switches", s, "ports", p, source), "port description", "port_description")
    for u, uplink in enumerate(switch.uplinks):
        text, source = uplink.label
        yield _Value(text, ("switches", s, "uplinks", u, source), "port description", "port_description")
    for name, vlan in school.vlans.items():
        if vlan.id is not None:
            yield _Value(name.upper(), ("vlans", name), "VLAN name", "vlan_name", at_key=True)
    snmp = school.switch_settings(s).get("snmp") or {}
    for key in ("location", "contact"):
        if snmp.get(key):
            yield _Value(snmp[key], _snmp_source(school, s, key), f"SNMP {key}", f"snmp_{key}")


def _snmp_source(school: LoadedSchool, s: int, key: str) -> Path:
    """The layer that set ``snmp.<key>`` for switch *s*: the switch's own settings, or the school's."""
    own = school.model.switches[s].settings
    if own is not None and own.snmp is not None and key in own.snmp.model_fields_set:
        return ("switches", s, "settings", "snmp", key)
    return ("settings", "snmp", key)
