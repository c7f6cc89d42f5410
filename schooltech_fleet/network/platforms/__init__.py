"""The switch platforms schooltech-fleet can configure, one folder each.

Each folder holds the platform's facts (:class:`Platform`, in its ``__init__``), its
intended-configuration template (``running.j2``), its owned scope (``scope.yml``), how its
CLI can cut a management session (``management.py``) and where it holds secrets
(``secrets.py``). Nothing outside this package branches on a platform name: callers ask
:func:`platform` for the facts of one.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path

from ...errors import UsageError
from ..management import ManagementRules


@dataclass(frozen=True)
class CommitConfirm:
    """How a platform applies a change that undoes itself unless it is confirmed in time.

    Cisco IOS: ``configure terminal revert timer N`` archives the running config and enters
    configuration mode; unless ``configure confirm`` follows within N minutes, the switch
    restores the archived config by itself (``configure revert now`` does it at once). It
    needs an archive path.

    ArubaOS-Switch has no revert timer. The nearest is a scheduled reload, ``reload after
    N`` before configuring: unless cancelled with ``no reload``, the switch reboots into its
    saved startup config, which the push has not touched. It reboots the whole switch (and
    cuts everything behind it for the boot), so it is the last resort, as on IOS the timer is.
    """

    confirm: str  # keep the change; stops the timer
    longest: int  # the longest timer, in minutes
    none_pending: str  # a regular expression on an answer that says no timer runs (it fired already)
    arm: str | None = None  # an EXEC command that starts the timer before configuring; {minutes}
    enter: str | None = None  # configuration mode with the timer running; {minutes}. None: the usual one
    revert_now: str | None = None  # give the change up at once; None: the inverse commands, then confirm
    pending: str | None = None  # the show command that tells whether a timer runs
    archive: tuple[str, ...] = ()  # lines the timer needs, added first when archive_present does not match
    archive_present: str = ""  # a regular expression on the running config: the archive is there
    reboots: bool = False  # when the timer fires, the switch reboots (rather than reverting in place)


@dataclass(frozen=True)
class CliText:
    """What one kind of free text (a port description, a VLAN name) may be on a platform's CLI.

    ``schooltech check`` holds every inventory value that reaches the platform's config
    to these, so a push never meets a line the switch refuses or misreads.
    """

    command: str  # how the platform writes it, for messages: 'description', 'name "..."'
    max_length: int  # characters (ASCII: one byte each)
    quoted: bool = False  # written between double quotes: a '"' in the value would end it early
    letter_first: bool = False  # must start with a letter


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
class MacTableRules:
    """How a platform lists its MAC address table, and which entries are devices on its ports.

    *command* is read-only; its output is parsed by the ntc-templates TextFSM template that
    Netmiko uses for it (*template_platform* + *command* pick it). *fields* names the
    template's values for the MAC, VLAN and port. An entry whose port matches *own_ports*
    is the switch itself (CPU, an SVI, ``Switch``/``Router``) and is dropped, as is one
    without a numeric VLAN (``All``) or on several ports (multicast). A port matching
    *aggregate* is a bundle of links (``Po1``, ``Trk1``): what it learned sits behind another
    switch. *abbreviations* spell a short interface type in full (``Gi`` -> ``GigabitEthernet``).
    """

    command: str
    template_platform: str
    fields: tuple[str, str, str]  # the template's (mac, vlan, port) values
    own_ports: str
    aggregate: str
    abbreviations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, eq=False)  # one instance per platform: compared and hashed by identity (it keys caches)
class Platform:
    """What the push engine and the templates need to know about one switch platform."""

    name: str
    title: str
    netmiko_device_type: str
    hier_config_platform: str  # hier_config.Platform member
    access_port: str  # interface name of access port {n}
    uplink_port: str  # interface name of an uplink: {n} counts from 1 after the access ports, {number} from 1
    error_pattern: str  # a CLI answer that means the command was not applied
    management: ManagementRules
    configure: str  # the command that enters configuration mode
    sessions: int  # at most this many sessions at once to switches of this platform, from one run
    volatile: tuple[str, ...] = field(default=())  # running-config lines that change by themselves
    comment_prefix: str = "!"
    # True when hier_config compares each top-level section on its own (no post-load callback
    # moves lines between sections): sections identical on both sides can be left out of a plan.
    independent_sections: bool = False
    # lines hier_config moves to another section or reads as structure: not checked as written at render time
    planner_rewrites: tuple[str, ...] = ()
    # sections hier_config restructures as it reads them (its post-load callbacks): checked whole at render time
    planner_sections: tuple[str, ...] = ()
    commit_confirm: CommitConfirm | None = None  # None: failures are undone by sending the inverse commands
    secrets: tuple[SecretRule, ...] = field(default=())  # where its CLI holds secrets: redacted everywhere
    # What the CLI takes in each kind of free text schooltech writes (see CliText): required,
    # so a new platform states its own limits instead of inheriting another's.
    _: KW_ONLY
    port_description: CliText
    vlan_name: CliText
    hostname: CliText
    snmp_location: CliText
    snmp_contact: CliText
    refused: str = "?"  # characters the CLI acts on in the middle of any line ('?' asks for help)
    ascii_only: bool = True  # free text must be printable ASCII
    mac_table: MacTableRules | None = None  # None: schooltech cannot read its MAC address table

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
