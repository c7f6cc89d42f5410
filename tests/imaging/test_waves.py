"""The imaging waves: each poll reads the boot server once for every PC in flight.

The boot server here is an in-memory one whose PCs follow a script (asked for their script
one poll after their wake packet, called back two polls later); the real servers, the
simulation's and a live ``pxe_server`` host, are tested in tests/sim_imaging.
"""

from __future__ import annotations

import subprocess
import types
from pathlib import Path

import pytest
from inventory.helpers import REPO, TODAY

from schooltech_fleet.imaging import waves
from schooltech_fleet.imaging.answers import RenderedAnswer
from schooltech_fleet.imaging.boot_server import BootSnapshot
from schooltech_fleet.imaging.plan import PlannedPc, plan_images
from schooltech_fleet.imaging.pxe_service import normal_mac
from schooltech_fleet.imaging.waves import PcOutcome, PcProgress, WaveSettings, run_waves
from schooltech_fleet.inventory import load_fleet


class ScriptedBootServer:
    """Open entries and wake packets in memory; a woken PC asks, then calls back, as polls go by."""

    def __init__(self, never_wakes: frozenset[str] = frozenset()) -> None:
        self.never_wakes = never_wakes
        self.tokens: dict[str, str] = {}  # open entries: MAC -> token
        self.polls_since_wake: dict[str, int] = {}
        self.snapshots = 0
        self.wakes: list[str] = []

    @property
    def url(self) -> str:
        return "http://10.90.20.5"

    def open(self, mac: str, script: str, answer: RenderedAnswer, token: str, grub_entry: str | None = None) -> None:
        self.tokens[normal_mac(mac)] = token

    def close(self, mac: str) -> None:
        self.tokens.pop(normal_mac(mac), None)

    def wake(self, mac: str) -> None:
        self.wakes.append(normal_mac(mac))
        if normal_mac(mac) not in self.never_wakes:
            self.polls_since_wake.setdefault(normal_mac(mac), 0)

    def snapshot(self) -> BootSnapshot:
        self.snapshots += 1
        for mac in self.polls_since_wake:
            self.polls_since_wake[mac] += 1
        asked = {mac for mac, polls in self.polls_since_wake.items() if polls >= 1 and mac in self.tokens}
        called = {self.tokens[mac] for mac, polls in self.polls_since_wake.items() if polls >= 3 and mac in self.tokens}
        return BootSnapshot(frozenset(asked), frozenset(called))


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> list[PlannedPc]:
    private = tmp_path_factory.mktemp("key") / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(private)], check=True)
    fleet = load_fleet(REPO / "inventories" / "demo", today=TODAY)
    plan = plan_images(fleet, "DEMO", admin_key=Path(f"{private}.pub").read_text(encoding="utf-8").strip())
    assert plan.valid, plan.findings
    return list(plan.pcs)


def _run(server: ScriptedBootServer, pcs: list[PlannedPc], monkeypatch: pytest.MonkeyPatch,
         settings: WaveSettings) -> tuple[list[PcProgress], list[bool]]:  # fmt: skip
    """Run the waves on a clock that moves one poll per sleep; also which polls had PCs in flight."""
    now = [0.0]
    polls_in_flight: list[bool] = []

    def sleep(seconds: float) -> None:
        polls_in_flight.append(bool(server.tokens))
        now[0] += seconds

    monkeypatch.setattr(waves, "time", types.SimpleNamespace(sleep=sleep))
    return run_waves(server, pcs, settings, clock=lambda: now[0]), polls_in_flight


def test_one_read_of_the_boot_server_per_poll_whatever_the_number_of_pcs_in_flight(
    planned: list[PlannedPc], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = ScriptedBootServer()
    progress, polls = _run(server, planned, monkeypatch, WaveSettings(parallel=2, stagger=0.0))
    assert [state.outcome for state in progress] == [PcOutcome.INSTALLED] * len(planned)
    assert server.tokens == {}  # every entry closed
    # at most one read per poll (not one per PC and question), and one in every poll with a PC in flight
    assert sum(polls) <= server.snapshots <= len(polls)


def test_a_pc_that_never_asks_is_woken_again_and_then_reported(
    planned: list[PlannedPc], monkeypatch: pytest.MonkeyPatch
) -> None:
    silent = normal_mac(planned[0].target.mac)
    server = ScriptedBootServer(never_wakes=frozenset({silent}))
    settings = WaveSettings(parallel=2, stagger=0.0, wake_timeout=2.0, wake_retries=2)
    progress, _ = _run(server, planned[:2], monkeypatch, settings)
    assert [state.outcome for state in progress] == [PcOutcome.NO_WAKE, PcOutcome.INSTALLED]
    assert server.wakes.count(silent) == 3  # the first packet and two retries
