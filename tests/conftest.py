"""Settings and fixtures for the whole test session."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from host_prerequisites import required

from schooltech_fleet.sim import pcs, simulation
from schooltech_fleet.sim.prereqs import check_host_prerequisites

# Pin the clock (licence expiry, maintenance windows) so results do not depend on the day
# the suite runs: a Saturday of the autumn term, outside lesson times.
os.environ.setdefault("SCHOOLTECH_NOW", "2026-11-28T18:00:00+00:00")
# Tests talk to 127.0.0.0/8 only: a job or switch session aimed anywhere else (an example
# inventory without its simulation layer) is refused before it contacts anything.
os.environ["SCHOOLTECH_ALLOWED_NETWORKS"] = "127.0.0.0/8"

REPO = Path(__file__).resolve().parent.parent

# Fixtures that start machines, containers, emulated switches or network namespaces shared by the
# session. scripts/test runs every other test in parallel workers (pytest -n), the molecule
# scenarios in one process of their own beside them (their containers, names and ports are their
# own), and the sim/imaging tests in one process after both: a test asking for one of them is
# marked so, whatever its module says.
SIMULATION_FIXTURES = {
    "simulated_school": "sim", "sim_id": "sim", "lab_pcs": "sim", "farm": "sim", "molecule_env": "molecule",
    "imaging_lab": "imaging",
}  # fmt: skip


DEMO = REPO / "inventories" / "demo"
SLOW_INSTALLER = "--slow-installer"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        SLOW_INSTALLER,
        action="store_true",
        help="also run the tests marked slow_installer: the real Debian installer booted over PXE (minutes each)",
    )


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that use a simulation; skip those that boot a real installer without --slow-installer."""
    opt_in = pytest.mark.skip(reason=f"opt-in: pass {SLOW_INSTALLER}")
    for item in items:
        for fixture in SIMULATION_FIXTURES.keys() & set(getattr(item, "fixturenames", ())):
            item.add_marker(SIMULATION_FIXTURES[fixture])
        if item.get_closest_marker("slow_installer") and not config.getoption(SLOW_INSTALLER):
            item.add_marker(opt_in)


@pytest.fixture(scope="session")
def demo_inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo school's inventory (the simulation layer is written beside it)."""
    target = tmp_path_factory.mktemp("inventory") / "demo"
    # never a simulation layer that a running `schooltech sim up` wrote beside the real file
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    return target


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A state directory of this session's own (simulation, runs, audit log, locks)."""
    path = tmp_path_factory.mktemp("state")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCHOOLTECH_STATE_DIR", str(path))
        patch.setenv("SCHOOLTECH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield path


@pytest.fixture(scope="session")
def simulated_school(demo_inventory: Path, state_dir: Path) -> Iterator[simulation.Simulation]:
    """The demo school simulated once for the whole session: 8 lab PCs and 3 emulated switches.

    Leftover containers of crashed earlier sessions are removed first; this session's
    are removed at the end. The switch emulator stops with the test process.
    """
    required(check_host_prerequisites)
    pcs.remove_orphans("pytest-")
    sim = simulation.up(demo_inventory, sim_id=f"pytest-{os.getpid()}-{secrets.token_hex(2)}", detach=False)
    try:
        yield sim
    finally:
        simulation.down(demo_inventory)
