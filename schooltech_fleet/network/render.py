"""Render intended configurations with each platform's template.

A rendered config is checked before anyone sees it: every line must fall in the platform's
owned scope, and the planner (hier_config) must read every line as it is written. A line it
would drop or rewrite (IOS ACL ``remark`` lines, ``version``, ``no ip address``) would never
reach the switch while every check passed: it is a template error, not a silent loss.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path

import jinja2

from ..errors import FleetError
from .config_text import ConfigLine, lineages, read_section, sections, serialise
from .intent import SwitchIntent
from .platforms import Platform, platform
from .remediation import blocks_of, hier_config_lineages, line_reader, normalise, unowned_lines

_SEQUENCE = re.compile(r"^\d+ ")


class RenderError(FleetError):
    """A template rendered lines the push engine cannot manage (a bug in the template)."""

    def __reduce__(self) -> tuple[type[RenderError], tuple[str, str | None]]:
        return RenderError, (self.message, self.hint)  # raised in a drift pool worker, it arrives with its hint


def vlan_list(ids: Iterable[int]) -> str:
    """IOS's form of a VLAN list: runs of three or more as ``a-b`` (``10,20,30-32``)."""
    return _runs(ids, min_run=3)


def port_list(numbers: Iterable[int]) -> str:
    """A port list with every run of consecutive ports as ``a-b`` (``1-16,23``)."""
    return _runs(numbers, min_run=2)


def _runs(values: Iterable[int], min_run: int) -> str:
    ordered = sorted(set(values))
    parts: list[str] = []
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        if end - start + 1 >= min_run:
            parts.append(f"{ordered[start]}-{ordered[end]}")
        else:
            parts.extend(str(v) for v in ordered[start : end + 1])
        start = end + 1
    return ",".join(parts)


def wildcard(network: ipaddress.IPv4Network) -> str:
    """``10.20.30.0 0.0.0.255``: a network as an ACL address and wildcard mask."""
    return f"{network.network_address} {network.hostmask}"


@cache
def _environment(directory: Path) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory), undefined=jinja2.StrictUndefined, autoescape=False,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )  # fmt: skip
    environment.filters.update(vlan_list=vlan_list, port_list=port_list, wildcard=wildcard)
    environment.tests["contains"] = lambda sequence, value: value in sequence
    return environment


def render(intent: SwitchIntent, target: Platform | None = None) -> str:
    """The intended running-config of *intent*'s switch, as its platform shows it."""
    chosen = target or platform(intent.platform)
    template = _environment(chosen.template.parent).get_template(chosen.template.name)
    text = template.render(intent=intent, port_name=lambda n: chosen.port_name(n, intent.access_ports)).rstrip("\n")
    problems = inexpressible(chosen, text + "\n", intent.management_vlan)
    if problems:
        shown = "; ".join(problems[:5]) + (f" and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise RenderError(f"{intent.name}: the {chosen.title} template renders lines the push engine cannot manage: "
                          f"{shown}", f"fix {chosen.template}: every line must be owned ({chosen.template.parent}/"
                          "scope.yml) and read by hier_config as written")  # fmt: skip
    return text + "\n"


def inexpressible(target: Platform, config: str, management_vlan: int | None) -> list[str]:
    """Lines of *config* the engine could not manage: outside the owned scope, or not read as written by the planner."""
    return [problem for section in sections(normalise(target, config))
            for problem in _section_problems(target, section, management_vlan)]  # fmt: skip


@lru_cache(maxsize=16384)
def _section_problems(target: Platform, section: str, management_vlan: int | None) -> tuple[str, ...]:
    """What :func:`inexpressible` finds in one top-level section (sections repeat across switches: remembered)."""
    outside = [f"'{line}' is outside the owned scope" for line in unowned_lines(target, section, management_vlan)]
    rewritten = re.compile("|".join(target.planner_rewrites) or r"(?!x)x")
    blocks = read_section(section, target.comment_prefix)
    return (*outside, *(f"'{' / '.join(lineage)}' is not read as written by the planner"
                        for block in blocks for lineage in _not_read(target, block)
                        if not rewritten.search(lineage[-1])))  # fmt: skip
def _not_read(target: Platform, block: ConfigLine) -> Iterator[tuple[str, ...]]:
    """The lines of *block* the planner would drop or rewrite.

    Read line by line where the planner reads each line on its own; a section it restructures
    as it reads it (ACLs, VLAN lists) or a platform whose lines move between sections is read whole.
    """
    read = line_reader(target)
    if read is None or re.search("|".join(target.planner_sections) or r"(?!x)x", block.text):
        yield from _unread(target, serialise([block]))
        return
    stack: list[tuple[tuple[str, ...], ConfigLine]] = [((), block)]
    while stack:
        parents, line = stack.pop()
        lineage = (*parents, line.text)
        if read(line.raw) != line.text:
            yield lineage
        stack.extend((lineage, child) for child in reversed(line.children))


@lru_cache(maxsize=8192)
def _unread(target: Platform, block: str) -> tuple[tuple[str, ...], ...]:
    """The lines of one top-level *block* hier_config does not read as written (blocks repeat: remembered)."""
    read = hier_config_lineages(target, block)  # hier_config numbers IOS ACL entries as it reads them
    planner = {*read, *(tuple(_SEQUENCE.sub("", text) for text in lineage) for lineage in read)}
    return tuple(lineage for lineage in lineages(blocks_of(target, block)) if lineage not in planner)
