"""The journal of pushes in flight: which switch may be half-applied, by which run, from which backup.

Written before the first command leaves and removed once the switch is known to be at its
intended config (confirmed and saved) or back at its backup (verified). An entry that
outlives its run (the process was killed, the machine lost power) tells the next push,
``net status`` and ``net rollback`` that the switch's config must not be taken as a clean
"before": it is verified first, and a config that is neither the backup nor the intended one
is refused until a technician resolves it.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

from .. import private
from ..errors import FleetError
from ..paths import state_dir

Phase = Literal["sending", "verified", "confirmed"]


@dataclass(frozen=True)
class InFlight:
    switch: str
    school: str
    run_id: str
    backup: str  # the backup revision of the config before the push
    phase: Phase  # sending: commands may be half sent; verified: all sent and checked, not confirmed;
    #               confirmed: kept by the switch, not yet saved
    started: float  # time.time() when the first command left
    revert_at: float | None = None  # when the switch's own revert timer fires (None: no timer)
    pid: int = 0

    @property
    def describe(self) -> str:
        timer = ""
        if self.revert_at is not None and self.phase != "confirmed":
            timer = f", revert timer due {time.strftime('%H:%M:%S', time.localtime(self.revert_at))}"
        return f"run {self.run_id} left it {self.phase} (backup {self.backup}{timer})"


def _directory() -> Path:
    return private.directory(state_dir() / "network" / "inflight")


def _path(switch: str) -> Path:
    return _directory() / f"{switch}.json"


def begin(entry: InFlight) -> InFlight:
    """Record *entry* before anything is sent (durably: written, synced, renamed)."""
    _write(entry)
    return entry


def advance(entry: InFlight, phase: Phase) -> InFlight:
    moved = replace(entry, phase=phase)
    _write(moved)
    return moved


def end(switch: str) -> None:
    """The switch is at a known config again: forget it."""
    _path(switch).unlink(missing_ok=True)


def read(switch: str) -> InFlight | None:
    path = _path(switch)
    try:
        return InFlight(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise FleetError(f"the in-flight record {path} is damaged: {exc}",
                         "check the switch with 'schooltech net status', then delete the file") from exc  # fmt: skip


def all_entries() -> list[InFlight]:
    return [entry for path in sorted(_directory().glob("*.json")) if (entry := read(path.stem)) is not None]


def _write(entry: InFlight) -> None:
    private.write_text(_path(entry.switch), json.dumps(asdict(entry)))
