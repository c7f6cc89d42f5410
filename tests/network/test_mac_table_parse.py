"""Reading switches' MAC address tables: real-format outputs through ntc-templates and the platform rules."""

from __future__ import annotations

import pytest

from schooltech_fleet.assets.discovery import MacSighting
from schooltech_fleet.network.mac_table import MacTableUnreadable, PortMap, parse_mac_table
from schooltech_fleet.network.platforms import platform

# A Catalyst 2960-X (IOS 15.2): the control-protocol CPU entries, no blank line before the total.
CATALYST_2960 = """\
          Mac Address Table
-------------------------------------------

Vlan    Mac Address       Type        Ports
----    -----------       --------    -----
 All    0100.0ccc.cccc    STATIC      CPU
 All    0100.0ccc.cccd    STATIC      CPU
 All    0180.c200.0000    STATIC      CPU
 All    0180.c200.0001    STATIC      CPU
 All    ffff.ffff.ffff    STATIC      CPU
  20    5254.0090.2065    DYNAMIC     Gi1/0/1
  20    5254.0090.2066    STATIC      Gi1/0/2
  30    5254.0090.2068    DYNAMIC     Gi1/0/4
  30    0015.2b35.8644    DYNAMIC     Po1
  99    02d2.e365.4d81    DYNAMIC     Te1/1/1
Total Mac Addresses for this criterion: 10
"""

# A Catalyst 9300 (IOS-XE 17): the switch's own SVI MACs as STATIC VlN entries, a blank line before the total.
CATALYST_9300 = """\
          Mac Address Table
-------------------------------------------

Vlan    Mac Address       Type        Ports
----    -----------       --------    -----
 All    0100.0ccc.cccc    STATIC      CPU
 All    ffff.ffff.ffff    STATIC      CPU
  20    00a3.d1a5.4955    STATIC      Vl20
  20    5254.0090.2065    DYNAMIC     Te1/1/1
  20    5254.0090.208d    DYNAMIC     Te1/1/2
  40    6c31.0e0e.aa09    DYNAMIC     Gi1/0/20
  99    00a3.d1a5.4955    STATIC      Vl99
  99    02d2.e365.4d81    DYNAMIC     Te1/1/4

Total Mac Addresses for this criterion: 8
"""

# An ArubaOS-Switch 2930F (16.x): "show mac-address", the port as its number, a trunk group as TrkN.
PROCURVE = """\

 Status and Counters - Port Address Table

  MAC Address   Port  VLAN
  ------------- ----- ----
  525400-902065 1     20
  525400-90208d 25    20
  001635-b4e4c0 Trk1  99
"""

LAB = PortMap("DEMO-SW-LAB", access_ports=24, uplink_ports=4, uplinks=frozenset({25}))
CORE = PortMap("DEMO-SW-CORE", access_ports=24, uplink_ports=4, uplinks=frozenset({25, 26, 28}))


def test_a_2960_table_gives_each_device_on_its_port_and_drops_the_cpu_entries() -> None:
    found = parse_mac_table(platform("cisco_ios"), LAB, CATALYST_2960)
    assert found == (
        MacSighting("DEMO-SW-LAB", "GigabitEthernet1/0/1", 1, 20, "52:54:00:90:20:65", uplink=False),
        MacSighting("DEMO-SW-LAB", "GigabitEthernet1/0/2", 2, 20, "52:54:00:90:20:66", uplink=False),
        MacSighting("DEMO-SW-LAB", "GigabitEthernet1/0/4", 4, 30, "52:54:00:90:20:68", uplink=False),
        MacSighting("DEMO-SW-LAB", "Port-channel1", None, 30, "00:15:2b:35:86:44", uplink=True),
        MacSighting("DEMO-SW-LAB", "TenGigabitEthernet1/1/1", 25, 99, "02:d2:e3:65:4d:81", uplink=True),
    )


def test_a_9300_table_drops_the_switchs_own_svi_entries_and_marks_its_uplinks() -> None:
    found = parse_mac_table(platform("cisco_ios"), CORE, CATALYST_9300)
    assert [(s.port, s.vlan, s.mac, s.uplink) for s in found] == [
        (25, 20, "52:54:00:90:20:65", True),
        (26, 20, "52:54:00:90:20:8d", True),
        (20, 40, "6c:31:0e:0e:aa:09", False),
        (28, 99, "02:d2:e3:65:4d:81", True),
    ]


def test_a_procurve_table_maps_port_numbers_and_trunk_groups() -> None:
    switch = PortMap("HZP-SW1", access_ports=24, uplink_ports=4, uplinks=frozenset({25}))
    found = parse_mac_table(platform("hp_procurve"), switch, PROCURVE)
    assert [(s.interface, s.port, s.vlan, s.mac, s.uplink) for s in found] == [
        ("1", 1, 20, "52:54:00:90:20:65", False),
        ("25", 25, 20, "52:54:00:90:20:8d", True),
        ("Trk1", None, 99, "00:16:35:b4:e4:c0", True),
    ]


def test_an_interface_that_is_not_one_of_the_declared_ports_has_no_port_number() -> None:
    small = PortMap("DEMO-SW-LIB", access_ports=8, uplink_ports=2, uplinks=frozenset({9}))
    found = parse_mac_table(platform("cisco_ios"), small, CATALYST_2960)
    assert [(s.interface, s.port) for s in found][-1] == ("TenGigabitEthernet1/1/1", 9)
    assert all(s.port is None or s.port <= 10 for s in found)


def test_output_the_template_cannot_read_is_an_error_not_an_empty_table() -> None:
    garbled = CATALYST_2960.replace("  20    5254.0090.2065    DYNAMIC     Gi1/0/1", "  20 % Invalid input")
    with pytest.raises(MacTableUnreadable, match="did not parse"):
        parse_mac_table(platform("cisco_ios"), LAB, garbled)
