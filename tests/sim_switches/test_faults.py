"""Failure injection and out-of-band changes through the control channel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from netmiko.exceptions import ConfigInvalidException

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.switches import SwitchFarm

from .conftest import ERROR_PATTERN

pytestmark = pytest.mark.sim


def test_reject_makes_matching_commands_invalid(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    farm.control.reject("sw-a", r"^storm-control")
    connection = connect("sw-a")
    with pytest.raises(ConfigInvalidException, match="storm-control broadcast level 1"):
        connection.send_config_set(
            ["interface Gi1/0/1", " description before", " storm-control broadcast level 1", " description after"],
            error_pattern=ERROR_PATTERN,
        )
    running = farm.control.running_config("sw-a")
    assert " description before\n" in running
    assert "storm-control" not in running
    farm.control.clear_faults("sw-a")
    connection.exit_config_mode()  # Netmiko left the session in (config-if)# when it raised
    connection.send_config_set(["interface Gi1/0/1", " storm-control broadcast level 1"], error_pattern=ERROR_PATTERN)
    assert " storm-control broadcast level 1.00\n" in farm.control.running_config("sw-a")


def test_drop_after_resets_the_connection_mid_push(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    farm.control.drop_after("sw-a", 2)
    connection = connect("sw-a")
    commands = ["vlan 31", "vlan 32", "vlan 33", "vlan 34"]
    with pytest.raises(Exception) as raised:  # Netmiko sees no echo: ReadTimeout (or OSError on write)
        connection.send_config_set(commands, error_pattern=ERROR_PATTERN, read_timeout=3)
    assert not isinstance(raised.value, ConfigInvalidException)
    running = farm.control.running_config("sw-a")
    assert "vlan 31\n" in running or "vlan 31-32" in running or "vlan 31,32" in running
    assert "33" not in running
    reconnected = connect("sw-a")  # the fault fires once; the switch is reachable again
    reconnected.send_config_set(["vlan 33"], error_pattern=ERROR_PATTERN)
    assert "vlan 31-33" in farm.control.running_config("sw-a")


def test_set_running_config_replaces_everything(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    before = farm.control.running_config("sw-b")
    changed = before.replace("ntp server 10.0.0.1", "ntp server 10.0.0.99").replace("hostname SW-B", "hostname ROGUE")
    farm.control.set_running_config("sw-b", changed)
    assert farm.control.running_config("sw-b") == changed
    assert connect("sw-b").find_prompt() == "ROGUE#"
    assert farm.control.saved_config("sw-b") == before


def test_set_running_config_refuses_unsupported_lines_atomically(farm: SwitchFarm) -> None:
    before = farm.control.running_config("sw-b")
    with pytest.raises(SimulationError, match=r"line 2: 'spanning-tree mode frobnicate'"):
        farm.control.set_running_config("sw-b", "hostname X\nspanning-tree mode frobnicate\n")
    assert farm.control.running_config("sw-b") == before


def test_configure_merges_like_console_typing(farm: SwitchFarm) -> None:
    farm.control.configure("sw-a", "interface Gi1/0/2\n description console change\n")
    assert "interface GigabitEthernet1/0/2\n description console change\n!" in farm.control.running_config("sw-a")


def test_command_log_and_disconnect(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    connection = connect("sw-a")
    connection.send_config_set(["vlan 50"])
    log = farm.control.command_log("sw-a")
    start = log.index("configure terminal")
    assert log[start : start + 3] == ["configure terminal", "vlan 50", "end"]
    assert farm.control.disconnect("sw-a") == 1
    with pytest.raises(Exception):  # noqa: B017  (Netmiko raises OSError or a ReadException)
        connection.send_command("show vlan brief")


def test_control_errors_are_simulation_errors(farm: SwitchFarm) -> None:
    with pytest.raises(SimulationError, match="no emulated switch named 'nope'"):
        farm.control.running_config("nope")
    with pytest.raises(SimulationError, match="bad request"):
        farm.control.reject("sw-a", "(")


def test_a_backup_taken_with_show_running_config_restores_as_is(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    original = farm.control.running_config("sw-b")
    backup = connect("sw-b").send_command("show running-config")
    farm.control.configure("sw-b", "no vlan 20\ninterface Gi1/0/1\n shutdown\n")
    farm.control.set_running_config("sw-b", backup)
    assert farm.control.running_config("sw-b") == original


def test_hold_keeps_the_answer_to_one_line_until_released(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    farm.control.hold("sw-a", r"^vlan 4\d$", skip=1)  # the second matching line is held
    connection = connect("sw-a")
    done = threading.Event()

    def push() -> None:
        connection.send_config_set(["vlan 41", "vlan 42", "vlan 43"], error_pattern=ERROR_PATTERN, read_timeout=20)
        done.set()

    worker = threading.Thread(target=push)
    worker.start()
    for _ in range(100):
        if farm.control.held("sw-a"):
            break
        done.wait(0.05)
    assert farm.control.held("sw-a") == "vlan 42"
    assert not done.is_set()
    running = farm.control.running_config("sw-a")
    assert "vlan 41\n" in running and "42" not in running  # the held line has not run

    assert farm.control.release("sw-a") == "vlan 42"
    worker.join(20)
    assert done.is_set()
    assert "vlan 41-43" in farm.control.running_config("sw-a")
    assert farm.control.held("sw-a") is None and farm.control.release("sw-a") is None
