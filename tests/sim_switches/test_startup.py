"""Starting and stopping the emulator process; startup configs."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.switches import SwitchFarm, SwitchSpec, catalyst_interfaces, start_switches

from .conftest import PASSWORD, STARTUP_CONFIG, USER

pytestmark = pytest.mark.sim


def test_startup_config_is_applied(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    assert connect("sw-b").find_prompt() == "SW-B#"
    running = farm.control.running_config("sw-b")
    for line in STARTUP_CONFIG.splitlines():
        assert line in running.splitlines()
    assert farm.control.saved_config("sw-b") == running


def test_factory_default_switch_has_every_port_and_vlan1(farm: SwitchFarm) -> None:
    running = farm.control.running_config("sw-a")
    assert running.startswith("!\nversion 15.2\n!\nhostname sw-a\n!\n")
    assert running.count("interface GigabitEthernet1/0/") == 24
    assert running.count("interface TenGigabitEthernet1/1/") == 4
    assert "interface Vlan1\n no ip address\n shutdown\n!" in running
    assert running.endswith("end\n")


def test_ping_lists_switch_ports(farm: SwitchFarm) -> None:
    assert farm.control.ping() == dict(farm.ports)


def test_unsupported_startup_config_fails_with_the_offending_line(tmp_path: Path) -> None:
    spec = SwitchSpec("bad", 0, USER, PASSWORD, catalyst_interfaces(4), startup_config="hostname OK\nfrobnicate all\n")
    with pytest.raises(SimulationError, match=r"line 2: 'frobnicate all'"):
        start_switches([spec], tmp_path)


def test_port_in_use_fails_cleanly(tmp_path: Path, farm: SwitchFarm) -> None:
    spec = SwitchSpec("clash", farm.port("sw-a"), USER, PASSWORD, catalyst_interfaces(4))
    with pytest.raises(SimulationError, match="cannot listen"):
        start_switches([spec], tmp_path)


def test_stop_terminates_the_process(tmp_path: Path) -> None:
    farm = start_switches([SwitchSpec("solo", 0, USER, PASSWORD, catalyst_interfaces(4))], tmp_path)
    pid = farm.process.pid
    farm.stop()
    assert farm.process.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    farm.stop()  # idempotent


def test_invalid_specs_are_refused() -> None:
    with pytest.raises(SimulationError, match="not an IOS interface name"):
        SwitchSpec("x", 0, USER, PASSWORD, ["1/0/1"])
    with pytest.raises(SimulationError, match="same name"):
        start_switches([SwitchSpec("x", 0, USER, PASSWORD, ["Gi1/0/1"])] * 2, Path("/nonexistent"))
