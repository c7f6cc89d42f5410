"""Render intended configurations with each platform's template."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jinja2

from .intent import SwitchIntent
from .platforms import Platform, platform


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
    text = template.render(intent=intent, port_name=lambda n: chosen.port_name(n, intent.access_ports))
    return text.rstrip("\n") + "\n"
