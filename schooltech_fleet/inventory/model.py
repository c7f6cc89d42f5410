"""The inventory file format: what a school file and a school-type profile may say.

These models validate one file on its own (types, ranges, unknown fields, unsafe
strings). Whether names refer to things that exist, and whether the school adds
up (duplicates, subnets, seats, dates), is checked by :mod:`.crossref` once the
profile is known. See ``docs/inventory.md`` for the format with examples.
"""

from __future__ import annotations

import ipaddress
import math
import re
import zoneinfo
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .safety import (
    AptSource,
    Hostname,
    HostPort,
    LocalPath,
    MirrorUrl,
    Name,
    PackageVersion,
    ProxyException,
    ProxyUrl,
    RelativeFile,
    SafeStr,
    SafeText,
    SshPublicKey,
    WingetId,
)
from .scalars import ONE_NOT_TRUE, TEXT, Date, IPv4, Subnet, Time, hinted, written

FORMAT_VERSION = 1


class Model(BaseModel):
    """Base of every inventory model: strict about unknown fields and about types (:mod:`.scalars`), immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class SchoolType(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SPECIALIST = "specialist"


class DeviceRole(StrEnum):
    LAB_PC = "lab_pc"
    TEACHER_PC = "teacher_pc"
    STAFF_LAPTOP = "staff_laptop"
    STUDENT_LAPTOP = "student_laptop"
    CHROMEBOOK = "chromebook"
    TABLET = "tablet"
    SERVER = "server"
    PRINTER = "printer"
    DISPLAY = "display"
    ACCESS_POINT = "access_point"
    AV_DEVICE = "av_device"


class OsFamily(StrEnum):
    LINUX = "linux"
    WINDOWS = "windows"
    CHROMEOS = "chromeos"
    IPADOS = "ipados"
    EMBEDDED = "embedded"


class OperatingSystem(StrEnum):
    DEBIAN12 = "debian12"
    UBUNTU2204 = "ubuntu2204"
    UBUNTU2404 = "ubuntu2404"
    WINDOWS10 = "windows10"
    WINDOWS11 = "windows11"
    CHROMEOS = "chromeos"
    IPADOS = "ipados"
    EMBEDDED = "embedded"

    @property
    def family(self) -> OsFamily:
        return _OS_FAMILY[self]


_OS_FAMILY = {
    OperatingSystem.DEBIAN12: OsFamily.LINUX,
    OperatingSystem.UBUNTU2204: OsFamily.LINUX,
    OperatingSystem.UBUNTU2404: OsFamily.LINUX,
    OperatingSystem.WINDOWS10: OsFamily.WINDOWS,
    OperatingSystem.WINDOWS11: OsFamily.WINDOWS,
    OperatingSystem.CHROMEOS: OsFamily.CHROMEOS,
    OperatingSystem.IPADOS: OsFamily.IPADOS,
    OperatingSystem.EMBEDDED: OsFamily.EMBEDDED,
}

MANAGED_FAMILIES = frozenset({OsFamily.LINUX, OsFamily.WINDOWS})
"""Operating systems that Ansible jobs configure; the rest are asset records only."""

IMAGEABLE = (
    OperatingSystem.DEBIAN12,
    OperatingSystem.UBUNTU2204,
    OperatingSystem.UBUNTU2404,
    OperatingSystem.WINDOWS10,
    OperatingSystem.WINDOWS11,
)
"""Operating systems an imaging profile may install: those an answer file exists for."""


_CANONICAL_MAC = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}")


def _normalise_mac(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    lowered = value.lower()
    if _CANONICAL_MAC.fullmatch(lowered):  # as most school files write them: 30,000 checks a district
        return lowered
    digits = "".join(c for c in value.lower() if c in "0123456789abcdef")
    stripped = value.lower().replace(":", "").replace("-", "").replace(".", "")
    if len(digits) != 12 or digits != stripped:
        raise ValueError("not a MAC address; write six hex pairs such as 3c:52:82:1a:2b:3c")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


MacAddress = Annotated[str, BeforeValidator(_normalise_mac)]


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


# --- settings: the layered variables (profile -> school -> room -> device) ---


class WebFilter(Model):
    proxy_url: ProxyUrl | None = None
    no_proxy: list[ProxyException] | None = None
    ca_cert: RelativeFile | None = Field(default=None, description="PEM file, relative to the school file")


class Accounts(Model):
    admin_user: Hostname | None = None
    student_user: Hostname | None = None


class OsMirrors(Model):
    """Local archive mirrors an installer uses instead of the internet's (none: the distribution's default)."""

    debian: MirrorUrl | None = None
    ubuntu: MirrorUrl | None = None


class PatchWindow(Model):
    days: list[Annotated[Weekday, TEXT]] | None = None
    start: Time | None = None
    end: Time | None = None


class PatchPolicy(Model):
    security_only: bool | None = None
    reboot: Literal["never", "outside_lessons", "always_if_required"] | None = None
    window: PatchWindow | None = None
    min_free_disk_mb: Annotated[int, Field(ge=0)] | None = None


class PortSecurity(Model):
    enabled: bool | None = None
    maximum: Annotated[int, Field(ge=1, le=64)] | None = None
    violation: Literal["protect", "restrict", "shutdown"] | None = None


class StormControl(Model):
    broadcast_level: Annotated[float, Field(gt=0, le=100)] | None = None


class Snmp(Model):
    location: SafeStr | None = None
    contact: SafeStr | None = None
    user: Hostname | None = None
    group: Hostname | None = None
    servers: list[IPv4] | None = None


class SwitchPolicy(Model):
    port_security: PortSecurity | None = None
    storm_control: StormControl | None = None
    unused_ports: Literal["shutdown", "leave"] | None = None
    access_point_vlans: list[Name] | None = None
    guest_isolation: bool | None = None


_LOCALE = re.compile(r"[a-z]{2,3}_[A-Z]{2}\.UTF-8\Z")
_KEYBOARD = re.compile(r"[a-z]{2,8}\Z")


class Settings(Model):
    """Variables that every layer may set; the most specific layer wins, key by key."""

    timezone: SafeStr | None = None
    locale: SafeStr | None = Field(default=None, description="the installed system's locale, e.g. en_GB.UTF-8")
    keyboard: SafeStr | None = Field(default=None, description="XKB keyboard layout, e.g. gb")
    ntp_servers: list[IPv4] | None = None
    dns_servers: list[IPv4] | None = None
    syslog_servers: list[IPv4] | None = None
    filtering_level: Literal["standard", "strict", "walled_garden"] | None = None
    web_filter: WebFilter | None = None
    accounts: Accounts | None = None
    screen_lock_minutes: Annotated[int, Field(ge=1, le=240)] | None = None
    usb_storage: Literal["allow", "block"] | None = None
    aup_banner: SafeText | None = None
    motd: SafeText | None = None
    wipe_student_homes_on_rebuild: bool | None = None
    software_repository: AptSource | None = Field(default=None, description="APT source line of the school's packages")
    os_mirrors: OsMirrors | None = None
    patch: PatchPolicy | None = None
    snmp: Snmp | None = None
    switch: SwitchPolicy | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/London") from exc
        return value

    @field_validator("locale")
    @classmethod
    def _locale_name(cls, value: str | None) -> str | None:
        if value is not None and not _LOCALE.match(value):
            raise hinted(f"{value!r} is not a locale", "write language_COUNTRY.UTF-8, e.g. en_GB.UTF-8")
        return value

    @field_validator("keyboard")
    @classmethod
    def _keyboard_layout(cls, value: str | None) -> str | None:
        if value is not None and not _KEYBOARD.match(value):
            raise hinted(f"{value!r} is not an XKB keyboard layout",
                         "write the layout's name in lower case, e.g. gb, us, de, fr")  # fmt: skip
        return value


# --- shared catalogue sections: profiles define them, schools extend them ---


class Vlan(Model):
    id: Annotated[int, Field(ge=1, le=4094)] | None = None
    description: SafeStr | None = None
    subnet: Subnet | None = None
    gateway: IPv4 | None = None


class Package(Model):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9+.-]+$")]
    version: PackageVersion | None = None


def _package(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class SoftwareSet(Model):
    description: SafeStr | None = None
    packages: list[Annotated[Package, BeforeValidator(_package)]] = Field(default_factory=list)
    windows_packages: list[WingetId] = Field(default_factory=list)


class RoomKind(Model):
    description: SafeStr | None = None
    vlan: Name | None = None
    software_sets: list[Name] | None = None
    imaging_profile: Name | None = Field(default=None, description="the imaging profile of its PCs")


class ImagingProfile(Model):
    """What a PC gets when it is imaged: the operating system and how the disk is laid out."""

    os: Annotated[OperatingSystem, TEXT]
    disk_layout: Literal["single", "lvm"] = "single"
    description: SafeStr | None = None

    @field_validator("os")
    @classmethod
    def _installable(cls, value: OperatingSystem) -> OperatingSystem:
        if value not in IMAGEABLE:
            raise hinted(f"{value} cannot be installed over the network",
                         f"use one of {', '.join(IMAGEABLE)}")  # fmt: skip
        return value


MAX_RAM_GB = 65_536  # 64 TiB: more than any PC holds, so a typo (GB written as MB or bytes) is caught
MAX_DISK_GB = 1_048_576  # 1 PiB
_SIZES = {"ram_gb": (MAX_RAM_GB, 8), "disk_gb": (MAX_DISK_GB, 256)}
MAX_PRICE = 1_000_000_000  # a price in any currency's units (yen and rupiah included) stays below this


class PcModel(Model):
    """How a PC model boots (a model the catalogue does not list boots UEFI without Secure Boot)."""

    firmware: Literal["bios", "uefi"] = "uefi"
    secure_boot: bool = False
    ram_gb: Annotated[int, Field(strict=True)] | None = Field(
        default=None, description="installed memory a PC of this model should report (asset audit), 1 to 65536"
    )
    disk_gb: Annotated[int, Field(strict=True)] | None = Field(
        default=None, description="size of its largest disk (asset audit), 1 to 1048576"
    )
    lifecycle_class: Name | None = Field(default=None, description="the model class (model_classes) it is refreshed as")

    @field_validator("ram_gb", "disk_gb")
    @classmethod
    def _gigabytes(cls, value: int | None, info: ValidationInfo) -> int | None:
        largest, example = _SIZES[info.field_name or ""]
        if value is not None and not 1 <= value <= largest:
            raise hinted(f"{value:,} GB", f"write whole gigabytes from 1 to {largest:,}, "
                         f"e.g. {info.field_name}: {example}")  # fmt: skip
        return value

    @model_validator(mode="after")
    def _secure_boot_needs_uefi(self) -> PcModel:
        if self.secure_boot and self.firmware == "bios":
            raise hinted("Secure Boot is a UEFI feature; BIOS firmware has none",
                         "set firmware: uefi or secure_boot: false")  # fmt: skip
        return self


NamingPattern = Annotated[str, Field(pattern=r"^[A-Za-z0-9{}:_-]+$")]


class ModelClass(Model):
    """How long a class of device is kept, and what replacing one costs (in the school's currency)."""

    lifecycle_years: int = Field(description="years from purchase to end of life, 1 to 20")
    price: float = Field(description="what one replacement costs, 0 or more")

    @field_validator("lifecycle_years")
    @classmethod
    def _years(cls, value: int) -> int:
        if not 1 <= value <= 20:
            raise hinted(f"a lifecycle of {value} years", "write whole years from 1 to 20, e.g. lifecycle_years: 6")
        return value

    @field_validator("price")
    @classmethod
    def _price(cls, value: float) -> float:
        if value < 0:
            raise hinted(f"a negative price ({value:g})", "write what one replacement costs, e.g. price: 650")
        if not math.isfinite(value) or value > MAX_PRICE:
            raise hinted(f"a price of {value:g}", f"write what one replacement costs, at most {MAX_PRICE:,}, "
                         "e.g. price: 650")  # fmt: skip
        return value


_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})\Z")


