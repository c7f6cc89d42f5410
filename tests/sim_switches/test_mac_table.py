"""The emulated switches' MAC address tables: the demo school's devices where the inventory puts them."""

from __future__ import annotations

from pathlib import Path

import pytest

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.inventory import load_schools
from schooltech_fleet.sim.switch_boot import generate_canaries, school_switch_specs
from schooltech_fleet.sim.switch_stations import declared_ports, router_mac
from schooltech_fleet.sim.switches import SwitchSpec
from schooltech_fleet.sim.switches.mac_table import Station, entries, show_mac_address_table
from schooltech_fleet.sim.switches.management import Fabric
from schooltech_fleet.sim.switches.switch import EmulatedSwitch

INVENTORIES = Path(__file__).resolve().parents[2] / "inventories"
DEMO = INVENTORIES / "demo"
LAB1_PC01 = "5254.0090.2065"
LIB_PC01 = "5254.0090.208d"


@pytest.fixture(scope="module")
def demo_specs() -> list[SwitchSpec]:
    school = next(s for s in load_schools(DEMO, simulation=False)[0] if s.code == "DEMO")
    return school_switch_specs(school, password="pw", canaries=generate_canaries(), minute_seconds=1.0)


@pytest.fixture
def demo(demo_specs: list[SwitchSpec]) -> dict[str, EmulatedSwitch]:
    """The demo school's three switches in one fabric, in-process (no SSH: the live test covers it)."""
    switches = {spec.name: EmulatedSwitch(spec) for spec in demo_specs}
    Fabric(switches)
    return switches


def where(switch: EmulatedSwitch, mac: str) -> list[tuple[int | None, str]]:
    return [(entry.vlan, entry.port) for entry in entries(switch) if entry.mac == mac]


def test_each_pc_is_learned_on_its_declared_port_and_upstream_on_the_port_towards_it(
    demo: dict[str, EmulatedSwitch],
) -> None:
    assert where(demo["DEMO-SW-LAB"], LAB1_PC01) == [(20, "Gi1/0/1")]  # LAB1 ports 1-4, first PC on port 1
    assert where(demo["DEMO-SW-LAB"], "5254.0090.207a") == [(20, "Gi1/0/10")]  # LAB2 ports 9-10, second PC
    assert where(demo["DEMO-SW-CORE"], LAB1_PC01) == [(20, "Te1/1/1")]  # core port 25 leads to the lab switch
    assert where(demo["DEMO-SW-CORE"], LIB_PC01) == [(20, "Te1/1/2")]
    assert where(demo["DEMO-SW-LIB"], LAB1_PC01) == [(20, "Te1/1/1")]  # the library sees the lab via its uplink


def test_the_router_is_on_the_core_switchs_router_uplink_and_behind_every_other_uplink(
    demo: dict[str, EmulatedSwitch],
) -> None:
    router = Station(router_mac("DEMO"), "GigabitEthernet1/0/1").mac
    assert where(demo["DEMO-SW-CORE"], router) == [(99, "Te1/1/4")]  # port 28: "to the school router"
    assert where(demo["DEMO-SW-LAB"], router) == [(99, "Te1/1/1")]


def test_a_moved_pc_leaves_its_old_port_and_every_table_follows(demo: dict[str, EmulatedSwitch]) -> None:
    library = demo["DEMO-SW-LIB"]
    library.unplug("52:54:00:90:20:8e")  # the library's second kiosk is unplugged, LAB1-PC01 takes its port
    library.plug(Station(LAB1_PC01, "GigabitEthernet1/0/2", 20, "DEMO-LAB1-PC01"))
    port_vlan = library.state.ports["GigabitEthernet1/0/2"].access_vlan
    assert where(library, LAB1_PC01) == [(port_vlan, "Gi1/0/2")]  # learned in the port's access VLAN
    assert where(demo["DEMO-SW-LAB"], LAB1_PC01) == [(port_vlan, "Te1/1/1")]  # now behind the uplink
    assert where(demo["DEMO-SW-CORE"], LAB1_PC01) == [(port_vlan, "Te1/1/2")]
    library.reset()
    assert where(demo["DEMO-SW-LAB"], LAB1_PC01) == []  # a reset of LIB leaves it unplugged
    assert where(demo["DEMO-SW-LAB"], "5254.0090.208e") == [(port_vlan, "Te1/1/1")]  # and brings the kiosk back
    demo["DEMO-SW-LAB"].reset()
    assert where(demo["DEMO-SW-LAB"], LAB1_PC01) == [(20, "Gi1/0/1")]  # its own switch's reset brings it home


