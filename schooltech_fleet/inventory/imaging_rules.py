"""Rules for imaging: what must hold before any PC network-boots into an installer.

A room's imaging profile (its own, or its kind's) reinstalls its managed lab and teacher
PCs. Each of them needs a MAC (the boot server recognises it by nothing else), the OS the
inventory says it runs, firmware that OS boots on, and a boot server on its site serving its
VLAN (proxy-DHCP and Wake-on-LAN do not cross VLANs). A Windows PC's name must fit NetBIOS
whether or not it is imaged. Duplicate MACs are :func:`.crossref.check_district`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from .layers import deep_merge
from .model import ImagingProfile, OperatingSystem, OsFamily
from .problems import Path, Problem, missing, suggest
from .school import DeviceRecord, LoadedSchool

NETBIOS_MAX = 15
"""The longest computer name Windows takes (NetBIOS)."""


def imaging_profiles(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    """Every imaging profile a room or room kind names must exist."""
    known = school.imaging_profiles
    for name, kind in school.model.room_kinds.items():
        if kind.imaging_profile is not None and kind.imaging_profile not in known:
            path = ("room_kinds", name, "imaging_profile")
            yield _unknown_profile(path, kind.imaging_profile, known, f"room kind {name}")
    for r, room in enumerate(school.model.rooms):
        if room.imaging_profile is not None and room.imaging_profile not in known:
            yield _unknown_profile(("rooms", r, "imaging_profile"), room.imaging_profile, known, f"room {room.name}")


def _unknown_profile(path: Path, name: str, known: dict[str, ImagingProfile], owner: str) -> Problem:
    return Problem(path, "unknown-ref", f"{owner}: unknown imaging profile {name!r}",
                   suggest(name, known, "imaging profiles"))  # fmt: skip


def boot_servers(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    """Boot servers name sites and VLANs that exist, sit in the subnet of each VLAN they serve, one per VLAN."""
    sites = [site.name for site in school.model.sites]
    names: set[str] = set()
    served: dict[tuple[str | None, str], str] = {}
    for b, server in enumerate(school.model.boot_servers):
        path: Path = ("boot_servers", b)
        where = f"boot server {server.name}"
        if server.name in names:
            yield Problem((*path, "name"), "duplicate", f"{where} is declared twice",
                          "give each boot server its own name")  # fmt: skip
        names.add(server.name)
        if server.site is not None and server.site not in sites:
            yield missing((*path, "site"), "site", server.site, sites, where)
        elif server.site is None and len(sites) > 1:
            yield Problem(path, "unknown-ref", f"{where} does not say which site it is on",
                          f"add site: one of {', '.join(sites)}")  # fmt: skip
        site = server.site or (sites[0] if len(sites) == 1 else None)
        for i, vlan_name in enumerate(server.vlans):
            vlan = school.vlans.get(vlan_name)
            if vlan is None:
                yield missing((*path, "vlans", i), "VLAN", vlan_name, school.vlans, where)
                continue
            if (site, vlan_name) in served:
                yield Problem((*path, "vlans", i), "duplicate",
                              f"{where}: VLAN {vlan_name!r} is already served by boot server {served[site, vlan_name]}",
                              "two proxy-DHCP servers on one VLAN answer the same PCs; keep one")  # fmt: skip
            served.setdefault((site, vlan_name), server.name)
            subnet = vlan.subnet
            if subnet is None:
                continue
            if server.address not in subnet:
                yield Problem((*path, "address"), "address",
                              f"{where}: address {server.address} is outside subnet {subnet} of VLAN {vlan_name!r}, "
                              "which it serves",
                              "proxy-DHCP and Wake-on-LAN reach only the server's own subnet: give it an address "
                              "there, or declare a boot server for each VLAN")  # fmt: skip
            elif server.address in (subnet.network_address, subnet.broadcast_address, vlan.gateway):
                yield Problem((*path, "address"), "address",
                              f"{where}: {server.address} is the network, broadcast or gateway address of VLAN "
                              f"{vlan_name!r}", "use a host address")  # fmt: skip


def imaged_pcs(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    """Each PC of a room with an imaging profile has a MAC, the profile's OS, firmware it boots and a boot server."""
    by_room: dict[int, list[DeviceRecord]] = {}
    for device in school.devices:
        if device.imageable:
            by_room.setdefault(device.room, []).append(device)
    for r, devices in by_room.items():
        name, _ = school.room_imaging_profile(r)
        profile = school.imaging_profiles.get(name) if name is not None else None
        if name is None or profile is None:
            continue  # not imaged, or an unknown profile (reported by imaging_profiles)
        yield from _room_pcs(school, r, name, profile, devices)