def _month_day(value: str) -> str:
    match = _MONTH_DAY.match(value)
    if not match or not 1 <= int(match[1]) <= 12 or not 1 <= int(match[2]) <= 28:
        raise hinted(f"{value!r} is not a financial year start",
                     "write MM-DD with a day from 01 to 28, e.g. 04-01 for 1 April")  # fmt: skip
    return value


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise hinted(f"{value!r} is not a currency code", "write its ISO 4217 code in capitals: GBP, EUR, USD")
    return value


class Finance(Model):
    """The school's budget calendar: the currency prices are in and the first day of its financial year."""

    currency: Annotated[str, AfterValidator(_currency)] | None = Field(default=None, description="ISO 4217, e.g. GBP")
    financial_year_start: Annotated[SafeStr, AfterValidator(_month_day)] | None = None


class Catalogue(Model):
    """The sections a profile defines and a school file may extend or override."""

    settings: Settings = Settings()
    vlans: dict[Name, Vlan] = Field(default_factory=dict)
    room_kinds: dict[Name, RoomKind] = Field(default_factory=dict)
    software_sets: dict[Name, SoftwareSet] = Field(default_factory=dict)
    naming: dict[Annotated[DeviceRole, TEXT], NamingPattern] = Field(default_factory=dict)
    imaging_profiles: dict[Name, ImagingProfile] = Field(default_factory=dict)
    models: dict[SafeStr, PcModel] = Field(default_factory=dict, description="boot firmware per PC model")
    model_classes: dict[Name, ModelClass] = Field(default_factory=dict, description="lifecycle and price per class")
    finance: Finance = Finance()


