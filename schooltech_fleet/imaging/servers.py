"""Which boot server serves a school's imaging run: its simulation's imaging lab, or none yet.

A live school's boot server is a host running the ``pxe_server`` role; driving it (writing a
PC's entry, sending its wake packet over SSH, reading its callbacks) is not built yet, so an
imaging run of a live school is refused with that said. A simulated school (``schooltech
sim up --imaging``) is imaged through its lab, and each installed PC's container is started
to play the installed system for the rebuild.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import UsageError
from ..inventory import Fleet
from ..sim import simulation
from ..sim.imaging.boot_server import boot_server_for as lab_boot_server
from .boot_server import BootServer
from .plan import PlannedPc


def boot_server_for(fleet: Fleet, school: str) -> tuple[BootServer, Callable[[PlannedPc], None] | None]:
    """The boot server of *school*, and what to do with a PC once its installer has called back."""
    if school not in fleet.simulated:
        raise UsageError(f"imaging the live school {school} needs its pxe_server host driven over SSH, "
                         "which this version cannot do yet",
                         "image its simulation: schooltech sim up --imaging (docs/imaging.md)")  # fmt: skip
    running = simulation.current()
    lab = lab_boot_server(running, school)
    if running is None or lab is None:
        raise UsageError(f"the simulation of {school} has no imaging lab",
                         "start it with: schooltech sim up --imaging")  # fmt: skip
    return lab, lambda pc: simulation.installed_pc_ready(running, pc.target.name)
