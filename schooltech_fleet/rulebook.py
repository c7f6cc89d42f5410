"""The rules a school file is checked against that the inventory model does not own.

The inventory knows the format, the school and the district; it does not know switch
platforms: which exist and what their CLI takes are the network package's facts
(``network/platforms/``). The model imports no engine, so the network package provides
those rules (``network/school_rules.py``: a tuple ``RULES`` of :data:`~.inventory.problems.Rule`)
and this module, on the ground floor where every package may look, names the providers.

One path applies them all: :func:`~.inventory.crossref.check_school` runs the inventory's
own rules and then :func:`provided_rules`, and ``schooltech check``, ``load_fleet`` and so
the Ansible plugin all validate through it. A provider is imported only when a school is
validated: the plugin's warm path reads a cached fleet (valid when it was cached) and never
gets here, so it imports neither a provider nor pydantic. The cache's fingerprint covers
:func:`sources` as well as the inventory's own code, so changing a provided rule (or the
platform data it reads) revalidates every inventory.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .inventory.problems import Rule

PROVIDERS: tuple[tuple[str, str], ...] = (("schooltech_fleet.network.school_rules", "network"),)
"""(module with a ``RULES`` tuple, the package directory whose code and data those rules read)."""

_DATA = {".py", ".yml", ".yaml", ".j2"}


def provided_rules() -> tuple[Rule, ...]:
    """Every provider's rules, in the order of :data:`PROVIDERS`."""
    rules: list[Rule] = []
    for module, _package in PROVIDERS:
        rules.extend(importlib.import_module(module).RULES)
    return tuple(rules)


def sources() -> list[Path]:
    """The files the provided rules are made of (their packages' code and data), found without importing them."""
    root = Path(__file__).parent
    return sorted(
        path for _module, package in PROVIDERS for path in (root / package).rglob("*")
        if path.suffix in _DATA and path.is_file()
    )  # fmt: skip
