"""MAC tables read over real SSH and Netmiko from the simulated demo school, and findings planted in it."""

from __future__ import annotations

from pathlib import Path

from schooltech_fleet.assets.discovery import MacSighting
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.network.mac_table import gather_mac_tables
from schooltech_fleet.network.session import open_session
from schooltech_fleet.network.targets import switch_targets
from schooltech_fleet.sim.plant import plant_move, plant_stranger, unplant
from schooltech_fleet.sim.simulation import Simulation
from schooltech_fleet.sim.switch_stations import router_mac

LAB1_PC01, LIB_PC02, STRANGER = "52:54:00:90:20:65", "52:54:00:90:20:8e", "02:00:00:00:be:ef"


def seen(sightings: tuple[MacSighting, ...], mac: str) -> set[tuple[str, int | None, bool]]:
    return {(s.switch, s.port, s.uplink) for s in sightings if s.mac == mac}


def test_the_switches_show_each_pc_on_its_port_and_a_moved_pc_or_a_stranger_where_they_were_planted(
    school: Simulation,
) -> None:
    inventory = Path(school.inventory)
    tables = gather_mac_tables(inventory, "DEMO")
    assert tables.unreachable == ()
    assert seen(tables.sightings, LAB1_PC01) == {
        ("DEMO-SW-LAB", 1, False),  # LAB1 is on ports 1-4 of the lab switch: its first PC on port 1
        ("DEMO-SW-CORE", 25, True),  # the core's uplink to the lab switch
        ("DEMO-SW-LIB", 9, True),  # the library switch's uplink
    }
    assert ("DEMO-SW-CORE", 28, True) in seen(tables.sightings, router_mac("DEMO"))
    assert {s.vlan for s in tables.sightings if s.mac == LAB1_PC01} == {20}

    with open_session(switch_targets(load_fleet(inventory), switches=["DEMO-SW-LAB"])[0]) as session:
        one_port = session.show("show mac address-table dynamic interface Gi1/0/1")
        one_vlan = session.show("show mac address-table vlan 99")
    assert "5254.0090.2065    DYNAMIC     Gi1/0/1" in one_port
    assert "Total Mac Addresses for this criterion: 1" in one_port
    assert "Te1/1/1" in one_vlan and "Gi1/0/1" not in one_vlan

    unplant("DEMO-SW-LIB", LIB_PC02)  # the library's second kiosk is unplugged and LAB1-PC01 takes its port
    moved = plant_move("DEMO-LAB1-PC01", "DEMO-SW-LIB", 2)
    stranger = plant_stranger("DEMO-SW-LAB", 23, STRANGER)  # on the lab projector's port
    assert moved.port_up and stranger.port_up

    after = gather_mac_tables(inventory, "DEMO").sightings
    assert seen(after, LAB1_PC01) == {("DEMO-SW-LIB", 2, False), ("DEMO-SW-CORE", 26, True), ("DEMO-SW-LAB", 25, True)}
    assert seen(after, STRANGER) == {("DEMO-SW-LAB", 23, False), ("DEMO-SW-CORE", 25, True), ("DEMO-SW-LIB", 9, True)}
    assert {s.vlan for s in after if s.mac == STRANGER} == {40}  # the port's access VLAN (av)
    assert seen(after, LIB_PC02) == set()
