"""What to send to a switch to bring its owned scope to the intended config: the remediation.

Only the *owned view* of the running config is compared (``scope.py``): every line outside
the platform's owned scope is left exactly as it is, and counted. hier_config computes the
remediation (what to send to get from running to intended) and its inverse (what to send to
get back) over that view. Lines that change by themselves (timestamps, counters) are
stripped first, so only real change shows. A remediation that would touch the management
path (``management.py``) says why, so that the engine can refuse it. On platforms whose
sections hier_config compares one by one, sections that are the same on both sides are left
out before it reads them: the same commands, several times faster.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Any

from hier_config import Platform as HierPlatform
from hier_config import WorkflowRemediation, get_hconfig, get_hconfig_driver
from hier_config.platforms.driver_base import HConfigDriverBase

from .config_text import ConfigLine, parse_config, serialise
from .management import ManagementContext, session_vlans
from .management import changes as management_changes
from .platforms import Platform
from .scope import ScopeContext, View, owned_view, scope

OWNED_ACLS = ("GUEST-ISOLATION",)  # the access lists schooltech renders (intent.GUEST_ACL): owned even when unused


@dataclass(frozen=True)
class Remediation:
    """What separates a switch's owned view from its intended config, as a diff and as commands both ways."""

    compared: tuple[str, str, str, str]  # (owned view of running, intended, their labels): the diff, when asked
    commands: tuple[str, ...]  # running -> intended
    undo: tuple[str, ...]  # intended -> running
    kept: int = 0  # running lines outside the owned scope, left exactly as they are
    protected: int = 0  # of which protected lines (users, AAA, vty lines, ...)
    management: tuple[str, ...] = ()  # why the commands would touch the management path (empty: they do not)

    @property
    def changes(self) -> bool:
        return bool(self.commands)

    @cached_property
    def diff(self) -> str:
        """The unified diff of the owned view of running and the intended config ("" when they are the same)."""
        current, intended, label, other = self.compared
        return "".join(difflib.unified_diff(current.splitlines(keepends=True), intended.splitlines(keepends=True),
                                            fromfile=label, tofile=other))  # fmt: skip


@dataclass(frozen=True)
class Views:
    """Both configs of a comparison, split into what schooltech owns and what it leaves alone."""

    running: View
    wanted: View


@cache
def _volatile(platform: Platform) -> re.Pattern[str]:
    return re.compile("|".join(platform.volatile) or r"(?!x)x")


@lru_cache(maxsize=256)
def normalise(platform: Platform, text: str) -> str:
    """*text* without volatile lines, trailing spaces or a header before the config proper."""
    pattern = _volatile(platform)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    kept = [line for line in lines if not pattern.search(line)]
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(kept).rstrip("\n") + "\n"


@lru_cache(maxsize=64)  # a push asks for the same views several times (plan, verification, kept lines)
def views(platform: Platform, running: str, wanted: str, context: ManagementContext) -> Views:
    """The owned views of *running* and *wanted* (a physical port *wanted* does not list is left alone)."""
    running_blocks = parse_config(normalise(platform, running), platform.comment_prefix)
    wanted_blocks = parse_config(normalise(platform, wanted), platform.comment_prefix)
    vlans = session_vlans(platform.management, running_blocks, context.address)
    if context.vlan is not None:
        vlans.add(context.vlan)
    chosen = scope(platform, ScopeContext(tuple(sorted(vlans)), OWNED_ACLS))
    return Views(owned_view(chosen, running_blocks, {block.text for block in wanted_blocks}),
                 owned_view(chosen, wanted_blocks))  # fmt: skip


def remediate(platform: Platform, running: str, wanted: str, context: ManagementContext,
              labels: tuple[str, str] = ("running", "intended")) -> Remediation:  # fmt: skip
    """What brings the owned scope of *running* to *wanted* on a switch of *platform*.

    Lines of *wanted* outside the owned scope (a backup restored by ``net rollback``) are not
    restored: schooltech never changed them.
    """
    both = views(platform, running, wanted, context)
    kept, protected = len(both.running.kept), both.running.protected
    current, intended = serialise(both.running.owned), serialise(both.wanted.owned)
    compared = (current, intended, *labels)
    if current == intended:
        return Remediation(compared, (), (), kept, protected)
    ignored = _ignored_lines(platform)
    if ignored is not None:
        current, intended = _without_shared_sections(current, intended, ignored)
    driver = _driver(platform)
    workflow = WorkflowRemediation(get_hconfig(driver, current), get_hconfig(driver, intended))
    sent = list(workflow.remediation_config.all_children_sorted())
    commands = tuple(line.cisco_style_text() for line in sent)
    undo = tuple(line.cisco_style_text() for line in workflow.rollback_config.all_children_sorted())
    lineages = [tuple(part.text for part in line.lineage()) for line in sent]
    management = tuple(management_changes(platform.management, lineages, both.running.owned, both.wanted.owned,
                                          context))  # fmt: skip
    return Remediation(compared, commands, undo, kept, protected, management)


def unowned_lines(platform: Platform, config: str, management_vlan: int | None) -> list[str]:
    """The lines of *config* outside the platform's owned scope (an intended config must have none)."""
    context = ManagementContext(management_vlan, None)
    return [line.strip() if parent is None else f"{parent.strip()} / {line.strip()}"
            for parent, line in views(platform, "", config, context).wanted.kept]  # fmt: skip


def hier_config_lineages(platform: Platform, config: str) -> list[tuple[str, ...]]:
    """Every line of *config* as hier_config reads it, with its parents (blanks collapsed)."""
    tree = get_hconfig(_driver(platform), normalise(platform, config))
    return [tuple(" ".join(part.text.split()) for part in line.lineage()) for line in tree.all_children()]


def blocks_of(platform: Platform, config: str) -> list[ConfigLine]:
    """*config* as the switch shows it, cut into blocks (comments and volatile lines left out)."""
    return parse_config(normalise(platform, config), platform.comment_prefix)


# --- leaving out the sections both configs share (platforms with independent_sections) ---

_VLAN_LIST = re.compile(r"^vlan (\d+(?:[,-]\d+)+)$")  # hier_config splits it into one "vlan N" per VLAN


@cache
def _driver(platform: Platform) -> HConfigDriverBase:
    """hier_config's rules for *platform* (read-only once made: shared by every comparison)."""
    return get_hconfig_driver(HierPlatform[platform.hier_config_platform])


@cache
def line_reader(platform: Platform) -> Callable[[str], str] | None:
    """How hier_config reads one line on *platform* ("" for a line it ignores), blanks collapsed.

    None on platforms where a line's reading depends on more than the line itself (sections
    that move lines between them, indentation adjustments, whole-text substitutions).
    """
    rules = _driver(platform).rules
    if not platform.independent_sections or rules.indent_adjust or rules.full_text_sub:
        return None
    substitutions = tuple((re.compile(rule.search), rule.replace) for rule in rules.per_line_sub)

    @lru_cache(maxsize=16384)
    def read(line: str) -> str:
        text = " " * (len(line) - len(line.lstrip())) + " ".join(line.split())  # as hier_config reads it
        for pattern, replacement in substitutions:
            text = pattern.sub(replacement, text)
        return " ".join(text.split())

    return read


@cache
def _ignored_lines(platform: Platform) -> Callable[[str], bool] | None:
    """Whether hier_config reads a line as nothing (a comment, ``end``, ``version ...``) on *platform*.

    None when no section may be left out of a comparison on *platform*.
    """
    read = line_reader(platform)
    return None if read is None else lambda line: not read(line)


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