def test_a_device_plugged_into_an_unused_port_is_not_learned_while_the_port_is_shut(
    demo: dict[str, EmulatedSwitch],
) -> None:
    stranger = "0200.0000.beef"
    demo["DEMO-SW-LIB"].plug(Station(stranger, "GigabitEthernet1/0/5"))  # unused ports are shut down
    assert where(demo["DEMO-SW-LIB"], stranger) == []
    demo["DEMO-SW-LIB"].merge_config("interface GigabitEthernet1/0/5\n no shutdown\n")
    assert where(demo["DEMO-SW-LIB"], stranger) == [(1, "Gi1/0/5")]
    assert where(demo["DEMO-SW-CORE"], stranger) == [(1, "Te1/1/2")]


def test_nothing_is_learned_through_a_shut_port_or_a_shut_link(demo: dict[str, EmulatedSwitch]) -> None:
    demo["DEMO-SW-LAB"].merge_config("interface GigabitEthernet1/0/1\n shutdown\n")
    assert where(demo["DEMO-SW-LAB"], LAB1_PC01) == []
    assert where(demo["DEMO-SW-CORE"], LAB1_PC01) == []
    demo["DEMO-SW-CORE"].merge_config("interface TenGigabitEthernet1/1/2\n shutdown\n")
    assert where(demo["DEMO-SW-CORE"], LIB_PC01) == []
    assert where(demo["DEMO-SW-LAB"], LIB_PC01) == []


def test_show_mac_address_table_has_the_layout_of_each_model(demo: dict[str, EmulatedSwitch]) -> None:
    lab = show_mac_address_table(demo["DEMO-SW-LAB"], kind="dynamic", interface="GigabitEthernet1/0/1")
    assert lab == [
        "          Mac Address Table",
        "-------------------------------------------",
        "",
        "Vlan    Mac Address       Type        Ports",
        "----    -----------       --------    -----",
        "  20    5254.0090.2065    DYNAMIC     Gi1/0/1",
        "Total Mac Addresses for this criterion: 1",
    ]
    core = show_mac_address_table(demo["DEMO-SW-CORE"], vlan=99)  # a Catalyst 9300: IOS-XE
    assert core[-2:] == ["", "Total Mac Addresses for this criterion: 2"]
    assert any(line.endswith("STATIC      Vl99") for line in core)
    assert " All    0100.0ccc.cccc    STATIC      CPU" in show_mac_address_table(demo["DEMO-SW-LAB"])


def test_a_station_on_a_port_the_switch_lacks_is_refused(demo: dict[str, EmulatedSwitch]) -> None:
    with pytest.raises(SimulationError, match="no interface GigabitEthernet1/0/30"):
        demo["DEMO-SW-LIB"].plug(Station("02:00:00:00:be:ef", "GigabitEthernet1/0/30"))


def test_room_ports_take_the_rooms_devices_in_order_and_a_device_port_its_own_device() -> None:
    primary = load_schools(INVENTORIES / "primary", simulation=False)[0][0]
    placed = declared_ports(primary)
    assert [placed[f"HZP-ICT-PC{k:02d}"] for k in range(1, 17)] == [("HZP-SW-01", k) for k in range(1, 17)]
    assert placed["HZP-ICT-TCH01"] == ("HZP-SW-01", 17)  # in room ICT, but it has a port of its own
    assert placed["HZP-RECEPTION-DSP01"] == ("HZP-SW-02", 2)
