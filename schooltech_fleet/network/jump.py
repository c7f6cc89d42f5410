"""Switch sessions through the school's execution node: an SSH jump to a management network the controller
cannot reach.

A site whose node says ``switches_via_node: true`` gives its switches the host variable
``switch_jump_node``. A session with such a switch is opened in three steps:

1. **Log in to the node** with paramiko, trusting only the node's recorded ``host_key`` (the
   one key known, ``RejectPolicy``: an unknown or changed key is refused before the login).
   The login is the controller user's, as ``ssh`` makes it for jobs: the SSH agent, then
   ``~/.ssh/id_*``.
2. **Ask the node for a ``direct-tcpip`` channel** to the switch's address and port (the node
   connects; its sshd must allow TCP forwarding).
3. **Hand the channel to Netmiko** as its socket: the switch's own host key is checked as on a
   direct session, and the switch password travels inside the switch's SSH session, never
   readable by the node.

The network guard has already checked the node's address and the switch's (``targets.py``).
Closing the session closes its channel. Every session of the process through the same node
shares **one** logged-in connection to it (a channel each, opened concurrently): a push to 20
switches through a node makes one SSH login there, not 20, and never meets the node's
``MaxStartups`` (10 unauthenticated connections by default). The connection closes when the
last session through it closes; one that has died is replaced by the next session.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import paramiko

from ..errors import FleetError
from .hostkeys import HostKey, host_name

CONNECT_TIMEOUT = 15.0


class NodeUnreachable(FleetError):
    """The execution node could not be reached, was not the recorded one, or would not forward to the switch."""

    exit_code = 1


@dataclass(frozen=True)
class JumpNode:
    """The execution node a switch is reached through."""

    host: str
    port: int
    user: str
    host_key: str | None  # 'ssh-ed25519 AAAA...' as the inventory records it; None: not recorded, refused

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> JumpNode:
        """From the switch host variable ``switch_jump_node`` (the node as ``inventory.nodes.node_vars`` writes it)."""
        key = values.get("host_key")
        return cls(str(values["host"]), int(values["port"]), str(values["user"]), str(key) if key else None)

    @property
    def label(self) -> str:
        """How messages name the node: ``execution node USER@HOST:PORT``."""
        return f"execution node {self.user}@{self.host}:{self.port}"


class _Connections:
    """The logged-in connection to each node, shared by the sessions that use it, closed after the last one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # held through a login: a second session waits for it, then shares it
        self._current: dict[JumpNode, paramiko.SSHClient] = {}
        self._users: dict[paramiko.SSHClient, int] = {}

    @contextlib.contextmanager
    def transport(self, node: JumpNode, switch: str) -> Iterator[paramiko.Transport]:
        with self._lock:
            client, transport = self._live(node) or self._login(node, switch)
            self._users[client] = self._users.get(client, 0) + 1
        try:
            yield transport
        finally:
            with self._lock:
                self._users[client] -= 1
                if not self._users[client]:
                    del self._users[client]
                    if self._current.get(node) is client:
                        del self._current[node]
                    client.close()

    def _live(self, node: JumpNode) -> tuple[paramiko.SSHClient, paramiko.Transport] | None:
        client = self._current.get(node)
        transport = client.get_transport() if client is not None else None
        return (client, transport) if client is not None and transport is not None and transport.is_active() else None

    def _login(self, node: JumpNode, switch: str) -> tuple[paramiko.SSHClient, paramiko.Transport]:
        client = _client(node, switch)
        try:
            _login(client, node, switch)
        except BaseException:
            client.close()
            raise
        transport = client.get_transport()
        assert transport is not None  # connected just above
        self._current[node] = client
        return client, transport


_CONNECTIONS = _Connections()