def _room_pcs(
    school: LoadedSchool, r: int, name: str, profile: ImagingProfile, devices: list[DeviceRecord]
) -> Iterator[Problem]:
    room = school.model.rooms[r]
    yield from _per_entry(devices, lambda d: d.mac is None, "mac",
                          lambda first, n: f"{_who(first, n)} in room {room.name} (imaging profile {name}) "
                          f"{'has' if n == 1 else 'have'} no MAC address",
                          "the boot server knows a PC by its MAC: add mac: (for a counted pattern, "
                          "assets: [{mac: ...}] one per PC, in order)")  # fmt: skip
    yield from _per_entry(devices, lambda d: d.os is not profile.os, "os",
                          lambda first, n: f"{_who(first, n)}: imaging profile {name} of room {room.name} installs "
                          f"{profile.os}, but the inventory says {first.os}",
                          "set os: to the profile's, or give the room another imaging_profile")  # fmt: skip
    if profile.os is OperatingSystem.WINDOWS11:
        yield from _per_entry(devices, lambda d: school.pc_model(d.model).firmware == "bios", "model",
                              lambda first, n: f"{_who(first, n)}: Windows 11 does not install on BIOS firmware "
                              f"(model {first.model} is listed as firmware: bios)",
                              "switch the model to UEFI (models: in the catalogue), or image it with another "
                              "profile")  # fmt: skip
    yield from _per_entry(devices, lambda d: bool(_unset(_settings(school, d))), "settings",
                          lambda first, n: f"{_who(first, n)} in room {room.name} (imaging profile {name}): "
                          f"no {', '.join(_unset(_settings(school, first)))} to install with",
                          "set them in the school's settings (the profiles set them; null clears them)")  # fmt: skip
    yield from _boot_server_for_room(school, r, name, devices)


INSTALL_SETTINGS = ("locale", "keyboard", "timezone", "accounts.admin_user")
"""Settings every installer needs (the admin user is the account Ansible takes over with)."""


def _settings(school: LoadedSchool, device: DeviceRecord) -> dict[str, Any]:
    """The device's settings: the school's, its room's, its own (as the resolved variables layer them)."""
    merged = school.settings
    for layer in (school.model.rooms[device.room].settings, device.settings):
        if layer is not None:
            merged = deep_merge(merged, layer.model_dump(mode="json", exclude_unset=True))
    return merged


def _unset(settings: dict[str, Any]) -> list[str]:
    return [name for name in INSTALL_SETTINGS if _leaf(settings, name) is None]


def _leaf(settings: dict[str, Any], dotted: str) -> Any:
    value: Any = settings
    for step in dotted.split("."):
        value = value.get(step) if isinstance(value, dict) else None
    return value


def _boot_server_for_room(school: LoadedSchool, r: int, profile: str, devices: list[DeviceRecord]) -> Iterator[Problem]:
    room = school.model.rooms[r]
    site = school.room_site(r)
    room_vlan, _ = school.room_vlan(r)
    vlans = dict.fromkeys(d.vlan or room_vlan for d in devices)
    path: Path = ("rooms", r, "imaging_profile" if "imaging_profile" in room.model_fields_set else "name")
    for vlan in vlans:
        if vlan is None or vlan not in school.vlans:
            continue  # reported by rooms_and_sites
        if not school.boot_servers_for(site, vlan):
            on = f" on site {site}" if site else ""
            yield Problem(path, "imaging",
                          f"room {room.name} is imaged (profile {profile}) but no boot server{on} serves its "
                          f"VLAN {vlan!r}",
                          f"add a boot server{on} with {vlan} in its vlans (boot_servers:), or set "
                          "imaging_profile: null on the room")  # fmt: skip


def netbios_names(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    """A Windows PC's name must fit NetBIOS (15 characters), imaged or not: Windows cuts it otherwise."""
    windows = [d for d in school.devices if d.os.family is OsFamily.WINDOWS]
    yield from _per_entry(windows, lambda d: len(d.name) > NETBIOS_MAX, "name",
                          lambda first, n: f"{_who(first, n)}: Windows host name {first.name!r} has "
                          f"{len(first.name)} characters; Windows (NetBIOS) takes at most {NETBIOS_MAX}",
                          "shorten the name or the naming pattern (the school code and room name count)")  # fmt: skip


_Test = Callable[[DeviceRecord], bool]
_Message = Callable[[DeviceRecord, int], str]
"""The message of a problem found in *count* devices of one entry, the first of them given."""


def _who(first: DeviceRecord, count: int) -> str:
    return first.name if count == 1 else f"{count} PCs of this counted pattern ({first.name} ...)"


def _per_entry(
    devices: list[DeviceRecord], wrong: _Test, field: str, message: _Message, hint: str
) -> Iterator[Problem]:
    """One problem per device entry (a counted pattern counts once) with devices for which *wrong* holds.

    The problem points at the entry's *field* when the entry writes it, else at the entry.
    """
    by_entry: dict[tuple[str | int, ...], list[DeviceRecord]] = {}
    for device in devices:
        if wrong(device):
            by_entry.setdefault(device.path, []).append(device)
    for path, found in by_entry.items():
        code = "naming" if field == "name" else "imaging"
        yield Problem((*path, field), code, message(found[0], len(found)), hint)

