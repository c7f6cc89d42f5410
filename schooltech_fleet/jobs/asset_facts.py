"""Each PC's own account of itself: the ``asset_facts`` job, its reports read as :class:`DiscoveredPc`.

The job runs through :func:`.job.run_job` like every lab job (run record, journal, network
guard), read-only: every PC at once, in exam freezes too, without the school's lock. The
``asset_facts`` role reports through ``set_stats`` (``schooltech_report.<host>.asset_facts``);
:func:`discovered_pc` turns one report into a :class:`DiscoveredPc`, refusing a malformed one
with a message naming the PC and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..assets.discovery import DiscoveredPc, Disk, normal_mac
from ..errors import FleetError
from .job import run_job
from .model import HostStatus, JobKind, JobRequest
from .runner import ProgressCallback

REPORT_KEY = "asset_facts"
"""The role's entry in a host's ``set_stats`` report."""

PLACEHOLDERS = frozenset({
    "", "none", "n/a", "na", "not specified", "not applicable", "not available", "to be filled by o.e.m.",
    "default string", "system serial number", "system product name", "system version", "system manufacturer",
    "0", "0123456789", "unknown",
})  # fmt: skip
"""What firmware writes into a DMI field it leaves unset (compared in lower case)."""


class MalformedFacts(FleetError):
    """A PC's asset report does not have the shape the ``asset_facts`` role gives it."""


@dataclass(frozen=True)
class PcFacts:
    """What one ``asset_facts`` job collected."""

    pcs: tuple[DiscoveredPc, ...]
    unreachable: tuple[str, ...]  # targeted PCs that gave no facts (unreachable, or the role failed there)
    run_id: str


def gather_pc_facts(inventory: Path, school: str, rooms: tuple[str, ...] = (),
                    on_progress: ProgressCallback | None = None) -> PcFacts:  # fmt: skip
    """Collect the facts of *school*'s managed PCs (in *rooms*, or all) over SSH."""
    result = run_job(JobRequest(JobKind.ASSET_FACTS, inventory, school, rooms), on_progress)
    pcs, unreachable = [], []
    for host in result.hosts:
        report = host.report.get(REPORT_KEY)
        if host.status in (HostStatus.OK, HostStatus.CHANGED) and report is not None:
            pcs.append(discovered_pc(host.name, report))
        else:
            unreachable.append(host.name)
    return PcFacts(tuple(pcs), tuple(unreachable), result.run_id)


def discovered_pc(host: str, report: object) -> DiscoveredPc:
    """One PC's ``asset_facts`` report as a :class:`DiscoveredPc`; :class:`MalformedFacts` if it is not one."""
    facts = _mapping(host, "the report", report)
    dmi = _mapping(host, "dmi", facts.get("dmi", {}))
    name, version = _dmi(host, dmi, "product_name"), _dmi(host, dmi, "product_version")
    return DiscoveredPc(
        host=host,
        hostname=_text(host, "hostname", facts.get("hostname")) or host,
        serial=_dmi(host, dmi, "product_serial"),
        vendor=_dmi(host, dmi, "sys_vendor"),
        model=_model(name, version),
        macs=_macs(host, facts.get("interfaces", {})),
        ram_mb=_count(host, "ram_mb", facts.get("ram_mb")),
        disks=_disks(host, facts.get("disks", {})),
        os=_text(host, "os", facts.get("os")),
        bios=_bios(host, dmi),
        packages=tuple(sorted({_required_text(host, "packages", p) for p in _list(host, "packages",
                                                                                  facts.get("packages", []))})),
    )  # fmt: skip


def _model(name: str | None, version: str | None) -> str | None:
    """Dell and HP name the model in product_name; Lenovo puts the machine type there and the model in
    product_version: ``ThinkCentre M70q (11DT003QUK)``."""
    if name and version:
        return f"{version} ({name})"
    return name or version


def _bios(host: str, dmi: Mapping[str, Any]) -> str | None:
    vendor, version, date = (_dmi(host, dmi, key) for key in ("bios_vendor", "bios_version", "bios_date"))
    line = " ".join(part for part in (vendor, version) if part)
    if date:
        line = f"{line} ({date})" if line else date
    return line or None


def _macs(host: str, interfaces: object) -> tuple[str, ...]:
    macs = set()
    for interface, address in _mapping(host, "interfaces", interfaces).items():
        mac = normal_mac(address) if isinstance(address, str) else None
        if mac is None:
            raise MalformedFacts(f"{host}: interface {interface} reports {address!r}, not a MAC address",
                                 "the asset_facts role reads /sys/class/net/<interface>/address")  # fmt: skip
        macs.add(mac)
    return tuple(sorted(macs))


def _disks(host: str, disks: object) -> tuple[Disk, ...]:
    sized = {str(name): _count(host, f"disk {name}", size) for name, size in _mapping(host, "disks", disks).items()}
    return tuple(Disk(name, size) for name, size in sorted(sized.items()) if size is not None)


def _dmi(host: str, dmi: Mapping[str, Any], key: str) -> str | None:
    value = _text(host, f"dmi {key}", dmi.get(key))
    return None if value is None or value.lower() in PLACEHOLDERS else value


def _text(host: str, field: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedFacts(f"{host}: {field} is {value!r}, not text", _HINT)
    return value.strip() or None


def _required_text(host: str, field: str, value: object) -> str:
    text = _text(host, field, value)
    if text is None:
        raise MalformedFacts(f"{host}: {field} has an empty entry", _HINT)
    return text


def _count(host: str, field: str, value: object) -> int | None:
    """A non-negative whole number; Ansible may hand it over as text (``"7936"``)."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise MalformedFacts(f"{host}: {field} is {value!r}, not a whole number", _HINT)


def _mapping(host: str, field: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedFacts(f"{host}: {field} is {type(value).__name__}, not a mapping", _HINT)
    return value


def _list(host: str, field: str, value: object) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedFacts(f"{host}: {field} is {type(value).__name__}, not a list", _HINT)
    return value


_HINT = "the report does not come from this version of the asset_facts role: check roles/asset_facts"
