"""hier_config (cisco_ios driver) against the emulator: parse, remediate, converge, roll back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hier_config import Platform, WorkflowRemediation, get_hconfig

from schooltech_fleet.sim.switches import SwitchFarm, catalyst_interfaces

from .conftest import ERROR_PATTERN

pytestmark = pytest.mark.sim

SPECIAL_PORTS = {
    "GigabitEthernet1/0/1": [
        " description Staff room",
        " switchport access vlan 10",
        " switchport mode access",
        " switchport port-security maximum 2",
        " switchport port-security violation restrict",
        " switchport port-security",
        " storm-control broadcast level 1.00",
        " spanning-tree portfast",
    ],
    "GigabitEthernet1/0/2": [
        " description Classroom PC",
        " switchport access vlan 30",
        " switchport mode access",
        " ip access-group STUDENTS-IN in",
        " spanning-tree portfast",
    ],
    "GigabitEthernet1/0/48": [
        " description unused",
        " switchport access vlan 999",
        " switchport mode access",
        " shutdown",
    ],
    "TenGigabitEthernet1/1/1": [
        " description Uplink to core",
        " switchport trunk native vlan 999",
        " switchport trunk allowed vlan 10,20,30,999",
        " switchport mode trunk",
    ],
}


def intended_config(hostname: str = "SCHOOL-SW1") -> str:
    """What a template would render for sw-b, in running-config style."""
    lines = ["!", f"hostname {hostname}", "!"]
    for vlan_id, name in ((10, "STAFF"), (20, "STUDENTS"), (30, "CLASSROOM"), (999, "PARKING")):
        lines += [f"vlan {vlan_id}", f" name {name}", "!"]
    for port in catalyst_interfaces(48):
        lines += [f"interface {port}", *SPECIAL_PORTS.get(port, []), "!"]
    lines += [
        "interface Vlan1", " no ip address", " shutdown", "!",
        "interface Vlan10", " description Management", " ip address 10.0.10.3 255.255.255.0", "!",
        "ip default-gateway 10.0.10.254", "!",
        "ip access-list extended STUDENTS-IN",
        " deny   tcp any 10.0.10.0 0.0.0.255 eq 22",
        " permit udp any any eq domain",
        " permit ip any any", "!",
        "logging host 10.0.0.6",
        "snmp-server group NETOPS v3 priv",
        "snmp-server location Main building",
        "snmp-server contact it@school.example",
        "snmp-server host 10.0.0.6 version 3 priv monitor", "!",
        "ntp server 10.0.0.2",
        "end",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def remediation(running: str, intended: str) -> list[str]:
    workflow = WorkflowRemediation(get_hconfig(Platform.CISCO_IOS, running), get_hconfig(Platform.CISCO_IOS, intended))
    return [line.cisco_style_text() for line in workflow.remediation_config.all_children_sorted()]


def rollback(running: str, intended: str) -> list[str]:
    workflow = WorkflowRemediation(get_hconfig(Platform.CISCO_IOS, running), get_hconfig(Platform.CISCO_IOS, intended))
    return [line.cisco_style_text() for line in workflow.rollback_config.all_children_sorted()]


def test_same_config_needs_no_remediation(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    farm.control.set_running_config("sw-b", intended_config())
    running = connect("sw-b").send_command("show running-config")
    assert remediation(running, intended_config()) == []


def test_remediation_is_accepted_and_converges(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    connection = connect("sw-b")
    before = connection.send_command("show running-config")
    commands = remediation(before, intended_config())
    assert len(commands) > 40
    connection.send_config_set(commands, error_pattern=ERROR_PATTERN)
    connection.set_base_prompt()
    after = connection.send_command("show running-config")
    assert remediation(after, intended_config()) == []

    connection.send_config_set(rollback(before, intended_config()), error_pattern=ERROR_PATTERN)
    connection.set_base_prompt()
    restored = connection.send_command("show running-config")
    assert remediation(restored, before) == []


def test_snmp_users_never_converge_as_on_real_ios(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    user = "snmp-server user monitor NETOPS v3 auth sha A1b2c3d4 priv aes 128 E5f6g7h8"
    intended = intended_config().replace(
        "snmp-server group NETOPS v3 priv\n", f"snmp-server group NETOPS v3 priv\n{user}\n"
    )
    farm.control.set_running_config("sw-b", intended_config())
    connection = connect("sw-b")
    commands = remediation(connection.send_command("show running-config"), intended)
    assert commands == [user]
    connection.send_config_set(commands, error_pattern=ERROR_PATTERN)
    assert remediation(connection.send_command("show running-config"), intended) == commands


def test_acl_edit_by_sequence_number_converges(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    acl_before = (
        "ip access-list extended STUDENTS-IN\n"
        " remark keep students off the management VLAN\n"
        " deny   tcp any 10.0.10.0 0.0.0.255 eq 22\n"
        " deny   ip any any log\n!\n"
    )
    farm.control.set_running_config("sw-b", intended_config().replace(
        "ip access-list extended STUDENTS-IN\n"
        " deny   tcp any 10.0.10.0 0.0.0.255 eq 22\n"
        " permit udp any any eq domain\n"
        " permit ip any any\n!\n",
        acl_before,
    ))  # fmt: skip
    connection = connect("sw-b")
    commands = remediation(connection.send_command("show running-config"), intended_config())
    assert commands == [
        "ip access-list extended STUDENTS-IN",
        "  no 20 deny ip any any log",
        "  20 permit udp any any eq domain",
        "  30 permit ip any any",
    ]
    connection.send_config_set(commands, error_pattern=ERROR_PATTERN)
    running = connection.send_command("show running-config")
    assert remediation(running, intended_config()) == []
    assert " remark keep students off the management VLAN\n deny   tcp any" in running


def test_sectional_exit_lines_are_accepted(connect: Callable[..., Any]) -> None:
    connection = connect("sw-b")
    before = connection.send_command("show running-config")
    workflow = WorkflowRemediation(get_hconfig(Platform.CISCO_IOS, before),
                                   get_hconfig(Platform.CISCO_IOS, intended_config()))  # fmt: skip
    commands = list(workflow.remediation_config.lines(sectional_exiting=True))
    assert "  exit" in commands
    connection.send_config_set(commands, error_pattern=ERROR_PATTERN)
    connection.set_base_prompt()
    assert remediation(connection.send_command("show running-config"), intended_config()) == []
