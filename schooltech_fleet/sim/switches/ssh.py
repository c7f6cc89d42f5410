"""SSH access to emulated switches, built from fake-switches' avatar, realm, shell and host key.

Differences from the stock fake-switches SSH service:

* logins are checked against the switch's running-config (``logins.py``), and land at the
  privilege level it grants;
* each switch has its own host key, which can be replaced while it runs;
* output produced while one received packet is processed leaves in one write (fewer, larger SSH
  packets; a client cannot tell the difference) and no terminal-reset sequence is sent on exit;
* ``\\r\\n`` counts as one Enter, like on a real terminal line;
* a connection can be aborted at TCP level (``drop_after`` faults, ``disconnect``, a cut
  management path), and a switch whose management path is cut takes no new connection.
"""

from __future__ import annotations

from typing import Any

from fake_switches.terminal.ssh import SshTerminalController, SwitchSSHShell
from fake_switches.transports.ssh_service import SSHDemoAvatar, SSHDemoRealm
from twisted.conch import recvline as _recvline
from twisted.conch.insults import insults as _insults
from twisted.conch.interfaces import IConchUser
from twisted.conch.ssh import factory as _factory
from twisted.conch.ssh import session as _session
from twisted.conch.ssh import transport as _transport
from twisted.cred import credentials as _credentials
from twisted.cred import error as _cred_error
from twisted.cred import portal as _portal
from twisted.cred.checkers import ICredentialsChecker
from twisted.internet import defer as _defer
from zope.interface import implementer  # type: ignore[import-untyped]

from schooltech_fleet.sim.switches.logins import Login
from schooltech_fleet.sim.switches.session import ConnectionDropRequested
from schooltech_fleet.sim.switches.switch import EmulatedSwitch

# Twisted's zope interfaces confuse mypy without the mypy-zope plugin: use it untyped.
insults: Any = _insults
factory: Any = _factory
session: Any = _session
transport: Any = _transport
portal: Any = _portal
recvline: Any = _recvline
credentials: Any = _credentials
cred_error: Any = _cred_error
defer: Any = _defer


class BatchingServerProtocol(insults.ServerProtocol):  # type: ignore[misc]
    """Terminal protocol that coalesces the writes made while handling one incoming packet."""

    _pending: list[bytes] | None = None
    aborted = False

    def dataReceived(self, data: bytes) -> None:
        self._pending = []
        try:
            super().dataReceived(data)
        finally:
            self._flush()

    def _flush(self) -> None:
        pending, self._pending = self._pending, None
        if pending and self.transport is not None:
            self.transport.write(b"".join(pending))

    def write(self, data: bytes | str) -> None:
        if not data or self.aborted:
            return
        raw = data.encode() if isinstance(data, str) else data
        self.lastWrite = raw
        out = b"\r\n".join(raw.split(b"\n"))
        if self._pending is not None:
            self._pending.append(out)
        else:
            self.transport.write(out)

    def loseConnection(self) -> None:
        self._flush()
        self.transport.loseConnection()


class IosSshShell(SwitchSSHShell):  # type: ignore[misc]
    """fake-switches' line shell, registered with its switch and abortable."""

    _last_key: bytes | None = None

    @property
    def switch(self) -> EmulatedSwitch:
        """The switch this shell belongs to."""
        switch: EmulatedSwitch = self.switch_core.switch
        return switch

    def connectionMade(self) -> None:
        recvline.HistoricRecvLine.connectionMade(self)
        self.session = self.switch_core.launch("ssh", SshTerminalController(shell=self), self.user.login)
        self.switch.sessions.add(self)

    def connectionLost(self, reason: Any) -> None:
        self.switch.sessions.discard(self)
        super().connectionLost(reason)

    def keystrokeReceived(self, keyID: bytes, modifier: Any) -> None:
        previous, self._last_key = self._last_key, keyID
        if keyID == b"\n" and previous == b"\r":
            return
        super().keystrokeReceived(keyID, modifier)

    def lineReceived(self, line: bytes) -> None:
        try:
            super().lineReceived(line)
        except ConnectionDropRequested:
            self.abort()

    def abort(self) -> None:
        """Close the TCP connection at once (RST), as a failed link or a crashed session would.

        Output not yet sent (the answer to the line being processed) is dropped.
        """
        self.terminal._pending = None
        self.terminal.aborted = True
        channel = getattr(self.terminal.transport, "session", None)
        try:
            tcp = channel.conn.transport.transport  # type: ignore[union-attr]
        except AttributeError:
            self.terminal.transport.loseConnection()
            return
        tcp.abortConnection()


class IosSshAvatar(SSHDemoAvatar):  # type: ignore[misc]
    """fake-switches' SSH avatar for one login, opening an ``IosSshShell`` behind a batching terminal."""

    def __init__(self, login: Login, switch_core: Any) -> None:
        super().__init__(login.username.encode(), switch_core=switch_core)
        self.login = login

    def openShell(self, protocol: Any) -> None:
        server_protocol = BatchingServerProtocol(IosSshShell, self, switch_core=self.switch_core)
        server_protocol.makeConnection(protocol)
        protocol.makeConnection(session.wrapProtocol(server_protocol))


class IosSshRealm(SSHDemoRealm):  # type: ignore[misc]
    """fake-switches' realm, handing out an ``IosSshAvatar`` for the ``Login`` the checker granted."""

    def requestAvatar(self, avatarId: Login, mind: Any, *interfaces: Any) -> tuple[Any, Any, Any]:
        if IConchUser not in interfaces:
            raise NotImplementedError("only SSH (IConchUser) logins are supported")
        return IConchUser, IosSshAvatar(avatarId, switch_core=self.switch_core), lambda: None


@implementer(ICredentialsChecker)
class RunningConfigChecker:
    """Password logins as the switch's running-config allows them (``EmulatedSwitch.login``)."""

    credentialInterfaces = (credentials.IUsernamePassword,)

    def __init__(self, switch: EmulatedSwitch) -> None:
        self.switch = switch

    def requestAvatarId(self, given: Any) -> Any:
        login = self.switch.login(given.username.decode(errors="replace"), given.password.decode(errors="replace"))
        return defer.succeed(login) if login is not None else defer.fail(cred_error.UnauthorizedLogin())


class TrackedServerTransport(transport.SSHServerTransport):  # type: ignore[misc]
    """An SSH connection registered with its switch while it is open."""

    def connectionMade(self) -> None:
        self.factory.switch.connections.add(self)
        super().connectionMade()

    def connectionLost(self, reason: Any) -> None:
        self.factory.switch.connections.discard(self)
        super().connectionLost(reason)


class IosSshFactory(factory.SSHFactory):  # type: ignore[misc]
    """SSH server of one switch: its current host key, running-config logins, no connection while cut off."""

    protocol = TrackedServerTransport

    def __init__(self, switch: EmulatedSwitch) -> None:
        self.switch = switch
        self.portal = portal.Portal(IosSshRealm(switch.core))
        self.portal.registerChecker(RunningConfigChecker(switch))

    @property
    def publicKeys(self) -> dict[bytes, Any]:
        return {self.switch.host_key.sshType(): self.switch.host_key.public()}

    @property
    def privateKeys(self) -> dict[bytes, Any]:
        return {self.switch.host_key.sshType(): self.switch.host_key}

    def buildProtocol(self, addr: Any) -> Any:
        if not self.switch.reachable:
            return None  # Twisted closes the socket at once: the path to this switch is cut
        return super().buildProtocol(addr)


def build_ssh_factory(switch: EmulatedSwitch) -> Any:
    """An SSH server factory for ``switch``."""
    return IosSshFactory(switch)
