"""Wake-on-LAN waves: wake a room's PCs a few at a time, retry the sleepers, wait for each installer.

Rooms go one after the other (a room's PCs share its switch and its boot server's
bandwidth); inside a room at most ``parallel`` PCs install at once, their wake packets
``stagger`` seconds apart. A PC's boot entry is opened just before its first wake packet and
closed when it is done, whatever the outcome: a PC switched on by anyone outside that
window boots its disk. A PC that has not asked for its script ``wake_timeout`` seconds after
a packet is woken again, up to ``wake_retries`` times; one that asked but does not call back
within ``install_timeout`` is given up (its installer failed or hangs), and the rest go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ..interrupts import never
from .boot_server import BootServer, BootSnapshot
from .plan import PlannedPc
from .pxe_service import normal_mac

POLL_SECONDS = 0.5


class PcOutcome(StrEnum):
    INSTALLED = "installed"  # the installer called back
    NO_WAKE = "did not wake"  # never asked for its script, every wake packet included
    NO_CALLBACK = "no callback"  # started its install but never called back in time
    INTERRUPTED = "interrupted"  # woken, then the run was stopped before its installer called back
    NOT_RUN = "not run"  # the run stopped before its turn


@dataclass(frozen=True)
class WaveSettings:
    parallel: int = 2
    stagger: float = 2.0
    wake_timeout: float = 60.0
    wake_retries: int = 2
    install_timeout: float = 900.0


@dataclass
class PcProgress:
    """Where one PC is: ``waiting``, ``woken``, ``installing`` or its outcome."""

    name: str
    room: str
    state: str = "waiting"
    wakes: int = 0
    outcome: PcOutcome | None = None
    seconds: float | None = None  # first wake packet to callback
    first_wake: float = field(default=0.0, repr=False)
    last_wake: float = field(default=0.0, repr=False)
    asked_at: float | None = field(default=None, repr=False)


ProgressCallback = Callable[[Sequence[PcProgress]], None]


def run_waves(boot: BootServer, pcs: Sequence[PlannedPc], settings: WaveSettings,
              on_progress: ProgressCallback | None = None, on_installed: Callable[[PlannedPc], None] | None = None,
              stop: Callable[[], str | None] = never, clock: Callable[[], float] = time.monotonic,
              ) -> list[PcProgress]:  # fmt: skip
    """Image *pcs* (in room order) through *boot*; one :class:`PcProgress` per PC, each with its outcome."""
    progress = [PcProgress(pc.target.name, pc.target.room) for pc in pcs]
    queue = list(zip(pcs, progress, strict=True))
    flying: list[tuple[PlannedPc, PcProgress]] = []
    opened: list[str] = []
    last_packet = float("-inf")

    def report() -> None:
        if on_progress is not None:
            on_progress(progress)

    def wake(pc: PlannedPc, state: PcProgress) -> None:
        nonlocal last_packet
        boot.wake(pc.target.mac)
        last_packet = state.last_wake = clock()
        state.first_wake = state.first_wake if state.wakes else last_packet
        state.wakes += 1
        state.state = f"woken ({state.wakes})"

    try:
        while (queue or flying) and stop() is None:
            room = flying[0][0].target.room if flying else queue[0][0].target.room if queue else None
            if (queue and queue[0][0].target.room == room and len(flying) < settings.parallel
                    and clock() - last_packet >= settings.stagger):  # fmt: skip
                pc, state = queue.pop(0)
                boot.open(pc.target.mac, pc.script, pc.answer, pc.token, pc.grub_entry)
                opened.append(pc.target.mac)
                wake(pc, state)
                flying.append((pc, state))
                report()
            if flying:
                seen = boot.snapshot()
                for pc, state in list(flying):
                    done = _step(seen, pc, state, settings, clock(), wake)
                    if done:
                        flying.remove((pc, state))
                        boot.close(pc.target.mac)
                        if state.outcome is PcOutcome.INSTALLED and on_installed is not None:
                            on_installed(pc)
                        report()
            time.sleep(POLL_SECONDS)
    finally:
        for mac in opened:
            boot.close(mac)
    for state in progress:
        if state.outcome is None:
            state.outcome = PcOutcome.INTERRUPTED if state.wakes else PcOutcome.NOT_RUN
            state.state = str(state.outcome)
    report()
    return progress


def _step(seen: BootSnapshot, pc: PlannedPc, state: PcProgress, settings: WaveSettings, now: float,
          wake: Callable[[PlannedPc, PcProgress], None]) -> bool:  # fmt: skip
    """Advance one PC in flight by what the boot server has *seen*; True when it has its outcome."""
    if pc.token in seen.called_back:
        state.outcome, state.state = PcOutcome.INSTALLED, str(PcOutcome.INSTALLED)
        state.seconds = round(now - state.first_wake, 1)
        return True
    if state.asked_at is None and normal_mac(pc.target.mac) in seen.asked:
        state.asked_at, state.state = now, "installing"
    if state.asked_at is None and now - state.last_wake >= settings.wake_timeout:
        if state.wakes > settings.wake_retries:
            state.outcome, state.state = PcOutcome.NO_WAKE, str(PcOutcome.NO_WAKE)
            return True
        wake(pc, state)
    if state.asked_at is not None and now - state.asked_at >= settings.install_timeout:
        state.outcome, state.state = PcOutcome.NO_CALLBACK, str(PcOutcome.NO_CALLBACK)
        return True
    return False
