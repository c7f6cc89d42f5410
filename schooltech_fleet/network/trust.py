"""``schooltech net trust``: record switches' SSH host keys, after a technician has checked them.

For each chosen switch: connect without logging in (the SSH key exchange only; through its
execution node when its site says ``switches_via_node``, :mod:`.jump`), compare
the key it offers with what its known-hosts file holds (new, already recorded, or
CHANGED), ask the caller to confirm the keys to record, then record them. A changed key
is recorded only with ``replace`` (a replaced switch); otherwise it stays refused.
Simulated switches are refused: their simulation records their keys. Every run is
audited, declined or not. The caller asks and prints; nothing here does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .. import journal
from ..errors import FleetError, UsageError
from ..inventory import load_fleet
from . import hostkeys, jump
from .hostkeys import HostKey
from .targets import SwitchTarget, switch_targets

DEFAULT_WORKERS = 10


class KeyState(StrEnum):
    NEW = "new"  # nothing recorded for the switch
    RECORDED = "already recorded"  # the key offered is the key recorded
    CHANGED = "CHANGED"  # another key is recorded: a replaced switch, or someone in between
    FAILED = "failed"  # no key could be read


class Outcome(StrEnum):
    RECORDED = "recorded"
    REPLACED = "replaced"  # a changed key, recorded with replace
    KEPT = "already recorded"
    NOT_REPLACED = "changed, not replaced"  # without replace, a changed key stays refused
    DECLINED = "not recorded"  # the technician said no
    FAILED = "failed"

    @property
    def ok(self) -> bool:
        return self in (Outcome.RECORDED, Outcome.REPLACED, Outcome.KEPT)


@dataclass(frozen=True)
class SwitchKey:
    """What one switch offered, what its known-hosts file held, and what was done about it."""

    switch: str
    school: str
    host: str
    port: int
    known_hosts: Path
    state: KeyState
    offered: HostKey | None = None
    recorded: tuple[HostKey, ...] = ()
    outcome: Outcome = Outcome.FAILED
    error: str | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class TrustResult:
    switches: tuple[SwitchKey, ...]
    confirmed: bool | None  # None: nothing needed confirming
    record_failed: str | None = None  # the journal record could not be written

    @property
    def succeeded(self) -> bool:
        return all(s.outcome.ok for s in self.switches)


Confirm = Callable[[Sequence[SwitchKey]], bool]
"""Shown the keys about to be recorded (new ones; changed ones with replace): record them?"""


def trust(inventory: Path, *, schools: Sequence[str] = (), switches: Sequence[str] = (), replace: bool = False,
          confirm: Confirm, workers: int = DEFAULT_WORKERS, invocation: str | None = None) -> TrustResult:  # fmt: skip
    """Check and record the host keys of the chosen real switches (simulated ones are refused)."""
    targets = switch_targets(load_fleet(inventory), schools=schools, switches=switches)
    simulated = [t.name for t in targets if t.simulation]
    if simulated:
        raise UsageError(
            f"{', '.join(simulated)}: the host keys of simulated switches are recorded by the simulation",
            "choose real switches with --school or --switch (a simulation that lost them: restart it)",
        )
    return trust_targets(targets, replace=replace, confirm=confirm, workers=workers, invocation=invocation)


def trust_targets(targets: Sequence[SwitchTarget], *, replace: bool = False, confirm: Confirm,
                  workers: int = DEFAULT_WORKERS, invocation: str | None = None) -> TrustResult:  # fmt: skip
    """:func:`trust` for switches already chosen (and checked against the allowed networks)."""
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        found = list(pool.map(_check, targets))
    pending = [key for key in found if key.state is KeyState.NEW or (key.state is KeyState.CHANGED and replace)]
    confirmed = confirm(pending) if pending else None
    done = [_settle(key, replace=replace, confirmed=bool(confirmed)) for key in found]
    switches = {key.switch: {"address": key.address, "state": str(key.state), "outcome": str(key.outcome),
                             "error": key.error, "offered": key.offered.fingerprint if key.offered else None,
                             "recorded": [k.fingerprint for k in key.recorded]} for key in done}  # fmt: skip
    failed = journal.record_outcome({"event": "net-trust", "command": invocation, "replace": replace,
                                     "confirmed": confirmed, "switches": switches})  # fmt: skip
    return TrustResult(tuple(done), confirmed, failed)


def _check(target: SwitchTarget) -> SwitchKey:
    base = SwitchKey(target.name, target.school, target.host, target.port, target.known_hosts, KeyState.FAILED)
    try:
        known = hostkeys.recorded(target.known_hosts, target.host, target.port)
        prefer = [key.type for key in known]
        if target.via is None:
            offered = hostkeys.offered(target.host, target.port, prefer=prefer)
        else:
            with jump.channel(target.via, target.name, target.host, target.port) as channel:
                offered = hostkeys.offered(target.host, target.port, prefer=prefer, sock=channel)
    except FleetError as exc:
        return dataclasses.replace(base, error=exc.message)
    state = KeyState.NEW if not known else KeyState.RECORDED if offered in known else KeyState.CHANGED
    return dataclasses.replace(base, state=state, offered=offered, recorded=known)


def _settle(key: SwitchKey, *, replace: bool, confirmed: bool) -> SwitchKey:
    """Record *key* if it is to be recorded and was confirmed; its outcome either way."""
    if key.state is KeyState.FAILED or key.offered is None:
        return key
    if key.state is KeyState.RECORDED:
        return _with(key, Outcome.KEPT)
    if key.state is KeyState.CHANGED and not replace:
        return _with(key, Outcome.NOT_REPLACED)
    if not confirmed:
        return _with(key, Outcome.DECLINED)
    try:
        hostkeys.record(key.known_hosts, key.host, key.port, key.offered, replace=key.state is KeyState.CHANGED)
    except OSError as exc:
        return _with(key, Outcome.FAILED, f"cannot write {key.known_hosts}: {exc.strerror or exc}")
    return _with(key, Outcome.REPLACED if key.state is KeyState.CHANGED else Outcome.RECORDED)


def _with(key: SwitchKey, outcome: Outcome, error: str | None = None) -> SwitchKey:
    return dataclasses.replace(key, outcome=outcome, error=error)