class ProfileHeader(Model):
    name: Annotated[SchoolType, TEXT]
    description: SafeStr


class ProfileFile(Catalogue):
    """A school-type profile shipped with the package."""

    profile: ProfileHeader


# --- the school ---


class SchoolHeader(Model):
    name: SafeStr
    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,7}$")]
    type: Annotated[SchoolType, TEXT]


class ExecutionNode(Model):
    """A host inside a site's network that runs the school's jobs (``ansible-runner worker`` over SSH)."""

    host: IPv4 = Field(description="its address, inside the school's networks")
    port: Annotated[int, Field(ge=1, le=65535)] = 22
    user: Hostname = Field(description="the login schooltech uses on the node")
    host_key: SshPublicKey | None = Field(
        default=None, description="its SSH host key ('ssh-ed25519 AAAA...'); recorded by 'schooltech node setup'"
    )
    switches_via_node: bool = Field(
        default=False, description="the site's switch sessions go through this node (an SSH jump): for a management "
        "network the controller has no route to; needs host_key",
    )  # fmt: skip


class Site(Model):
    name: Name
    address: SafeStr | None = None
    buildings: list[Name] = Field(default_factory=list)
    execution_node: ExecutionNode | None = None


def _reason(value: str) -> str:
    if not value.strip():
        raise hinted("an empty reason", "say why the expiry is accepted, e.g. "
                     "warranty_acknowledged: replaced in the 2027 refresh")  # fmt: skip
    return value


