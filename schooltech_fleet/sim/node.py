"""A simulated school's execution node: a container of the lab-PC image, sshd on its own 127.0.0.1 port.

It is labelled ``schooltech.role=node`` (never listed or counted as a lab PC) and logs in the
simulation's admin user with the simulation's key, like a lab PC. It reaches the school's PCs as a
real node reaches them from inside the school: over SSH, at the addresses the inventory gives
(here 127.0.0.1:PORT, the containers share the host network). The node **holds** the login it
uses for them, as a real node holds its own key: the simulation's private key and the PCs'
known_hosts are installed in it at the same paths as on the controller, so the sliced inventory
a job carries (``ansible_ssh_private_key_file``, ``UserKnownHostsFile``) works there unchanged and
no key travels in a job's payload.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import SimulationError
from ..nodes.hostkey import offered_key
from . import pcs
from .image import ADMIN_USER

LOOPBACK = "127.0.0.1"


def node_name(school: str) -> str:
    """The name of *school*'s execution node (``DEMO-NODE``)."""
    return f"{school}-NODE"


def node_spec(school: str) -> pcs.PcSpec:
    return pcs.PcSpec(node_name(school).lower(), role="node")


def give_login(container: str, private_key: Path, known_hosts: Path) -> None:
    """Install the simulation's key and the PCs' known_hosts in the node, at the controller's paths.

    Those paths may lie under a home only root may enter (the default state directory of root is
    under ``/root``): every directory above them is made passable, so the node's user reaches them.
    """
    pcs.install_file(container, str(private_key), private_key.read_text(), ADMIN_USER)
    pcs.install_file(container, str(known_hosts), known_hosts.read_text(), ADMIN_USER, "0644")
    above = sorted({str(parent) for path in (private_key, known_hosts) for parent in path.parents})
    pcs.exec_in(container, ["chmod", "a+x", *above], check=True)


def scan_host_key(port: int) -> str:
    """The node's ed25519 host key as ``ssh-ed25519 AAAA...`` (what ``host_key:`` holds)."""
    key = offered_key(LOOPBACK, port)
    if key is not None:
        return key
    raise SimulationError(f"the execution node on {LOOPBACK}:{port} offered no ed25519 host key",
                          "its sshd did not answer ssh-keyscan; try 'schooltech sim up' again")  # fmt: skip


def layer_entry(port: int, host_key: str) -> dict[str, Any]:
    """The node as the simulation layer names it (``schools.CODE.execution_node``)."""
    return {"host": LOOPBACK, "port": port, "user": ADMIN_USER, "host_key": host_key}
