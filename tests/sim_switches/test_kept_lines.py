"""Lines the emulator does not model are kept as typed, shown where IOS shows them, replaced and removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from schooltech_fleet.sim.switches import SwitchFarm
from schooltech_fleet.sim.switches.ios_passwords import type7_decode, verify

from .conftest import ERROR_PATTERN

pytestmark = pytest.mark.sim

SCHOOL_LINES = [
    "service timestamps log datetime msec",
    "no service pad",
    "username admin privilege 15 secret 0 CANARY-admin",
    "aaa new-model",
    "aaa authentication login default group tacacs+ local",
    "ip domain-name school.example",
    "spanning-tree mode rapid-pvst",
    "archive",
    " log config",
    "  logging enable",
    " path flash:archive/config",
    " maximum 5",
    "ip ssh version 2",
    "interface GigabitEthernet1/0/3",
    " switchport voice vlan 40",
    " power inline never",
    " spanning-tree portfast",
    "interface Vlan10",
    " ip address 10.0.10.2 255.255.255.0",
    " ip helper-address 10.0.10.5",
    " no ip redirects",
    "ip access-list standard MGMT",
    " permit 10.0.10.0 0.0.0.255",
    " deny any log",
    "snmp-server community CANARY-community RO MGMT",
    "tacacs server TAC1",
    " address ipv4 10.0.10.9",
    " key CANARY-tacacs",
    "line con 0",
    " logging synchronous",
    "line vty 0 4",
    " access-class MGMT in",
    " transport input ssh",
    "ntp authenticate",
    "ntp server 10.0.0.1",
]


def blocks(running: str) -> list[str]:
    """The running-config without its ``!`` separators: what must stay in order."""
    return [line for line in running.splitlines() if line != "!"]


def test_kept_lines_are_shown_in_their_section_and_in_ios_order(connect: Callable[..., Any],
                                                                  farm: SwitchFarm) -> None:  # fmt: skip
    connect("sw-a").send_config_set(SCHOOL_LINES, error_pattern=ERROR_PATTERN)
    lines = blocks(farm.control.running_config("sw-a"))
    expected_order = [
        "version 15.2",
        "no service pad",
        "service timestamps log datetime msec",
        "hostname sw-a",
        "aaa new-model",
        "aaa authentication login default group tacacs+ local",
        "ip domain-name school.example",
        "archive",
        " log config",
        "  logging enable",
        " path flash:archive/config",
        " maximum 5",
        "spanning-tree mode rapid-pvst",
        "ip ssh version 2",
        "interface GigabitEthernet1/0/3",
        " switchport voice vlan 40",
        " power inline never",
        " spanning-tree portfast",
        "interface Vlan10",
        " ip address 10.0.10.2 255.255.255.0",
        " ip helper-address 10.0.10.5",
        " no ip redirects",
        "ip access-list standard MGMT",
        " permit 10.0.10.0 0.0.0.255",
        " deny   any log",
        "snmp-server community CANARY-community RO MGMT",
        "tacacs server TAC1",
        " address ipv4 10.0.10.9",
        " key CANARY-tacacs",
        "line con 0",
        " logging synchronous",
        "line vty 0 4",
        " access-class MGMT in",
        " transport input ssh",
        "ntp authenticate",
        "ntp server 10.0.0.1",
        "end",
    ]
    positions = [lines.index(line) for line in expected_order]
    assert positions == sorted(positions)
    assert lines[lines.index("interface Vlan10") + 1 : lines.index("interface Vlan10") + 4] == expected_order[19:22]


def test_sub_modes_have_ios_prompts_and_unknown_lines_fall_back_to_global_config(
    connect: Callable[..., Any], farm: SwitchFarm
) -> None:
    connection = connect("sw-a")
    output = connection.send_config_set(
        ["line vty 0 4", " exec-timeout 5 0", "archive", " log config", "  hidekeys", " path flash:a", "hostname LAB"],
        error_pattern=ERROR_PATTERN,
    )
    assert "sw-a(config-line)#" in output
    assert "sw-a(config-archive)#" in output
    assert "sw-a(config-archive-log-cfg)#" in output
    assert "sw-a(config-archive-log-cfg)# path flash:a\nsw-a(config-archive)#hostname LAB" in output
    assert "LAB(config)#" in output
    connection.set_base_prompt()
    assert "archive\n log config\n  hidekeys\n path flash:a\n!" in farm.control.running_config("sw-a")


def test_a_child_setting_the_same_thing_replaces_it_and_no_removes_it(farm: SwitchFarm) -> None:
    farm.control.configure("sw-a", "line vty 0 4\n transport input ssh\n access-class MGMT in\n exec-timeout 5 0\n")
    farm.control.configure("sw-a", "line vty 0 4\n transport input telnet ssh\n access-class OTHER in\n"
                                   " access-class OUT-ACL out\n no exec-timeout\n")  # fmt: skip
    assert (
        "line vty 0 4\n transport input telnet ssh\n access-class OTHER in\n access-class OUT-ACL out\n!"
        in farm.control.running_config("sw-a")
    )


def test_no_removes_a_line_and_a_whole_section_and_keeps_no_for_defaults(farm: SwitchFarm) -> None:
    farm.control.configure("sw-a", "\n".join(SCHOOL_LINES) + "\n")
    farm.control.configure("sw-a", "no ip ssh version\nno archive\nno tacacs server TAC1\nno ip domain-lookup\n"
                                   "no username admin\ninterface Gi1/0/3\n no power inline never\n")  # fmt: skip
    running = farm.control.running_config("sw-a")
    for gone in ("ip ssh", "archive", "log config", "tacacs server", "address ipv4", "username admin",
                 "power inline"):  # fmt: skip
        assert gone not in running
    assert "\nno ip domain-lookup\n" in running
    assert " switchport voice vlan 40\n" in running
    farm.control.configure("sw-a", "default ip domain-lookup\n")
    assert "domain-lookup" not in farm.control.running_config("sw-a")


def test_a_global_setting_typed_again_replaces_the_earlier_one_in_place(farm: SwitchFarm) -> None:
    farm.control.configure(
        "sw-a", "spanning-tree mode pvst\nspanning-tree extend system-id\nspanning-tree mode rapid\n"
    )
    assert "spanning-tree mode rapid-pvst\nspanning-tree extend system-id\n" in farm.control.running_config("sw-a")


def test_unknown_keywords_are_still_refused_everywhere(connect: Callable[..., Any]) -> None:
    output = connect("sw-a").send_config_set(
        [
            "frobnicate all",
            "spanning-tree mode frobnicate",
            "line vty 0 4",
            " frobnicate",
            "interface Gi1/0/1",
            " frobnicate",
            "interface Vlan1",
            " power inline never",
        ]
    )
    assert output.count("% Invalid input detected at '^' marker.") == 5


def test_secrets_typed_in_the_clear_are_stored_as_ios_stores_them(farm: SwitchFarm) -> None:
    typed = [
        "enable secret CANARY-enable",
        "username admin privilege 15 secret 0 CANARY-admin",
        "username old password 0 CANARY-old",
        "line vty 0 4",
        " password CANARY-line",
    ]
    farm.control.configure("sw-a", "\n".join(typed) + "\n")
    running = farm.control.running_config("sw-a")
    assert "username old password 0 CANARY-old\n" in running  # clear until password encryption is on
    enable = next(line for line in running.splitlines() if line.startswith("enable secret"))
    admin = next(line for line in running.splitlines() if line.startswith("username admin"))
    assert enable.startswith("enable secret 5 $1$") and verify("CANARY-enable", "5", enable.split()[-1])
    assert admin.startswith("username admin privilege 15 secret 5 $1$") and verify(
        "CANARY-admin", "5", admin.split()[-1]
    )
    farm.control.configure("sw-a", "service password-encryption\n")
    running = farm.control.running_config("sw-a")
    assert "CANARY-old" not in running and "CANARY-line" not in running
    old = next(line for line in running.splitlines() if line.startswith("username old"))
    assert old.startswith("username old password 7 ") and type7_decode(old.split()[-1]) == "CANARY-old"


def test_standard_and_numbered_acls_are_canonical(farm: SwitchFarm) -> None:
    farm.control.configure("sw-a", "ip access-list standard MGMT\n permit host 10.0.0.5\n permit 10.0.10.7 0.0.0.255\n"
                                   " deny any log\naccess-list 10 remark management\naccess-list 10 permit 10.0.99.0"
                                   " 0.0.0.255\naccess-list 110 permit tcp any any eq 22\n")  # fmt: skip
    running = farm.control.running_config("sw-a")
    assert "ip access-list standard MGMT\n permit 10.0.0.5\n permit 10.0.10.0 0.0.0.255\n deny   any log\n!" in running
    assert "access-list 10 remark management\naccess-list 10 permit 10.0.99.0 0.0.0.255\n" in running
    assert "access-list 110 permit tcp any any eq 22\n" in running
    farm.control.configure("sw-a", "no access-list 10\n")
    assert "access-list 10 " not in farm.control.running_config("sw-a")


def test_write_memory_saves_the_kept_lines(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    connection = connect("sw-a")
    connection.send_config_set(["ip ssh version 2", "line vty 0 4", " transport input ssh"])
    connection.save_config()
    saved = farm.control.saved_config("sw-a")
    assert "ip ssh version 2\n" in saved and "line vty 0 4\n transport input ssh\n" in saved
