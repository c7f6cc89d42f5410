"""A district wave over two simulated schools: side by side, each its own run, a school outside its window skipped.

The demo school and the primary example (Hazelwood, HZP) are simulated together, one PC per
room, in an inventory and state directory of this module's own, so the session's simulation is
not disturbed. The jobs are the real playbooks over real SSH, run by the wave's threads.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from host_prerequisites import required

from schooltech_fleet.inventory.files import SIM_OVERRIDE_NAME
from schooltech_fleet.jobs import HostStatus, JobKind, runs
from schooltech_fleet.jobs.district import DistrictRequest, run_district_job
from schooltech_fleet.jobs.wave import SchoolStatus
from schooltech_fleet.sim import simulation
from schooltech_fleet.sim.prereqs import check_host_prerequisites

pytestmark = pytest.mark.sim

REPO = Path(__file__).resolve().parents[2]
SCHOOLS = {"DEMO": REPO / "inventories" / "demo", "HZP": REPO / "inventories" / "primary"}


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory, state_dir: Path) -> Iterator[simulation.Simulation]:
    """Both schools simulated (one PC per room) under a state directory of this module's own."""
    required(check_host_prerequisites)
    root = tmp_path_factory.mktemp("district")
    for code, source in SCHOOLS.items():
        shutil.copytree(source, root / "inventory" / code.lower(), ignore=shutil.ignore_patterns(SIM_OVERRIDE_NAME))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCHOOLTECH_STATE_DIR", str(root / "state"))
        sim = simulation.up(root / "inventory", max_pcs=1, detach=False,
                            sim_id=f"pytest-{os.getpid()}-{secrets.token_hex(2)}")  # fmt: skip
        try:
            yield sim
        finally:
            simulation.down(root / "inventory")


def pcs_of(sim: simulation.Simulation, school: str) -> set[str]:
    return {pc.name for pc in sim.pcs if pc.school == school}


def _event_span(run_id: str) -> tuple[str, str]:
    """When the run's first and last Ansible events were created (ISO 8601, ansible-runner's clock)."""
    events = (runs.runs_dir() / run_id / "artifacts" / run_id / "job_events").glob("*.json")
    created = sorted(json.loads(path.read_text(encoding="utf-8"))["created"] for path in events)
    assert created, f"no events of {run_id}"
    return created[0], created[-1]


def test_two_schools_run_side_by_side_each_with_its_own_run(district: simulation.Simulation) -> None:
    assert pcs_of(district, "DEMO") and pcs_of(district, "HZP")
    done = run_district_job(DistrictRequest(JobKind.CONFIGURE, Path(district.inventory), canaries=()))

    assert done.succeeded, done.wave
    outcomes = {o.school: o for o in done.wave.outcomes}
    assert {code: o.status for code, o in outcomes.items()} == {"DEMO": SchoolStatus.OK, "HZP": SchoolStatus.OK}
    results = {code: o.result for code, o in outcomes.items()}
    assert all(results.values())
    for code, result in results.items():
        assert result is not None and result.school == code
        assert {h.name for h in result.hosts} == pcs_of(district, code)  # no PC of the other school
        assert {h.status for h in result.hosts} <= {HostStatus.OK, HostStatus.CHANGED}
        assert runs.load(result.run_id).hosts == result.hosts  # one run record per school
    # side by side: each school's first Ansible event came before the other's last one (ansible-runner's
    # own clock: the session's SCHOOLTECH_NOW stands still)
    spans = {code: _event_span(result.run_id) for code, result in results.items() if result is not None}
    assert max(first for first, _ in spans.values()) < min(last for _, last in spans.values()), spans


def test_a_school_outside_its_patch_window_is_skipped_and_the_other_is_patched(
    district: simulation.Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Monday 16:45 in London: the demo school patches on weekdays from 16:30, Hazelwood from 17:00
    monkeypatch.setenv("SCHOOLTECH_NOW", "2026-11-30T16:45:00+00:00")
    done = run_district_job(DistrictRequest(JobKind.PATCH, Path(district.inventory)))  # the demo school: canary

    outcomes = {o.school: o for o in done.wave.outcomes}
    assert outcomes["HZP"].status is SchoolStatus.SKIPPED_WINDOW and outcomes["HZP"].result is None
    assert "patch window" in outcomes["HZP"].detail
    assert outcomes["DEMO"].status is SchoolStatus.OK
    assert done.succeeded  # a skipped school is reported, not failed
    demo = outcomes["DEMO"].result
    assert demo is not None and {h.name for h in demo.hosts} == pcs_of(district, "DEMO")
