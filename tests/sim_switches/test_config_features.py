"""Configuration features and their ``no`` forms, as ``show running-config`` shows them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from schooltech_fleet.sim.switches import SwitchFarm

from .conftest import ERROR_PATTERN

pytestmark = pytest.mark.sim

FEATURES = [
    "hostname CLASSROOM-1",
    "vlan 10",
    " name STAFF",
    "vlan 20",
    " name STUDENTS",
    "interface GigabitEthernet1/0/5",
    " description Teacher PC",
    " switchport mode access",
    " switchport access vlan 20",
    " switchport port-security maximum 2",
    " switchport port-security violation restrict",
    " switchport port-security",
    " storm-control broadcast level 1",
    " spanning-tree portfast",
    " ip access-group STUDENT-IN in",
    "interface TenGigabitEthernet1/1/1",
    " switchport trunk native vlan 99",
    " switchport trunk allowed vlan 10,20",
    " switchport trunk allowed vlan add 99",
    " switchport mode trunk",
    "interface Vlan10",
    " description Management",
    " ip address 10.0.10.2 255.255.255.0",
    " no shutdown",
    "ip default-gateway 10.0.10.1",
    "ip access-list extended STUDENT-IN",
    " remark no telnet to switches",
    " deny tcp any 10.0.10.0 0.0.0.255 eq 23",
    " permit udp any host 10.0.0.5 eq 161",
    " permit ip any any",
    "logging host 10.0.0.5",
    "ntp server 10.0.0.1",
    "snmp-server group NETOPS v3 priv",
    "snmp-server user monitor NETOPS v3 auth sha AuthPass1 priv aes 128 PrivPass1",
    "snmp-server host 10.0.0.5 version 3 priv monitor",
    "snmp-server location Building A, room 12",
    "snmp-server contact it@school.example",
]

EXPECTED_BLOCKS = [
    "hostname CLASSROOM-1\n!",
    "vlan 10\n name STAFF\n!\nvlan 20\n name STUDENTS\n!\ninterface",
    "interface GigabitEthernet1/0/5\n"
    " description Teacher PC\n"
    " switchport access vlan 20\n"
    " switchport mode access\n"
    " switchport port-security maximum 2\n"
    " switchport port-security violation restrict\n"
    " switchport port-security\n"
    " ip access-group STUDENT-IN in\n"
    " storm-control broadcast level 1.00\n"
    " spanning-tree portfast\n!",
    "interface TenGigabitEthernet1/1/1\n"
    " switchport trunk native vlan 99\n"
    " switchport trunk allowed vlan 10,20,99\n"
    " switchport mode trunk\n!",
    "interface Vlan10\n description Management\n ip address 10.0.10.2 255.255.255.0\n!",
    "ip default-gateway 10.0.10.1\n!",
    "ip access-list extended STUDENT-IN\n"
    " remark no telnet to switches\n"
    " deny   tcp any 10.0.10.0 0.0.0.255 eq telnet\n"
    " permit udp any host 10.0.0.5 eq snmp\n"
    " permit ip any any\n!",
    "logging host 10.0.0.5\n"
    "snmp-server group NETOPS v3 priv\n"
    "snmp-server location Building A, room 12\n"
    "snmp-server contact it@school.example\n"
    "snmp-server host 10.0.0.5 version 3 priv monitor\n!",
    "ntp server 10.0.0.1\nend",
]

NEGATIONS = [
    "no hostname",
    "no vlan 20",
    "interface GigabitEthernet1/0/5",
    " no description",
    " no switchport access vlan",
    " no switchport port-security maximum",
    " no switchport port-security violation restrict",
    " no switchport port-security",
    " no storm-control broadcast level",
    " no spanning-tree portfast",
    " no ip access-group STUDENT-IN in",
    " no switchport mode",
    "interface TenGigabitEthernet1/1/1",
    " no switchport trunk native vlan",
    " switchport trunk allowed vlan remove 10",
    "interface Vlan10",
    " no ip address",
    " shutdown",
    "no ip default-gateway",
    "no ip access-list extended STUDENT-IN",
    "no logging host 10.0.0.5",
    "no ntp server 10.0.0.1",
    "no snmp-server group NETOPS v3 priv",
    "no snmp-server host 10.0.0.5 version 3 priv monitor",
    "no snmp-server location",
    "no snmp-server contact",
]


def test_features_show_up_in_running_config(connect: Callable[..., Any]) -> None:
    connection = connect("sw-a")
    output = connection.send_config_set(FEATURES, error_pattern=ERROR_PATTERN)
    assert "%Warning: portfast should only be enabled" in output
    connection.set_base_prompt()
    running = connection.send_command("show running-config")
    assert running.startswith("Building configuration...\n\nCurrent configuration : ")
    for block in EXPECTED_BLOCKS:
        assert block in running
    assert "snmp-server user" not in running  # IOS never shows SNMPv3 users
    assert "interface GigabitEthernet1/0/24\n!\ninterface TenGigabitEthernet1/1/1" in running


def test_no_forms_remove_what_was_configured(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    connection = connect("sw-a")
    connection.send_config_set(FEATURES, error_pattern=ERROR_PATTERN)
    connection.set_base_prompt()
    connection.send_config_set(NEGATIONS, error_pattern=ERROR_PATTERN)
    connection.set_base_prompt()
    running = farm.control.running_config("sw-a")
    assert "hostname Switch\n" in running
    assert "vlan 20\n" not in running
    assert "interface GigabitEthernet1/0/5\n!" in running
    assert (
        "interface TenGigabitEthernet1/1/1\n switchport trunk allowed vlan 20,99\n switchport mode trunk\n!" in running
    )
    assert "interface Vlan10\n description Management\n no ip address\n shutdown\n!" in running
    for gone in ("ip default-gateway", "ip access-list", "logging host", "ntp server", "snmp-server"):
        assert gone not in running


def test_acl_sequence_numbers_and_canonical_form(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    connect("sw-a").send_config_set(
        [
            "ip access-list extended MGMT",
            " permit tcp 10.1.2.3 0.0.0.255 host 10.0.10.2 eq 22",
            " deny ip 0.0.0.0 255.255.255.255 any log",
            " 15 permit udp 10.0.0.9 0.0.0.0 any eq 123",
            " no 20",
            " 30 permit icmp any any 8",
        ],
        error_pattern=ERROR_PATTERN,
    )
    assert (
        "ip access-list extended MGMT\n"
        " permit tcp 10.1.2.0 0.0.0.255 host 10.0.10.2 eq 22\n"
        " permit udp host 10.0.0.9 any eq ntp\n"
        " permit icmp any any echo\n!"
    ) in farm.control.running_config("sw-a")


def test_semantic_rejections_use_ios_messages(connect: Callable[..., Any]) -> None:
    output = connect("sw-a").send_config_set(
        [
            "interface Gi1/0/7",
            " switchport port-security",
            " switchport access vlan 77",
            "hostname 1bad",
            "no vlan 1",
            "interface Gi1/0/99",
        ]
    )
    assert "Command rejected: GigabitEthernet1/0/7 is a dynamic port." in output
    assert "% Access VLAN does not exist. Creating vlan 77" in output
    assert "% Hostname contains one or more illegal characters." in output
    assert "%Default VLAN 1 may not be deleted." in output
    assert output.count("% Invalid input detected") == 1


def test_single_and_multi_line_banners(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    connection = connect("sw-a")
    connection.send_config_set(["banner motd ^CAuthorised staff only^C"])
    assert "banner motd ^CAuthorised staff only^C\n" in farm.control.running_config("sw-a")
    connection.send_config_set(["banner login #", "Line one", "Line two", "#"], cmd_verify=False)
    assert "banner login ^C\nLine one\nLine two\n^C\n" in farm.control.running_config("sw-a")
