"""What an audit found on the wire: each PC's own account of itself and each switch's MAC table.

These records are the meeting point of collection (the ``asset_facts`` job and the switches'
``show mac address-table``) and comparison (:mod:`.audit`). MAC addresses are always
lower-case, colon-separated (``3c:52:82:1a:2b:3c``): :func:`normal_mac` makes them so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TWELVE_HEX = re.compile(r"[0-9a-f]{12}")


def normal_mac(text: str) -> str | None:
    """``3C-52-82-1A-2B-3C``, ``3c52.821a.2b3c`` or ``3c:52:82:1a:2b:3c`` as ``3c:52:82:1a:2b:3c``.

    None if *text* is not a MAC address.
    """
    digits = re.sub(r"[-:.]", "", text.strip().lower())
    if not _TWELVE_HEX.fullmatch(digits):
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


@dataclass(frozen=True)
class Disk:
    name: str  # the kernel's name, e.g. "sda", "nvme0n1"
    size_gb: int


@dataclass(frozen=True)
class DiscoveredPc:
    """One PC's own account of itself, as the ``asset_facts`` role reported it."""

    host: str  # the inventory name the job reached it by
    hostname: str  # the name the PC gives itself
    serial: str | None
    vendor: str | None
    model: str | None  # product name (and version where the vendor puts the model there)
    macs: tuple[str, ...]  # normalised, wired and wireless, no loopback
    ram_mb: int | None
    disks: tuple[Disk, ...]
    os: str | None  # e.g. "Debian 12"
    bios: str | None  # vendor, version and date as one line
    packages: tuple[str, ...] = ()  # installed packages among those the inventory's licences name


@dataclass(frozen=True)
class MacSighting:
    """One entry of a switch's MAC address table."""

    switch: str
    interface: str  # as the switch names it, e.g. "GigabitEthernet1/0/3"
    port: int | None  # the inventory's port number for that interface; None if it is not one of ours
    vlan: int
    mac: str
    uplink: bool  # learned on an uplink or trunk: the device sits behind another switch


@dataclass(frozen=True)
class Discovery:
    """Everything one audit collected for one school."""

    school: str
    pcs: tuple[DiscoveredPc, ...]
    unreachable_pcs: tuple[str, ...]  # declared PCs the job could not reach
    sightings: tuple[MacSighting, ...]
    unreachable_switches: tuple[str, ...]
    collected: str  # ISO 8601 UTC time the collection finished
