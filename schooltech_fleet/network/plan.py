"""Compare a switch's running config with its intended one: the diff and the exact commands.

hier_config computes the remediation (what to send to get from running to intended)
and its inverse (what to send to get back). Lines that change by themselves
(timestamps, counters) are stripped first, so only real change shows.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from hier_config import Platform as HierPlatform
from hier_config import WorkflowRemediation, get_hconfig

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
    kind = HierPlatform[platform.hier_config_platform]
    workflow = WorkflowRemediation(get_hconfig(kind, current), get_hconfig(kind, wanted))
    commands = tuple(line.cisco_style_text() for line in workflow.remediation_config.all_children_sorted())
    undo = tuple(line.cisco_style_text() for line in workflow.rollback_config.all_children_sorted())
    diff = "".join(difflib.unified_diff(current.splitlines(keepends=True), wanted.splitlines(keepends=True),
                                        fromfile=labels[0], tofile=labels[1]))  # fmt: skip
    return ConfigDelta(diff, commands, undo)
