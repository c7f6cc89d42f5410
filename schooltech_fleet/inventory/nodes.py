"""Execution nodes: the host inside a site's network that runs its school's jobs.

A site names its node (``execution_node: {host, port, user, host_key}``); the devices of the
site's rooms carry it as the variable ``execution_node``, which the jobs read to send a job
there instead of running it on the controller. A node with ``switches_via_node: true`` also carries
the switch sessions of its site (an SSH jump, ``network/jump.py``): the site's switches get the
variable ``switch_jump_node``. While a school is simulated, its rooms carry its simulated node
instead (when ``sim up --execution-node`` wrote one into the simulation layer) or none: a
simulated job never goes out to a real node. ``check`` holds the node to the network guard's
default (an address inside the school's own networks) and wants its host key: without one, the
controller cannot tell the node from anything else answering at its address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a job reads VARIABLE on its way to Ansible: no pydantic models on that path
    from .model import ExecutionNode, SimNode
    from .problems import Problem
    from .school import LoadedSchool

VARIABLE = "execution_node"
"""The host variable that names a device's execution node (absent when its site has none)."""

SWITCH_VARIABLE = "switch_jump_node"
"""The switch host variable naming the node its sessions go through (absent: the controller reaches it directly)."""


def node_vars(node: ExecutionNode) -> dict[str, Any]:
    """The node as the host variable ``execution_node`` holds it (JSON types)."""
    return {"host": str(node.host), "port": node.port, "user": node.user, "host_key": node.host_key}


def simulated_node_vars(node: SimNode, identity_file: str) -> dict[str, Any]:
    """A simulated node as the variable ``execution_node`` holds it: also the simulation's login key."""
    return {"host": str(node.host), "port": node.port, "user": node.user, "host_key": node.host_key,
            "identity_file": identity_file}  # fmt: skip


def site_node(school: LoadedSchool, site: str | None) -> tuple[int, ExecutionNode] | None:
    """The index of *site* and its execution node, if it names one."""
    for s, entry in enumerate(school.model.sites):
        if entry.name == site and entry.execution_node is not None:
            return s, entry.execution_node
    return None


def execution_nodes(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    """A node sits inside one of the school's networks, on a host address, and has its host key."""
    from .findings import Severity  # noqa: PLC0415 - check's code, kept off a job's imports (see above)
    from .problems import Problem  # noqa: PLC0415
    networks = {name: vlan.subnet for name, vlan in school.vlans.items() if vlan.subnet is not None}
    for s, site in enumerate(school.model.sites):
        node = site.execution_node
        if node is None:
            continue
        path = ("sites", s, "execution_node")
        where = f"execution node of site {site.name}"
        inside = [name for name, subnet in networks.items() if node.host in subnet]
        if not inside:
            yield Problem((*path, "host"), "address",
                          f"{where}: {node.host} is outside the networks school {school.code} declares",
                          "the network guard contacts only the school's own networks: give the node an address "
                          "in one of its VLANs (the management VLAN, usually)")  # fmt: skip
        else:
            vlan = school.vlans[inside[0]]
            subnet = networks[inside[0]]
            if node.host in (subnet.network_address, subnet.broadcast_address, vlan.gateway):
                yield Problem((*path, "host"), "address",
                              f"{where}: {node.host} is the network, broadcast or gateway address of VLAN "
                              f"{inside[0]!r}", "use the node's own host address")  # fmt: skip
        if node.host_key is None and node.switches_via_node:
            yield Problem((*path, "switches_via_node"), "node",
                          f"{where} carries the site's switch sessions (switches_via_node) but has no host_key: "
                          "the switch password would go through a node nobody verified",
                          "record the node's key as host_key: (compare 'ssh-keyscan -p PORT HOST' with the node's "
                          "console), or set switches_via_node: false")  # fmt: skip
        elif node.host_key is None:
            yield Problem(path, "node", f"{where} has no host_key: jobs cannot verify they reach the node itself",
                          f"record it with 'schooltech node setup --school {school.code}', or paste the line "
                          f"'ssh-keyscan -p {node.port} {node.host}' prints (without the address) as host_key:",
                          Severity.WARNING, at_key=True)  # fmt: skip
