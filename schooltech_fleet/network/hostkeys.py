"""Switch SSH host keys: every session checks them strictly; a key is recorded only on purpose.

Whoever answers on a switch's management address would receive the switch password if
the client took any host key it was offered. So every session (``session.py``) checks the
switch's key against a known-hosts file (OpenSSH format) before it logs in, and refuses a
switch whose key is not recorded or differs from the recorded one. Keys are recorded by
``schooltech net trust`` after a technician has compared the fingerprint (``trust.py``);
simulated switches come with the file their simulation wrote (``switch_known_hosts``).

The file for real switches is ``switch_known_hosts`` in the state directory (``0600``).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko

from .. import locks, private
from ..errors import FleetError
from ..paths import state_dir

KNOWN_HOSTS = "switch_known_hosts"
SCAN_TIMEOUT = 15.0
_SSH_PORT = 22


class HostKeyScanFailed(FleetError):
    """A switch's host key could not be read (no answer, not SSH)."""

    exit_code = 1


@dataclass(frozen=True)
class HostKey:
    """One SSH host key: its type (``ssh-ed25519``, ``ssh-rsa``, ...) and its base64 blob."""

    type: str
    data: str

    @property
    def fingerprint(self) -> str:
        """As OpenSSH shows it: ``SHA256:`` and the unpadded base64 of the key's SHA-256."""
        digest = hashlib.sha256(base64.b64decode(self.data)).digest()
        return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")

    @classmethod
    def of(cls, key: Any) -> HostKey:
        """From a paramiko key."""
        return cls(str(key.get_name()), str(key.get_base64()))


def default_file() -> Path:
    """The known-hosts file of real switches, in the state directory."""
    return state_dir() / KNOWN_HOSTS


def host_name(host: str, port: int) -> str:
    """How known-hosts files name *host* on *port* (OpenSSH: ``host``, or ``[host]:port`` off port 22)."""
    return host if port == _SSH_PORT else f"[{host}]:{port}"


def recorded(known_hosts: Path, host: str, port: int) -> tuple[HostKey, ...]:
    """The keys *known_hosts* holds for *host*:*port* (none if the file does not exist)."""
    keys = _load(known_hosts).lookup(host_name(host, port))
    return tuple(HostKey.of(key) for key in keys.values()) if keys else ()


def offered(host: str, port: int, prefer: Sequence[str] = (), timeout: float = SCAN_TIMEOUT,
            sock: paramiko.Channel | None = None) -> HostKey:  # fmt: skip
    """The key *host*:*port* offers: the SSH key exchange only, nothing sent after it (no login).

    With *prefer* (the types recorded for it), the key type is negotiated as a session
    negotiates it, so the key compared is the key a session would check. *sock*: a channel
    to it already open (through its execution node, :mod:`.jump`) instead of a new connection.
    """
    try:
        connection = sock if sock is not None else socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise HostKeyScanFailed(f"no answer at {host}:{port} ({exc.strerror or exc})") from exc
    transport = paramiko.Transport(connection)
    try:
        if prefer:
            options = transport.get_security_options()
            wanted = [name for kind in prefer for name in _algorithms(kind) if name in options.key_types]
            options.key_types = [*dict.fromkeys(wanted), *(k for k in options.key_types if k not in wanted)]
        transport.banner_timeout = timeout
        transport.start_client(timeout=timeout)
        return HostKey.of(transport.get_remote_server_key())
    except (paramiko.SSHException, EOFError, OSError) as exc:
        raise HostKeyScanFailed(f"{host}:{port} did not complete an SSH key exchange ({exc})") from exc
    finally:
        transport.close()


def record(known_hosts: Path, host: str, port: int, key: HostKey, *, replace: bool = False) -> None:
    """Add *key* for *host*:*port* to *known_hosts* (``0600``, replaced atomically); *replace*: drop its other keys."""
    with locks.hold(locks.path("known-hosts"), f"recording the host key of {host}:{port}", wait=True):
        keys = _load(known_hosts)
        name = host_name(host, port)
        if replace:
            with contextlib.suppress(KeyError):
                while True:
                    del keys[name]
        keys.add(name, key.type, paramiko.PKey.from_type_string(key.type, base64.b64decode(key.data)))
        private.write_text(known_hosts, "".join(f"{hostname} {kind} {entry.get_base64()}\n"
                                                for hostname in keys
                                                for kind, entry in keys[hostname].items()))  # fmt: skip


def refusal(error: BaseException, name: str, host: str, port: int, known_hosts: Path,
            simulated: bool = False) -> tuple[str, str] | None:  # fmt: skip
    """(message, hint) when *error*, raised while connecting, is a refused host key; else None."""
    hint = f"nothing was sent to {host}:{port}, not even the login (known hosts: {known_hosts})"
    for cause in _chain(error):
        if isinstance(cause, paramiko.BadHostKeyException):
            was, now = HostKey.of(cause.expected_key).fingerprint, HostKey.of(cause.key).fingerprint
            if simulated:
                return (f"the SSH host key of {name} CHANGED (recorded {was}, offered {now}): the simulation "
                        "recorded another key; restart it ('schooltech sim down', then 'schooltech sim up')", hint)
            return (f"the SSH host key of {name} CHANGED (recorded {was}, offered {now}): if the switch was "
                    f"replaced, run 'schooltech net trust --switch {name} --replace' after checking the new "
                    "fingerprint; otherwise someone may be intercepting the session", hint)  # fmt: skip
        if isinstance(cause, paramiko.SSHException) and "not found in known_hosts" in str(cause):
            if simulated:
                return (f"the SSH host key of {name} ({host}:{port}) is not known: its simulation records it when "
                        "it starts; restart it ('schooltech sim down', then 'schooltech sim up')", hint)
            return (f"the SSH host key of {name} ({host}:{port}) is not known; check its fingerprint and record it "
                    f"with 'schooltech net trust --switch {name}'", hint)  # fmt: skip
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    """*error* and what it was raised from or while handling (Netmiko wraps paramiko's errors)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _algorithms(key_type: str) -> tuple[str, ...]:
    """The host key algorithms that present a key of *key_type* (an RSA key signs with SHA-2 today)."""
    return ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa") if key_type == "ssh-rsa" else (key_type,)


def _load(known_hosts: Path) -> Any:
    keys = paramiko.HostKeys()
    if known_hosts.is_file():
        private.conform(known_hosts)
        keys.load(str(known_hosts))
    return keys

