"""The switch platforms schooltech-fleet can configure, one folder each.

Nothing outside this package branches on a platform name: callers ask :func:`platform`
for the facts of one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import UsageError


@dataclass(frozen=True)
class Platform:
    name: str
    title: str
    netmiko_device_type: str


PLATFORMS: dict[str, Platform] = {
    "cisco_ios": Platform("cisco_ios", "Cisco IOS (Catalyst)", "cisco_ios"),
    "hp_procurve": Platform("hp_procurve", "HPE Aruba ArubaOS-Switch (ProCurve)", "hp_procurve"),
}
SUPPORTED_PLATFORMS: tuple[str, ...] = tuple(PLATFORMS)
"""Platform names accepted in a school file's ``switches[].platform``."""


def platform(name: str) -> Platform:
    """The platform called *name*; unknown names are refused with the list of supported ones."""
    try:
        return PLATFORMS[name]
    except KeyError:
        raise UsageError(
            f"unknown switch platform {name!r}", f"supported platforms: {', '.join(SUPPORTED_PLATFORMS)}"
        ) from None
