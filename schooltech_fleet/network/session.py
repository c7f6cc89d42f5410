"""One CLI session with one switch, over SSH with Netmiko (the only module that imports it)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoBaseException, NetmikoTimeoutException

from ..errors import FleetError
from .targets import SwitchTarget

CONNECT_TIMEOUT = 15.0


class SwitchUnreachable(FleetError):
    """The switch did not answer, refused the login or dropped the session."""

    exit_code = 1


class SwitchSession:
    """An open session: send show commands (configuration goes through the push engine)."""

    def __init__(self, target: SwitchTarget, connection: object) -> None:
        self.target = target
        self._connection = connection

    def show(self, command: str, read_timeout: float = 30.0) -> str:
        if not command.startswith("show "):
            raise ValueError(f"not a show command: {command!r}")
        try:
            output: str = self._connection.send_command(command, read_timeout=read_timeout)  # type: ignore[attr-defined]
        except (NetmikoBaseException, OSError, EOFError) as exc:
            raise SwitchUnreachable(f"{self.target.name}: the session failed during {command!r}: {exc}") from exc
        return output


@contextlib.contextmanager
def open_session(target: SwitchTarget) -> Iterator[SwitchSession]:
    """Log in to *target*; the session is closed when the block ends."""
    try:
        connection = ConnectHandler(
            device_type=target.platform.netmiko_device_type, host=target.host, port=target.port,
            username=target.credentials.username, password=target.credentials.password,
            conn_timeout=CONNECT_TIMEOUT, auth_timeout=CONNECT_TIMEOUT, banner_timeout=CONNECT_TIMEOUT,
            session_log=None,
        )  # fmt: skip
    except NetmikoAuthenticationException as exc:
        raise SwitchUnreachable(f"{target.name}: login refused", "check the switch credentials") from exc
    except (NetmikoTimeoutException, NetmikoBaseException, OSError) as exc:
        raise SwitchUnreachable(f"{target.name}: no answer at {target.host}:{target.port} ({exc})") from exc
    try:
        yield SwitchSession(target, connection)
    finally:
        with contextlib.suppress(Exception):
            connection.disconnect()
