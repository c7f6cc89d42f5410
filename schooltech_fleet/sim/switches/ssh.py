"""SSH access to emulated switches, built from fake-switches' avatar, realm, shell and host key.

Differences from the stock fake-switches SSH service:

* the password checker gets bytes, so logins work on Python 3;
* output produced while one received packet is processed leaves in one write (fewer, larger SSH
  packets; a client cannot tell the difference) and no terminal-reset sequence is sent on exit;
* ``\\r\\n`` counts as one Enter, like on a real terminal line;
* a session can be aborted at TCP level (``drop_after`` faults, ``disconnect``).
"""

from __future__ import annotations

import functools
from typing import Any

from fake_switches.terminal.ssh import SwitchSSHShell
from fake_switches.transports.ssh_service import SSHDemoAvatar, SSHDemoRealm, getRSAKeys
from twisted.conch.insults import insults as _insults
from twisted.conch.interfaces import IConchUser
from twisted.conch.ssh import factory as _factory
from twisted.conch.ssh import keys as _keys
from twisted.conch.ssh import session as _session
from twisted.cred import checkers as _checkers
from twisted.cred import portal as _portal

from schooltech_fleet.sim.switches.session import ConnectionDropRequested
from schooltech_fleet.sim.switches.switch import EmulatedSwitch

# Twisted's zope interfaces confuse mypy without the mypy-zope plugin: use it untyped.
insults: Any = _insults
factory: Any = _factory
keys: Any = _keys
session: Any = _session
checkers: Any = _checkers
portal: Any = _portal


class BatchingServerProtocol(insults.ServerProtocol):  # type: ignore[misc]
    """Terminal protocol that coalesces the writes made while handling one incoming packet."""

    _pending: list[bytes] | None = None

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
        if not data:
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
        super().connectionMade()
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
        """Close the TCP connection at once (RST), as a failed link or a crashed session would."""
        self.terminal._pending = None
        channel = getattr(self.terminal.transport, "session", None)
        try:
            tcp = channel.conn.transport.transport  # type: ignore[union-attr]
        except AttributeError:
            self.terminal.transport.loseConnection()
            return
        tcp.abortConnection()


class IosSshAvatar(SSHDemoAvatar):  # type: ignore[misc]
    """fake-switches' SSH avatar, opening an ``IosSshShell`` behind a batching terminal."""

    def openShell(self, protocol: Any) -> None:
        server_protocol = BatchingServerProtocol(IosSshShell, self, switch_core=self.switch_core)
        server_protocol.makeConnection(protocol)
        protocol.makeConnection(session.wrapProtocol(server_protocol))


class IosSshRealm(SSHDemoRealm):  # type: ignore[misc]
    """fake-switches' realm, handing out ``IosSshAvatar``."""

    def requestAvatar(self, avatarId: bytes, mind: Any, *interfaces: Any) -> tuple[Any, Any, Any]:
        if IConchUser not in interfaces:
            raise NotImplementedError("only SSH (IConchUser) logins are supported")
        return IConchUser, IosSshAvatar(avatarId, switch_core=self.switch_core), lambda: None


@functools.cache
def _host_keys() -> tuple[Any, Any]:
    public, private = getRSAKeys()
    return keys.Key.fromString(data=public.encode()), keys.Key.fromString(data=private.encode())


def build_ssh_factory(switch: EmulatedSwitch) -> Any:
    """An SSH server factory for ``switch``: one user (bytes credentials), fake-switches' host key."""
    ssh_factory = factory.SSHFactory()
    ssh_factory.portal = portal.Portal(IosSshRealm(switch.core))
    checker = checkers.InMemoryUsernamePasswordDatabaseDontUse()
    checker.addUser(switch.spec.username.encode(), switch.spec.password.encode())
    ssh_factory.portal.registerChecker(checker)
    public, private = _host_keys()
    ssh_factory.publicKeys = {b"ssh-rsa": public}
    ssh_factory.privateKeys = {b"ssh-rsa": private}
    return ssh_factory
