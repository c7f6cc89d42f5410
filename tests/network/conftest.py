"""Fixtures of the network engine's tests: the example schools' switches, rendered once; emulated switches."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from schooltech_fleet.network import hostkeys
from schooltech_fleet.network.credentials import Credentials
from schooltech_fleet.network.operations import Rendered, Selection, intended
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.targets import SwitchTarget
from schooltech_fleet.sim.simulation import Simulation
from schooltech_fleet.sim.switches import SwitchControl, SwitchFarm, SwitchSpec, catalyst_interfaces, start_switches

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = ("demo", "primary", "secondary", "specialist")


def copy_example(name: str, target: Path) -> Path:
    """A private copy of ``inventories/<name>`` in *target*, without a simulation layer someone left beside it."""
    destination = target / name
    shutil.copytree(REPO / "inventories" / name, destination, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    return destination


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Rendered, ...]]:
    """Every switch of every example inventory, rendered for its platform: inventory name -> configs."""
    scratch = tmp_path_factory.mktemp("examples")
    return {name: tuple(intended(Selection(copy_example(name, scratch)))) for name in EXAMPLES}


# Emulated switches of the network tests' own (no simulated school needed): real SSH on 127.0.0.1.
USER, PASSWORD = "admin", "CANARY-login-7d2e"
SWITCH_CANARY = "CANARY-trap-community-41c9"  # a secret the switch holds (SNMPv2c trap community)
SWITCHES = (
    SwitchSpec("SW-A", 0, USER, PASSWORD, catalyst_interfaces(8, uplinks=2)),
    SwitchSpec("SW-B", 0, USER, PASSWORD, catalyst_interfaces(8, uplinks=2),
               startup_config=f"hostname SW-B\n!\nsnmp-server host 10.0.0.5 version 2c {SWITCH_CANARY}\nend\n"),
)  # fmt: skip


@pytest.fixture(scope="session")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SwitchFarm]:
    """SW-A (factory default) and SW-B (holding a secret), started once; each test resets them."""
    with start_switches(SWITCHES, tmp_path_factory.mktemp("switches")) as running:
        yield running


@pytest.fixture
def switches(farm: SwitchFarm) -> SwitchFarm:
    for spec in SWITCHES:
        farm.control.reset(spec.name)
    return farm


def switch_target(farm: SwitchFarm, name: str, known_hosts: Path, *, port: int | None = None) -> SwitchTarget:
    """A target for an emulated switch of *farm* (or for whatever listens on *port* in its place)."""
    return SwitchTarget(name, "TST", platform("cisco_ios"), "127.0.0.1", port or farm.port(name),
                        Credentials(USER, PASSWORD), None, known_hosts)  # fmt: skip


# The simulated demo school of the live tests (test_live.py, test_safety.py)
DEMO_SWITCHES = ("DEMO-SW-CORE", "DEMO-SW-LAB", "DEMO-SW-LIB")


@pytest.fixture(scope="module")
def school(simulated_school: Simulation) -> Iterator[Simulation]:
    """The session's simulated demo school; its switches go back to their boot state after the module."""
    yield simulated_school
    for name in DEMO_SWITCHES:
        simulated_school.control().reset(name)


@pytest.fixture
def control(school: Simulation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SwitchControl:
    """Every demo switch at its boot config with no faults; backups, audit log and journal of this test only."""
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    switches = school.control()
    for name in DEMO_SWITCHES:
        switches.reset(name)
    return switches


def record_key(farm: SwitchFarm, name: str, known_hosts: Path) -> None:
    """Record the key *name* offers now (the farm is ours, started by this test run)."""
    hostkeys.record(known_hosts, "127.0.0.1", farm.port(name), hostkeys.offered("127.0.0.1", farm.port(name)))
