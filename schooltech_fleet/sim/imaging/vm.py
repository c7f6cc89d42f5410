"""One simulated PC as a qemu VM: its command line, its disk and its power status record.

Every VM has a raw disk on virtio-blk, network boot first, no display (the serial port goes
to a log file, appended across boots), TCG only (KVM guests die on this host), qemu's
``isa-debug-exit`` device, through which the installed stand-in system ends its boot (see
:mod:`disk_marker`), and ``-no-reboot``, which turns a reboot into power-off. By firmware:

* BIOS: SeaBIOS and an Intel e1000 whose option ROM is Debian's iPXE (``ipxe-qemu``), so
  the NIC boots iPXE at once;
* UEFI: OVMF (Debian's ``ovmf``, its own variable store per PC) and a virtio NIC without
  an option ROM, so the firmware's own PXE client boots, as a vendor's UEFI does: it
  fetches ``ipxe.efi`` over TFTP, which then chains to the PC's script;
* UEFI with Secure Boot enforced: OVMF's Secure Boot build (SMM on, its flash writable only
  from SMM) with a variable store holding Microsoft's keys (``OVMF_VARS_4M.ms.fd``), so the
  firmware boots only Microsoft-signed loaders: Debian's shim, then what shim trusts.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.imaging.pxe_service import hexhyp, normal_mac, write_atomically
from schooltech_fleet.sim.imaging.disk_marker import DEBUG_EXIT_PORT

BIOS_NIC_MODEL = "e1000"
#: iPXE for the e1000 (BIOS and UEFI in one ROM); qemu's own default ROM for this NIC
BIOS_NIC_ROM = Path("/usr/lib/ipxe/qemu/efi-e1000.rom")
UEFI_NIC_MODEL = "virtio-net-pci"
#: OVMF without Secure Boot (4 MB flash layout): code read-only, variables copied per PC
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
#: OVMF enforcing Secure Boot: the SMM build and a variable store with Microsoft's keys enrolled
OVMF_SECURE_BOOT_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd")
OVMF_SECURE_BOOT_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.ms.fd")
DISK_BYTES = 64 * 1024 * 1024
MEMORY_MB = 256
#: shim and GRUB stay resident and GRUB holds kernel and initrd: with 256 MB the kernel's EFI
#: stub fails ("Failed to decompress kernel")
SECURE_BOOT_MEMORY_MB = 512


class Firmware(StrEnum):
    """How a simulated PC boots."""

    BIOS = "bios"
    UEFI = "uefi"
    UEFI_SECURE_BOOT = "uefi-secure-boot"


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
    firmware: Firmware = Firmware.BIOS
    uefi_vars: Path | None = None  # the PC's own copy of OVMF's variable store (UEFI only)
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
            firmware=Firmware(data["firmware"]),
            uefi_vars=Path(data["uefi_vars"]) if data["uefi_vars"] else None,
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
        "-smp", "1",
        "-m", str(spec.memory_mb),
        # a VGA card stays (SeaBIOS runs no PCI option ROM, hence no iPXE, without one), unseen
        "-display", "none",
        "-no-reboot",
        "-netdev", f"tap,id=nic0,ifname={spec.tap},script=no,downscript=no",
        *_firmware_argv(spec),
        "-drive", f"file={spec.disk},format=raw,if=virtio",
        "-chardev", f"file,id=serial0,path={spec.serial_log},append=on",
        "-serial", "chardev:serial0",
        "-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04",
        "-monitor", "none",
    ]


def _firmware_argv(spec: VmSpec) -> list[str]:
    mac = normal_mac(spec.mac)
    if spec.firmware is Firmware.BIOS:
        return [
            "-machine", "pc",
            "-boot", "order=n",
            "-device", f"{BIOS_NIC_MODEL},netdev=nic0,mac={mac},romfile={BIOS_NIC_ROM}",
        ]
    if spec.uefi_vars is None:
        raise SimulationError(f"the UEFI PC {spec.name} has no variable store", hint="see create_uefi_vars()")
    secure = spec.firmware is Firmware.UEFI_SECURE_BOOT
    machine = ["-machine", "q35,smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on"] if secure else [
        "-machine", "q35"]  # fmt: skip
    return [
        *machine,
        "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_SECURE_BOOT_CODE if secure else OVMF_CODE}",
        "-drive", f"if=pflash,format=raw,unit=1,file={spec.uefi_vars}",
        # no option ROM: OVMF's own virtio driver and PXE client boot, not iPXE
        "-device", f"{UEFI_NIC_MODEL},netdev=nic0,mac={mac},romfile=,bootindex=1",
    ]


def memory_mb(firmware: Firmware) -> int:
    """The memory a simulated PC of *firmware* gets."""
    return SECURE_BOOT_MEMORY_MB if firmware is Firmware.UEFI_SECURE_BOOT else MEMORY_MB


def create_uefi_vars(path: Path, firmware: Firmware) -> None:
    """A fresh copy of OVMF's variable store for *firmware*: a PC whose NVRAM was never written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(OVMF_SECURE_BOOT_VARS if firmware is Firmware.UEFI_SECURE_BOOT else OVMF_VARS, path)


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
