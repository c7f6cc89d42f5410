"""The imaging lab of a simulated school: started by ``sim up --imaging``, outliving it, ended by ``sim down``.

One lab per simulated school whose simulated PCs have imaging targets: one VM per such PC
(its inventory name, MAC and firmware; a Secure Boot model boots OVMF enforcing Secure Boot,
through Debian's signed shim and GRUB), on a segment with the PCs' VLAN subnet, its gateway as the
"router" and the boot server at its declared address. Those addresses exist inside the
lab's namespaces only, never on the host.

Every installer medium an ``image`` script names (``files/debian12/linux`` and the like,
see :data:`schooltech_fleet.imaging.ipxe.MEDIA`) is the stand-in installer, which finds its
token in the installer's own command line (see :mod:`installer`): the job's scripts run as
written.

The lab's services are separate processes; :class:`LabRecord` is what a later process needs
to reach them (:mod:`boot_server`), report them (:func:`lab_status`) and end them
(:func:`stop_lab`). The lab's run id names an *owner* process (``sleep infinity`` in a
session of its own): while it lives, no other lab's start takes this lab for the leftovers of
a crashed run; :func:`stop_lab` ends it last.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.imaging.ipxe import MEDIA
from schooltech_fleet.imaging.pxe_service import normal_mac
from schooltech_fleet.imaging.targets import ImagingTarget
from schooltech_fleet.inventory.model import OsFamily
from schooltech_fleet.sim.imaging import installer, network
from schooltech_fleet.sim.imaging.lab import ImagingLab, LabConfig, LabPc
from schooltech_fleet.sim.imaging.vm import Firmware, VmState, VmStatus, read_status

MAX_RUNNING = 2  # VMs at once: this host has two cores, shared
STOP_GRACE = 10.0


@dataclass(frozen=True)
class LabPlan:
    """What one school's lab holds: the imaged PCs behind one boot server, on one VLAN."""

    school: str
    boot_server: str  # its inventory name
    boot_address: IPv4Address
    subnet: IPv4Network
    gateway: IPv4Address
    pcs: tuple[ImagingTarget, ...]


@dataclass(frozen=True)
class LabPcRecord:
    """A PC of a running lab."""

    name: str
    mac: str
    room: str
    firmware: str  # as the VM boots: bios | uefi | uefi-secure-boot
    secure_boot: bool  # what the model has (the VM enforces it: firmware uefi-secure-boot)


@dataclass(frozen=True)
class LabRecord:
    """A running lab, as the simulation's state records it."""

    school: str
    boot_server: str
    url: str  # http://ADDRESS:PORT, as the PCs reach it
    subnet: str
    broadcast: str
    run_id: str
    owner_pid: int
    namespaces: tuple[str, ...]
    workdir: str
    served_root: str
    services: dict[str, int]  # name -> pid, in start order
    pcs: tuple[LabPcRecord, ...]
    max_running: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabRecord:
        return cls(**{**data, "namespaces": tuple(data["namespaces"]),
                      "pcs": tuple(LabPcRecord(**pc) for pc in data["pcs"])})  # fmt: skip

    @property
    def boot_namespace(self) -> str:
        return network.Namespaces(self.run_id).name("boot")

    @property
    def logs(self) -> Path:
        return Path(self.workdir) / "logs"

    @property
    def tftp_root(self) -> Path:
        """The boot server's TFTP root (loaders, ``grub/grub.cfg``, the PCs' GRUB entries)."""
        return Path(self.workdir) / "tftp"

    def serial_log(self, pc: LabPcRecord) -> Path:
        return self.logs / f"{pc.name.lower()}.serial.log"

    def pc(self, mac: str) -> LabPcRecord:
        wanted = normal_mac(mac)
        for pc in self.pcs:
            if pc.mac == wanted:
                return pc
        raise SimulationError(f"no PC of the imaging lab of {self.school} has the MAC {wanted}",
                              f"its PCs: {', '.join(f'{pc.name} {pc.mac}' for pc in self.pcs)}")  # fmt: skip


@dataclass(frozen=True)
class LabStatus:
    """What of a recorded lab is running."""

    record: LabRecord
    services: dict[str, bool]  # name -> alive
    vms: tuple[VmStatus, ...]

    @property
    def healthy(self) -> bool:
        return all(self.services.values())


def lab_plans(school: str, targets: Sequence[ImagingTarget], networks: dict[str, tuple[str, str]]) -> list[LabPlan]:
    """One plan per boot server of *school*'s *targets*; *networks* gives each PC's (subnet, gateway).

    A boot server serves its own VLAN only (the lab has no DHCP relay): PCs of one boot server on
    two subnets are refused.
    """
    by_server: dict[str, list[ImagingTarget]] = {}
    for target in targets:
        by_server.setdefault(target.boot_server.name, []).append(target)
    plans = []
    for server, pcs in sorted(by_server.items()):
        segments = {networks[pc.name] for pc in pcs}
        if len(segments) != 1:
            raise SimulationError(
                f"the boot server {server} of {school} would serve {len(segments)} subnets in the imaging lab",
                "the lab has one segment per boot server: simulate one VLAN's rooms at a time (--room)",
            )
        ((subnet, gateway),) = segments
        plans.append(LabPlan(school, server, pcs[0].boot_server.address, IPv4Network(subnet), IPv4Address(gateway),
                             tuple(pcs)))  # fmt: skip
    return plans


