"""One simulated PC as a qemu VM: its command line, its disk and its power status record.

Each VM is BIOS (SeaBIOS) with an Intel e1000 NIC whose option ROM is Debian's iPXE
(``ipxe-qemu``), a raw disk on virtio-blk, network boot first, no display (the serial port
goes to a log file, appended across boots), TCG only (KVM guests die on this host) and
qemu's ``isa-debug-exit`` device, through which the installed stand-in system ends its
boot (see :mod:`disk_marker`). ``-no-reboot`` turns a reboot into power-off.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from schooltech_fleet.sim.imaging.disk_marker import DEBUG_EXIT_PORT
from schooltech_fleet.sim.imaging.served_tree import hexhyp, normal_mac, write_atomically

NIC_MODEL = "e1000"
#: iPXE for the e1000 (BIOS and UEFI in one ROM); qemu's own default ROM for this NIC
NIC_ROM = Path("/usr/lib/ipxe/qemu/efi-e1000.rom")
DISK_BYTES = 64 * 1024 * 1024
MEMORY_MB = 256


class VmState(StrEnum):
    """Power state of a simulated PC."""

    OFF = "off"
    WAITING = "waiting"  # woken, waiting for one of the lab's VM slots
    RUNNING = "running"


@dataclass(frozen=True)
class VmSpec:
    """A simulated PC: its name, MAC, the tap it plugs into and its files."""

    name: str
    mac: str
    tap: str
    disk: Path
    serial_log: Path
    qemu_log: Path
    memory_mb: int = MEMORY_MB

    def to_json(self) -> dict[str, Any]:
        return {key: str(value) if isinstance(value, Path) else value for key, value in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VmSpec:
        return cls(
            name=str(data["name"]),
            mac=str(data["mac"]),
            tap=str(data["tap"]),
            disk=Path(data["disk"]),
            serial_log=Path(data["serial_log"]),
            qemu_log=Path(data["qemu_log"]),
            memory_mb=int(data["memory_mb"]),
        )


@dataclass(frozen=True)
class VmStatus:
    """What the lab's power controller last recorded for a PC."""

    name: str
    mac: str
    state: VmState
    boots: int = 0  # how many times it was powered on
    woken_at: float | None = None
    started_at: float | None = None
    stopped_at: float | None = None
    exit_code: int | None = None  # qemu's exit status after the last boot
    timed_out: bool = False  # the last boot was cut off after the lab's time limit


def qemu_argv(spec: VmSpec) -> list[str]:
    """The qemu command line of *spec* (run inside the lab's lan namespace, where its tap lives)."""
    return [
        "qemu-system-x86_64",
        "-name", spec.name,
        "-accel", "tcg",
        "-machine", "pc",
        "-smp", "1",
        "-m", str(spec.memory_mb),
        # a VGA card stays (SeaBIOS runs no PCI option ROM, hence no iPXE, without one), unseen
        "-display", "none",
        "-no-reboot",
        "-boot", "order=n",
        "-netdev", f"tap,id=nic0,ifname={spec.tap},script=no,downscript=no",
        "-device", f"{NIC_MODEL},netdev=nic0,mac={normal_mac(spec.mac)},romfile={NIC_ROM}",
        "-drive", f"file={spec.disk},format=raw,if=virtio",
        "-chardev", f"file,id=serial0,path={spec.serial_log},append=on",
        "-serial", "chardev:serial0",
        "-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04",
        "-monitor", "none",
    ]


def create_disk(path: Path, size: int = DISK_BYTES) -> None:
    """A blank (sparse) raw disk: what a PC with an erased disk has."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as disk:
        disk.truncate(size)


def status_path(state_dir: Path, mac: str) -> Path:
    return state_dir / f"{hexhyp(mac)}.json"


def write_status(state_dir: Path, status: VmStatus) -> None:
    write_atomically(status_path(state_dir, status.mac), json.dumps(asdict(status)) + "\n")


def read_status(state_dir: Path, mac: str) -> VmStatus | None:
    """The recorded status of *mac*, or None before the controller wrote one."""
    try:
        data = json.loads(status_path(state_dir, mac).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    data["state"] = VmState(data["state"])
    return VmStatus(**data)


def kill_group(pid: int, sig: int) -> None:
    """Signal the process group led by *pid* (every VM runs in a session of its own)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
