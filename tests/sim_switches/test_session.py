"""Netmiko ``cisco_ios`` sessions: login, prompts, modes, errors, saving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from netmiko.exceptions import ConfigInvalidException

from schooltech_fleet.sim.switches import SwitchFarm

from .conftest import ERROR_PATTERN

pytestmark = pytest.mark.sim


def test_login_lands_in_privileged_exec(connect: Callable[..., Any]) -> None:
    connection = connect("sw-a")
    assert connection.find_prompt() == "sw-a#"
    assert connection.check_enable_mode()


def test_enable_secret_is_required_when_configured(connect: Callable[..., Any]) -> None:
    connection = connect("sw-c")
    assert connection.find_prompt() == "sw-c>"
    connection.enable()
    assert connection.find_prompt() == "sw-c#"


def test_wrong_enable_secret_is_refused(connect: Callable[..., Any]) -> None:
    connection = connect("sw-c")
    connection.write_channel("enable\n")
    output = connection.read_until_pattern("Password: ")
    for _ in range(3):
        connection.write_channel("wrong\n")
        output += connection.read_until_pattern(r"Password: |sw-c>")
    assert output.count("Password: ") == 3
    assert "% Bad secrets" in output
    assert "wrong" not in output  # secrets are not echoed
    assert connection.find_prompt() == "sw-c>"


def test_end_leaves_config_mode_from_every_sub_mode(connect: Callable[..., Any]) -> None:
    connection = connect("sw-a")
    for enter in ("interface GigabitEthernet1/0/3", "vlan 30", "ip access-list extended X", "interface Vlan30"):
        connection.send_config_set([enter], exit_config_mode=False)
        assert connection.check_config_mode()
        connection.exit_config_mode()
        assert connection.find_prompt() == "sw-a#"


def test_exit_climbs_one_level(connect: Callable[..., Any]) -> None:
    connection = connect("sw-a")
    output = connection.send_config_set(["interface Gi1/0/2", "exit"], exit_config_mode=False)
    assert output.rstrip().endswith("sw-a(config-if)#exit\nsw-a(config)#")
    connection.exit_config_mode()


def test_global_command_in_sub_mode_returns_to_global_config(connect: Callable[..., Any]) -> None:
    connection = connect("sw-a")
    output = connection.send_config_set(["interface Gi1/0/2", "ntp server 10.0.0.9", "description x"])
    assert "sw-a(config-if)#ntp server 10.0.0.9\nsw-a(config)#description x\n" in output
    assert "% Invalid input detected" in output


def test_invalid_command_reports_caret_and_netmiko_raises(connect: Callable[..., Any]) -> None:
    connection = connect("sw-a")
    output = connection.send_config_set(["foo bar"])
    assert "sw-a(config)#foo bar\n             ^\n% Invalid input detected at '^' marker." in output
    with pytest.raises(ConfigInvalidException):
        connection.send_config_set(["interface Gi1/0/1", "switchport mode bogus"], error_pattern=ERROR_PATTERN)


def test_incomplete_and_ambiguous_commands(connect: Callable[..., Any]) -> None:
    connection = connect("sw-a")
    output = connection.send_config_set(["vlan", "interface Gi1/0/1", "s"])
    assert "% Incomplete command." in output
    assert '% Ambiguous command:  "s"' in output
    with pytest.raises(ConfigInvalidException):
        connection.send_config_set(["interface Gi1/0/1", "switchport access vlan"], error_pattern=ERROR_PATTERN)


def test_unknown_exec_word_is_treated_as_a_host_name(connect: Callable[..., Any]) -> None:
    output = connect("sw-a").send_command("frobnicate")
    assert "% Unknown command or computer name" in output


def test_write_memory_saves_the_running_config(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    connection = connect("sw-a")
    connection.send_config_set(["vlan 42", " name LAB"], error_pattern=ERROR_PATTERN)
    assert "vlan 42" not in farm.control.saved_config("sw-a")
    output = connection.save_config()
    assert "Building configuration...\n[OK]" in output
    assert farm.control.saved_config("sw-a") == farm.control.running_config("sw-a")
    assert "vlan 42\n name LAB" in connection.send_command("show startup-config")


def test_copy_running_config_startup_config_asks_for_the_file_name(
    connect: Callable[..., Any], farm: SwitchFarm
) -> None:
    connection = connect("sw-a")
    connection.send_config_set(["ntp server 10.9.9.9"])
    output = connection.send_command("copy running-config startup-config", expect_string=r"\[startup-config\]\?")
    output += connection.send_command("\n", expect_string="sw-a#")
    assert "[OK]" in output
    assert "ntp server 10.9.9.9" in farm.control.saved_config("sw-a")


def test_show_vlan_brief_lists_access_ports(connect: Callable[..., Any]) -> None:
    connection = connect("sw-b")
    output = connection.send_command("show vlan brief")
    lines = output.splitlines()
    assert any(line.startswith("10   STAFF") and "Gi1/0/1" in line for line in lines)
    assert any(line.startswith("20   STUDENTS") for line in lines)
    assert "Te1/1/1" not in output  # trunk ports are not listed
    assert "1002 fddi-default" in output


def test_pipes_filter_show_output(connect: Callable[..., Any]) -> None:
    connection = connect("sw-b")
    assert connection.send_command("show running-config | include ^hostname|hostname").strip() == "hostname SW-B"
    section = connection.send_command("show running-config | section Vlan10")
    assert section.splitlines() == ["interface Vlan10", " ip address 10.0.10.2 255.255.255.0"]


def test_show_running_config_interface(connect: Callable[..., Any]) -> None:
    output = connect("sw-b").send_command("show running-config interface gi1/0/1")
    assert "interface GigabitEthernet1/0/1\n description Staff room\n switchport access vlan 10" in output


def test_do_runs_exec_commands_without_leaving_the_sub_mode(connect: Callable[..., Any]) -> None:
    connection = connect("sw-b")
    output = connection.send_config_set(["interface Gi1/0/1", "do show running-config | include hostname",
                                         "description via do"], exit_config_mode=False)  # fmt: skip
    assert "hostname SW-B\nSW-B(config-if)#description via do" in output
    connection.exit_config_mode()