Reason = Annotated[SafeStr, AfterValidator(_reason)]
"""Why a technician accepts something the checks would report: one line, not blank."""


class AssetFields(Model):
    role: Annotated[DeviceRole, TEXT]
    os: Annotated[OperatingSystem, TEXT] = OperatingSystem.EMBEDDED
    model: SafeStr | None = None
    purchased: Date | None = None
    warranty_end: Date | None = None
    warranty_acknowledged: Reason | None = Field(default=None, description="why a known warranty expiry is accepted")
    vlan: Name | None = None
    settings: Settings | None = None


class Device(AssetFields):
    """One device written out with its asset record."""

    name: Hostname
    mac: MacAddress | None = None
    serial: SafeStr | None = None
    ip: IPv4 | None = None


class Asset(Model):
    mac: MacAddress | None = None
    serial: SafeStr | None = None


class DevicePattern(AssetFields):
    """``count`` identical devices named by the naming convention for their role."""

    count: Annotated[int, Field(ge=1, le=1000)]
    name: NamingPattern | None = Field(default=None, description="overrides the naming convention")
    first: Annotated[int, Field(ge=0)] = 1
    ip_start: IPv4 | None = None
    assets: list[Asset] = Field(default_factory=list)

    @model_validator(mode="after")
    def _assets_fit(self) -> DevicePattern:
        if len(self.assets) > self.count:
            raise ValueError(f"{len(self.assets)} asset records for {self.count} devices; raise count or remove assets")
        return self

    @model_validator(mode="after")
    def _addresses_fit(self) -> DevicePattern:
        # ip_start + k must stay an IPv4 address (255.255.255.250 + 10 is not one)
        if self.ip_start is not None and int(self.ip_start) + self.count - 1 > 0xFFFFFFFF:
            raise ValueError(f"{self.count} devices from ip_start {self.ip_start} run past 255.255.255.255")
        return self


def _device_kind(value: Any) -> str:
    return "pattern" if isinstance(value, dict) and "count" in value else "device"


DeviceEntry = Annotated[
    Annotated[Device, Tag("device")] | Annotated[DevicePattern, Tag("pattern")],
    Discriminator(_device_kind),
]


class Room(Model):
    name: Name
    title: SafeStr | None = None
    kind: Name
    site: Name | None = None
    building: Name | None = None
    vlan: Name | None = None
    software_sets: list[Name] | None = None
    imaging_profile: Name | None = Field(default=None, description="overrides the kind's; null: never imaged")
    settings: Settings | None = None
    devices: list[DeviceEntry] = Field(default_factory=list)


MAX_PORT = 96 + 8
"""The highest port number any switch may have (access_ports <= 96, uplink_ports <= 8)."""


