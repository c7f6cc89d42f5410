"""The owned scope: which lines of a switch's config schooltech manages, and which it leaves alone.

Each platform declares, as data (``platforms/<name>/scope.yml``), the sections and lines it
manages. A plan compares only the *owned view* of the running config (the owned lines, in
their sections, text untouched) with the intended config, so a line outside the owned scope
(users, AAA, vty lines, an SVI of a layer-3 core, a port's PoE setting ...) is never negated;
the plan says how many it kept. Every line a template renders must be owned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import yaml

from .config_text import ConfigLine
from .platforms import Platform


@dataclass(frozen=True)
class ScopeContext:
    """What the scope depends on besides the platform: the management VLANs and schooltech's own ACLs."""

    management_vlans: tuple[int, ...] = ()
    acls: tuple[str, ...] = ()


@dataclass(frozen=True)
class OwnedRule:
    line: re.Pattern[str]
    children: Literal["all"] | re.Pattern[str] | None  # the owned lines under it (None: a single line)
    only_intended: bool  # left alone when the intended config does not list it


@dataclass(frozen=True)
class Scope:
    owned: tuple[OwnedRule, ...]
    protected: re.Pattern[str]
    headers: re.Pattern[str]  # every rule's line pattern in one alternation: group r<i> is rule i

    def rule(self, text: str) -> OwnedRule | None:
        """The owned rule a top-level line falls under, if any (the first in the platform's order)."""
        match = self.headers.search(text)
        return self.owned[int(match.lastgroup[1:])] if match and match.lastgroup else None

    def protects(self, text: str) -> bool:
        return bool(self.protected.search(text))


@dataclass
class View:
    """A config split into the lines schooltech owns and the lines it leaves alone."""

    owned: list[ConfigLine] = field(default_factory=list)
    kept: list[tuple[str | None, str]] = field(default_factory=list)  # (owned parent or None, line) left alone
    protected: int = 0  # how many of the kept lines are protected (users, AAA, vty, ...)


@cache
def _declared(platform: Platform) -> dict[str, Any]:
    with (platform.template.parent / "scope.yml").open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


@cache
def scope(platform: Platform, context: ScopeContext) -> Scope:
    """The owned scope of *platform* for a switch in *context*."""
    values = {
        "management_vlans": "|".join(str(v) for v in context.management_vlans) or r"(?!x)x",
        "acls": "|".join(re.escape(name) for name in context.acls) or r"(?!x)x",
    }

    def compiled(pattern: str) -> re.Pattern[str]:
        return re.compile(pattern.replace("{management_vlans}", values["management_vlans"])
                          .replace("{acls}", values["acls"]))  # fmt: skip

    declared = _declared(platform)
    owned = []
    for entry in declared["owned"]:
        children = entry.get("children")
        under = children if children in ("all", None) else compiled("|".join(f"(?:{c})" for c in children))
        owned.append(OwnedRule(compiled(entry["line"]), under, bool(entry.get("only_intended", False))))
    headers = compiled("|".join(f"(?P<r{i}>{entry['line']})" for i, entry in enumerate(declared["owned"])))
    protected = compiled("|".join(f"(?:{pattern})" for pattern in declared["protected"]))
    return Scope(tuple(owned), protected, headers)


def owned_view(chosen: Scope, blocks: Iterable[ConfigLine], intended: set[str] | None = None) -> View:
    """Split *blocks* into owned and kept lines; *intended*: the top-level texts of the intended config."""
    view = View()
    for block in blocks:
        rule = chosen.rule(block.text)
        if rule is None or (rule.only_intended and intended is not None and block.text not in intended):
            lines = list(block.lines())
            view.kept.extend((None, line) for line in lines)
            if chosen.protects(block.text):
                view.protected += len(lines)
            continue
        if rule.children == "all" or not block.children:
            view.owned.append(block)
            continue
        pattern = rule.children
        owned_children: list[ConfigLine] = []
        other: list[ConfigLine] = []
        for child in block.children:
            (owned_children if pattern is not None and pattern.search(child.text) else other).append(child)
        view.owned.append(ConfigLine(block.raw, owned_children, block.continued))
        view.kept.extend((block.raw, line) for child in other for line in child.lines())
    return view
