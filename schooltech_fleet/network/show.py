"""Run one show command on many switches at once (read-only)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import FleetError, UsageError
from ..inventory import load_fleet
from .session import open_session
from .targets import SwitchTarget, switch_targets

DEFAULT_WORKERS = 10


@dataclass(frozen=True)
class ShowResult:
    switch: str
    school: str
    output: str | None = None
    error: str | None = None


def show(inventory: Path, command: str, *, schools: Sequence[str] = (), switches: Sequence[str] = (),
         workers: int = DEFAULT_WORKERS) -> list[ShowResult]:  # fmt: skip
    """*command* (a ``show`` command) on every chosen switch; failures are results, not exceptions."""
    if not command.startswith("show ") or any(c in command for c in "\r\n|;"):
        raise UsageError(f"{command!r} is not a single show command", "e.g. --command 'show vlan brief'")
    targets = switch_targets(load_fleet(inventory), schools=schools, switches=switches)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        return list(pool.map(lambda target: _show_one(target, command), targets))


def _show_one(target: SwitchTarget, command: str) -> ShowResult:
    try:
        with open_session(target) as session:
            return ShowResult(target.name, target.school, output=session.show(command))
    except FleetError as exc:
        return ShowResult(target.name, target.school, error=exc.message)
