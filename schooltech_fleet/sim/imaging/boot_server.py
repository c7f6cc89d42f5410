"""The simulation's boot server: :class:`schooltech_fleet.imaging.boot_server.BootServer` on a recorded lab.

The ``image`` job runs in another process than ``sim up``, which started the lab: everything
here works from the lab's record (:class:`~schooltech_fleet.sim.imaging.school_lab.LabRecord`)
and its files, which the lab's HTTP server reads on every request::

    server = boot_server_for(simulation.current(), "DEMO")
    server.open(mac, script, answer, token)    # boot/<mac>.ipxe, the answer behind tokens/<token>.json
                                               # (grub_entry=...: also tftp/grub/<mac>.cfg, Secure Boot)
    server.wake(mac)                           # a real magic packet from the boot server's namespace
    server.snapshot()                          # MACs that fetched /boot/<mac>.ipxe or /answer/<token> since
                                               # open(), tokens called back (callbacks/<token>.json)
    server.close(mac)                          # local boot again; the token, if still open, is closed

When the installer calls back, the HTTP server itself closes the token and flips the script (and
the GRUB entry) to local boot; :meth:`SimBootServer.close` does the same for a PC that never
called back. A Secure Boot PC's GRUB reads its entry over TFTP, which the HTTP log does not
show: its first HTTP request is its installer fetching the answer file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from schooltech_fleet.imaging.answers.render import RenderedAnswer
from schooltech_fleet.imaging.answers.request import Firmware
from schooltech_fleet.imaging.boot_server import BootSnapshot
from schooltech_fleet.imaging.pxe_service import ServedTree, local_boot_script, normal_mac
from schooltech_fleet.sim.imaging import network
from schooltech_fleet.sim.imaging.school_lab import LabPcRecord, LabRecord
from schooltech_fleet.sim.prereqs import run_host_command

if TYPE_CHECKING:
    from schooltech_fleet.sim.simulation import Simulation


class SimBootServer:
    """The boot server of a running simulated school's imaging lab."""

    def __init__(self, record: LabRecord) -> None:
        self.record = record
        self.tree = ServedTree(Path(record.served_root), record.tftp_root)

    @property
    def url(self) -> str:
        return self.record.url

    def open(self, mac: str, script: str, answer: RenderedAnswer, token: str, grub_entry: str | None = None) -> None:
        """Open *token* with *answer* (served as ``/answer/<token>``), then serve *script* (and a Secure
        Boot PC's *grub_entry*)."""
        self.tree.open_entry(mac, token, script, answer.text, answer_name=answer.filename, grub_entry=grub_entry)

    def close(self, mac: str) -> None:
        """Serve the local-boot script (and entry) for the PC's firmware again and close its open token, if any."""
        pc = self._lab_pc(normal_mac(mac))
        firmware: Firmware | None = None if pc is None else "bios" if pc.firmware == "bios" else "uefi"
        self.tree.close_entry(mac, local_boot_script(firmware))  # None: the script decides at boot time

    def wake(self, mac: str) -> None:
        """Send one magic packet for *mac* from the boot server's namespace to the segment's broadcast."""
        mac = normal_mac(mac)
        argv = ["wakeonlan", "-i", self.record.broadcast, "-p", "9", mac]
        run_host_command(network.in_namespace(self.record.boot_namespace, argv),
                         what=f"send a Wake-on-LAN packet for {mac}", timeout=30)  # fmt: skip

    def snapshot(self) -> BootSnapshot:
        """The PCs that fetched their script (``GET /boot/<mac>.ipxe``) or answer file since their entry
        was opened, and the tokens whose installer called back (the HTTP server recorded them)."""
        status = self.tree.status([self.record.logs / "http.jsonl"])
        return BootSnapshot(frozenset(status["asked"]), frozenset(status["called_back"]))

    def asked(self, mac: str) -> bool:
        """Whether the PC *mac* fetched its script or answer file since its entry was opened."""
        return normal_mac(mac) in self.snapshot().asked

    def called_back(self, token: str) -> bool:
        """Whether the installer holding *token* has called back."""
        return token in self.snapshot().called_back

    def _lab_pc(self, mac: str) -> LabPcRecord | None:
        """The lab's VM of *mac*, if the lab runs one (a boot server serves any MAC; the lab powers only its own)."""
        return next((pc for pc in self.record.pcs if pc.mac == mac), None)


def boot_server_for(simulation: Simulation | None, school: str) -> SimBootServer | None:
    """The boot server of *school*'s imaging lab in *simulation*; None without one (no ``--imaging``)."""
    if simulation is None:
        return None
    for record in simulation.labs:
        if record.school == school:
            return SimBootServer(record)
    return None
