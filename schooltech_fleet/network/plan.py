"""Compare a switch's running config with its intended one: the diff and the exact commands.

hier_config computes the remediation (what to send to get from running to intended)
and its inverse (what to send to get back). Lines that change by themselves
(timestamps, counters) are stripped first, so only real change shows. On platforms
whose sections hier_config compares one by one, sections that are the same on both
sides are left out before it reads them: the same commands, several times faster.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from hier_config import Platform as HierPlatform
from hier_config import WorkflowRemediation, get_hconfig, get_hconfig_driver
from hier_config.platforms.driver_base import HConfigDriverBase

from .platforms import Platform


@dataclass(frozen=True)
class ConfigDelta:
    """The difference between two configs of one switch, as a diff and as commands both ways."""

    diff: str
    commands: tuple[str, ...]  # running -> intended
    undo: tuple[str, ...]  # intended -> running

    @property
    def changes(self) -> bool:
        return bool(self.commands)


@cache
def _volatile(platform: Platform) -> re.Pattern[str]:
    return re.compile("|".join(platform.volatile) or r"(?!x)x")


def normalise(platform: Platform, text: str) -> str:
    """*text* without volatile lines, trailing spaces or a header before the config proper."""
    pattern = _volatile(platform)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    kept = [line for line in lines if not pattern.search(line)]
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(kept).rstrip("\n") + "\n"


def delta(
    platform: Platform, current: str, wanted: str, labels: tuple[str, str] = ("running", "intended")
) -> ConfigDelta:
    """What separates *current* from *wanted* on a switch of *platform*."""
    current, wanted = normalise(platform, current), normalise(platform, wanted)
    if current == wanted:
        return ConfigDelta("", (), ())
    diff = "".join(difflib.unified_diff(current.splitlines(keepends=True), wanted.splitlines(keepends=True),
                                        fromfile=labels[0], tofile=labels[1]))  # fmt: skip
    ignored = _ignored_lines(platform)
    if ignored is not None:
        current, wanted = _without_shared_sections(current, wanted, ignored)
    driver = _driver(platform)
    workflow = WorkflowRemediation(get_hconfig(driver, current), get_hconfig(driver, wanted))
    commands = tuple(line.cisco_style_text() for line in workflow.remediation_config.all_children_sorted())
    undo = tuple(line.cisco_style_text() for line in workflow.rollback_config.all_children_sorted())
    return ConfigDelta(diff, commands, undo)


# --- leaving out the sections both configs share (platforms with independent_sections) ---

_VLAN_LIST = re.compile(r"^vlan (\d+(?:[,-]\d+)+)$")  # hier_config splits it into one "vlan N" per VLAN


@cache
def _driver(platform: Platform) -> HConfigDriverBase:
    """hier_config's rules for *platform* (read-only once made: shared by every comparison)."""
    return get_hconfig_driver(HierPlatform[platform.hier_config_platform])


@cache
def _ignored_lines(platform: Platform) -> Callable[[str], bool] | None:
    """Whether hier_config reads a line as nothing (a comment, ``end``, ``version ...``) on *platform*.

    None when no section may be left out of a comparison on *platform*.
    """
    rules = _driver(platform).rules
    if not platform.independent_sections or rules.indent_adjust or rules.full_text_sub:
        return None
    substitutions = tuple((re.compile(rule.search), rule.replace) for rule in rules.per_line_sub)

    @lru_cache(maxsize=8192)
    def ignored(line: str) -> bool:
        text = " " * (len(line) - len(line.lstrip())) + " ".join(line.split())  # as hier_config reads it
        for pattern, replacement in substitutions:
            text = pattern.sub(replacement, text)
        return not text.strip()

    return ignored


def _sections(text: str, ignored: Callable[[str], bool]) -> list[tuple[str, str | None]]:
    """*text* cut into top-level sections as hier_config reads them: (section text, header or None).

    A section is a line in column 0 with everything up to the next one: the lines indented
    under it and the lines hier_config ignores. The header is None unless hier_config reads
    at least one line under it (a single line may replace another: it always stays).
    """
    sections: list[list[Any]] = []  # [text, header, has a line under it]
    for line in text.split("\n"):
        top = line[:1] not in ("", " ", "\t")
        nothing = ignored(line) if top or (sections and not sections[-1][2]) else False
        if (top and not nothing) or not sections:
            sections.append([line, None if nothing or not top else " ".join(line.split()), False])
        else:
            sections[-1][0] += "\n" + line
            sections[-1][2] = sections[-1][2] or (not top and not nothing)
    return [(section, header if under else None) for section, header, under in sections]


def _without_shared_sections(current: str, wanted: str, ignored: Callable[[str], bool]) -> tuple[str, str]:
    """Both texts without the sections (with lines under them) that are word for word the same in both.

    hier_config compares such a section with its twin and finds nothing to send either way;
    its time grows with every line it reads. A section whose header appears twice in a text
    (hier_config merges them) or that a collapsed VLAN list could merge into always stays.
    """
    if any(line.startswith("banner ") for text in (current, wanted) for line in text.split("\n")):
        return current, wanted  # a banner's lines are not indented: hier_config reads them as one
    ours, theirs = _sections(current, ignored), _sections(wanted, ignored)
    merged = {f"vlan {vlan}" for text, _ in (*ours, *theirs) for vlan in _vlan_list(_first_line(text))}

    def candidates(sections: list[tuple[str, str | None]]) -> set[str]:
        headers = Counter(_first_line(text) for text, _ in sections)
        return {text for text, header in sections if header and headers[header] == 1 and header not in merged}

    shared = candidates(ours) & candidates(theirs)
    if not shared:
        return current, wanted
    return tuple("\n".join(text for text, _ in sections if text not in shared) for sections in (ours, theirs))  # type: ignore[return-value]


def _first_line(section: str) -> str:
    return " ".join(section.split("\n", 1)[0].split())


def _vlan_list(line: str) -> list[int]:
    """The VLANs of a collapsed ``vlan 30-32,40`` line ([] for any other line)."""
    match = _VLAN_LIST.match(line)
    if not match:
        return []
    vlans: list[int] = []
    for part in match.group(1).split(","):
        low, _, high = part.partition("-")
        vlans.extend(range(int(low), int(high or low) + 1))
    return vlans
