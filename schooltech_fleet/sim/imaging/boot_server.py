"""The simulation's boot server: :class:`schooltech_fleet.imaging.boot_server.BootServer` on a recorded lab.

The ``image`` job runs in another process than ``sim up``, which started the lab: everything
here works from the lab's record (:class:`~schooltech_fleet.sim.imaging.school_lab.LabRecord`)
and its files, which the lab's HTTP server reads on every request::

    server = boot_server_for(simulation.current(), "DEMO")
    server.open(mac, script, answer, token)    # boot/<mac>.ipxe, the answer behind tokens/<token>.json
                                               # (grub_entry=...: also tftp/grub/<mac>.cfg, Secure Boot)
    server.wake(mac)                           # a real magic packet from the boot server's namespace
    server.asked(mac)                          # GET /boot/<mac>.ipxe or /answer/<token> since open()
    server.called_back(token)                  # callbacks/<token>.json, written by the HTTP server
    server.close(mac)                          # local boot again; the token, if still open, is closed

When the installer calls back, the HTTP server itself closes the token and flips the script (and
the GRUB entry) to local boot; :meth:`SimBootServer.close` does the same for a PC that never
called back. A Secure Boot PC's GRUB reads its entry over TFTP, which the HTTP log does not
show: its first HTTP request is its installer fetching the answer file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.imaging.answers.render import RenderedAnswer
from schooltech_fleet.imaging.answers.request import Firmware
from schooltech_fleet.imaging.grub import LOCAL_BOOT_ENTRY
from schooltech_fleet.imaging.ipxe import local_boot_script
from schooltech_fleet.sim.imaging import network
from schooltech_fleet.sim.imaging.school_lab import LabPcRecord, LabRecord
from schooltech_fleet.sim.imaging.served_tree import ServedTree, hexhyp, normal_mac, valid_token, write_atomically
from schooltech_fleet.sim.prereqs import run_host_command

if TYPE_CHECKING:
    from schooltech_fleet.sim.simulation import Simulation


class SimBootServer:
    """The boot server of a running simulated school's imaging lab."""

    def __init__(self, record: LabRecord) -> None:
        self.record = record
        self.tree = ServedTree(Path(record.served_root), record.tftp_root)
        self._entries = Path(record.workdir) / "entries"  # when each PC's entry was opened (not served)

    @property
    def url(self) -> str:
        return self.record.url

    def open(self, mac: str, script: str, answer: RenderedAnswer, token: str, grub_entry: str | None = None) -> None:
        """Open *token* with *answer* (served as ``/answer/<token>``), then serve *script* (and
        *grub_entry*) to the PC."""
        mac = normal_mac(mac)
        if not valid_token(token):
            raise SimulationError(f"{token!r} is not a one-shot token", "16 to 128 characters of A-Z a-z 0-9 _ -")
        self._close_tokens(mac)
        write_atomically(self._entry(mac), json.dumps({"token": token, "opened_at": time.time()}) + "\n")
        self.tree.open_token(token, mac, answer.text, answer_name=answer.filename)
        self.tree.write_script(mac, script)
        if grub_entry is not None:
            self.tree.write_grub_entry(mac, grub_entry)

    def close(self, mac: str) -> None:
        """Serve the local-boot script for the PC's firmware again and close its open token, if any."""
        mac = normal_mac(mac)
        pc = self._lab_pc(mac)
        firmware: Firmware | None = None if pc is None else "bios" if pc.firmware == "bios" else "uefi"
        self.tree.write_script(mac, local_boot_script(firmware))  # None: the script decides at boot time
        if self.tree.grub_entry_path(mac).exists():
            self.tree.write_grub_entry(mac, LOCAL_BOOT_ENTRY)
        self._close_tokens(mac)

    def wake(self, mac: str) -> None:
        """Send one magic packet for *mac* from the boot server's namespace to the segment's broadcast."""
        mac = normal_mac(mac)
        argv = ["wakeonlan", "-i", self.record.broadcast, "-p", "9", mac]
        run_host_command(network.in_namespace(self.record.boot_namespace, argv),
                         what=f"send a Wake-on-LAN packet for {mac}", timeout=30)  # fmt: skip

    def asked(self, mac: str) -> bool:
        """Whether the PC fetched its script (``GET /boot/<mac>.ipxe``) or answer file since its entry was opened."""
        try:
            entry = json.loads(self._entry(mac).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return False
        opened_at = float(entry["opened_at"])
        paths = {f"/boot/{hexhyp(mac)}.ipxe", f"/answer/{entry['token']}"}
        log = self.record.logs / "http.jsonl"
        if not log.exists():
            return False
        for line in log.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            request = json.loads(line)
            if request["method"] == "GET" and request["path"] in paths and request["time"] >= opened_at:
                return True
        return False

    def called_back(self, token: str) -> bool:
        """Whether the installer holding *token* has called back (the HTTP server recorded it)."""
        return valid_token(token) and self.tree.callback_path(token).exists()

    def _lab_pc(self, mac: str) -> LabPcRecord | None:
        """The lab's VM of *mac*, if the lab runs one (a boot server serves any MAC; the lab powers only its own)."""
        return next((pc for pc in self.record.pcs if pc.mac == mac), None)

    def _entry(self, mac: str) -> Path:
        return self._entries / f"{hexhyp(mac)}.json"

    def _close_tokens(self, mac: str) -> None:
        """Close every open token of *mac* (a closed token's answer is no longer served)."""
        wanted = normal_mac(mac)
        for path in (self.tree.root / "tokens").glob("*.json"):
            record = self.tree.token_record(path.stem)
            if record is not None and normal_mac(str(record["mac"])) == wanted:
                path.unlink(missing_ok=True)


def boot_server_for(simulation: Simulation | None, school: str) -> SimBootServer | None:
    """The boot server of *school*'s imaging lab in *simulation*; None without one (no ``--imaging``)."""
    if simulation is None:
        return None
    for record in simulation.labs:
        if record.school == school:
            return SimBootServer(record)
    return None
