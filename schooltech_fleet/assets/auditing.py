"""``schooltech assets audit`` as one library call: declared side, discovery, comparison, record."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import FleetError, UsageError
from ..jobs.runner import ProgressCallback
from . import records
from .audit import compare
from .declared import declared_school
from .records import AuditRecord


@dataclass(frozen=True)
class AuditRun:
    """One audit and where its record went."""

    record: AuditRecord
    saved: Path | None  # the record's file; None for an audit of a saved discovery, or when it could not be written
    not_saved: str | None = None  # why the record could not be written (the audit itself stands)


def audit_school(inventory: Path, school: str, rooms: tuple[str, ...] = (), *, source: Path | None = None,
                 on_progress: ProgressCallback | None = None) -> AuditRun:  # fmt: skip
    """Audit *school* (its *rooms*, if any) against what is really there.

    With *source*, the discovery saved in that file is audited again and nothing touches the
    network or the state directory; without, the PCs and switches are asked now and the audit
    is recorded (:func:`records.latest_audit` reads it back). A record that cannot be written
    is reported in the result, never raised over a collection that took minutes.
    """
    declared = declared_school(inventory, school, rooms)  # an unknown school or room stops here, before any network
    if source is not None:
        discovery = records.read_discovery(source)
        if discovery.school != school:
            raise UsageError(f"{source} holds a discovery of school {discovery.school}, not {school}",
                             f"audit it with --school {discovery.school}")  # fmt: skip
        return AuditRun(AuditRecord(discovery, compare(declared, discovery)), None)
    from .collect import collect  # noqa: PLC0415 - the job stack and Netmiko only when collecting

    discovery = collect(inventory, school, rooms, on_progress=on_progress)
    record = AuditRecord(discovery, compare(declared, discovery))
    try:
        return AuditRun(record, records.save(record))
    except (OSError, FleetError) as exc:
        reason = exc.message if isinstance(exc, FleetError) else exc.strerror or str(exc)
        return AuditRun(record, None, f"the audit's record could not be written ({reason})")
