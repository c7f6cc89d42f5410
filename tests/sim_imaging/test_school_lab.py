"""How a simulated school's imaging lab is laid out from the inventory (no lab is started here)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.imaging.targets import imaging_targets
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.sim.imaging.school_lab import lab_plans, segment_addressing

DEMO = Path(__file__).resolve().parents[2] / "inventories" / "demo"


def test_the_segment_keeps_the_gateway_and_the_boot_servers_address_and_pools_the_longest_free_range() -> None:
    addressing = segment_addressing(IPv4Network("10.90.20.0/24"), IPv4Address("10.90.20.1"), IPv4Address("10.90.20.5"))
    assert (addressing.router, addressing.boot_server, addressing.probe) == (
        IPv4Address("10.90.20.1"), IPv4Address("10.90.20.5"), IPv4Address("10.90.20.254"))  # fmt: skip
    assert (addressing.pool_start, addressing.pool_end) == (IPv4Address("10.90.20.6"), IPv4Address("10.90.20.253"))


def test_a_subnet_with_no_room_for_a_pool_is_refused() -> None:
    with pytest.raises(SimulationError, match="no room for a DHCP pool"):
        segment_addressing(IPv4Network("10.0.0.0/30"), IPv4Address("10.0.0.1"), IPv4Address("10.0.0.2"))


def test_the_demo_library_is_one_lab_behind_demo_pxe1_on_the_students_vlan() -> None:
    fleet = load_fleet(DEMO)
    targets = imaging_targets(fleet, "DEMO", "LIB")
    networks = {t.name: (fleet.host_vars(t.name)["subnet"], fleet.host_vars(t.name)["gateway"]) for t in targets}
    (plan,) = lab_plans("DEMO", targets, networks)
    assert (plan.boot_server, plan.boot_address, plan.subnet, plan.gateway) == (
        "DEMO-PXE1", IPv4Address("10.90.20.5"), IPv4Network("10.90.20.0/24"), IPv4Address("10.90.20.1"))  # fmt: skip
    assert [(pc.name, pc.firmware) for pc in plan.pcs] == [("DEMO-LIB-PC01", "bios"), ("DEMO-LIB-PC02", "bios")]


def test_one_boot_server_on_two_subnets_is_refused() -> None:
    fleet = load_fleet(DEMO)
    first, second = imaging_targets(fleet, "DEMO", "LIB")
    networks = {first.name: ("10.90.20.0/24", "10.90.20.1"), second.name: ("10.90.21.0/24", "10.90.21.1")}
    with pytest.raises(SimulationError, match="would serve 2 subnets"):
        lab_plans("DEMO", [first, second], networks)
