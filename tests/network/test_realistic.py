"""Pushes to three switches as differently shaped as schools' are, each booting from a hand-written config.

- ``RLS-SW-ACC``: a Catalyst 2960-X access switch (48+4 ports, about 380 lines: users, AAA with
  TACACS+, vty ACLs, SNMP, PoE, BPDU guard and voice VLANs on ports, banner, archive);
- ``RLS-SW-CORE``: a Catalyst 9300 layer-3 core with an SVI per VLAN, helpers, a static default route;
- ``LEG-SW-01``: a 2960-C of a school managed on VLAN 1 (``interface Vlan1`` holds the address),
  with no ``archive``: the revert timer needs one, so the push adds it first.

The configs are in ``realistic/configs`` and ``realistic/legacy/configs``; the switches run in a
simulation of their own (switches only, no lab PCs) with a state directory of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from schooltech_fleet.network.operations import Rendered, Selection, intended
from schooltech_fleet.sim import simulation
from schooltech_fleet.sim.switches import SwitchControl

from .live import ARCHIVE, audit_events, kept, leaked, net, problems, running, saved, secrets_stored, unchanged

pytestmark = pytest.mark.sim

REALISTIC = Path(__file__).parent / "realistic"
CONFIGS = {path.stem: path.read_text() for path in sorted(REALISTIC.rglob("configs/*.cfg"))}
SWITCHES = tuple(CONFIGS)


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[simulation.Simulation, Path]]:
    """The realistic schools simulated from their hand-written configs, with a state directory of their own."""
    inventory = tmp_path_factory.mktemp("realistic") / "schools"
    shutil.copytree(REALISTIC, inventory, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path_factory.mktemp("realistic-state")))
        started = simulation.up(inventory, startup_configs=CONFIGS, detach=False)
        try:
            yield started, inventory
        finally:
            simulation.down(inventory)


@pytest.fixture
def control(rehearsal: tuple[simulation.Simulation, Path], tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> SwitchControl:  # fmt: skip
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    switches = rehearsal[0].control()
    for name in SWITCHES:
        switches.reset(name)
    return switches


@pytest.fixture(scope="module")
def wanted(rehearsal: tuple[simulation.Simulation, Path]) -> dict[str, Rendered]:
    return {r.switch: r for r in intended(Selection(rehearsal[1]))}


def test_every_shape_is_pushed_keeping_every_line_schooltech_does_not_own_byte_for_byte(
    rehearsal: tuple[simulation.Simulation, Path], control: SwitchControl, wanted: dict[str, Rendered]
) -> None:
    before = {name: running(control, name) for name in SWITCHES}
    logs = {name: len(control.command_log(name)) for name in SWITCHES}

    done = net(rehearsal[1], "push")

    assert done.returncode == 0, done.stdout + done.stderr
    [end] = [e for e in audit_events("net-push") if e["phase"] == "end"]
    assert {name: s["outcome"] for name, s in end["switches"].items()} == dict.fromkeys(SWITCHES, "applied")
    for name in SWITCHES:
        after = running(control, name)
        assert problems(after, wanted[name]) is None, name
        assert len(kept(before[name], wanted[name])) > 50, name  # users, AAA, vty, SVIs, PoE ...: all kept
        assert unchanged(before[name], after, wanted[name]), name
        assert saved(control, name) == after
        assert "configure confirm" in control.command_log(name)[logs[name]:]
    again = net(rehearsal[1], "push")
    in_sync = [line for line in again.stdout.splitlines() if line.startswith("│") and "in sync" in line]
    assert again.returncode == 0 and len(in_sync) == 3, again.stdout  # table rows, not the progress lines


def test_the_core_keeps_its_routing_svis_and_the_legacy_switch_its_vlan1_address(
    rehearsal: tuple[simulation.Simulation, Path], control: SwitchControl
) -> None:
    assert net(rehearsal[1], "push").returncode == 0
    core, legacy = running(control, "RLS-SW-CORE"), running(control, "LEG-SW-01")

    for svi in ("interface Vlan10\n", "interface Vlan20\n", " ip helper-address ", "ip routing\n",
                "ip route 0.0.0.0 0.0.0.0 "):  # fmt: skip
        assert svi in core, svi
    assert "interface Vlan1\n" in legacy and " ip address 10.71.1." in legacy.split("interface Vlan1\n", 1)[1]
    assert control.management_path("LEG-SW-01").intact


def test_a_switch_without_an_archive_gets_one_before_its_revert_timer(
    rehearsal: tuple[simulation.Simulation, Path], control: SwitchControl
) -> None:
    assert "archive" not in CONFIGS["LEG-SW-01"].split()
    log = len(control.command_log("LEG-SW-01"))

    done = net(rehearsal[1], "push", "--switch", "LEG-SW-01")

    assert done.returncode == 0, done.stdout + done.stderr
    sent = control.command_log("LEG-SW-01")[log:]
    archive = [line.strip() for line in ARCHIVE]
    assert sent[sent.index("archive"):sent.index("archive") + len(archive)] == archive
    assert sent.index("archive") < sent.index("configure terminal revert timer 5") < sent.index("configure confirm")
    assert "\narchive\n path flash:schooltech-rollback\n" in running(control, "LEG-SW-01")


def test_no_secret_of_the_three_switches_leaves_them(
    rehearsal: tuple[simulation.Simulation, Path], control: SwitchControl, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("SCHOOLTECH_SESSION_LOG_DIR", str(tmp_path / "logs"))
    canaries = list(rehearsal[0].canary_secrets.values())
    stored = [value for name in SWITCHES for value in secrets_stored(control.running_config(name))]
    assert any("CANARY" in value for value in canaries) and len(stored) > 10

    runs = [net(rehearsal[1], action, *extra) for action, extra in (
        ("plan", ()), ("push", ("--check",)), ("push", ()), ("drift", ()), ("backup", ()), ("show", ()))]  # fmt: skip

    assert [r.returncode for r in runs] == [1, 0, 0, 0, 0, 0], [r.stdout + r.stderr for r in runs]
    secrets = [*canaries, *stored]
    assert [leak for r in runs for leak in leaked(r.stdout + r.stderr, secrets)] == []
    state = Path(os.environ["SCHOOLTECH_STATE_DIR"])
    history = subprocess.run(["git", "log", "-p", "--all"], cwd=state / "backups", capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
    assert leaked(history, secrets) == []
    files = [p for p in [*state.rglob("*"), *(tmp_path / "logs").rglob("*")] if p.is_file() and ".git" not in p.parts]
    assert [(p.name, leak) for p in files for leak in leaked(p.read_text(errors="replace"), secrets)] == []
