"""One CLI session with one switch, over SSH with Netmiko (the only module that imports it).

Every session checks the switch's SSH host key strictly (:mod:`.hostkeys`): an unknown or
changed key is refused before the password is sent. A switch whose site says
``switches_via_node`` is reached through a channel from its school's execution node
(:mod:`.jump`), its own host key checked all the same.

Switch secrets never leave the session: everything the switch shows, and every error
message, passes through :mod:`.redact` here, so backups, plans, results and the audit
log only ever hold placeholders; a command holding a placeholder is never sent.

Session logs are off. ``SCHOOLTECH_SESSION_LOG_DIR`` turns them on for diagnosis:
one file per session, readable only by this user, with the password masked and every
secret replaced (:mod:`.session_log`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import paramiko
from netmiko import ConnectHandler
from netmiko.exceptions import (
    ConfigInvalidException,
    NetmikoAuthenticationException,
    NetmikoBaseException,
    NetmikoTimeoutException,
    ReadTimeout,
)

from ..errors import FleetError
from ..inventory.safety import unsafe_reason
from . import hostkeys, jump, redact
from .session_log import session_log
from .targets import SwitchTarget

CONNECT_TIMEOUT = 15.0
READ_TIMEOUT = 10.0  # a dropped session shows up as a read timeout: keep it short
# How a broken session shows: Netmiko's own errors, socket errors, and the ValueError Netmiko raises
# when it cannot find the prompt or enter or leave configuration mode.
_SESSION_FAILED = (NetmikoBaseException, OSError, EOFError, ValueError)


class SwitchUnreachable(FleetError):
    """The switch did not answer, refused the login or dropped the session."""

    exit_code = 1


class CommandRejected(FleetError):
    """The switch answered a configuration command with an error: it was not applied."""

    exit_code = 1


class Interrupted(FleetError):
    """A stop was asked for (SIGINT, SIGTERM, SIGHUP) while configuring: nothing more was sent."""

    exit_code = 1


class SwitchSession:
    """An open session: read the config, send configuration, save it."""

    def __init__(self, target: SwitchTarget, connection: object) -> None:
        self.target = target
        self._connection = connection
        self._renamed = False  # a hostname line was sent: the prompt may have changed

    def show(self, command: str, read_timeout: float = READ_TIMEOUT) -> str:
        """The output of *command*, every secret the switch shows in it replaced by its placeholder."""
        if not command.startswith("show "):
            raise ValueError(f"not a show command: {command!r}")
        try:
            output: str = self._connection.send_command(command, read_timeout=read_timeout)  # type: ignore[attr-defined]
        except _SESSION_FAILED as exc:
            raise self._failed(SwitchUnreachable, f"the session failed during {command!r}: {exc}") from exc
        return redact.text(self.target.platform, output)

    def running_config(self) -> str:
        return self.show("show running-config")

    def configure(self, commands: Sequence[str], *, enter: str | None = None,
                  stop: Callable[[], str | None] | None = None) -> None:  # fmt: skip
        """Send *commands* in configuration mode, one by one, and leave it again.

        *enter* replaces the platform's ``configure terminal`` (``configure terminal revert
        timer 5``). Any error answer stops and raises :class:`CommandRejected`; *stop* is asked
        before each command and, when it names a reason, :class:`Interrupted` is raised before
        the next command leaves. Either way configuration mode is left, the session stays usable.
        """
        for command in commands:
            reason = unsafe_reason(command)
            if reason:  # the inventory was validated; refuse anyway (defence in depth)
                raise self._failed(CommandRejected, f"refused to send {command!r}: it {reason}")
            if redact.holds_placeholder(command):  # a secret's placeholder, never the secret: never sent
                raise self._failed(
                    CommandRejected, f"refused to send {command!r}: it holds a secret's placeholder, not the secret",
                    "schooltech never changes a line holding a secret: the switch keeps its own",
                )
        self._renamed = self._renamed or any(command.startswith("hostname ") for command in commands)

        def one_by_one() -> Iterator[str]:
            for command in commands:
                why = stop() if stop is not None else None
                if why:
                    raise self._failed(Interrupted, f"{why} before '{command}' was sent")
                yield command

        connection: Any = self._connection
        self._enter_configuration(enter)
        try:
            connection.send_config_set(
                one_by_one(), enter_config_mode=False, error_pattern=self.target.platform.error_pattern,
                read_timeout=READ_TIMEOUT, bypass_commands="",
            )  # fmt: skip
        except (ConfigInvalidException, Interrupted) as exc:
            with contextlib.suppress(*_SESSION_FAILED):
                connection.exit_config_mode()
            if isinstance(exc, Interrupted):
                raise
            raise self._failed(CommandRejected, _first_line(exc), limit=300) from exc
        except ReadTimeout as exc:
            raise self._failed(SwitchUnreachable, f"no answer for {READ_TIMEOUT:.0f} s while configuring "
                                                  "(the session was probably dropped)") from exc  # fmt: skip
        except _SESSION_FAILED as exc:
            raise self._failed(SwitchUnreachable, f"the session failed while configuring: {_first_line(exc)}",
                               limit=300) from exc  # fmt: skip

    def _enter_configuration(self, enter: str | None) -> None:
        connection: Any = self._connection
        try:
            output = connection.config_mode(enter) if enter else connection.config_mode()
        except _SESSION_FAILED as exc:  # Netmiko raises ValueError when the prompt does not turn into (config)#
            if enter is not None and isinstance(exc, ValueError) and connection.is_alive():
                raise self._failed(CommandRejected, f"the switch refused '{enter}'") from exc
            raise self._failed(SwitchUnreachable, "the session failed entering configuration mode: "
                                                  f"{_first_line(exc)}", limit=300) from exc  # fmt: skip
        if re.search(self.target.platform.error_pattern, output):
            with contextlib.suppress(*_SESSION_FAILED):
                connection.exit_config_mode()
            raise self._failed(CommandRejected, f"'{enter}' answered {_error_line(self.target, output)}")

    def run(self, command: str) -> str:
        """An EXEC command (``configure confirm``); an error answer raises :class:`CommandRejected`."""
        try:
            output: str = self._connection.send_command(command, read_timeout=READ_TIMEOUT)  # type: ignore[attr-defined]
        except _SESSION_FAILED as exc:
            raise self._failed(SwitchUnreachable, f"the session failed during '{command}': {exc}") from exc
        if re.search(self.target.platform.error_pattern, output):
            raise self._failed(CommandRejected, f"'{command}' answered {_error_line(self.target, output)}")
        return redact.text(self.target.platform, output)

    def save(self) -> None:
        """Make the running config the startup config (``write memory``)."""
        try:
            if self._renamed:  # Netmiko waits for the prompt it knows: learn the new one first
                self._connection.set_base_prompt()  # type: ignore[attr-defined]
            self._connection.save_config()  # type: ignore[attr-defined]
        except _SESSION_FAILED as exc:
            raise self._failed(SwitchUnreachable, f"the session failed while saving: {exc}") from exc

    def _failed(self, kind: type[FleetError], message: str, hint: str | None = None, limit: int = 0) -> FleetError:
        """A *kind* error about this switch, any secret quoted in *message* replaced (then cut to *limit*)."""
        text = redact.text(self.target.platform, f"{self.target.name}: {message}")
        return kind(text[:limit] if limit else text, hint)


def _first_line(exc: Exception) -> str:
    """The first line of Netmiko's (often long, multi-line) message (a secret in it is hidden before it is cut)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _error_line(target: SwitchTarget, output: str) -> str:
    """The line of *output* that says what went wrong."""
    found = re.search(f".*(?:{target.platform.error_pattern}).*", output)
    return repr((found.group(0) if found else output).strip()[:300])


