"""IOS configuration archive and Configuration Rollback Confirmed Change (commit-confirm).

``archive`` / `` path URL`` enables the archive (``$h`` in the URL is the hostname, ``$t`` a
timestamp; files are named ``URL-N``), `` maximum N`` (1-14, default 10) bounds it and
`` write-memory`` archives on every ``write memory``. ``configure terminal revert timer M``
archives the running-config, enters configuration mode and reverts to that archive after M
emulated minutes unless ``configure confirm`` comes first; ``configure revert now`` reverts at
once, ``configure revert timer M`` restarts the timer. A revert replaces the whole
running-config (kept lines included), like ``configure replace``, logs IOS's syslog messages
to the emulator's log and re-evaluates the management paths, so a path the change cut comes
back. ``SwitchSpec.minute_seconds`` is how long an emulated minute lasts.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from twisted.internet import reactor as _reactor

from schooltech_fleet.errors import FleetError
from schooltech_fleet.sim.switches.cli_errors import CommandRejected
from schooltech_fleet.sim.switches.verbatim import find

if TYPE_CHECKING:
    from schooltech_fleet.sim.switches.switch import EmulatedSwitch

# Twisted's zope interfaces confuse mypy without the mypy-zope plugin: use the reactor untyped.
reactor: Any = _reactor
LOGGER = logging.getLogger("schooltech_fleet.sim.switches")
DEFAULT_MAXIMUM = 10
ARCHIVE_OFF = "%Turn config archive on before using Rollback Confirmed Change"
NOTHING_PENDING = "%No Rollback Confirmed Change pending"
ALREADY_PENDING = "%Rollback Confirmed Change already in progress"
NOT_ENABLED = " Archive feature not enabled"


@dataclass(frozen=True)
class ArchivedConfig:
    """One archive file: its name (``flash:archive/config-3``) and the running-config it holds."""

    name: str
    config: str


@dataclass
class PendingRevert:
    """A Rollback Confirmed Change waiting for ``configure confirm``."""

    archive: ArchivedConfig
    minutes: int
    user: str
    configured: dt.datetime
    deadline: float  # time.monotonic() when it fires
    call: Any  # the reactor's DelayedCall


class ConfigRollback:
    """The archive files of one switch and its pending Rollback Confirmed Change, if any."""

    def __init__(self, switch: EmulatedSwitch) -> None:
        self.switch = switch
        self.files: list[ArchivedConfig] = []
        self.counter = 0
        self.pending: PendingRevert | None = None

    def _settings(self) -> tuple[str | None, int, bool]:
        """(path URL or None, maximum, write-memory) from the running ``archive`` section."""
        path, maximum, write_memory = None, DEFAULT_MAXIMUM, False
        for section in find(self.switch.state.verbatim, "archive"):
            for child in section.children:
                words = child.words
                if words[0] == "path" and len(words) > 1:
                    path = words[1]
                elif words[0] == "maximum" and len(words) > 1 and words[1].isdigit():
                    maximum = int(words[1])
                elif words[0] == "write-memory":
                    write_memory = True
        return path, maximum, write_memory

    def _next_name(self, path: str) -> str:
        stamp = dt.datetime.now(dt.UTC).strftime("%b-%d-%H-%M-%S.%f")[:-3]
        return f"{path.replace('$h', self.switch.state.hostname).replace('$t', stamp)}-{self.counter + 1}"

    def archive(self) -> ArchivedConfig:
        """``archive config``: store the running-config as the next archive file."""
        path, maximum, _ = self._settings()
        if path is None:
            raise CommandRejected(NOT_ENABLED, "% Error caught by command handler")
        archived = ArchivedConfig(self._next_name(path), self.switch.running_config())
        self.counter += 1
        self.files = [*self.files, archived][-maximum:]
        return archived

    def after_write_memory(self) -> None:
        """``write memory`` archives too when the archive has ``write-memory``."""
        path, _, write_memory = self._settings()
        if path is not None and write_memory:
            self.archive()

    def start(self, minutes: int, user: str) -> ArchivedConfig:
        """``configure terminal revert timer M``: archive the running-config and start the timer."""
        if self._settings()[0] is None:
            raise CommandRejected(ARCHIVE_OFF)
        if self.pending is not None:
            raise CommandRejected(ALREADY_PENDING)
        archived = self.archive()
        _syslog("ROLLBK_CNFMD_CHG_BACKUP", self.switch, f"Backing up current running config to {archived.name}")
        self.pending = PendingRevert(archived, minutes, user, dt.datetime.now(dt.UTC), 0.0, None)
        self._schedule(minutes)
        _syslog("ROLLBK_CNFMD_CHG_START_ABSTIMER", self.switch,
                f"User: {user}(Priv: 15, View: 0): Scheduled to rollback to config {archived.name} in "
                f"{minutes} minutes")  # fmt: skip
        return archived

    def _schedule(self, minutes: int) -> None:
        pending = self._require_pending()
        if pending.call is not None and pending.call.active():
            pending.call.cancel()
        seconds = minutes * self.switch.spec.minute_seconds
        pending.minutes, pending.configured = minutes, dt.datetime.now(dt.UTC)
        pending.deadline = time.monotonic() + seconds
        pending.call = reactor.callLater(seconds, self._expire)

    def _expire(self) -> None:
        try:
            self.revert()
        except FleetError as error:
            LOGGER.error("%s: the configuration revert failed: %s", self.switch.spec.name, error.message)

    def _require_pending(self) -> PendingRevert:
        if self.pending is None:
            raise CommandRejected(NOTHING_PENDING)
        return self.pending

    def confirm(self, user: str) -> None:
        """``configure confirm``: keep the changes, cancel the timer."""
        pending = self._require_pending()
        if pending.call is not None and pending.call.active():
            pending.call.cancel()
        self.pending = None
        _syslog("ROLLBK_CNFMD_CHG_CONFIRM", self.switch, f"User: {user}(Priv: 15, View: 0): Confirm the configuration "
                                                         "change")  # fmt: skip

    def restart(self, minutes: int) -> None:
        """``configure revert timer M``: the timer starts again with M minutes."""
        self._require_pending()
        self._schedule(minutes)

    def revert(self) -> str:
        """The timer ran out, or ``configure revert now``: restore the archived config; returns its name."""
        pending = self._require_pending()
        if pending.call is not None and pending.call.active():
            pending.call.cancel()
        self.pending = None
        _syslog("ROLLBK_CNFMD_CHG_ROLLBACK_START", self.switch, f"Start rolling to: {pending.archive.name}")
        self.switch.replace_running_config(pending.archive.config)
        return pending.archive.name

    def seconds_left(self) -> float | None:
        """Real seconds until the pending revert fires (None: nothing pending)."""
        if self.pending is None:
            return None
        return max(0.0, self.pending.deadline - time.monotonic())

    def clear(self) -> None:
        """Forget the archive and any pending revert (the switch is reset)."""
        if self.pending is not None and self.pending.call is not None and self.pending.call.active():
            self.pending.call.cancel()
        self.pending, self.files, self.counter = None, [], 0

    def show_archive(self) -> list[str]:
        """``show archive``."""
        path, maximum, _ = self._settings()
        if path is None:
            return [NOT_ENABLED]
        lines = [
            f"The maximum archive configurations allowed is {maximum}.",
            f"There are currently {len(self.files)} archive configurations saved.",
            f"The next archive file will be named {self._next_name(path)}",
            " Archive #  Name",
        ]
        for index in range(1, maximum + 1):
            name = self.files[index - 1].name if index <= len(self.files) else ""
            marker = " <- Most Recent" if index == len(self.files) else ""
            lines.append(f"   {index:<8} {name}{marker}".rstrip())
        return lines

    def show_timer(self) -> list[str]:
        """``show archive config rollback timer``."""
        pending = self._require_pending()
        return [
            f"Time configured(or reset): {pending.configured:%H:%M:%S} UTC {pending.configured:%a %b %d %Y}",
            "Timer type: absolute timer",
            f"Timer value: {pending.minutes} min",
            f"Archive file: {pending.archive.name}",
            f"User: {pending.user}  Priv: 15  View: 0",
        ]


def _syslog(mnemonic: str, switch: EmulatedSwitch, text: str) -> None:
    LOGGER.warning("%s: %%ARCHIVE_DIFF-5-%s: %s", switch.spec.name, mnemonic, text)
