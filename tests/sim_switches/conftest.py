"""One emulator process with three switches for the whole session; each test starts from boot state."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from netmiko import ConnectHandler

from schooltech_fleet.sim.switches import SwitchFarm, SwitchSpec, catalyst_interfaces, start_switches

USER, PASSWORD, SECRET = "admin", "s3cret", "en4ble"
ERROR_PATTERN = r"% ?(Invalid|Incomplete|Ambiguous|Unknown)"

STARTUP_CONFIG = """\
!
version 15.2
!
hostname SW-B
!
vlan 10
 name STAFF
!
vlan 20
 name STUDENTS
!
interface GigabitEthernet1/0/1
 description Staff room
 switchport access vlan 10
 switchport mode access
 spanning-tree portfast
!
interface TenGigabitEthernet1/1/1
 switchport trunk allowed vlan 10,20
 switchport mode trunk
!
interface Vlan1
 no ip address
 shutdown
!
interface Vlan10
 ip address 10.0.10.2 255.255.255.0
!
ip default-gateway 10.0.10.1
!
logging host 10.0.0.5
!
ntp server 10.0.0.1
end
"""

SPECS = [
    SwitchSpec("sw-a", 0, USER, PASSWORD, catalyst_interfaces(24)),
    SwitchSpec("sw-b", 0, USER, PASSWORD, catalyst_interfaces(48), startup_config=STARTUP_CONFIG),
    SwitchSpec("sw-c", 0, USER, PASSWORD, catalyst_interfaces(8, uplinks=2), enable_secret=SECRET),
]


@pytest.fixture(scope="session")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SwitchFarm]:
    with start_switches(SPECS, tmp_path_factory.mktemp("switches")) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_switches(request: pytest.FixtureRequest) -> None:
    if "farm" in request.fixturenames:
        running: SwitchFarm = request.getfixturevalue("farm")
        for spec in SPECS:
            running.control.reset(spec.name)


@pytest.fixture
def connect(farm: SwitchFarm) -> Iterator[Callable[..., Any]]:
    """``connect("sw-a")`` -> a Netmiko ``cisco_ios`` connection, closed after the test."""
    opened: list[Any] = []

    def _connect(switch: str, **options: Any) -> Any:
        login = {"username": USER, "password": PASSWORD, "secret": SECRET} | options
        connection = ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=farm.port(switch), **login)
        opened.append(connection)
        return connection

    yield _connect
    for connection in opened:
        with contextlib.suppress(Exception):  # the test may have dropped it on purpose
            connection.disconnect()
