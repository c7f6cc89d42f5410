"""One school with its profile: merged catalogues and every device spelled out."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

from .findings import Finding
from .layers import Layer, deep_merge, merge_layers
from .loader import Parsed
from .model import (
    MANAGED_FAMILIES,
    BootServer,
    Device,
    DevicePattern,
    DeviceRole,
    Finance,
    ImagingProfile,
    ModelClass,
    OperatingSystem,
    PcModel,
    ProfileFile,
    RoomKind,
    SchoolFile,
    Settings,
    SimSchool,
    SimulationLayer,
    SoftwareSet,
    Vlan,
)
from .yamlsource import locate

_FIELD = re.compile(r"\{(school|room|n)(?::(0?\d))?\}")
_BRACES = re.compile(r"[{}]")

C = TypeVar("C", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """One device after counted patterns are expanded."""

    name: str
    role: DeviceRole
    os: OperatingSystem
    room: int  # index into school.rooms
    path: tuple[str | int, ...]  # ("rooms", r, "devices", d) in the school file
    n: int | None = None  # number in the name, for devices of a counted pattern
    k: int = 0  # position within the counted pattern (0-based)
    model: str | None = None
    mac: str | None = None
    serial: str | None = None
    ip: ipaddress.IPv4Address | None = None
    purchased: dt.date | None = None
    warranty_end: dt.date | None = None
    warranty_acknowledged: str | None = None
    vlan: str | None = None
    settings: Settings | None = None

    @property
    def entry(self) -> int:
        """Position of the device's entry (explicit or counted) in its room's device list."""
        return int(self.path[3])

    @property
    def managed(self) -> bool:
        return self.os.family in MANAGED_FAMILIES

    @property
    def imageable(self) -> bool:
        """A managed PC (lab or teacher PC): what a room's imaging profile reinstalls."""
        return self.managed and self.role in IMAGED_ROLES


IMAGED_ROLES = frozenset({DeviceRole.LAB_PC, DeviceRole.TEACHER_PC})
"""The roles a room's imaging profile applies to: PCs that stay in the room (laptops and servers are not reimaged)."""

DEFAULT_PC_MODEL = PcModel()
"""How a PC model the catalogue does not list boots: UEFI, without Secure Boot."""


def render_name(pattern: str, school: str, room: str, n: int) -> str | None:
    """Fill a naming pattern (``{school}-{room}-PC{n:02}``); None when it has an unknown field."""
    parsed = _naming(pattern)
    if parsed is None:
        return None
    pieces, tail = parsed
    values = {"school": school, "room": room, "n": n}
    out = []
    for text, name, width in pieces:
        value = values[name]
        out.append(text)
        out.append(f"{value:0{int(width)}d}" if width and isinstance(value, int) else str(value))
    out.append(tail)
    return "".join(out)


@lru_cache(maxsize=256)
def _naming(pattern: str) -> tuple[tuple[tuple[str, str, str | None], ...], str] | None:
    """A naming pattern read once, not once per device: (text before, field, width) each field, and the rest."""
    if _BRACES.search(_FIELD.sub("", pattern)):
        return None
    pieces, at = [], 0
    for match in _FIELD.finditer(pattern):
        pieces.append((pattern[at : match.start()], match.group(1), match.group(2)))
        at = match.end()
    return tuple(pieces), pattern[at:]


def _merge_named(profile: dict[str, C], school: dict[str, C], model: type[C]) -> dict[str, C]:
    """Merge two catalogues of named entries field by field (school wins)."""
    merged = dict(profile)
    for name, entry in school.items():
        if name in profile:
            below = profile[name].model_dump(exclude_unset=True)
            merged[name] = model.model_validate(deep_merge(below, entry.model_dump(exclude_unset=True)))
        else:
            merged[name] = entry
    return merged