@contextlib.contextmanager
def channel(node: JumpNode, switch: str, host: str, port: int) -> Iterator[paramiko.Channel]:
    """A channel from *node* to switch *switch* at *host*:*port* over the node's shared connection; closed after
    the block (and the connection, if no other session uses it)."""
    with _CONNECTIONS.transport(node, switch) as transport:
        try:
            forwarded = transport.open_channel("direct-tcpip", (host, port), ("127.0.0.1", 0), timeout=CONNECT_TIMEOUT)
        except (paramiko.ChannelException, paramiko.SSHException, EOFError, OSError) as exc:
            reason = f"{exc.text} (code {exc.code})" if isinstance(exc, paramiko.ChannelException) else str(exc)
            raise NodeUnreachable(
                f"{switch}: the {node.label} did not open a connection to the switch at {host}:{port}: {reason}",
                f"check from the node that the switch answers SSH (ssh -p {node.port} -W {host}:{port} "
                f"{node.user}@{node.host}) and that the node's sshd allows TCP forwarding (AllowTcpForwarding yes)",
            ) from exc
        try:
            yield forwarded
        finally:
            forwarded.close()


def _client(node: JumpNode, switch: str) -> paramiko.SSHClient:
    """An SSH client that knows the node's recorded key and no other."""
    if not node.host_key:
        raise NodeUnreachable(
            f"{switch}: its sessions go through the {node.label}, which has no host_key: schooltech cannot tell "
            "the node from anything else answering at its address", "add the node's key as host_key: in the school "
            f"file after comparing it on the node's console (ssh-keyscan -p {node.port} {node.host})",
        )  # fmt: skip
    entry = paramiko.hostkeys.HostKeyEntry.from_line(f"{host_name(node.host, node.port)} {node.host_key}")
    if entry is None or entry.key is None:
        raise NodeUnreachable(f"{switch}: the host_key of the {node.label} is not an SSH public key",
                              "write it as 'ssh-ed25519 AAAA...': ssh-keyscan's line without the address")  # fmt: skip
    client = paramiko.SSHClient()
    client.get_host_keys().add(entry.hostnames[0], entry.key.get_name(), entry.key)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    return client


def _login(client: paramiko.SSHClient, node: JumpNode, switch: str) -> None:
    nothing_sent = f"nothing was sent to {switch}"
    try:
        client.connect(node.host, node.port, username=node.user, timeout=CONNECT_TIMEOUT,
                       banner_timeout=CONNECT_TIMEOUT, auth_timeout=CONNECT_TIMEOUT,
                       allow_agent=True, look_for_keys=True)  # fmt: skip
    except paramiko.BadHostKeyException as exc:
        was, now = HostKey.of(exc.expected_key).fingerprint, HostKey.of(exc.key).fingerprint
        raise NodeUnreachable(
            f"{switch}: the SSH host key of the {node.label} CHANGED (recorded {was}, offered {now})",
            f"{nothing_sent}, nor the node's login; if the node was reinstalled, record its new key as host_key: "
            "after comparing it on the node's console; otherwise someone may be intercepting the session",
        ) from exc
    except paramiko.AuthenticationException as exc:
        raise NodeUnreachable(
            f"{switch}: the {node.label} refused the login: {exc}",
            f"{nothing_sent}; the controller logs in with its SSH agent or ~/.ssh/id_* keys, as for jobs: "
            f"check that one of them is in {node.user}'s authorized_keys on the node",
        ) from exc
    except (paramiko.SSHException, EOFError, OSError) as exc:
        if "not found in known_hosts" in str(exc):  # RejectPolicy: the node offered a key of another type
            raise NodeUnreachable(
                f"{switch}: the {node.label} did not offer its recorded host key",
                f"{nothing_sent}, nor the node's login; compare the node's keys on its console "
                f"(ssh-keyscan -p {node.port} {node.host}) with host_key: in the school file",
            ) from exc
        said = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc  # not '[Errno None] ...'
        raise NodeUnreachable(
            f"{switch}: no answer from the {node.label} ({said})",
            f"{nothing_sent}; check that the node is up and its sshd listens on port {node.port}",
        ) from exc
