"""Which boot server serves a school's imaging run: its simulation's imaging lab, or its ``pxe_server`` host.

A simulated school (``schooltech sim up --imaging``) is imaged through its lab, and each
installed PC's container is started to play the installed system for the rebuild. A live
school's boot server is the host its school file lists under ``boot_servers`` (running the
``pxe_server`` role), driven over SSH (:class:`~schooltech_fleet.imaging.live_server.LiveBootServer`)
once the network guard allows its address; the installed PCs are then real PCs, reached by
the rebuild as any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import UsageError
from ..guard import check_reachable
from ..inventory import Fleet
from ..sim import simulation
from ..sim.imaging.boot_server import boot_server_for as lab_boot_server
from .boot_server import BootServer
from .live_server import LiveBootServer, SshTarget
from .plan import ROLE_HTTP_PORT, PlannedPc


def boot_server_for(fleet: Fleet, school: str) -> tuple[BootServer, Callable[[PlannedPc], None] | None]:
    """The boot server of *school*, and what to do with a PC once its installer has called back."""
    if school not in fleet.simulated:
        return live_boot_server(fleet, school), None
    running = simulation.current()
    lab = lab_boot_server(running, school)
    if running is None or lab is None:
        raise UsageError(f"the simulation of {school} has no imaging lab",
                         "start it with: schooltech sim up --imaging")  # fmt: skip
    return lab, lambda pc: simulation.installed_pc_ready(running, pc.target.name)


def live_boot_server(fleet: Fleet, school: str) -> LiveBootServer:
    """The ``pxe_server`` host serving *school*'s imaged PCs, once the network guard allows it."""
    found = school_boot_servers(fleet, school)
    if not found:
        raise UsageError(f"no PC of {school} is to be imaged through a boot server",
                         "give its rooms an imaging profile, the school a boot server (docs/imaging.md)")  # fmt: skip
    if len(found) > 1:
        raise UsageError(f"{school}'s PCs are served by {len(found)} boot servers ({', '.join(sorted(found))}); "
                         "one imaging run drives one", "image one site or VLAN at a time: --room")  # fmt: skip
    (name, server), *_ = found.items()
    check_reachable({name: server["address"]}, {name: fleet.networks.get(school, ())})
    ssh = SshTarget(host=server["address"], port=int(server.get("ssh_port") or 22), user=server.get("ssh_user"))
    return LiveBootServer(name, f"http://{server['address']}:{ROLE_HTTP_PORT}", ssh)


def school_boot_servers(fleet: Fleet, school: str) -> dict[str, dict[str, Any]]:
    """Name -> the resolved boot server (name, address, ssh_user, ssh_port) of every imaged PC of *school*."""
    found: dict[str, dict[str, Any]] = {}
    for name, host in fleet.hosts.items():
        if host.school != school:
            continue
        server = (fleet.host_vars(name).get("imaging") or {}).get("boot_server")
        if server is not None:
            found[server["name"]] = server
    return found
