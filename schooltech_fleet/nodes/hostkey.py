"""An execution node's SSH host key: what it offers, and its fingerprint to compare on the node's console."""

from __future__ import annotations

import base64
import binascii
import subprocess

from ..network.hostkeys import HostKey

SCAN_TIMEOUT_SECONDS = 5


def offered_key(host: str, port: int) -> str | None:
    """The ed25519 host key *host*:*port* offers (``ssh-ed25519 AAAA...``, as ``host_key:`` holds it), or None."""
    try:
        scan = ["ssh-keyscan", "-T", str(SCAN_TIMEOUT_SECONDS), "-t", "ed25519", "-p", str(port), host]
        done = subprocess.run(scan, capture_output=True, text=True, timeout=SCAN_TIMEOUT_SECONDS + 5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in done.stdout.splitlines():
        words = line.split()
        if len(words) >= 3 and not line.startswith("#"):
            return f"{words[1]} {words[2]}"
    return None


def fingerprint(key: str) -> str:
    """As ``ssh-keygen -lf`` shows it (:attr:`.HostKey.fingerprint`), or "unreadable key"."""
    words = key.split()
    try:
        base64.b64decode(words[1], validate=True)
    except (IndexError, binascii.Error):
        return "unreadable key"
    return HostKey(words[0], words[1]).fingerprint
