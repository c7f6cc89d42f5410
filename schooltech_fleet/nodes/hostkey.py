"""An execution node's SSH host key: what it offers, its fingerprint, and recording it in the school file.

A node is never trusted on first use: the key it offers is shown with its fingerprint, and
recorded (as the site's ``execution_node.host_key``) only once the caller confirms it, having
compared the fingerprint with what the node's console shows.
"""

from __future__ import annotations

import base64
import binascii
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..guard import check_reachable
from ..inventory import Fleet
from ..inventory.edit import add_value
from ..inventory.model import ExecutionNode
from ..inventory.yamlsource import LocDict, YamlProblem, read_file
from ..network.hostkeys import HostKey

SCAN_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class OfferedKey:
    """The key a node without ``host_key`` offers, and where its school file declares the node."""

    school: str
    site: str
    node: str  # user@host:port
    key: str  # "ssh-ed25519 AAAA...", as host_key: holds it
    file: Path
    line: int  # of the site's execution_node:
    site_index: int

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)


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


def unrecorded_keys(fleet: Fleet, school: str) -> tuple[OfferedKey, ...]:
    """The nodes *school*'s file names without a host_key, each with the key it offers (the guard applies)."""
    path = fleet.school(school)
    try:
        data = read_file(path)
    except YamlProblem as exc:
        raise UsageError(f"{path}: {exc}", "run 'schooltech check'") from exc
    return tuple(_offered(school, path, data, fleet.networks.get(school, ())))


def _offered(school: str, path: Path, data: Any, networks: Sequence[str]) -> Iterator[OfferedKey]:
    sites = data.get("sites") if isinstance(data, LocDict) else None
    scanned: dict[tuple[str, int], str | None] = {}
    for s, site in enumerate(sites if isinstance(sites, list) else ()):
        raw = site.get("execution_node") if isinstance(site, LocDict) else None
        if not isinstance(raw, LocDict) or raw.get("host_key"):
            continue
        node = ExecutionNode.model_validate(dict(raw))  # the file passed check: its defaults, its types
        label = f"{node.user}@{node.host}:{node.port}"
        name = f"execution node {label}"
        check_reachable({name: str(node.host)}, {name: networks})
        address = (str(node.host), node.port)
        if address not in scanned:
            scanned[address] = offered_key(*address)
        key = scanned[address]
        if key is None:
            raise UsageError(f"the {name} has no host_key and offers no ed25519 host key (is its sshd running?)",
                             "start its sshd, or add its key as host_key: (on the node: "
                             "cat /etc/ssh/ssh_host_ed25519_key.pub)")  # fmt: skip
        yield OfferedKey(school, str(site.get("name")), label, key, path, site.key_marks["execution_node"][0], s)


def record_key(offered: OfferedKey) -> None:
    """Write *offered*'s key as its site's ``execution_node.host_key``, changing nothing else in the file."""
    add_value(offered.file, ("sites", offered.site_index, "execution_node"), "host_key", offered.key)
