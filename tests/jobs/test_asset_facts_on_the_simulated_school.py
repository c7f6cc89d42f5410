"""PC facts from the simulated demo school: each PC reports its own hardware, over real SSH."""

from __future__ import annotations

from pathlib import Path

import pytest

from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.jobs import HostStatus, runs
from schooltech_fleet.jobs.asset_facts import gather_pc_facts
from schooltech_fleet.jobs.locks import school_lock
from schooltech_fleet.sim import simulation
from schooltech_fleet.sim.hardware import plant_serial

pytestmark = pytest.mark.sim


def test_each_simulated_pc_reports_its_own_serial_and_mac_and_a_planted_serial_shows(
    simulated_school: simulation.Simulation,
) -> None:
    inventory = Path(simulated_school.inventory)
    declared = {name: load_fleet(inventory).host_vars(name) for name in (h.name for h in simulated_school.pcs)}

    facts = gather_pc_facts(inventory, "DEMO")

    assert facts.unreachable == ()
    found = {pc.host: pc for pc in facts.pcs}
    assert sorted(found) == sorted(declared)
    for name, values in declared.items():
        pc = found[name]
        assert (pc.serial, pc.macs) == (values["serial_number"], (values["mac"],)), name
        assert pc.hostname == name.lower() and pc.os == "Debian 12" and pc.ram_mb and pc.bios
    assert (found["DEMO-LAB1-PC01"].vendor, found["DEMO-LAB1-PC01"].model) == ("Dell Inc.", "OptiPlex 7010 SFF")
    assert (found["DEMO-LIB-PC01"].vendor, found["DEMO-LIB-PC01"].model) == ("LENOVO", "ThinkCentre M70q (11DT003QUK)")
    assert runs.load(facts.run_id).hosts[0].status is HostStatus.OK  # recorded like every job, nothing changed

    plant_serial("DEMO-LIB-PC02", "PF9ZZ001")
    try:
        # read-only: it runs while another job holds the school's lock
        with school_lock("DEMO", "a patch job"):
            again = gather_pc_facts(inventory, "DEMO", rooms=("LIB",))
    finally:
        plant_serial("DEMO-LIB-PC02", declared["DEMO-LIB-PC02"]["serial_number"])
    assert {pc.host: pc.serial for pc in again.pcs} == {"DEMO-LIB-PC01": "PF3KX9ZA", "DEMO-LIB-PC02": "PF9ZZ001"}
