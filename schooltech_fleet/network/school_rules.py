"""What ``schooltech check`` must know about switches, provided to it by the network package.

The inventory model names a switch's platform and the values rendered into its config;
whether that platform exists and whether its CLI takes those values are this package's
facts. :data:`RULES` are school rules like the inventory's own; :mod:`schooltech_fleet.rulebook`
hands them to every validation (``check``, ``load_fleet``, the Ansible plugin).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..inventory.problems import Problem, Rule
from ..inventory.school import LoadedSchool
from .cli_values import cli_values
from .platforms import SUPPORTED_PLATFORMS


def known_platforms(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    """Every switch names a platform schooltech can configure."""
    for s, switch in enumerate(school.model.switches):
        if switch.platform not in SUPPORTED_PLATFORMS:
            yield Problem(
                ("switches", s, "platform"),
                "platform",
                f"switch {switch.name}: unknown platform {switch.platform!r}",
                f"supported platforms: {', '.join(SUPPORTED_PLATFORMS)}",
            )


RULES: tuple[Rule, ...] = (known_platforms, cli_values)