def segment_addressing(subnet: IPv4Network, gateway: IPv4Address, boot_server: IPv4Address) -> network.Addressing:
    """The lab segment of *subnet*: the gateway as router, the boot server, the probe on the highest free
    host address and the DHCP pool on the longest run of host addresses left."""
    fixed = {gateway, boot_server}
    hosts = list(subnet.hosts())
    probe = next((address for address in reversed(hosts) if address not in fixed), None)
    best: list[IPv4Address] = []
    run: list[IPv4Address] = []
    for address in hosts:
        run = [] if address in fixed or address == probe else [*run, address]
        if len(run) > len(best):
            best = run
    if probe is None or not best:
        raise SimulationError(f"{subnet} has no room for a DHCP pool beside {gateway} and {boot_server}",
                              "the lab needs the gateway, the boot server, a probe port and a pool")  # fmt: skip
    return network.Addressing(subnet=subnet, router=gateway, boot_server=boot_server, probe=probe,
                              pool_start=best[0], pool_end=best[-1])  # fmt: skip


def start_lab(plan: LabPlan, workdir: Path, max_running: int = MAX_RUNNING) -> LabRecord:
    """Start *plan*'s lab in *workdir* and return its record; on failure nothing of it is left."""
    owner = subprocess.Popen(["sleep", "infinity"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    config = LabConfig(
        pcs=tuple(LabPc(pc.name.lower(), pc.mac, lab_firmware(pc)) for pc in plan.pcs),
        addressing=segment_addressing(plan.subnet, plan.gateway, plan.boot_address),
        max_running=max_running,
    )
    lab = ImagingLab(workdir, config, run_id=network.new_run_id(owner.pid))
    try:
        lab.start()
        _serve_standin_as_installers(lab.served.root)
    except BaseException:
        lab.stop()
        _end(owner.pid)
        owner.wait()
        raise
    return LabRecord(
        school=plan.school,
        boot_server=plan.boot_server,
        url=lab.server_url,
        subnet=str(plan.subnet),
        broadcast=str(config.addressing.broadcast),
        run_id=lab.run_id,
        owner_pid=owner.pid,
        namespaces=lab.namespaces.all,
        workdir=str(workdir),
        served_root=str(lab.served.root),
        services=lab.service_pids,
        pcs=tuple(
            LabPcRecord(pc.name, normal_mac(pc.mac), pc.room, lab_firmware(pc), pc.secure_boot) for pc in plan.pcs
        ),
        max_running=max_running,
    )


def lab_firmware(target: ImagingTarget) -> Firmware:
    """How the lab's VM of *target* boots: its model's firmware, Secure Boot enforced if the model has it."""
    if target.secure_boot:
        return Firmware.UEFI_SECURE_BOOT
    return Firmware(target.firmware)


def lab_status(record: LabRecord) -> LabStatus:
    """Whether each service of *record* runs, and each VM's power state."""
    state_dir = Path(record.workdir) / "vms"
    vms = tuple(
        read_status(state_dir, pc.mac) or VmStatus(name=pc.name.lower(), mac=pc.mac, state=VmState.OFF)
        for pc in record.pcs
    )
    return LabStatus(record, {name: _alive(pid) for name, pid in record.services.items()}, vms)


def stop_lab(record: LabRecord) -> None:
    """End every process of *record* and delete its namespaces (harmless when already gone).

    The services first (the power controller stops its VMs), then whatever still runs inside the
    run's namespaces (``stlab-<run id>-*``), which are deleted, then the owner; last, every lab
    namespace whose owner is gone (see :func:`network.remove_orphans`).
    """
    pids = list(reversed(record.services.values()))
    for pid in pids:
        if _alive(pid):
            _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in pids:
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
    network.remove(record.run_id)
    _end(record.owner_pid)
    network.remove_orphans()  # by prefix: whatever of this run (its owner now gone) or a crashed one is left


def _serve_standin_as_installers(root: Path) -> None:
    """Put the stand-in installer where each Linux installer's kernel and initrd are served."""
    standin = installer.ensure_installer()
    for os_, media in MEDIA.items():
        if os_.family is not OsFamily.LINUX:
            continue
        for source, path in ((standin.kernel, media.kernel), (standin.initrd, media.initrds[0][0])):
            target = root / "files" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _alive(pid: int) -> bool:
    """Whether *pid* runs (a zombie, exited but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _end(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
