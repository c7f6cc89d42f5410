"""``schooltech sim up`` of a school whose only simulated devices are switches: no podman, no lab-PC image.

The realistic schools (Windows PCs, Cisco switches) are simulated from a private copy, with a
private state directory and a PATH without podman.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from netmiko import ConnectHandler

from schooltech_fleet.errors import UsageError
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.files import SIM_OVERRIDE_NAME
from schooltech_fleet.sim import simulation

pytestmark = pytest.mark.sim

REALISTIC = Path(__file__).resolve().parents[2] / "tests" / "network" / "realistic"
SAVED_ACC = (REALISTIC / "configs" / "RLS-SW-ACC.cfg").read_text()


@pytest.fixture
def without_podman(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private state directory and a PATH holding everything of /usr/bin but podman; returns the inventory."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in Path("/usr/bin").iterdir():
        if tool.name != "podman":
            (tools / tool.name).symlink_to(tool)
    monkeypatch.setenv("PATH", str(tools))
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SCHOOLTECH_SIM_MINUTE_SECONDS", "0.5")
    inventory = tmp_path / "realistic"
    shutil.copytree(REALISTIC, inventory, ignore=shutil.ignore_patterns(SIM_OVERRIDE_NAME))
    return inventory


@pytest.fixture
def switches_only(without_podman: Path) -> Iterator[simulation.Simulation]:
    started = simulation.up(without_podman, startup_configs={"RLS-SW-ACC": SAVED_ACC}, detach=False)
    try:
        yield started
    finally:
        simulation.down(without_podman)


def test_a_simulation_of_switches_only_needs_no_podman(switches_only: simulation.Simulation) -> None:
    assert switches_only.pcs == []
    assert sorted(host.name for host in switches_only.switches) == ["LEG-SW-01", "RLS-SW-ACC", "RLS-SW-CORE"]
    assert simulation.status().healthy
    control = switches_only.control()
    for host in switches_only.switches:
        assert control.management_path(host.name).intact


def test_the_layer_gives_the_known_hosts_and_the_emulated_minute(switches_only: simulation.Simulation,
                                                                 without_podman: Path) -> None:  # fmt: skip
    layer = yaml.safe_load((without_podman / SIM_OVERRIDE_NAME).read_text())["connection"]
    assert layer["switch_known_hosts"] == str(switches_only.switch_known_hosts)
    assert layer["switch_minute_seconds"] == 0.5
    host_vars = load_fleet(without_podman).host_vars("RLS-SW-CORE")
    assert host_vars["switch_known_hosts"] == str(switches_only.switch_known_hosts)
    assert host_vars["switch_minute_seconds"] == 0.5
    control = switches_only.control()
    recorded = switches_only.switch_known_hosts.read_text().splitlines()
    assert sorted(recorded) == sorted(f"[127.0.0.1]:{host.port} {control.host_key(host.name)}"
                                      for host in switches_only.switches)  # fmt: skip
    assert switches_only.switch_known_hosts.stat().st_mode & 0o777 == 0o600


def test_the_generated_configs_hold_the_recorded_canaries_and_the_saved_one_is_used(
    switches_only: simulation.Simulation,
) -> None:
    canaries = switches_only.canary_secrets
    assert canaries and all("CANARY" in value for value in canaries.values())
    assert (Path(switches_only.workdir) / "canary-secrets.json").stat().st_mode & 0o777 == 0o600
    control = switches_only.control()
    assert f"snmp-server community {canaries['snmp_community']} RO MGMT-SSH" in control.running_config("RLS-SW-CORE")
    saved = control.running_config("RLS-SW-ACC")
    assert "snmp-server community CANARY-rls-ro RO SNMP-RO" in saved
    assert saved.count("\nusername schooltech ") == 1


def test_the_service_account_logs_in_to_the_saved_and_the_generated_configs(
    switches_only: simulation.Simulation,
) -> None:
    password = switches_only.switch_password_file.read_text().strip()
    for host in switches_only.switches:
        connection = ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=host.port,
                                    username="schooltech", password=password)  # fmt: skip
        assert connection.find_prompt() == f"{host.name}#"
        connection.disconnect()


def test_a_saved_config_that_cuts_the_management_path_is_refused(without_podman: Path) -> None:
    cut = SAVED_ACC.replace("interface Vlan99\n description management\n ip address 10.70.99.11 255.255.255.0\n",
                            "interface Vlan99\n description management\n")  # fmt: skip
    assert cut != SAVED_ACC
    with pytest.raises(UsageError, match=r"--startup-config RLS-SW-ACC: the switch would be unreachable: "
                                         r"interface Vlan99 does not hold 10\.70\.99\.11"):  # fmt: skip
        simulation.up(without_podman, startup_configs={"RLS-SW-ACC": cut}, detach=False)
    assert simulation.current() is None
    assert not (without_podman / SIM_OVERRIDE_NAME).exists()
