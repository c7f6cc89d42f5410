"""One flat record per declared device and switch, with what an audit found on it, for the exports.

The inventory says where a device is and what was bought (room, role, model, purchase and
warranty dates, the MAC and serial on the order); an audit (:class:`~..discovery.Discovery`)
says what the machine reports about itself. Both formats read these records; each decides
which side wins for each field (see ``docs/assets.md``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from ...errors import UsageError
from ...inventory.fleet import Fleet
from ..discovery import DiscoveredPc, Discovery


@dataclass(frozen=True)
class AssetRecord:
    """A declared device or switch as the exports see it; ``found`` is the audit's view of a PC, if any."""

    name: str
    kind: Literal["device", "switch"]
    school: str  # code
    school_name: str
    role: str  # a DeviceRole value, or "switch"
    site: str | None
    building: str | None
    room: str | None
    room_title: str | None
    model: str | None
    serial: str | None
    mac: str | None
    ip: str | None
    purchased: dt.date | None
    warranty_end: dt.date | None
    os: str | None  # an OperatingSystem value (devices) or the switch platform
    found: DiscoveredPc | None = None


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def _record(fleet: Fleet, name: str, found: DiscoveredPc | None) -> AssetRecord:
    host = fleet.hosts[name]
    values = fleet.host_vars(name)
    switch = host.kind == "switch"
    return AssetRecord(
        name=name,
        kind=host.kind,
        school=host.school,
        school_name=values.get("school_name") or host.school,
        role="switch" if switch else values["device_role"],
        site=values.get("site"),
        building=values.get("building"),
        room=values.get("room"),
        room_title=values.get("room_title"),
        model=values.get("switch_model" if switch else "model"),
        serial=values.get("serial_number"),
        mac=values.get("mac"),
        ip=values.get("mgmt_ip" if switch else "ip"),
        purchased=_date(values.get("purchased")),
        warranty_end=_date(values.get("warranty_end")),
        os=values.get("switch_platform" if switch else "os"),
        found=found,
    )


def asset_records(fleet: Fleet, school: str | None = None, discovery: Discovery | None = None) -> list[AssetRecord]:
    """Every device and switch of *school* (default: every school), devices first, each in name order.

    A PC the *discovery* reached carries its :class:`DiscoveredPc` (matched by the inventory name
    the job reached it by). A discovery of another school than *school* is a usage error.
    """
    if school is not None:
        fleet.school(school)  # an unknown code is refused with the known ones
    if discovery is not None:
        fleet.school(discovery.school)
        if school is not None and discovery.school != school:
            raise UsageError(f"the audit is of school {discovery.school}, not {school}",
                             f"export --school {discovery.school}, or give no audit")  # fmt: skip
    found = {pc.host: pc for pc in discovery.pcs} if discovery is not None else {}
    names = sorted((h for h in fleet.hosts.values() if school is None or h.school == school),
                   key=lambda h: (h.school, h.kind != "device", h.name))  # fmt: skip
    return [_record(fleet, host.name, found.get(host.name)) for host in names]
