"""The simulated PCs' own hardware: a product serial, vendor, model, BIOS and NIC address each.

Every container shares this machine's kernel, so without help every simulated PC would report
the host's serial and MACs. Instead, ``sim up`` writes one directory tree per PC under the
simulation's work directory, shaped as the kernel shows the firmware and the NICs::

    hardware/<pc>/dmi/{product_serial,sys_vendor,product_name,product_version,bios_*}
    hardware/<pc>/net/{eth0,lo}/address

and mounts it read-only into the PC's container: ``net`` over ``/sys/class/net`` and ``dmi`` at
:data:`SIM_DMI_DIR`. (Not over ``/sys/class/dmi/id``: a host without DMI tables, as this kind of
virtual machine is, has no such directory, and the container's read-only sysfs cannot get one;
the ``asset_facts`` job points the role's ``asset_facts_dmi_dir`` there for a simulated school.)
The identity comes from the inventory: the declared serial (else a stable generated one), the
declared MAC (else a stable locally administered one), vendor and product from the declared
model. :func:`plant_serial` changes a running PC's serial, as a swapped motherboard would.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

SIM_DMI_DIR = "/var/lib/schooltech-sim/dmi"
"""Where a simulated PC sees its DMI tables (a real PC: ``/sys/class/dmi/id``)."""
NET_DIR = "/sys/class/net"
NIC = "eth0"


@dataclass(frozen=True)
class _VendorFirmware:
    sys_vendor: str
    bios_version: str
    bios_date: str
    serial_prefix: str = ""
    serial_length: int = 7
    model_in_version: bool = False  # Lenovo: product_name is the machine type, product_version the model


VENDORS = {
    "dell": _VendorFirmware("Dell Inc.", "1.21.0", "03/12/2025"),
    "lenovo": _VendorFirmware("LENOVO", "M3AKT4EA", "11/05/2024", "PF", 8, model_in_version=True),
    "hp": _VendorFirmware("HP", "S23 Ver. 02.17.00", "06/13/2024", serial_prefix="CZC", serial_length=10),
}
"""The first word of a declared model, and how that vendor's firmware describes its PCs."""
MACHINE_TYPES = {"thinkcentre m70q": "11DT003QUK", "thinkcentre m75s": "11R8002FUK"}
"""Lenovo's product_name is the machine type of the model."""

_SERIAL_ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXYZ"


@dataclass(frozen=True)
class HardwareIdentity:
    serial: str
    sys_vendor: str
    product_name: str
    product_version: str
    bios_vendor: str
    bios_version: str
    bios_date: str
    mac: str


def identity_for(name: str, model: str | None, serial: str | None, mac: str | None) -> HardwareIdentity:
    """The hardware PC *name* reports: its declared *serial*, *mac* and *model*, or stable made-up ones."""
    words = (model or "Generic PC").split(maxsplit=1)
    vendor_word, product = (words[0], words[1]) if len(words) == 2 else ("Generic", words[0])
    firmware = VENDORS.get(vendor_word.lower(), _VendorFirmware(vendor_word, "1.0.0", "01/01/2024"))
    digest = hashlib.sha256(name.lower().encode()).digest()
    length = firmware.serial_length - len(firmware.serial_prefix)
    made_up = firmware.serial_prefix + "".join(_SERIAL_ALPHABET[b % len(_SERIAL_ALPHABET)] for b in digest[:length])
    if firmware.model_in_version:
        machine_type = MACHINE_TYPES.get(product.lower(), f"11{digest[8:12].hex().upper()}UK")
        product_name, product_version = machine_type, product
    else:
        product_name, product_version = product, ""
    return HardwareIdentity(
        serial=serial or made_up, sys_vendor=firmware.sys_vendor, product_name=product_name,
        product_version=product_version, bios_vendor=firmware.sys_vendor, bios_version=firmware.bios_version,
        bios_date=firmware.bios_date, mac=mac or "02:5c:" + ":".join(f"{b:02x}" for b in digest[12:16]),
    )  # fmt: skip


def write_tree(directory: Path, identity: HardwareIdentity) -> None:
    """Lay out *identity* under *directory* as the kernel shows it (``dmi/``, ``net/``)."""
    dmi = directory / "dmi"
    dmi.mkdir(mode=0o755, parents=True, exist_ok=True)
    for field in ("sys_vendor", "product_name", "product_version", "bios_vendor", "bios_version", "bios_date"):
        _write(dmi / field, getattr(identity, field), 0o444)
    _write(dmi / "product_serial", identity.serial, 0o400)  # root only, as the kernel has it
    for interface, address in ((NIC, identity.mac), ("lo", "00:00:00:00:00:00")):
        (directory / "net" / interface).mkdir(mode=0o755, parents=True, exist_ok=True)
        _write(directory / "net" / interface / "address", address, 0o444)
    directory.chmod(0o755)


def volumes(directory: Path) -> tuple[tuple[Path, str], ...]:
    """The read-only mounts (host directory, container path) that give a container the tree's identity."""
    return ((directory / "dmi", SIM_DMI_DIR), (directory / "net", NET_DIR))


def plant_serial(host: str, serial: str) -> None:
    """Change the product serial the running simulation's PC *host* (its inventory name) reports."""
    from . import simulation  # noqa: PLC0415 - simulation starts PCs with this module's trees

    if not serial.strip() or not serial.isprintable():
        raise UsageError(f"serial {serial!r} is not a serial number", "give printable text, e.g. 5CD1234XYZ")
    running = simulation.current()
    if running is None:
        raise UsageError("no simulation is running", "start one with 'schooltech sim up'")
    pc = next((h for h in running.pcs if h.name.lower() == host.lower()), None)
    if pc is None:
        raise UsageError(f"{host} is not a simulated PC of simulation {running.sim_id}",
                         f"simulated PCs: {', '.join(h.name for h in running.pcs) or 'none'}")  # fmt: skip
    _write(running.hardware_dir(pc.name) / "dmi" / "product_serial", serial.strip(), 0o400)


def _write(path: Path, value: str, mode: int) -> None:
    """Rewrite *path* in place (the container sees the bind-mounted directory's file change at once)."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(value + "\n")
    path.chmod(mode)