def _port_list(value: Any) -> Any:
    """Accept ``5``, ``"1-24"`` or ``"1-10,12"`` and return the port numbers in order."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(value)  # each item must be a whole number
    if not isinstance(value, str):
        raise hinted(f"expected ports, found {written(value)}",
                           "write ports as a number (5), a range (1-24) or a list (1-10,12)")  # fmt: skip
    ports: list[int] = []
    for part in value.replace(" ", "").split(","):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise ValueError(f"{value!r} is not a port list; write 5, 1-24 or 1-10,12")
        first, last = int(low), int(high or low)
        if last < first:
            raise ValueError(f"port range {part} runs backwards; write {last}-{first}")
        if last > MAX_PORT:  # checked before expanding: "1-99999999" would take minutes
            raise ValueError(f"port {last} is beyond any switch (at most {MAX_PORT} ports)")
        ports.extend(range(first, last + 1))
    return tuple(ports)


PortList = Annotated[tuple[Annotated[int, Field(ge=1, le=MAX_PORT)], ...], BeforeValidator(_port_list)]


class PortAssignment(Model):
    """What a range of switch ports connects to: a room, a device, a VLAN or access points."""

    ports: PortList
    room: Name | None = None
    device: Hostname | None = None
    vlan: Name | None = None
    access_point: bool = False
    description: SafeStr | None = None

    @property
    def label(self) -> tuple[str, str]:
        """The description the ports get on the switch, and the field that supplies it."""
        if self.description:
            return self.description, "description"
        if self.room is not None:
            return f"room {self.room}", "room"
        if self.device is not None:
            return self.device, "device"
        if self.vlan is not None:
            return f"{self.vlan} VLAN", "vlan"
        return "access point", "access_point"

    @model_validator(mode="after")
    def _one_target(self) -> PortAssignment:
        targets = [t for t in ("room", "device", "vlan") if getattr(self, t) is not None]
        if self.access_point:
            targets.append("access_point")
        if len(targets) != 1:
            raise ValueError("say what the ports connect to with exactly one of room, device, vlan or access_point")
        return self


class Uplink(Model):
    port: Annotated[int, Field(ge=1)]
    to: Hostname | None = None
    description: SafeStr | None = None
    vlans: list[Name] | None = Field(default=None, description="allowed VLANs; default all of the school's")

    @property
    def label(self) -> tuple[str, str]:
        """The description the port gets on the switch, and the field that supplies it."""
        if self.description:
            return self.description, "description"
        if self.to is not None:
            return f"uplink to {self.to}", "to"
        return "uplink", "port"


class Switch(Model):
    name: Hostname
    platform: SafeStr
    model: SafeStr | None = None
    site: Name | None = None
    building: Name | None = None
    mgmt_ip: IPv4
    access_ports: Annotated[int, Field(ge=1, le=96)] = 48
    uplink_ports: Annotated[int, Field(ge=0, le=8)] = 4
    serial: SafeStr | None = None
    mac: MacAddress | None = None
    purchased: Date | None = None
    warranty_end: Date | None = None
    warranty_acknowledged: Reason | None = Field(default=None, description="why a known warranty expiry is accepted")
    settings: Settings | None = None
    ports: list[PortAssignment] = Field(default_factory=list)
    uplinks: list[Uplink] = Field(default_factory=list)


class BootServer(Model):
    """A host on a site that network-boots the PCs of the VLANs it serves (proxy-DHCP, iPXE, HTTP) and wakes them."""

    name: Hostname
    site: Name | None = Field(default=None, description="default: the school's only site")
    address: IPv4
    vlans: Annotated[list[Name], Field(min_length=1)]
    ssh_user: Hostname | None = Field(
        default=None, description="the login schooltech uses (default: ssh's own); sudo unless root"
    )
    ssh_port: Annotated[int, Field(ge=1, le=65535)] = 22


class SecretRef(Model):
    """Where a secret comes from: an environment variable or a variable of the vault file."""

    env: Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")] | None = None
    vault: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SecretRef:
        if (self.env is None) == (self.vault is None):
            raise ValueError("give exactly one of env (an environment variable) or vault (a vault variable)")
        return self


class Licence(Model):
    id: Name
    product: SafeStr
    type: Literal["per_seat", "site", "concurrent"]
    seats: Annotated[int, Field(ge=1)] | None = None
    rooms: list[Name] = Field(default_factory=list)
    software_set: Name | None = None
    expires: Date | None = None
    key: SecretRef | None = None
    server: HostPort | None = Field(default=None, description="licence server host:port for concurrent licences")

    @model_validator(mode="after")
    def _seats_when_counted(self) -> Licence:
        if self.type in ("per_seat", "concurrent") and self.seats is None:
            raise ValueError(f"a {self.type} licence needs seats: the number of licences bought")
        return self


class Term(Model):
    name: SafeStr
    start: Date
    end: Date


class ExamFreeze(Model):
    name: SafeStr
    start: Date
    end: Date
    rooms: list[Name] = Field(default_factory=list, description="empty: every room")


class Period(Model):
    start: Time
    end: Time


class Lessons(Model):
    days: list[Annotated[Weekday, TEXT]] = Field(
        default_factory=lambda: [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI]
    )
    periods: list[Period] = Field(default_factory=list)


class Calendar(Model):
    terms: list[Term] = Field(default_factory=list)
    exam_freezes: list[ExamFreeze] = Field(default_factory=list)
    lessons: Lessons = Lessons()


Expression = SafeStr
"""A Jinja expression of the ``ansible:`` section: what it may hold is checked by :mod:`.constructed`."""


class KeyedGroup(Model):
    key: Expression
    prefix: SafeStr = ""
    separator: SafeStr = "_"
    parent_group: SafeStr | None = None
    default_value: SafeStr | None = None
    trailing_separator: bool | None = Field(default=None, description="Ansible's default: true")

    @model_validator(mode="after")
    def _default_or_trailing(self) -> KeyedGroup:
        # Ansible rejects a keyed group with both (and ours used to always send trailing_separator)
        if self.default_value is not None and self.trailing_separator is not None:
            raise ValueError("give default_value or trailing_separator, not both")
        return self


class AnsibleOptions(Model):
    """Constructable options for the Ansible inventory plugin (compose, groups, keyed_groups)."""

    compose: dict[Name, Expression] = Field(default_factory=dict)
    groups: dict[Name, Expression] = Field(default_factory=dict)
    keyed_groups: list[KeyedGroup] = Field(default_factory=list)
    strict: bool = False


class SchoolFile(Catalogue):
    """One school: everything a technician declares about it."""

    schooltech: Annotated[Literal[1], ONE_NOT_TRUE] = Field(description="format version of this file")
    school: SchoolHeader
    sites: list[Site] = Field(default_factory=list)
    rooms: list[Room] = Field(default_factory=list)
    switches: list[Switch] = Field(default_factory=list)
    boot_servers: list[BootServer] = Field(default_factory=list)
    licences: list[Licence] = Field(default_factory=list)
    calendar: Calendar = Calendar()
    ansible: AnsibleOptions = AnsibleOptions()


# --- the simulation layer (written by ``schooltech sim up``) ---


class SimEndpoint(Model):
    host: IPv4
    port: Annotated[int, Field(ge=1024, le=65535)]

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, value: ipaddress.IPv4Address) -> ipaddress.IPv4Address:
        if not value.is_loopback:
            raise ValueError(
                f"{value} is not a loopback address: a simulated device must be reached on 127.0.0.0/8, "
                "never on a real network"
            )
        return value


class SimNode(SimEndpoint):
    """The school's simulated execution node: a container on loopback that runs the school's jobs."""

    user: Hostname
    host_key: SshPublicKey = Field(description="its SSH host key, scanned when the simulation started")


class SimSchool(Model):
    devices: dict[Hostname, SimEndpoint] = Field(default_factory=dict)
    switches: dict[Hostname, SimEndpoint] = Field(default_factory=dict)
    execution_node: SimNode | None = Field(
        default=None, description="written by 'sim up --execution-node': every lab job of the school runs there"
    )


class SimConnection(Model):
    ssh_user: Hostname
    ssh_private_key: LocalPath
    ssh_known_hosts: LocalPath
    switch_username: SafeStr
    switch_password_file: LocalPath
    switch_known_hosts: LocalPath | None = Field(default=None, description="the emulated switches' SSH host keys")
    switch_minute_seconds: Annotated[float, Field(gt=0)] | None = Field(
        default=None, description="real seconds per emulated minute (the switches' configuration revert timer)"
    )


class SimulationLayer(Model):
    """Where the simulated devices of some schools answer, and how to log in to them."""

    schooltech_sim: Annotated[Literal[1], ONE_NOT_TRUE]
    simulation: Name
    started: SafeStr
    connection: SimConnection
    schools: dict[str, SimSchool]
