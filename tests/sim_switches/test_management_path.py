"""The management path: a change that cuts it drops the switch's sessions at once and refuses logins."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import ConfigInvalidException

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.switches import ManagementSpec, SwitchFarm, SwitchSpec, catalyst_interfaces, start_switches

from .conftest import PASSWORD, USER

pytestmark = pytest.mark.sim

CONTROLLER = "10.70.99.254"
VTY = """\
ip access-list standard MGMT
 permit 10.70.99.0 0.0.0.255
line vty 0 4
 access-class MGMT in
 transport input ssh
line vty 5 15
 access-class MGMT in
 transport input ssh
"""


def startup(hostname: str, address: str, trunks: list[str]) -> str:
    lines = [f"hostname {hostname}", "vlan 10", " name STAFF", "vlan 99", " name MANAGEMENT"]
    for trunk in trunks:
        lines += [f"interface {trunk}", " switchport trunk allowed vlan 10,99", " switchport mode trunk"]
    lines += ["interface Vlan99", f" ip address {address} 255.255.255.0", "ip default-gateway 10.70.99.1"]
    return "\n".join(lines) + "\n" + VTY


SPECS = [
    SwitchSpec("core", 0, USER, PASSWORD, catalyst_interfaces(24),
               startup_config=startup("CORE", "10.70.99.2", ["TenGigabitEthernet1/1/1", "TenGigabitEthernet1/1/4"]),
               management=ManagementSpec(99, "10.70.99.2/24", CONTROLLER, "TenGigabitEthernet1/1/4")),
    SwitchSpec("acc", 0, USER, PASSWORD, catalyst_interfaces(48),
               startup_config=startup("ACC", "10.70.99.3", ["TenGigabitEthernet1/1/1"]),
               management=ManagementSpec(99, "10.70.99.3/24", CONTROLLER, "TenGigabitEthernet1/1/1",
                                         parent="core", parent_interface="TenGigabitEthernet1/1/1")),
]  # fmt: skip


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SwitchFarm]:
    with start_switches(SPECS, tmp_path_factory.mktemp("chain")) as running:
        yield running


@pytest.fixture
def session(chain: SwitchFarm) -> Iterator[Callable[[str], Any]]:
    """``session("acc")``: a Netmiko session; every switch starts from its boot config."""
    for spec in SPECS:
        chain.control.reset(spec.name)
    opened: list[Any] = []

    def _open(name: str) -> Any:
        connection = ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=chain.port(name), username=USER,
                                    password=PASSWORD, conn_timeout=5, auth_timeout=5, banner_timeout=5)  # fmt: skip
        opened.append(connection)
        return connection

    yield _open
    for connection in opened:
        with contextlib.suppress(Exception):
            connection.disconnect()


def login_refused(chain: SwitchFarm, name: str) -> bool:
    try:
        ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=chain.port(name), username=USER,
                       password=PASSWORD, conn_timeout=5, auth_timeout=5, banner_timeout=5).disconnect()  # fmt: skip
    except Exception:  # Netmiko raises a timeout, an SSH or an OS error for a reset connection
        return True
    return False


def dropped(connection: Any) -> bool:
    try:
        connection.find_prompt()
    except Exception:  # as above
        return True
    return False


CAUSES = {
    "SVI shut down": ("acc", ["interface Vlan99", " shutdown"], "interface Vlan99 is shut down"),
    "address removed": ("acc", ["interface Vlan99", " no ip address"], "interface Vlan99 does not hold 10.70.99.3"),
    "VLAN deleted": ("acc", ["no vlan 99"], "VLAN 99 does not exist"),
    "VLAN pruned from the uplink": ("acc", ["interface Te1/1/1", " switchport trunk allowed vlan remove 99"],
                                    "TenGigabitEthernet1/1/1 does not carry VLAN 99"),
    "uplink shut down": ("acc", ["interface Te1/1/1", " shutdown"], "TenGigabitEthernet1/1/1 is shut down"),
    "uplink made an access port": ("acc", ["interface Te1/1/1", " switchport mode access"],
                                   "an access port in VLAN 1"),
    "vty transport input telnet": ("acc", ["line vty 0 4", " transport input telnet", "line vty 5 15",
                                           " transport input telnet"], "does not take SSH"),
    "vty ACL denying the controller": ("acc", ["ip access-list standard MGMT", " deny host 10.70.99.254",
                                               " no permit 10.70.99.0 0.0.0.255", " permit 10.70.99.0 0.0.0.255"],
                                       "access-class MGMT does not permit 10.70.99.254"),
    "parent's port pruned": ("core", ["interface Te1/1/1", " switchport trunk allowed vlan 10"],
                             "on core: TenGigabitEthernet1/1/1 does not carry VLAN 99"),
    "parent's uplink shut down": ("core", ["interface Te1/1/4", " shutdown"],
                                  "on core: TenGigabitEthernet1/1/4 is shut down"),
}  # fmt: skip


@pytest.mark.parametrize("cause", CAUSES)
def test_a_cut_path_drops_open_sessions_at_once_and_refuses_logins_until_restored(
    cause: str, chain: SwitchFarm, session: Callable[[str], Any]
) -> None:
    changed, lines, reason = CAUSES[cause]
    victim = session("acc")
    typing = victim if changed == "acc" else session(changed)
    before = chain.control.running_config(changed)
    if changed == "acc" or cause == "parent's uplink shut down":  # the typing session's own path is cut
        with pytest.raises(Exception) as raised:  # the line that cuts the path gets no answer
            typing.send_config_set(lines, read_timeout=3)
        assert not isinstance(raised.value, ConfigInvalidException)
    else:
        typing.send_config_set(lines)  # the parent's own session carries on
        assert typing.find_prompt() == "CORE#"
    assert dropped(victim)
    status = chain.control.management_path("acc")
    assert not status.intact
    assert any(reason in problem for problem in status.problems), status.problems
    assert login_refused(chain, "acc")
    assert chain.control.management_path("core").intact == (cause != "parent's uplink shut down")
    chain.control.set_running_config(changed, before)
    assert chain.control.management_path("acc").intact
    assert session("acc").find_prompt() == "ACC#"


def test_a_path_restored_from_the_parent_lets_logins_in_again(chain: SwitchFarm,
                                                             session: Callable[[str], Any]) -> None:  # fmt: skip
    core = session("core")
    core.send_config_set(["interface Te1/1/1", " shutdown"])
    assert login_refused(chain, "acc")
    core.send_config_set(["interface Te1/1/1", " no shutdown"])
    assert session("acc").find_prompt() == "ACC#"


def test_changes_that_keep_the_path_keep_the_session(session: Callable[[str], Any], chain: SwitchFarm) -> None:
    acc = session("acc")
    acc.send_config_set(["interface Te1/1/1", " switchport trunk allowed vlan add 20", " description to core",
                         "interface Vlan99", " ip address 10.70.99.3 255.255.255.0", "line vty 5 15",
                         " transport input none"])  # fmt: skip
    assert acc.find_prompt() == "ACC#"
    assert chain.control.management_path("acc").intact


def test_a_startup_config_without_the_path_boots_cut_off(tmp_path: Path) -> None:
    management = ManagementSpec(99, "10.70.99.9/24", CONTROLLER, "TenGigabitEthernet1/1/1")
    spec = SwitchSpec("lonely", 0, USER, PASSWORD, catalyst_interfaces(8, uplinks=2), management=management)
    with start_switches([spec], tmp_path) as farm:
        status = farm.control.management_path("lonely")
        assert not status.intact
        assert "VLAN 99 does not exist" in status.problems
        assert login_refused(farm, "lonely")


def test_a_management_parent_outside_the_farm_is_refused(tmp_path: Path) -> None:
    management = ManagementSpec(99, "10.70.99.9/24", CONTROLLER, "TenGigabitEthernet1/1/1", parent="nowhere",
                                parent_interface="TenGigabitEthernet1/1/1")  # fmt: skip
    orphan = SwitchSpec("orphan", 0, USER, PASSWORD, catalyst_interfaces(8, uplinks=2), management=management)
    with pytest.raises(SimulationError, match="management parent nowhere is not an emulated switch"):
        start_switches([orphan], tmp_path)
