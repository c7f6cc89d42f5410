"""The switch platforms schooltech-fleet can configure, one folder each.

Each folder holds the platform's facts (:class:`Platform`, in its ``__init__``), its
intended-configuration template (``running.j2``) and where its CLI holds secrets
(``secrets.py``). Nothing outside this package branches on a platform name: callers ask
:func:`platform` for the facts of one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...errors import UsageError


@dataclass(frozen=True)
class SecretRule:
    """Where a secret value sits in a line of a platform's CLI (see ``network/redact.py``).

    *pattern* matches from the start of a statement (after indentation, a diff marker, ``no``,
    a prompt or a quote: the redactor adds that); every named group whose name starts with
    ``secret`` is a value to hide. With *anywhere*, the pattern may match anywhere in a line.
    """

    pattern: str
    anywhere: bool = False


# The value is the last word of the statement (``key 7 0822455D0A16``): nothing follows but the
# end of the line, or the quote, ``;`` or ``,`` that ends a quoted command in a message.
STATEMENT_END = r"""(?=[ \t]*(?:$|[\r'";,]))"""
# The password of a URL (an ``archive`` path ``ftp://user:password@host/``, a copy command).
URL_PASSWORD = SecretRule(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]+:(?P<secret>[^\s/@]+)@", anywhere=True)


@dataclass(frozen=True)
class Platform:
    """What the push engine and the templates need to know about one switch platform."""

    name: str
    title: str
    netmiko_device_type: str
    hier_config_platform: str  # hier_config.Platform member
    access_port: str  # interface name of access port {n}
    uplink_port: str  # interface name of an uplink: {n} counts from 1 after the access ports, {number} from 1
    error_pattern: str  # a CLI answer that means the command was not applied
    volatile: tuple[str, ...] = field(default=())  # running-config lines that change by themselves
    comment_prefix: str = "!"
    # True when hier_config compares each top-level section on its own (no post-load callback
    # moves lines between sections): sections identical on both sides can be left out of a plan.
    independent_sections: bool = False
    secrets: tuple[SecretRule, ...] = field(default=())  # where its CLI holds secrets: redacted everywhere

    @property
    def template(self) -> Path:
        return Path(__file__).parent / self.name / "running.j2"

    def port_name(self, number: int, access_ports: int) -> str:
        """The interface name of port *number* (1-based, access ports first, then uplinks)."""
        if number <= access_ports:
            return self.access_port.format(n=number, number=number)
        return self.uplink_port.format(n=number - access_ports, number=number)


def _load() -> dict[str, Platform]:
    from .cisco_ios import PLATFORM as CISCO_IOS  # noqa: PLC0415 - each platform registers itself here
    from .hp_procurve import PLATFORM as HP_PROCURVE  # noqa: PLC0415

    return {p.name: p for p in (CISCO_IOS, HP_PROCURVE)}


PLATFORMS: dict[str, Platform] = _load()
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
