"""Rules that need the whole school (and the whole district): references,
duplicates, addressing, licence seats and the calendar; with :mod:`.lockout` (nothing
may cut schooltech's session to a switch). Rules that need switch-platform knowledge
(known platforms, values a switch CLI cannot take) are the network package's, handed
over by :mod:`schooltech_fleet.rulebook`."""

from __future__ import annotations

import datetime as dt
import ipaddress
import pathlib
import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from .. import rulebook
from . import constructed
from .findings import Finding, Severity
from .imaging_rules import boot_servers, imaged_pcs, imaging_profiles, netbios_names
from .layers import deep_merge
from .licences import licence_seats, rooms_taking_seats
from .lockout import lockout
from .model import Period, Settings, Switch, Vlan
from .nodes import execution_nodes
from .problems import Path, Problem, Rule, missing, suggest
from .school import LoadedSchool
from .yamlsource import locate, locate_key

EXPIRY_WARNING_DAYS = 30


# --- references -------------------------------------------------------------


def rooms_and_sites(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    model = school.model
    sites = {site.name: site for site in model.sites}
    for r, room in enumerate(model.rooms):
        where = f"room {room.name}"
        if room.kind not in school.room_kinds:
            yield Problem(
                ("rooms", r, "kind"),
                "unknown-ref",
                f"{where}: unknown room kind {room.kind!r}",
                suggest(room.kind, school.room_kinds, "room kinds"),
            )
        if room.site is not None and room.site not in sites:
            yield missing(("rooms", r, "site"), "site", room.site, sites, where)
        if room.site is None and len(sites) > 1:
            yield Problem(
                ("rooms", r),
                "unknown-ref",
                f"{where} does not say which site it is on",
                f"add site: one of {', '.join(sites)}",
            )
        site = sites.get(room.site) if room.site else (next(iter(sites.values())) if len(sites) == 1 else None)
        if room.building is not None and site is not None and room.building not in site.buildings:
            yield missing(("rooms", r, "building"), "building", room.building, site.buildings, where)
        vlan, _ = school.room_vlan(r)
        if room.vlan is not None and room.vlan not in school.vlans:
            yield missing(("rooms", r, "vlan"), "VLAN", room.vlan, school.vlans, where)
        elif vlan is None and room.devices and room.kind in school.room_kinds:
            yield Problem(
                ("rooms", r),
                "unknown-ref",
                f"{where} has devices but no VLAN",
                "add vlan: to the room or to its room kind",
            )
        for i, name in enumerate(room.software_sets or []):
            if name not in school.software_sets:
                yield missing(("rooms", r, "software_sets", i), "software set", name, school.software_sets, where)
        for d, entry in enumerate(room.devices):
            if entry.vlan is not None and entry.vlan not in school.vlans:
                yield missing(("rooms", r, "devices", d, "vlan"), "VLAN", entry.vlan, school.vlans, where)
    for name, kind in school.model.room_kinds.items():
        if kind.vlan is not None and kind.vlan not in school.vlans:
            yield missing(("room_kinds", name, "vlan"), "VLAN", kind.vlan, school.vlans, f"room kind {name}")
        for i, set_name in enumerate(kind.software_sets or []):
            if set_name not in school.software_sets:
                yield missing(
                    ("room_kinds", name, "software_sets", i),
                    "software set",
                    set_name,
                    school.software_sets,
                    f"room kind {name}",
                )


def duplicate_room_names(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for r, room in enumerate(school.model.rooms):
        if room.name in seen:
            yield Problem(
                ("rooms", r, "name"),
                "duplicate",
                f"room {room.name!r} is declared twice",
                f"the first is rooms[{seen[room.name]}]; rename or merge them",
            )
        seen.setdefault(room.name, r)
    sites: set[str] = set()
    for s, site in enumerate(school.model.sites):
        if site.name in sites:
            yield Problem(("sites", s, "name"), "duplicate", f"site {site.name!r} is declared twice", "rename it")
        sites.add(site.name)


# --- VLANs and addressing ---------------------------------------------------


def vlan_plan(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    by_id: dict[int, str] = {}
    for name, vlan in school.vlans.items():
        path = school.catalogue_layer("vlans", name, "id").path
        in_school = name in school.model.vlans
        if vlan.id is None:
            yield Problem(("vlans", name), "vlan", f"VLAN {name!r} has no id", "add id: (1-4094)")
            continue
        if vlan.id in by_id:
            yield Problem(
                path if in_school else ("vlans", name),
                "duplicate",
                f"VLAN {name!r} uses id {vlan.id}, already used by VLAN {by_id[vlan.id]!r}",
                "give each VLAN its own id",
            )
        by_id.setdefault(vlan.id, name)
        if vlan.gateway is not None and vlan.subnet is not None and vlan.gateway not in vlan.subnet:
            yield Problem(
                ("vlans", name, "gateway"),
                "address",
                f"gateway {vlan.gateway} of VLAN {name!r} is outside its subnet {vlan.subnet}",
                "use an address inside the subnet",
            )
    subnets = sorted(((v.subnet, n) for n, v in school.vlans.items() if v.subnet is not None), key=lambda item: item[0])
    # Compare each subnet with the earlier one reaching furthest, not only with its neighbour:
    # 10.0.0.0/16 overlaps 10.0.2.0/24 even with 10.0.1.0/24 sorted between them.
    reach: tuple[ipaddress.IPv4Network, str] | None = None
    for high, high_name in subnets:
        if reach is not None and reach[0].overlaps(high):
            low, low_name = reach
            yield Problem(
                ("vlans", high_name, "subnet"),
                "subnet-overlap",
                f"subnet {high} of VLAN {high_name!r} overlaps {low} of VLAN {low_name!r}",
                "give each VLAN its own subnet",
            )
        if reach is None or high.broadcast_address > reach[0].broadcast_address:
            reach = (high, high_name)


def _misplaced(ip: ipaddress.IPv4Address, vlan: Vlan, vlan_name: str) -> tuple[str, str] | None:
    """Why *ip* cannot be a host address on *vlan* (message, hint), or None when it can."""
    if vlan.subnet is None:
        return None
    if ip not in vlan.subnet:
        return (f"address {ip} is outside subnet {vlan.subnet} of VLAN {vlan_name!r}",
                "use an address in the VLAN's subnet, or put the device on the right VLAN")  # fmt: skip
    if ip in (vlan.subnet.network_address, vlan.subnet.broadcast_address):
        return f"{ip} is the network or broadcast address of {vlan.subnet}", "use a host address"
    if ip == vlan.gateway:
        return f"{ip} is the gateway of VLAN {vlan_name!r}", "use another host address"
    return None


def device_addresses(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    seen: dict[ipaddress.IPv4Address, str] = {}
    rooms = school.model.rooms
    for device in school.devices:
        if device.ip is None:
            continue
        path = _ip_path(device.path, device.n)
        if device.ip in seen:
            yield Problem(path, "duplicate", f"{device.name}: IP address {device.ip} is also used by "
                          f"{seen[device.ip]}", "give each device its own address")  # fmt: skip
        seen.setdefault(device.ip, device.name)
        vlan_name = device.vlan or school.room_vlan(device.room)[0]
        vlan = school.vlans.get(vlan_name) if vlan_name else None
        if vlan is not None and vlan_name is not None and (problem := _misplaced(device.ip, vlan, vlan_name)):
            yield Problem(path, "address", f"{device.name}: {problem[0]} (room {rooms[device.room].name})", problem[1])
    management = school.vlans.get("management")
    for s, switch in enumerate(school.model.switches):
        path = ("switches", s, "mgmt_ip")
        if switch.mgmt_ip in seen:
            yield Problem(path, "duplicate", f"switch {switch.name}: address {switch.mgmt_ip} is also used by "
                          f"{seen[switch.mgmt_ip]}", "give each device its own address")  # fmt: skip
        seen.setdefault(switch.mgmt_ip, switch.name)
        if management is not None and (problem := _misplaced(switch.mgmt_ip, management, "management")):
            why = _cut(switch.mgmt_ip, management)
            yield Problem(path, "address", f"switch {switch.name}: management {problem[0]}{why}", problem[1])


def _cut(ip: ipaddress.IPv4Address, management: Vlan) -> str:
    """Why a misplaced management address would lock schooltech out of the switch."""
    if management.subnet is not None and ip not in management.subnet:
        return ("; a push would give the switch this address on the management VLAN, where nothing routes to it, "
                "cutting schooltech's session")  # fmt: skip
    if ip == management.gateway:
        return "; a push would make the switch answer for the gateway, cutting every session through it"
    return ""


def _ip_path(path: Path, n: int | None) -> Path:
    return (*path, "ip" if n is None else "ip_start")


# --- switches ---------------------------------------------------------------


def switches(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    model = school.model
    rooms = {room.name for room in model.rooms}
    devices = {d.name for d in school.devices}
    names = {sw.name for sw in model.switches}
    sites = {site.name: site for site in model.sites}
    for s, switch in enumerate(model.switches):
        where = f"switch {switch.name}"
        site = sites.get(switch.site) if switch.site else (next(iter(sites.values())) if len(sites) == 1 else None)
        if switch.site is not None and switch.site not in sites:
            yield missing(("switches", s, "site"), "site", switch.site, sites, where)
        elif switch.building is not None and site is not None and switch.building not in site.buildings:
            yield missing(("switches", s, "building"), "building", switch.building, site.buildings, where)
        yield from _switch_ports(school, s, switch, rooms, devices, names)


def _switch_ports(
    school: LoadedSchool, s: int, switch: Switch, rooms: set[str], devices: set[str], switches_: set[str]
) -> Iterator[Problem]:
    total = switch.access_ports + switch.uplink_ports
    where = f"switch {switch.name}"
    used: dict[int, str] = {}

    def claim(port: int, path: Path, what: str) -> Iterator[Problem]:
        if not 1 <= port <= total:
            yield Problem(
                path,
                "port",
                f"{where}: port {port} does not exist (the switch has ports 1-{total})",
                "check access_ports and uplink_ports of the switch",
            )
        elif port in used:
            yield Problem(
                path,
                "duplicate",
                f"{where}: port {port} is assigned twice ({used[port]} and {what})",
                "each port connects to one thing",
            )
        else:
            used[port] = what

    for p, assignment in enumerate(switch.ports):
        path: Path = ("switches", s, "ports", p)
        what = (
            f"room {assignment.room}"
            if assignment.room
            else f"device {assignment.device}"
            if assignment.device
            else f"VLAN {assignment.vlan}"
            if assignment.vlan
            else "access points"
        )
        beyond = [port for port in assignment.ports if port > total]
        if len(beyond) > 1:  # one finding for a range that runs off the switch, not one per port
            yield Problem(
                (*path, "ports"),
                "port",
                f"{where}: ports {beyond[0]} to {beyond[-1]} ({len(beyond)} ports) do not exist "
                f"(the switch has ports 1-{total})",
                "check access_ports and uplink_ports of the switch",
            )
        for port in assignment.ports:
            if len(beyond) <= 1 or port <= total:
                yield from claim(port, (*path, "ports"), what)
        if assignment.room is not None and assignment.room not in rooms:
            yield missing((*path, "room"), "room", assignment.room, rooms, f"{where} port {assignment.ports[0]}")
        if assignment.device is not None and assignment.device not in devices:
            yield missing(
                (*path, "device"), "device", assignment.device, devices, f"{where} port {assignment.ports[0]}"
            )
        if assignment.vlan is not None and assignment.vlan not in school.vlans:
            yield missing(
                (*path, "vlan"), "VLAN", assignment.vlan, school.vlans, f"{where} port {assignment.ports[0]}"
            )
    for u, uplink in enumerate(switch.uplinks):
        path = ("switches", s, "uplinks", u)
        yield from claim(uplink.port, (*path, "port"), "an uplink")
        if uplink.to is not None and uplink.to not in switches_:
            yield missing((*path, "to"), "switch", uplink.to, switches_, f"{where} uplink")
        for i, vlan in enumerate(uplink.vlans or []):
            if vlan not in school.vlans:
                yield missing((*path, "vlans", i), "VLAN", vlan, school.vlans, f"{where} uplink")
    policy = school.settings.get("switch") or {}
    for i, vlan in enumerate(policy.get("access_point_vlans") or []):
        if vlan not in school.vlans:
            yield missing(
                ("settings", "switch", "access_point_vlans", i),
                "VLAN",
                vlan,
                school.vlans,
                "settings.switch.access_point_vlans",
            )


# --- licences ---------------------------------------------------------------


def licences(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    model = school.model
    rooms = {room.name: r for r, room in enumerate(model.rooms)}
    ids: set[str] = set()
    for i, licence in enumerate(model.licences):
        where = f"licence {licence.id}"
        if licence.id in ids:
            yield Problem(
                ("licences", i, "id"), "duplicate", f"{where} is declared twice", "give each licence its own id"
            )
        ids.add(licence.id)
        for j, room in enumerate(licence.rooms):
            if room not in rooms:
                yield missing(("licences", i, "rooms", j), "room", room, rooms, where)
            elif room in licence.rooms[:j]:
                yield Problem(("licences", i, "rooms", j), "duplicate", f"{where} lists room {room} twice",
                              "list each room once")  # fmt: skip
        if licence.software_set is not None and licence.software_set not in school.software_sets:
            yield missing(
                ("licences", i, "software_set"), "software set", licence.software_set, school.software_sets, where
            )
        if licence.type == "per_seat" and licence.seats is not None:
            used = licence_seats(school, licence).used
            if used > licence.seats:
                through = f", installs {licence.software_set}"
                detail = ", ".join(f"{room} ({n}{'' if named else through})"
                                   for room, n, named in rooms_taking_seats(school, licence))  # fmt: skip
                yield Problem(
                    ("licences", i, "seats"),
                    "licence-seats",
                    f"{where} has {licence.seats} seats but {used} managed devices are assigned: {detail}",
                    "buy more seats, or remove a room from the licence (or its software set from a room)",
                )
        if licence.expires is not None and licence.rooms:
            if licence.expires < today:
                yield Problem(
                    ("licences", i, "expires"),
                    "licence-expired",
                    f"{where} expired on {licence.expires} but is still assigned to {', '.join(licence.rooms)}",
                    "renew it (new expires date) or remove its rooms",
                )
            elif (licence.expires - today).days <= EXPIRY_WARNING_DAYS:
                yield Problem(
                    ("licences", i, "expires"),
                    "licence-expiring",
                    f"{where} expires on {licence.expires}, in {(licence.expires - today).days} days",
                    "renew it before it lapses",
                    Severity.WARNING,
                )


# --- calendar ---------------------------------------------------------------


def model_classes(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    """A catalogued model names a model class the profile or the school defines."""
    for name, model in school.model.models.items():
        if model.lifecycle_class is not None and model.lifecycle_class not in school.model_classes:
            yield missing(("models", name, "lifecycle_class"), "model class", model.lifecycle_class,
                          school.model_classes, f"model {name}")  # fmt: skip


def calendar(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    cal = school.model.calendar
    rooms = {room.name for room in school.model.rooms}
    for t, term in enumerate(cal.terms):
        if term.end < term.start:
            yield Problem(
                ("calendar", "terms", t, "end"),
                "calendar",
                f"term {term.name!r} ends ({term.end}) before it starts ({term.start})",
                "swap the dates",
            )
    ordered = sorted(enumerate(cal.terms), key=lambda item: item[1].start)
    for (_, first), (t, second) in pairwise(ordered):
        if second.start <= first.end:
            yield Problem(
                ("calendar", "terms", t, "start"),
                "calendar",
                f"term {second.name!r} starts on {second.start}, before term {first.name!r} ends ({first.end})",
                "terms must not overlap",
            )
    for f, freeze in enumerate(cal.exam_freezes):
        path: Path = ("calendar", "exam_freezes", f)
        if freeze.end < freeze.start:
            yield Problem(
                (*path, "end"),
                "calendar",
                f"exam freeze {freeze.name!r} ends ({freeze.end}) before it starts ({freeze.start})",
                "swap the dates",
            )
        elif cal.terms and not any(t.start <= freeze.start and freeze.end <= t.end for t in cal.terms):
            yield Problem(
                (*path, "start"),
                "calendar",
                f"exam freeze {freeze.name!r} ({freeze.start} to {freeze.end}) is not inside any term",
                "check the dates against the term dates",
            )
        for j, room in enumerate(freeze.rooms):
            if room not in rooms:
                yield missing((*path, "rooms", j), "room", room, rooms, f"exam freeze {freeze.name!r}")
    yield from _periods(cal.lessons.periods)
    yield from _patch_windows(school)


def _periods(periods: list[Period]) -> Iterator[Problem]:
    for p, period in enumerate(periods):
        if period.end <= period.start:
            yield Problem(
                ("calendar", "lessons", "periods", p, "end"),
                "calendar",
                f"lesson period ends ({period.end:%H:%M}) before it starts ({period.start:%H:%M})",
                "swap the times",
            )
    ordered = sorted(enumerate(periods), key=lambda item: item[1].start)
    for (_, first), (p, second) in pairwise(ordered):
        if second.start < first.end:
            yield Problem(
                ("calendar", "lessons", "periods", p, "start"),
                "calendar",
                f"lesson period {second.start:%H:%M}-{second.end:%H:%M} overlaps {first.start:%H:%M}-{first.end:%H:%M}",
                "merge or fix the periods",
            )


def _patch_windows(school: LoadedSchool) -> Iterator[Problem]:
    """A patch window that overlaps lessons would reboot PCs in front of a class."""
    lessons = school.model.calendar.lessons
    candidates: list[tuple[Path, dict[str, Any]]] = [(("settings", "patch", "window"), school.settings)]
    # A room or device that sets only the window's times still patches on the days set below it.
    for r, room in enumerate(school.model.rooms):
        room_settings = school.settings
        if room.settings is not None:
            room_settings = deep_merge(school.settings, room.settings.model_dump(mode="json", exclude_unset=True))
            if _sets_window(room.settings):
                candidates.append((("rooms", r, "settings", "patch", "window"), room_settings))
        for d, entry in enumerate(room.devices):
            if entry.settings is not None and _sets_window(entry.settings):
                override = entry.settings.model_dump(mode="json", exclude_unset=True)
                candidates.append(
                    (("rooms", r, "devices", d, "settings", "patch", "window"), deep_merge(room_settings, override))
                )
    for path, settings in candidates:
        window = (settings.get("patch") or {}).get("window") or {}
        start, end, days = window.get("start"), window.get("end"), window.get("days")
        if not (start and end):
            continue
        if end <= start:
            yield Problem(
                path,
                "calendar",
                f"patch window ends ({end}) before it starts ({start})",
                "patch windows must lie within one day",
            )
            continue
        shared_days = set(days or []) & {d.value for d in lessons.days}
        for period in lessons.periods:
            if shared_days and start < f"{period.end:%H:%M}" and f"{period.start:%H:%M}" < end:
                yield Problem(
                    path,
                    "calendar",
                    f"patch window {start}-{end} overlaps lessons {period.start:%H:%M}-{period.end:%H:%M} "
                    f"on {', '.join(sorted(shared_days))}",
                    "move the window outside lesson times",
                )
                break


def _sets_window(settings: Settings) -> bool:
    return settings.patch is not None and settings.patch.window is not None


def _certificates(school: LoadedSchool) -> Iterator[tuple[Path, str]]:
    """(where, file name) of every filtering CA certificate the school names, in any layer."""
    layers: list[tuple[Path, Settings | None]] = [(("settings",), school.model.settings)]
    for r, room in enumerate(school.model.rooms):
        layers.append((("rooms", r, "settings"), room.settings))
        layers += [(("rooms", r, "devices", d, "settings"), entry.settings) for d, entry in enumerate(room.devices)]
    for path, settings in layers:
        name = settings.web_filter.ca_cert if settings and settings.web_filter else None
        if name:
            yield (*path, "web_filter", "ca_cert"), name


def files_read(school: LoadedSchool) -> list[pathlib.Path]:
    """The files besides the school file and its simulation layer that checking the school reads."""
    return [school.parsed.path.parent / name for _where, name in _certificates(school)]


def certificate_files(school: LoadedSchool, today: dt.date) -> Iterator[Problem]:
    """A filtering CA certificate named in any layer must exist beside the school file and be a PEM certificate."""
    base = school.parsed.path.parent
    for where, name in _certificates(school):
        try:
            file = (base / name).resolve(strict=True)
            text = file.read_text(encoding="utf-8", errors="replace")
        except (OSError, RuntimeError):
            yield Problem(where, "file", f"the filtering CA certificate {name} does not exist beside the school file",
                          f"put the PEM file at {base / name}")  # fmt: skip
            continue
        if not file.is_relative_to(base.resolve()):
            yield Problem(where, "file", f"{name} is a link to {file}, outside the school file's folder: a job "
                          "would copy that file from the controller to every lab PC",
                          "put the certificate itself there")  # fmt: skip
        elif "CERTIFICATE" not in (blocks := set(_PEM_BLOCK.findall(text))):
            yield Problem(where, "file", f"{name} is not a PEM certificate", "export the filter's CA as PEM")
        elif blocks != {"CERTIFICATE"}:
            yield Problem(where, "file", f"{name} holds more than certificates (a private key?): a job copies it "
                          "to every lab PC, readable by everyone there",
                          "keep only the CA certificate in the file")  # fmt: skip


_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")


SCHOOL_RULES: tuple[Rule, ...] = (
    rooms_and_sites,
    duplicate_room_names,
    vlan_plan,
    device_addresses,
    switches,
    lockout,
    licences,
    model_classes,
    calendar,
    certificate_files,
    imaging_profiles,
    boot_servers,
    execution_nodes,
    imaged_pcs,
    netbios_names,
    constructed.ansible_section,
)


def simulation_layer(school: LoadedSchool) -> list[Finding]:
    """Every simulated device and switch must exist in the school it is listed under."""
    simulated, layer = school.simulated, school.simulation
    if simulated is None or layer is None:
        return []
    findings = []
    known = {"devices": {d.name for d in school.devices}, "switches": {s.name for s in school.model.switches}}
    for section in ("devices", "switches"):
        for name in getattr(simulated, section):
            if name not in known[section]:
                line, column = locate_key(layer.data, ("schools", school.code, section, name)) or (1, 1)
                findings.append(Finding(layer.label, line, column, "simulation",
                                        f"{name} is simulated but school {school.code} has no such {section[:-1]}",
                                        "run 'schooltech sim down' and 'schooltech sim up' again"))  # fmt: skip
    return findings


def check_school(school: LoadedSchool, today: dt.date) -> list[Finding]:
    """Run every school rule; problems become findings located in the school file."""
    data = school.parsed.data
    findings: list[Finding] = []
    for rule in (*SCHOOL_RULES, *rulebook.provided_rules()):
        for problem in rule(school, today):
            line, column = (locate_key if problem.at_key else locate)(data, problem.path) or (1, 1)
            findings.append(
                Finding(school.label, line, column, problem.code, problem.message, problem.hint, problem.severity)
            )
    # after the rules: expanding the devices (school.devices) is what records naming problems
    return [*school.findings, *findings, *simulation_layer(school)]


def _identities(school: LoadedSchool, attribute: str) -> Iterator[tuple[str, Path, str]]:
    """(value, path of the value, owner) for every device and switch that has *attribute*."""
    for d in school.devices:
        value = getattr(d, attribute)
        if value is not None:
            if d.n is None:
                yield value, (*d.path, attribute), d.name
            else:
                yield value, d.path if attribute == "name" else (*d.path, "assets", d.k, attribute), d.name
    for s, switch in enumerate(school.model.switches):
        value = getattr(switch, attribute)
        if value is not None:
            yield value, ("switches", s, attribute), switch.name


IDENTITIES = (("name", "host name"), ("mac", "MAC address"), ("serial", "serial number"))
"""The attributes that must be unique across the district, as :func:`check_district` compares them."""


def identities(school: LoadedSchool) -> dict[str, list[str]]:
    """The school's code and the values :func:`check_district` compares, as it compares them (names ignore case)."""
    found = {"code": [school.code]}
    for attribute, _what in IDENTITIES:
        values = (value for value, _path, _owner in _identities(school, attribute))
        found[attribute] = sorted({v.lower() if attribute == "name" else v for v in values})
    return found


def check_district(schools: list[LoadedSchool]) -> list[Finding]:
    """Names, MACs and serials must be unique across every school loaded together.

    Clashes between the same two entries (two counted patterns, say) are reported once.
    """
    findings: list[Finding] = []
    for attribute, what in IDENTITIES:
        first: dict[str, tuple[LoadedSchool, Path, str]] = {}
        clashes: dict[tuple[str, Path, str, Path], list[tuple[str, str, str]]] = {}
        schools_by_label: dict[str, LoadedSchool] = {}
        for school in schools:
            schools_by_label[school.label] = school
            for value, path, owner in _identities(school, attribute):
                key = value.lower() if attribute == "name" else value
                if key not in first:
                    first[key] = (school, path, owner)
                    continue
                other, other_path, other_owner = first[key]
                clashes.setdefault((school.label, path, other.label, other_path), []).append(
                    (value, owner, other_owner)
                )
        for (label, path, other_label, other_path), items in clashes.items():
            school, other = schools_by_label[label], schools_by_label[other_label]
            line, column = locate(school.parsed.data, path) or (1, 1)
            other_line = (locate(other.parsed.data, other_path) or (1, 1))[0]
            value, owner, other_owner = items[0]
            if len(items) == 1:
                by = "" if owner == other_owner else f" by {other_owner}"
                message = f"{what} {value} of {owner} is already used{by} ({other_label}:{other_line})"
            else:
                message = (
                    f"{len(items)} {what}s of this counted pattern ({items[0][0]} ... {items[-1][0]}) are already "
                    f"used ({other_label}:{other_line})"
                )
            findings.append(Finding(label, line, column, "duplicate", message, f"each device needs its own {what}"))
    return findings