@dataclass
class LoadedSchool:
    """A valid school file with its profile, ready for cross-reference checks and resolution."""

    parsed: Parsed[SchoolFile]
    profile: Parsed[ProfileFile]
    simulation: Parsed[SimulationLayer] | None = None  # set while ``schooltech sim up`` runs
    findings: list[Finding] = field(default_factory=list)

    @property
    def simulated(self) -> SimSchool | None:
        """This school's part of the simulation layer, if the school is simulated."""
        if self.simulation is None or self.simulation.model is None:
            return None
        return self.simulation.model.schools.get(self.code)

    @property
    def model(self) -> SchoolFile:
        assert self.parsed.model is not None
        return self.parsed.model

    @property
    def profile_model(self) -> ProfileFile:
        assert self.profile.model is not None
        return self.profile.model

    @property
    def code(self) -> str:
        return self.model.school.code

    @property
    def label(self) -> str:
        return self.parsed.label

    def profile_layer(self, *path: str | int) -> Layer:
        return Layer("profile", self.profile, path)

    def school_layer(self, *path: str | int) -> Layer:
        return Layer("school", self.parsed, path)

    def room_layer(self, r: int, *path: str | int) -> Layer:
        return Layer("room", self.parsed, ("rooms", r, *path))

    def device_layer(self, device_path: tuple[str | int, ...], *path: str | int) -> Layer:
        return Layer("device", self.parsed, (*device_path, *path))

    @cached_property
    def settings(self) -> dict[str, Any]:
        """Profile settings with the school's on top (JSON types, ready for Ansible)."""
        return merge_layers(self.settings_layers())

    def settings_layers(self) -> list[tuple[Layer, dict[str, Any]]]:
        return [
            (self.profile_layer("settings"), self.profile_model.settings.model_dump(mode="json", exclude_unset=True)),
            (self.school_layer("settings"), self.model.settings.model_dump(mode="json", exclude_unset=True)),
        ]

    def switch_settings(self, index: int) -> dict[str, Any]:
        """The settings of switch *index*: the school's with the switch's own on top."""
        switch = self.model.switches[index]
        if switch.settings is None:
            return self.settings
        return deep_merge(self.settings, switch.settings.model_dump(mode="json", exclude_unset=True))

    @cached_property
    def vlans(self) -> dict[str, Vlan]:
        return _merge_named(self.profile_model.vlans, self.model.vlans, Vlan)

    @cached_property
    def room_kinds(self) -> dict[str, RoomKind]:
        return _merge_named(self.profile_model.room_kinds, self.model.room_kinds, RoomKind)

    @cached_property
    def software_sets(self) -> dict[str, SoftwareSet]:
        return _merge_named(self.profile_model.software_sets, self.model.software_sets, SoftwareSet)

    @cached_property
    def imaging_profiles(self) -> dict[str, ImagingProfile]:
        return _merge_named(self.profile_model.imaging_profiles, self.model.imaging_profiles, ImagingProfile)

    @cached_property
    def pc_models(self) -> dict[str, PcModel]:
        return _merge_named(self.profile_model.models, self.model.models, PcModel)

    @cached_property
    def model_classes(self) -> dict[str, ModelClass]:
        return _merge_named(self.profile_model.model_classes, self.model.model_classes, ModelClass)

    @cached_property
    def finance(self) -> Finance:
        """The profile's budget calendar with the school's fields on top."""
        below = self.profile_model.finance.model_dump(exclude_unset=True)
        return Finance.model_validate(deep_merge(below, self.model.finance.model_dump(exclude_unset=True)))

    def pc_model(self, model: str | None) -> PcModel:
        """How PCs of *model* boot; a model the catalogue does not list boots UEFI without Secure Boot."""
        return self.pc_models.get(model, DEFAULT_PC_MODEL) if model is not None else DEFAULT_PC_MODEL

    @cached_property
    def software_catalogue(self) -> list[str]:
        """Every Debian package the school's software sets name: the packages the school manages.

        A lab PC may have only its room's share of them; anything else installed
        (the operating system's own packages) is not the school's to remove.
        """
        return sorted({package.name for entry in self.software_sets.values() for package in entry.packages})

    @cached_property
    def naming(self) -> dict[DeviceRole, str]:
        return {**self.profile_model.naming, **self.model.naming}

    def catalogue_layer(self, section: str, name: str, attribute: str) -> Layer:
        """The layer (school or profile) that set ``section.name.attribute``."""
        entry = getattr(self.model, section).get(name)
        if entry is not None and attribute in entry.model_fields_set:
            return self.school_layer(section, name, attribute)
        return self.profile_layer(section, name, attribute)

    def room_vlan(self, room_index: int) -> tuple[str | None, Layer | None]:
        """The VLAN name of a room and the layer that chose it (room, or its kind's default)."""
        room = self.model.rooms[room_index]
        if room.vlan is not None:
            return room.vlan, self.room_layer(room_index, "vlan")
        kind = self.room_kinds.get(room.kind)
        if kind is not None and kind.vlan is not None:
            return kind.vlan, self.catalogue_layer("room_kinds", room.kind, "vlan")
        return None, None

    def room_site(self, room_index: int) -> str | None:
        """The site of a room: its own, or the school's only site."""
        room = self.model.rooms[room_index]
        if room.site is None and len(self.model.sites) == 1:
            return self.model.sites[0].name
        return room.site

    def room_imaging_profile(self, room_index: int) -> tuple[str | None, Layer | None]:
        """The imaging profile of a room and the layer that chose it (room, or its kind's default).

        A room that writes ``imaging_profile: null`` is never imaged, whatever its kind says.
        """
        room = self.model.rooms[room_index]
        if "imaging_profile" in room.model_fields_set:
            return room.imaging_profile, self.room_layer(room_index, "imaging_profile")
        kind = self.room_kinds.get(room.kind)
        if kind is not None and kind.imaging_profile is not None:
            return kind.imaging_profile, self.catalogue_layer("room_kinds", room.kind, "imaging_profile")
        return None, None

    def boot_servers_for(self, site: str | None, vlan: str) -> list[BootServer]:
        """The boot servers that serve *vlan* on *site* (a server without a site is on the only site)."""
        only = self.model.sites[0].name if len(self.model.sites) == 1 else None
        return [b for b in self.model.boot_servers if vlan in b.vlans and (b.site or only) == site]

    def room_software_sets(self, room_index: int) -> tuple[list[str], Layer | None]:
        room = self.model.rooms[room_index]
        if room.software_sets is not None:
            return room.software_sets, self.room_layer(room_index, "software_sets")
        kind = self.room_kinds.get(room.kind)
        if kind is not None and kind.software_sets is not None:
            return kind.software_sets, self.catalogue_layer("room_kinds", room.kind, "software_sets")
        return [], None

    @cached_property
    def devices(self) -> list[DeviceRecord]:
        """Every device of the school; naming problems are added to :attr:`findings`."""
        records: list[DeviceRecord] = []
        code = self.code
        counters: dict[tuple[str, str | None], int] = {}
        for r, room in enumerate(self.model.rooms):
            for d, entry in enumerate(room.devices):
                path = ("rooms", r, "devices", d)
                if isinstance(entry, Device):
                    records.append(_explicit(entry, r, path))
                else:
                    records.extend(self._expand(entry, code, room.name, r, path, counters))
        return records

    def _expand(
        self,
        pattern: DevicePattern,
        code: str,
        room: str,
        r: int,
        path: tuple[str | int, ...],
        counters: dict[tuple[str, str | None], int],
    ) -> list[DeviceRecord]:
        template = pattern.name or self.naming.get(pattern.role)
        if template is None:
            self._finding(
                path,
                "naming",
                f"no naming convention for role {pattern.role}",
                "give the pattern a name such as '{school}-{room}-PC{n:02}'",
            )
            return []
        # Numbering continues across the school for school-wide names ({school}-L{n:04}) and
        # restarts in each room for names that contain the room.
        scope = (template, room if "{room" in template else None)
        first = pattern.first if "first" in pattern.model_fields_set else counters.get(scope, 0) + 1
        counters[scope] = max(counters.get(scope, 0), first + pattern.count - 1)
        out: list[DeviceRecord] = []
        for k in range(pattern.count):
            n = first + k
            name = render_name(template, code, room, n)
            if name is None or not _valid_hostname(name):
                self._finding(
                    (*path, "name") if pattern.name else path,
                    "naming",
                    f"naming pattern {template!r} gives {name or 'no name'!r}, not a valid host name",
                    "use only {school}, {room}, {n} or {n:02} with letters, digits and '-'",
                )
                return []
            asset = pattern.assets[k] if k < len(pattern.assets) else None
            out.append(
                DeviceRecord(
                    name=name,
                    k=k,
                    role=pattern.role,
                    os=pattern.os,
                    room=r,
                    path=path,
                    n=n,
                    model=pattern.model,
                    mac=asset.mac if asset else None,
                    serial=asset.serial if asset else None,
                    ip=pattern.ip_start + k if pattern.ip_start is not None else None,
                    purchased=pattern.purchased,
                    warranty_end=pattern.warranty_end,
                    warranty_acknowledged=pattern.warranty_acknowledged,
                    vlan=pattern.vlan,
                    settings=pattern.settings,
                )
            )
        return out

    def _finding(self, path: tuple[str | int, ...], code: str, message: str, hint: str) -> None:
        line, column = locate(self.parsed.data, path) or (1, 1)
        self.findings.append(Finding(self.label, line, column, code, message, hint))


_HOSTNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def _valid_hostname(name: str) -> bool:
    return bool(_HOSTNAME.match(name))


def _explicit(device: Device, r: int, path: tuple[str | int, ...]) -> DeviceRecord:
    return DeviceRecord(
        name=device.name,
        role=device.role,
        os=device.os,
        room=r,
        path=path,
        model=device.model,
        mac=device.mac,
        serial=device.serial,
        ip=device.ip,
        purchased=device.purchased,
        warranty_end=device.warranty_end,
        warranty_acknowledged=device.warranty_acknowledged,
        vlan=device.vlan,
        settings=device.settings,
    )
