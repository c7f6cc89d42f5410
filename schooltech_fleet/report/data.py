"""What the fleet report says, as typed data: the HTML, the JSON and ``report diff`` all read this.

Every section carries a ``note`` when its data could not be had (no audit run yet, no backup of a
switch): an empty section says why, never just nothing. Long lists are capped (``*_total`` keeps the
full count) so a 30,000-device district stays one readable, printable file.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

FORMAT = 1
"""The JSON format version; ``report diff`` refuses a file of another version."""


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SchoolRef(Section):
    code: str
    name: str


class PatchState(StrEnum):
    CURRENT = "current"  # patched within the window, nothing pending since
    PENDING = "pending"  # the last check run (newer than the last patch) found upgrades
    STALE = "stale"  # last patched longer ago than the window
    NEVER = "never"  # no successful patch run on record


class RoomPatch(Section):
    """Patch compliance of one room's managed PCs."""

    school: str
    room: str
    pcs: int
    current: int = 0
    pending: int = 0
    stale: int = 0
    never: int = 0
    pending_packages: int = 0  # upgrades the last check runs found, summed over the room's PCs
    last_patch: dt.datetime | None = None  # the most recent successful patch of any PC in the room

    def count(self, state: PatchState) -> int:
        return int(getattr(self, state.value))


class PatchSection(Section):
    window_days: int
    rooms: list[RoomPatch] = Field(default_factory=list)
    note: str | None = None

    def per_school(self) -> dict[str, dict[PatchState, int]]:
        """School code -> PCs in each state."""
        totals: dict[str, dict[PatchState, int]] = {}
        for room in self.rooms:
            school = totals.setdefault(room.school, dict.fromkeys(PatchState, 0))
            for state in PatchState:
                school[state] += room.count(state)
        return totals


class RunRow(Section):
    run_id: str
    kind: str
    school: str
    check: bool
    started: str
    duration: float
    hosts: int
    failed: int  # failed or unreachable or never reached
    succeeded: bool


class RunsSection(Section):
    runs: list[RunRow] = Field(default_factory=list)
    damaged: int = 0  # run records that could not be read
    note: str | None = None


class DriftState(StrEnum):
    IN_SYNC = "in sync"
    DRIFTED = "drifted"
    UNKNOWN = "unknown"  # no backup to compare, or it could not be compared


class SwitchDrift(Section):
    school: str
    switch: str
    state: DriftState
    changes: int = 0  # commands that would bring the backed-up config to the intended one
    detail: str | None = None


class DriftSection(Section):
    switches: list[SwitchDrift] = Field(default_factory=list)
    note: str | None = None


class LicenceSeats(Section):
    school: str
    licence: str
    product: str
    type: str  # per_seat, site or concurrent
    seats: int | None  # owned; None for a site licence
    used: int
    expires: dt.date | None = None
    over_allocated: bool = False


class LicenceSection(Section):
    licences: list[LicenceSeats] = Field(default_factory=list)
    note: str | None = None


class WarrantyYear(Section):
    year: int  # calendar year the warranties end in
    devices: int


class WarrantyItem(Section):
    school: str
    device: str
    kind: str  # device role, or "switch"
    model: str | None = None
    warranty_end: dt.date


class WarrantySection(Section):
    as_of: dt.date
    expired: int = 0
    within_90_days: int = 0
    unknown: int = 0  # no warranty end recorded
    by_year: list[WarrantyYear] = Field(default_factory=list)
    soonest: list[WarrantyItem] = Field(default_factory=list)  # not yet expired, soonest first (capped)
    soonest_total: int = 0
    note: str | None = None


class RefreshYear(Section):
    year: str  # financial year label, e.g. "2027/28"
    starts: dt.date
    devices: int
    cost: float  # in the report's currency; devices without a price are counted in ``unpriced``
    unpriced: int = 0


class RefreshSection(Section):
    currency: str = "GBP"
    years: list[RefreshYear] = Field(default_factory=list)
    note: str | None = None


class AuditClass(StrEnum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    MOVED = "moved"
    MISMATCH = "mismatch"
    RENAMED = "renamed"


class AuditFinding(Section):
    school: str
    finding: AuditClass
    subject: str  # the device name, or the MAC of an unknown device
    detail: str


class AuditSection(Section):
    audited: dict[str, dt.datetime] = Field(default_factory=dict)  # school -> when its last audit ran
    counts: dict[AuditClass, int] = Field(default_factory=lambda: dict.fromkeys(AuditClass, 0))
    findings: list[AuditFinding] = Field(default_factory=list)  # capped; counts hold the totals
    note: str | None = None


class ReportData(Section):
    """The whole report."""

    format: int = FORMAT
    generated: dt.datetime
    schools: list[SchoolRef]
    patch: PatchSection
    runs: RunsSection
    drift: DriftSection
    licences: LicenceSection
    warranty: WarrantySection
    refresh: RefreshSection
    audit: AuditSection

    def to_json(self) -> str:
        return self.model_dump_json(indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ReportData:
        return cls.model_validate_json(text)