@contextlib.contextmanager
def open_session(target: SwitchTarget) -> Iterator[SwitchSession]:
    """Log in to *target* (its host key checked first); the session is closed when the block ends.

    A switch reached through its school's execution node (``target.via``) gets a channel from
    the node (:mod:`.jump`) as Netmiko's socket; the switch's host key is checked as on a direct session.
    """
    with contextlib.ExitStack() as opened:
        sock = None
        if target.via is not None:
            try:
                sock = opened.enter_context(jump.channel(target.via, target.name, target.host, target.port))
            except jump.NodeUnreachable as exc:
                raise SwitchUnreachable(exc.message, exc.hint) from exc
        connection = _connect(target, sock)
        opened.callback(_disconnect, connection)  # first: Netmiko's session, then the channel and the node's
        yield SwitchSession(target, connection)


def _connect(target: SwitchTarget, sock: paramiko.Channel | None) -> Any:
    """Netmiko's connection to *target*, over *sock* when it is given (a channel through the node)."""
    try:
        return ConnectHandler(
            device_type=target.platform.netmiko_device_type, host=target.host, port=target.port,
            username=target.credentials.username, password=target.credentials.password,
            conn_timeout=CONNECT_TIMEOUT, auth_timeout=CONNECT_TIMEOUT, banner_timeout=CONNECT_TIMEOUT,
            ssh_strict=True, system_host_keys=False, alt_host_keys=True, alt_key_file=str(target.known_hosts),
            session_log=session_log(target), sock=sock,
        )  # fmt: skip
    except NetmikoAuthenticationException as exc:
        raise SwitchUnreachable(f"{target.name}: login refused", "check the switch credentials") from exc
    except (NetmikoTimeoutException, *_SESSION_FAILED) as exc:
        refused = hostkeys.refusal(exc, target.name, target.host, target.port, target.known_hosts,
                                   simulated=target.simulation is not None)  # fmt: skip
        if refused:
            raise SwitchUnreachable(*refused) from exc
        through = f" through the {target.via.label}" if target.via is not None else ""
        message = f"{target.name}: no answer at {target.host}:{target.port}{through} ({exc})"
        raise SwitchUnreachable(redact.text(target.platform, message)) from exc


def _disconnect(connection: Any) -> None:
    with contextlib.suppress(Exception):
        connection.disconnect()
