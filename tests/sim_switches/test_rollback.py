"""IOS configuration rollback: the archive, ``configure terminal revert timer``, confirm, revert."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from netmiko import ConnectHandler

from schooltech_fleet.sim.switches import ManagementSpec, SwitchFarm, SwitchSpec, catalyst_interfaces, start_switches

from .conftest import ERROR_PATTERN, PASSWORD, USER

pytestmark = pytest.mark.sim

MINUTE_SECONDS = 1.0  # an emulated minute lasts a second here
WAIT_LIMIT = 30.0  # how long a test waits for something the emulator does by itself
EDGE_CONFIG = """\
hostname EDGE
vlan 99
 name MANAGEMENT
archive
 path flash:archive/$h
 maximum 3
 write-memory
interface TenGigabitEthernet1/1/1
 switchport trunk allowed vlan 99
 switchport mode trunk
interface Vlan99
 ip address 10.70.99.5 255.255.255.0
ip ssh version 2
"""
SPECS = [
    SwitchSpec("edge", 0, USER, PASSWORD, catalyst_interfaces(8, uplinks=2), startup_config=EDGE_CONFIG,
               minute_seconds=MINUTE_SECONDS,
               management=ManagementSpec(99, "10.70.99.5/24", "10.70.99.254", "TenGigabitEthernet1/1/1")),
    SwitchSpec("plain", 0, USER, PASSWORD, catalyst_interfaces(8, uplinks=2), minute_seconds=MINUTE_SECONDS),
]  # fmt: skip


@pytest.fixture(scope="module")
def rollback_farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SwitchFarm]:
    with start_switches(SPECS, tmp_path_factory.mktemp("rollback")) as running:
        yield running


@pytest.fixture
def cli(rollback_farm: SwitchFarm) -> Iterator[Callable[[str], Any]]:
    """``cli("edge")``: a Netmiko session; every switch starts from its boot state, nothing pending."""
    for spec in SPECS:
        rollback_farm.control.reset(spec.name)
    opened: list[Any] = []

    def _open(name: str) -> Any:
        connection = ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=rollback_farm.port(name),
                                    username=USER, password=PASSWORD)  # fmt: skip
        opened.append(connection)
        return connection

    yield _open
    for connection in opened:
        with contextlib.suppress(Exception):
            connection.disconnect()


def arm(connection: Any, minutes: int) -> str:
    """``configure terminal revert timer MINUTES``; returns what the switch printed."""
    output: str = connection.send_command(f"configure terminal revert timer {minutes}", expect_string=r"\(config\)#")
    return output


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():
        assert time.monotonic() < deadline, "the emulator did not get there"
        time.sleep(0.2)


def test_the_revert_timer_archives_enters_config_mode_and_confirm_keeps_the_change(
    cli: Callable[[str], Any], rollback_farm: SwitchFarm
) -> None:
    connection = cli("edge")
    output = arm(connection, 1)
    assert "Rollback Confirmed Change: Backing up current running config to flash:archive/EDGE-1" in output
    assert "Enter configuration commands, one per line.  End with CNTL/Z." in output
    connection.send_config_set(["vlan 20", " name STAFF"], error_pattern=ERROR_PATTERN)
    pending = rollback_farm.control.pending_revert("edge")
    assert pending is not None and pending.archive == "flash:archive/EDGE-1" and pending.minutes == 1
    timer = connection.send_command("show archive config rollback timer")
    assert "Timer value: 1 min" in timer and "Timer type: absolute timer" in timer
    assert connection.send_command("configure confirm").strip() == ""
    assert rollback_farm.control.pending_revert("edge") is None
    time.sleep(2 * MINUTE_SECONDS)  # past the moment the timer would have fired
    assert "vlan 20\n name STAFF" in rollback_farm.control.running_config("edge")
    assert connection.send_command("show archive config rollback timer").strip() == (
        "%No Rollback Confirmed Change pending"
    )


def test_an_unconfirmed_change_that_cut_the_path_is_reverted_whole_and_the_path_comes_back(
    cli: Callable[[str], Any], rollback_farm: SwitchFarm
) -> None:
    before = rollback_farm.control.running_config("edge")
    connection = cli("edge")
    arm(connection, 5)
    connection.send_config_set(["no ip ssh version 2", "no archive", "vlan 30"], exit_config_mode=False)
    connection.write_channel("interface Vlan99\n shutdown\n")  # the switch cuts its own path: no answer comes
    wait_for(lambda: not rollback_farm.control.management_path("edge").intact)
    with pytest.raises(OSError):
        connection.find_prompt()  # the session was reset
    wait_for(lambda: rollback_farm.control.management_path("edge").intact)
    assert rollback_farm.control.running_config("edge") == before  # archive, ip ssh and VLAN 30 as they were
    assert rollback_farm.control.pending_revert("edge") is None
    assert cli("edge").find_prompt() == "EDGE#"


def test_revert_now_restores_at_once_and_revert_timer_restarts(cli: Callable[[str], Any],
                                                                rollback_farm: SwitchFarm) -> None:  # fmt: skip
    connection = cli("edge")
    before = rollback_farm.control.running_config("edge")
    arm(connection, 1)
    connection.send_config_set(["vlan 40"])
    assert connection.send_command("configure revert timer 90").strip() == ""
    pending = rollback_farm.control.pending_revert("edge")
    assert pending is not None and pending.minutes == 90 and pending.seconds_left > MINUTE_SECONDS
    assert "Timer value: 90 min" in connection.send_command("show archive config rollback timer")
    connection.send_command("configure revert now")
    assert rollback_farm.control.running_config("edge") == before
    assert rollback_farm.control.pending_revert("edge") is None


def test_expire_revert_fires_the_pending_revert_now(cli: Callable[[str], Any], rollback_farm: SwitchFarm) -> None:
    connection = cli("edge")
    before = rollback_farm.control.running_config("edge")
    arm(connection, 120)
    connection.send_config_set(["vlan 50"])
    assert rollback_farm.control.expire_revert("edge") == "flash:archive/EDGE-1"
    assert rollback_farm.control.running_config("edge") == before


def test_without_an_archive_path_the_revert_timer_is_refused_and_nothing_is_pending(
    cli: Callable[[str], Any], rollback_farm: SwitchFarm
) -> None:
    connection = cli("plain")
    output = connection.send_command("configure terminal revert timer 5")
    assert output.strip() == "%Turn config archive on before using Rollback Confirmed Change"
    assert connection.find_prompt() == "plain#"  # not in configuration mode
    assert connection.send_command("configure confirm").strip() == "%No Rollback Confirmed Change pending"
    assert connection.send_command("configure revert now").strip() == "%No Rollback Confirmed Change pending"
    assert connection.send_command("show archive").strip() == "Archive feature not enabled"
    assert rollback_farm.control.pending_revert("plain") is None


def test_show_archive_lists_the_files_most_recent_marked_within_the_maximum(cli: Callable[[str], Any]) -> None:
    connection = cli("edge")
    for _ in range(4):
        connection.send_command("archive config")
    connection.save_config()  # write-memory archives once more
    lines = connection.send_command("show archive").splitlines()
    assert lines[:4] == [
        "The maximum archive configurations allowed is 3.",
        "There are currently 3 archive configurations saved.",
        "The next archive file will be named flash:archive/EDGE-6",
        " Archive #  Name",
    ]
    assert [line.split() for line in lines[4:]] == [
        ["1", "flash:archive/EDGE-3"],
        ["2", "flash:archive/EDGE-4"],
        ["3", "flash:archive/EDGE-5", "<-", "Most", "Recent"],
    ]


def test_a_second_revert_timer_is_refused_while_one_is_pending(cli: Callable[[str], Any]) -> None:
    connection = cli("edge")
    arm(connection, 10)
    connection.exit_config_mode()
    output = connection.send_command("configure terminal revert timer 5")
    assert output.strip() == "%Rollback Confirmed Change already in progress"
    assert connection.find_prompt() == "EDGE#"
