"""SSH host keys of emulated switches: one Ed25519 key per switch, generated or given."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from twisted.conch.ssh import keys as _keys

from schooltech_fleet.errors import SimulationError

# Twisted's zope interfaces confuse mypy without the mypy-zope plugin: use it untyped.
keys: Any = _keys


def generate_private_key() -> str:
    """A new Ed25519 private key in OpenSSH format."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                            serialization.NoEncryption())  # fmt: skip
    return raw.decode()


def load_private_key(text: str) -> Any:
    """A Twisted Conch key from OpenSSH or PEM private key text; SimulationError if it is not one."""
    try:
        key = keys.Key.fromString(text.encode())
    except (keys.BadKeyError, ValueError) as error:
        raise SimulationError(f"not an SSH private key: {error}") from None
    if key.isPublic():
        raise SimulationError("an SSH host key must be a private key")
    return key


def public_line(key: Any) -> str:
    """``ssh-ed25519 AAAA...``: the public key as a known-hosts or authorized-keys entry shows it."""
    return str(key.public().toString("openssh").decode())
