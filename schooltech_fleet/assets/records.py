"""Audit records: each audit's discovery and result, kept in the state directory.

``STATE/audits/SCHOOL/20261201T0053Z.json`` holds ``{"format": 1, "discovery": ..., "result": ...}``,
written atomically (a synced temporary file renamed into place). The same document is what
``schooltech assets audit --format json`` prints, and what ``--from`` reads back: a saved
discovery can be audited again, against a changed inventory, without touching the network.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .. import private
from ..errors import FleetError, UsageError
from ..paths import state_dir
from .audit import AuditResult
from .discovery import Discovery, normal_mac

FORMAT = 1
MAX_BYTES = 32 * 2**20
"""The largest record or saved discovery read: a school of thousands of PCs writes a few MB."""


@dataclass(frozen=True)
class AuditRecord:
    """One audit: what was collected and what the comparison made of it."""

    discovery: Discovery
    result: AuditResult

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "discovery": asdict(self.discovery), "result": self.result.to_json()}


class DamagedRecord(FleetError):
    """An audit record or saved discovery that cannot be read back."""


def audits_dir(school: str) -> Path:
    return private.directory(private.directory(state_dir() / "audits") / school)


def save(record: AuditRecord) -> Path:
    """Write *record* atomically beside the school's earlier audits; the file written."""
    directory = audits_dir(record.discovery.school)
    stamp = "".join(c for c in record.discovery.collected if c.isalnum())  # 2026-12-01T00:53:44Z -> 20261201T005344Z
    path, n = directory / f"{stamp}.json", 1
    while path.exists():
        n += 1
        path = directory / f"{stamp}-{n}.json"
    private.write_text(path, json.dumps(record.to_json(), indent=1))
    return path


def latest_audit(school: str) -> AuditRecord | None:
    """The most recent audit of *school* (None: never audited); a damaged one is :class:`DamagedRecord`."""
    directory = state_dir() / "audits" / school
    paths = sorted(directory.glob("*.json"), key=lambda p: (p.stem.split("-")[0], len(p.stem), p.stem))
    if not paths:
        return None
    path = paths[-1]
    fix = (f"run the audit again ('schooltech assets audit --school {school}'), "
           "or remove the file to fall back on the audit before it")  # fmt: skip
    data = _json(path, DamagedRecord, fix)
    try:
        record = _RECORD.validate_python(data)
    except ValidationError as exc:
        raise DamagedRecord(f"{path}: not an audit record ({_first_error(exc)})", fix) from exc
    wrong = _not_a_mac(record.discovery, "discovery.") or _not_a_time(record)
    if wrong:
        raise DamagedRecord(f"{path}: not an audit record ({wrong})", fix)
    return record


_RECORD: TypeAdapter[AuditRecord] = TypeAdapter(AuditRecord)
_DISCOVERY: TypeAdapter[Discovery] = TypeAdapter(Discovery)
_HOW = ("give --from a file written by 'schooltech assets audit --format json' "
        "or an audit record from the state directory's audits/ folder")  # fmt: skip


def read_discovery(path: Path) -> Discovery:
    """The discovery saved in *path*: an audit record, the JSON output of an audit, or a bare discovery."""
    data = _json(path, UsageError, _HOW)
    if isinstance(data, dict) and "discovery" in data:
        data = data["discovery"]
    try:
        discovery = _DISCOVERY.validate_python(data)
    except ValidationError as exc:
        raise UsageError(f"{path}: not a saved discovery ({_first_error(exc)})", _HOW) from exc
    wrong = _not_a_mac(discovery) or _not_a_time(discovery)
    if wrong:
        raise UsageError(f"{path}: not a saved discovery ({wrong})", _HOW)
    return discovery


def _not_a_mac(discovery: Discovery, prefix: str = "") -> str | None:
    """Where *discovery* holds a MAC address that is not one in the form collection writes, if anywhere."""
    places = [(f"pcs.{p}.macs.{m}", mac) for p, pc in enumerate(discovery.pcs) for m, mac in enumerate(pc.macs)]
    places += [(f"sightings.{s}.mac", sighting.mac) for s, sighting in enumerate(discovery.sightings)]
    for where, mac in places:
        if normal_mac(mac) != mac:
            return f"{prefix}{where}: {mac[:40]!r} is not a MAC address like 3c:52:82:1a:2b:3c"
    return None


def _not_a_time(item: AuditRecord | Discovery) -> str | None:
    """Where a collection time is not an ISO 8601 time (the report dates the audit by it), if anywhere."""
    times = ([("discovery.collected", item.discovery.collected), ("result.collected", item.result.collected)]
             if isinstance(item, AuditRecord) else [("collected", item.collected)])  # fmt: skip
    for where, text in times:
        try:
            dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return f"{where}: {text[:40]!r} is not a time like 2026-12-01T00:53:44Z"
    return None


def _json(path: Path, error: type[FleetError] = DamagedRecord, hint: str | None = None) -> Any:
    try:
        too_big = path.stat().st_size > MAX_BYTES
        if not too_big:
            with path.open("rb") as stream:  # no more than the limit either way: a pipe's size is 0
                data = stream.read(MAX_BYTES + 1)
            too_big = len(data) > MAX_BYTES
        if too_big:
            raise error(f"{path}: larger than {MAX_BYTES:,} bytes, more than an audit of any school writes", hint)
        return json.loads(data.decode("utf-8"))
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror})", hint) from exc
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not text (byte {exc.start} is not UTF-8)", hint) from exc
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})", hint) from exc
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits; arrays nested thousands deep
        raise error(f"{path}: not JSON a record can hold ({str(exc)[:80] or type(exc).__name__})", hint) from exc


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "the top level"
    more = f"; {len(errors) - 1} more" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"
