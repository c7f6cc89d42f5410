"""The PCs an imaging run reinstalls, with everything their boot script and answer file need.

One :class:`ImagingTarget` per managed lab or teacher PC whose room has an imaging profile,
read from the resolved fleet (the same variables Ansible sees), so what is imaged is exactly
what ``schooltech check`` validated: MAC, OS, firmware, a boot server serving the PC's VLAN.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import FleetError
from ..inventory.fleet import Fleet
from ..inventory.model import OperatingSystem, OsFamily
from ..inventory.school import IMAGED_ROLES


@dataclass(frozen=True, slots=True)
class BootServerRef:
    """The boot server that serves a PC's VLAN: it answers the PC's network boot and sends its wake packet."""

    name: str
    address: ipaddress.IPv4Address


@dataclass(frozen=True, slots=True)
class ImagingTarget:
    """One PC to image, as the inventory resolves it."""

    name: str
    school: str
    mac: str
    ip: ipaddress.IPv4Address | None
    room: str
    vlan: str
    profile: str
    os: OperatingSystem
    disk_layout: Literal["single", "lvm"]
    firmware: Literal["bios", "uefi"]
    secure_boot: bool
    locale: str
    keyboard: str
    timezone: str
    admin_user: str
    proxy: str | None
    mirror: str | None  # the school's os_mirrors entry for the OS's distribution; None: the default archive
    boot_server: BootServerRef


class NotImageable(FleetError):
    """A PC the fleet says is imaged lacks something imaging needs (the inventory was not checked)."""


def imaging_targets(fleet: Fleet, school: str, room: str | None = None) -> list[ImagingTarget]:
    """Every PC of *school* (of *room* only, if given) that its room's imaging profile reinstalls.

    Sorted by room (in the school file's order), then name. An unknown school or room is a usage
    error naming the known ones.
    """
    rooms = fleet.rooms(school)
    if room is not None:
        fleet.room(school, room)
    order = {name: i for i, name in enumerate(rooms)}
    targets = []
    for name, host in fleet.hosts.items():
        if host.school != school or host.kind != "device":
            continue
        values = fleet.host_vars(name)
        if room is not None and values["room"] != room:
            continue
        if values["managed"] and values["device_role"] in IMAGED_ROLES and values.get("imaging"):
            targets.append(_target(name, school, values))
    return sorted(targets, key=lambda t: (order[t.room], t.name))


def _target(name: str, school: str, values: dict[str, Any]) -> ImagingTarget:
    imaging = values["imaging"]
    server = imaging["boot_server"]
    os = OperatingSystem(imaging["os"])
    needed = {
        "mac": values.get("mac"),
        "vlan": values.get("vlan"),
        "boot server": server,
        "locale": values.get("locale"),
        "keyboard": values.get("keyboard"),
        "timezone": values.get("timezone"),
        "accounts.admin_user": (values.get("accounts") or {}).get("admin_user"),
    }
    lacking = [what for what, value in needed.items() if value is None]
    if lacking:
        raise NotImageable(f"{name} is to be imaged but has no {', '.join(lacking)}",
                           "run 'schooltech check': it names the line to fix")  # fmt: skip
    ip = values.get("ip")
    return ImagingTarget(
        name=name,
        school=school,
        mac=values["mac"],
        ip=ipaddress.IPv4Address(ip) if ip is not None else None,
        room=values["room"],
        vlan=values["vlan"],
        profile=imaging["profile"],
        os=os,
        disk_layout=imaging["disk_layout"],
        firmware=values["firmware"],
        secure_boot=values["secure_boot"],
        locale=values["locale"],
        keyboard=values["keyboard"],
        timezone=values["timezone"],
        admin_user=values["accounts"]["admin_user"],
        proxy=(values.get("web_filter") or {}).get("proxy_url"),
        mirror=_mirror(os, values.get("os_mirrors") or {}),
        boot_server=BootServerRef(server["name"], ipaddress.IPv4Address(server["address"])),
    )


def _mirror(os: OperatingSystem, mirrors: dict[str, str | None]) -> str | None:
    """The archive mirror for *os*: ``os_mirrors.debian`` or ``.ubuntu``; Windows has none."""
    if os.family is not OsFamily.LINUX:
        return None
    return mirrors.get("debian" if os is OperatingSystem.DEBIAN12 else "ubuntu")
