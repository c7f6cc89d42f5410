"""The simulated school end to end: ``schooltech sim up|status|down``, the simulation layer, real
Ansible over SSH, the emulated switches and failure injection. Real containers, no mocks.

Tests that only read use the session's simulated demo school (``simulated_school``: 8 lab PCs,
3 switches). Tests that start a simulation of their own use a private copy of the inventory and a
state directory of their own, kept small (one room, one or two PCs), and never touch the session
simulation: its state directory stays in the environment, and a private one is only ever set in
a subprocess's environment or for the duration of one library call.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from host_prerequisites import required
from netmiko import ConnectHandler

from schooltech_fleet.errors import InventoryError
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.files import SIM_OVERRIDE_NAME
from schooltech_fleet.network import redact
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.targets import switch_targets
from schooltech_fleet.sim import aptrepo, simulation
from schooltech_fleet.sim.prereqs import check_host_prerequisites
from schooltech_fleet.sim.switches.farm import MODULE as EMULATOR_MODULE

pytestmark = pytest.mark.sim

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "inventories" / "demo"
BIN = Path(sys.executable).parent
SCHOOLTECH = BIN / "schooltech"
ANSIBLE = BIN / "ansible"
ANSIBLE_INVENTORY = BIN / "ansible-inventory"

DEMO_PCS = [f"DEMO-LAB1-PC0{n}" for n in (1, 2, 3, 4)] + ["DEMO-LAB2-PC01", "DEMO-LAB2-PC02",
                                                          "DEMO-LIB-PC01", "DEMO-LIB-PC02"]  # fmt: skip
DEMO_SWITCHES = ["DEMO-SW-CORE", "DEMO-SW-LAB", "DEMO-SW-LIB"]
SMALL = ("--room", "LAB1", "--max-pcs", "1")  # the smallest useful simulation: 1 lab PC, 3 switches


# ---------------------------------------------------------------- helpers


def _env(state: Path | None = None, **extra: str) -> dict[str, str]:
    """This process's environment for a subprocess: no ANSIBLE_* overrides (ansible.cfg applies)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env["COLUMNS"] = "200"  # rich tables and rules unabridged
    if state is not None:
        env["SCHOOLTECH_STATE_DIR"] = str(state)
    return env | extra


def _run(argv: list[Any], env: dict[str, str] | None = None, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run a command in the repository (so ansible.cfg applies); never raises on failure."""
    return subprocess.run([str(a) for a in argv], cwd=REPO, env=env or _env(), capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip


def _ansible(inventory: Path, pattern: str, module: str, args: str = "", *, become: bool = False,
             env: dict[str, str] | None = None) -> tuple[int, dict[str, dict[str, Any]]]:  # fmt: skip
    """Real ad-hoc ``ansible``; returns its exit status and each host's result (JSON callback)."""
    argv: list[Any] = [ANSIBLE, "-i", inventory, pattern, "-m", module, *(["-a", args] if args else []),
                       *(["--become"] if become else [])]  # fmt: skip
    env = (env or _env()) | {"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1", "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"}
    done = _run(argv, env)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"ansible printed no JSON report (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    results: dict[str, dict[str, Any]] = {}
    for play in report["plays"]:
        for task in play["tasks"]:
            results.update(task["hosts"])
    return done.returncode, results


def _host_vars(inventory: Path, host: str) -> dict[str, Any]:
    """The variables of *host* as the Ansible inventory plugin gives them."""
    done = _run([ANSIBLE_INVENTORY, "-i", inventory, "--host", host])
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _plain(value: Any) -> Any:
    """A value of ``ansible-inventory --list`` without Ansible's ``{"__ansible_unsafe": ...}`` wrapping."""
    if isinstance(value, dict):
        return (
            value["__ansible_unsafe"]
            if set(value) == {"__ansible_unsafe"}
            else {key: _plain(item) for key, item in value.items()}
        )
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _sim_id(output: str) -> str:
    match = re.search(r"simulation (\S+) is running", output)
    assert match, output
    return match.group(1)


def _containers(sim_id: str) -> list[str]:
    """IDs of every container labelled with simulation *sim_id* (running or not)."""
    done = _run(["podman", "ps", "-a", "--filter", f"label=schooltech.sim={sim_id}", "--format", "{{.ID}}"])
    assert done.returncode == 0, done.stderr
    return sorted(done.stdout.split())


def _emulators_of(workdir: Path) -> list[int]:
    """Switch emulator processes of the simulation whose work directory is *workdir*."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes()
            if EMULATOR_MODULE.encode() in cmdline and str(workdir).encode() in cmdline:
                found.append(int(entry.name))
    return found


def _status_rows(output: str) -> dict[str, str]:
    """host -> state from the ``sim status`` table."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if len(cells) == 6 and cells[0].startswith("DEMO-"):
            rows[cells[0]] = cells[5]
    return rows


@contextlib.contextmanager
def _state_dir(path: Path) -> Iterator[None]:
    """Library calls inside this block see *path* as the state directory; the previous one comes back."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCHOOLTECH_STATE_DIR", str(path))
        yield


@dataclass
class Private:
    """A private copy of the demo inventory with a state directory of its own."""

    inventory: Path
    state: Path

    def env(self, **extra: str) -> dict[str, str]:
        return _env(self.state, **extra)

    def schooltech(self, *args: Any, **extra: str) -> subprocess.CompletedProcess[str]:
        return _run([SCHOOLTECH, *args], self.env(**extra))

    def up(self, *args: Any) -> subprocess.CompletedProcess[str]:
        return self.schooltech("sim", "up", "-i", self.inventory, *args)

    def current(self) -> simulation.Simulation:
        with _state_dir(self.state):
            recorded = simulation.current()
        assert recorded is not None
        return recorded


def _private(root: Path) -> Private:
    inventory = root / "demo"
    # not a simulation layer someone's 'sim up -i inventories/demo' may have left in the checkout
    shutil.copytree(DEMO, inventory, ignore=shutil.ignore_patterns(SIM_OVERRIDE_NAME))
    return Private(inventory, root / "state")


@pytest.fixture
def private(tmp_path: Path, state_dir: Path) -> Iterator[Private]:
    """A private inventory copy and state directory; whatever the test started there is taken down."""
    required(check_host_prerequisites)
    mine = _private(tmp_path)
    yield mine
    done = mine.schooltech("sim", "down", "-i", mine.inventory)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def cli_sim(tmp_path_factory: pytest.TempPathFactory, state_dir: Path) -> Iterator[Private]:
    """A small simulation (1 lab PC, 3 switches) started with the CLI, as a technician would."""
    required(check_host_prerequisites)
    mine = _private(tmp_path_factory.mktemp("cli-sim"))
    try:
        started = mine.up(*SMALL)
        assert started.returncode == 0, started.stdout + started.stderr
        yield mine
    finally:  # also after a failed start: whatever it left is removed
        done = mine.schooltech("sim", "down", "-i", mine.inventory)
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def lab1_sim(tmp_path_factory: pytest.TempPathFactory, state_dir: Path) -> Iterator[Private]:
    """LAB1 only, at most 2 PCs, started through the library (its switches stop with this process).

    Tests that inject failures here undo them before they end.
    """
    required(check_host_prerequisites)
    mine = _private(tmp_path_factory.mktemp("lab1-sim"))
    with _state_dir(mine.state):
        simulation.up(mine.inventory, rooms=["LAB1"], max_pcs=2, detach=False,
                      sim_id=f"pytest-{os.getpid()}-{secrets.token_hex(2)}")  # fmt: skip
    try:
        yield mine
    finally:
        with _state_dir(mine.state):
            simulation.down(mine.inventory)


# ---------------------------------------------------------------- the session simulation (read only)


def test_ansible_reaches_every_simulated_pc_and_gathers_debian12_facts(
    simulated_school: simulation.Simulation, demo_inventory: Path
) -> None:
    status, pinged = _ansible(demo_inventory, "managed", "ansible.builtin.ping")
    assert status == 0, pinged
    assert sorted(pinged) == DEMO_PCS == sorted(pc.name for pc in simulated_school.pcs)
    assert all(result["ping"] == "pong" for result in pinged.values())

    status, facts = _ansible(demo_inventory, "managed", "ansible.builtin.setup", "filter=ansible_distribution*")
    assert status == 0, facts
    assert sorted(facts) == DEMO_PCS
    for result in facts.values():
        assert result["ansible_facts"]["ansible_distribution"] == "Debian"
        assert result["ansible_facts"]["ansible_distribution_major_version"] == "12"


def test_net_show_prints_the_running_config_of_every_emulated_switch(
    simulated_school: simulation.Simulation, demo_inventory: Path
) -> None:
    done = _run([SCHOOLTECH, "net", "show", "-i", demo_inventory])
    assert done.returncode == 0, done.stdout + done.stderr
    sections = re.split(r"^─+ (\S+) \(DEMO\) ─+$", done.stdout, flags=re.MULTILINE)[1:]
    shown = dict(zip(sections[::2], sections[1::2], strict=True))
    assert sorted(shown) == DEMO_SWITCHES
    control = simulated_school.control()
    for switch, output in shown.items():
        lines = output.splitlines()
        assert f"hostname {switch}" in lines
        assert "version 15.2" in lines
        assert "end" in lines
        # all of it, as the switch holds it, but its secrets: placeholders
        assert redact.text(platform("cisco_ios"), control.running_config(switch)).strip() in output
        assert not [secret for secret in simulated_school.canary_secrets.values() if secret in output]


def test_plugin_and_inventory_show_give_the_simulated_endpoint(
    simulated_school: simulation.Simulation, demo_inventory: Path
) -> None:
    host = "DEMO-LAB1-PC01"
    port = next(pc.port for pc in simulated_school.pcs if pc.name == host)
    plugin = _host_vars(demo_inventory, host)
    shown = _run([SCHOOLTECH, "inventory", "show", host, "-i", demo_inventory, "--format", "json"])
    assert shown.returncode == 0, shown.stderr
    cli = json.loads(shown.stdout)
    assert (plugin["ansible_host"], plugin["ansible_port"]) == ("127.0.0.1", port)
    for name in ("ansible_host", "ansible_port", "ansible_user", "ansible_ssh_private_key_file",
                 "ansible_ssh_common_args", "simulation"):  # fmt: skip
        assert plugin[name] == cli[name], name
    assert plugin["simulation"] == simulated_school.sim_id

    layer = demo_inventory / SIM_OVERRIDE_NAME
    layer_lines = layer.read_text().splitlines()
    expected_line = layer_lines.index(f"      {host}:") + 2  # the "host: 127.0.0.1" line below it (1-based)
    assert layer_lines[expected_line - 1].strip() == "host: 127.0.0.1"
    explained = _run([SCHOOLTECH, "inventory", "show", host, "-i", demo_inventory, "--explain"])
    assert explained.returncode == 0, explained.stderr
    lines = explained.stdout.splitlines()
    source = lines[lines.index("ansible_host = 127.0.0.1") + 1]
    assert source.strip().startswith(f"<- simulation: {layer}:{expected_line}:"), source


# ---------------------------------------------------------------- scope: only simulated devices


def test_a_simulated_room_is_all_the_inventory_contains_of_that_school(lab1_sim: Private) -> None:
    done = _run([ANSIBLE_INVENTORY, "-i", lab1_sim.inventory, "--list"])
    assert done.returncode == 0, done.stderr
    hostvars = _plain(json.loads(done.stdout)["_meta"]["hostvars"])
    assert sorted(hostvars) == ["DEMO-LAB1-PC01", "DEMO-LAB1-PC02", *DEMO_SWITCHES]
    for absent in ("DEMO-LAB1-PC03", "DEMO-LAB1-PC04", "DEMO-LAB2-PC01", "DEMO-LIB-PC02"):
        assert absent not in done.stdout
    assert all(values["ansible_host"] == "127.0.0.1" for values in hostvars.values())  # nothing real
    assert lab1_sim.current().skipped == {"over --max-pcs 2 in the room": 2}


# ---------------------------------------------------------------- up, status, down


def test_up_twice_with_the_same_request_keeps_the_running_simulation(cli_sim: Private) -> None:
    sim_id = cli_sim.current().sim_id
    containers = _containers(sim_id)
    assert len(containers) == 2  # the lab PC and the school's execution node
    again = cli_sim.up(*SMALL)
    assert again.returncode == 0, again.stderr
    assert _sim_id(again.stdout) == sim_id
    assert _containers(sim_id) == containers  # the same container, not a new one
    assert cli_sim.current().sim_id == sim_id


def test_up_with_another_scope_is_refused_while_one_runs(cli_sim: Private) -> None:
    before = cli_sim.current()
    refused = cli_sim.up("--room", "LAB2")
    assert refused.returncode == 2
    assert f"error: simulation {before.sim_id} of {cli_sim.inventory} is running with another scope" in refused.stderr
    assert "hint: run 'schooltech sim down' first" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert cli_sim.current() == before
    assert len(_containers(before.sim_id)) == 2


def test_status_reports_running_hosts_and_a_stopped_pc(cli_sim: Private) -> None:
    done = cli_sim.schooltech("sim", "status")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _status_rows(done.stdout) == dict.fromkeys(["DEMO-LAB1-PC01", "DEMO-NODE", *DEMO_SWITCHES], "running")

    sim = cli_sim.current()
    simulation.stop_pc(sim, "DEMO-LAB1-PC01")
    try:
        stopped = cli_sim.schooltech("sim", "status")
        assert stopped.returncode == 1, stopped.stdout
        rows = _status_rows(stopped.stdout)
        assert rows["DEMO-LAB1-PC01"] == "stopped"
        assert [state for host, state in rows.items() if host != "DEMO-LAB1-PC01"] == ["running"] * 4
    finally:
        simulation.start_pc(sim, "DEMO-LAB1-PC01")
    assert cli_sim.schooltech("sim", "status").returncode == 0


def test_down_leaves_nothing_behind_and_can_run_twice(private: Private) -> None:
    started = private.up(*SMALL)
    assert started.returncode == 0, started.stderr
    sim = private.current()
    workdir = Path(sim.workdir)
    layer = private.inventory / SIM_OVERRIDE_NAME
    assert _containers(sim.sim_id) and _emulators_of(workdir) and layer.exists()  # there was something to stop

    done = private.schooltech("sim", "down")
    assert done.returncode == 0, done.stderr
    assert f"simulation {sim.sim_id} stopped: 2 containers removed, switches stopped" in done.stdout
    assert _containers(sim.sim_id) == []
    assert _emulators_of(workdir) == []
    assert not layer.exists()
    assert not list(private.inventory.rglob(SIM_OVERRIDE_NAME))
    assert not workdir.exists()
    assert not (private.state / "sim" / "state.json").exists()

    twice = private.schooltech("sim", "down")
    assert twice.returncode == 0, twice.stderr
    assert "no simulation was running" in twice.stdout


def test_a_deleted_simulation_layer_is_unhealthy_and_up_puts_it_back(private: Private) -> None:
    started = private.up(*SMALL)
    assert started.returncode == 0, started.stderr
    first = private.current()
    layer = private.inventory / SIM_OVERRIDE_NAME
    layer.unlink()  # the inventory now reaches the real school again: the simulation must not pass as running

    status = private.schooltech("sim", "status")
    assert status.returncode == 1
    assert f"simulation layer missing: {layer}" in status.stdout

    again = private.up(*SMALL)
    assert again.returncode == 0, again.stderr
    assert layer.exists()
    assert _containers(first.sim_id) == []  # the broken simulation was replaced, not kept
    assert private.schooltech("sim", "status").returncode == 0


# ---------------------------------------------------------------- the simulation layer is loopback only


def test_a_simulation_layer_pointing_at_a_real_address_is_an_inventory_error(tmp_path: Path) -> None:
    inventory = _private(tmp_path).inventory
    layer = inventory / SIM_OVERRIDE_NAME
    layer.write_text(
        "schooltech_sim: 1\n"                          # 1
        "simulation: sim-handwritten\n"                # 2
        "started: '2026-11-28T18:00:00+00:00'\n"       # 3
        "connection:\n"                                # 4
        "  ssh_user: fleetadmin\n"                     # 5
        f"  ssh_private_key: {tmp_path}/id\n"          # 6
        f"  ssh_known_hosts: {tmp_path}/known_hosts\n"  # 7
        "  switch_username: schooltech\n"              # 8
        f"  switch_password_file: {tmp_path}/pw\n"     # 9
        "schools:\n"                                   # 10
        "  DEMO:\n"                                    # 11
        "    devices:\n"                               # 12
        "      DEMO-LAB1-PC01: {host: 10.1.2.3, port: 2222}\n"  # 13
        "    switches:\n"                              # 14
        "      DEMO-SW-LAB:\n"                         # 15
        "        host: 10.1.2.4\n"                     # 16
        "        port: 2223\n"                         # 17
    )  # fmt: skip
    done = _run([SCHOOLTECH, "check", inventory])
    assert done.returncode == 1, done.stdout
    for line, address in ((13, "10.1.2.3"), (16, "10.1.2.4")):
        assert re.search(rf"^{re.escape(str(layer))}:{line}:\d+: error\[schema\]: .*{re.escape(address)} is not a "
                         r"loopback address: a simulated device must be reached on 127\.0\.0\.0/8",
                         done.stdout, re.MULTILINE), done.stdout  # fmt: skip
    # Nothing can reach a device through it: the fleet does not load, so no command gets a target.
    # (Only commands that never connect are run here: this test must not contact 10.1.2.3 itself.)
    with pytest.raises(InventoryError):
        load_fleet(inventory)
    listing = _run([ANSIBLE_INVENTORY, "-i", inventory, "--list"])
    assert listing.returncode != 0
    assert "is not a loopback address" in listing.stderr


# ---------------------------------------------------------------- failure injection


def test_a_stopped_pc_is_unreachable_while_the_others_succeed(lab1_sim: Private) -> None:
    sim = lab1_sim.current()
    simulation.stop_pc(sim, "DEMO-LAB1-PC01")
    try:
        status, results = _ansible(lab1_sim.inventory, "managed", "ansible.builtin.ping")
    finally:
        simulation.start_pc(sim, "DEMO-LAB1-PC01")
    assert status == 4  # ansible: some hosts unreachable
    assert results["DEMO-LAB1-PC01"].get("unreachable") is True
    assert results["DEMO-LAB1-PC02"]["ping"] == "pong"
    status, results = _ansible(lab1_sim.inventory, "managed", "ansible.builtin.ping")
    assert status == 0, results  # back after start_pc


def test_a_broken_package_manager_fails_apt_on_that_pc_only(lab1_sim: Private) -> None:
    sim = lab1_sim.current()
    status, results = _ansible(lab1_sim.inventory, "managed", "ansible.builtin.copy",
                               f"dest={aptrepo.SOURCES_FILE} content='{aptrepo.SOURCES_LINE}\n'",
                               become=True)  # fmt: skip
    assert status == 0, results
    simulation.break_package_manager(sim, "DEMO-LAB1-PC02")
    try:
        status, results = _ansible(lab1_sim.inventory, "managed", "ansible.builtin.apt",
                                   "name=schooltech-licence-agent update_cache=true", become=True)  # fmt: skip
    finally:
        simulation.repair_package_manager(sim, "DEMO-LAB1-PC02")
    assert status == 2  # ansible: some hosts failed
    assert results["DEMO-LAB1-PC01"].get("failed") is not True and results["DEMO-LAB1-PC01"]["changed"]
    broken = results["DEMO-LAB1-PC02"]
    assert broken["failed"] is True
    assert "package manager broken on purpose" in json.dumps(broken)
    status, results = _ansible(lab1_sim.inventory, "DEMO-LAB1-PC02", "ansible.builtin.apt",
                               "name=schooltech-licence-agent", become=True)  # fmt: skip
    assert status == 0, results  # repaired


def test_a_rejected_switch_command_answers_invalid_input(lab1_sim: Private) -> None:
    switch = "DEMO-SW-LAB"
    control = lab1_sim.current().control()
    (target,) = switch_targets(load_fleet(lab1_sim.inventory), switches=[switch])
    assert target.host == "127.0.0.1"
    control.reject(switch, r"^description")
    try:
        connection = ConnectHandler(
            device_type="cisco_ios",
            host=target.host,
            port=target.port,
            username=target.credentials.username,
            password=target.credentials.password,
        )
        try:
            output = connection.send_config_set(
                ["interface GigabitEthernet1/0/1", " description rehearsal", " shutdown"]
            )
        finally:
            connection.disconnect()
        assert "% Invalid input detected at '^' marker." in output
        running = control.running_config(switch)
        assert "rehearsal" not in running
        port = running.split("interface GigabitEthernet1/0/1\n", 1)[1].split("!", 1)[0]
        assert " shutdown\n" in port  # the other lines still apply (the port was up in the boot config)
    finally:
        control.reset(switch)  # boot config, no faults


# ---------------------------------------------------------------- host prerequisites


def test_a_missing_host_prerequisite_names_what_to_install(tmp_path: Path) -> None:
    mine = _private(tmp_path)
    path = tmp_path / "bin"  # everything of /usr/bin but podman
    path.mkdir()
    for tool in Path("/usr/bin").iterdir():
        if tool.name != "podman":
            (path / tool.name).symlink_to(tool)
    done = mine.schooltech("sim", "up", "-i", mine.inventory, PATH=str(path))
    assert done.returncode == 2
    assert (
        "error: the simulated school cannot run on this host: 'podman' not found (Debian package podman)" in done.stderr
    )
    assert "hint: run: sudo scripts/setup-host.sh (or: sudo apt-get install podman" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not (mine.inventory / SIM_OVERRIDE_NAME).exists()
    assert not (mine.state / "sim" / "state.json").exists()


# ---------------------------------------------------------------- startup configs


STARTUP_CONFIG = """\
!
version 15.2
!
hostname DEMO-SW-LAB
!
vlan 20
 name STUDENTS
!
vlan 99
 name MANAGEMENT
!
interface GigabitEthernet1/0/3
 description restored from the term-start backup
 switchport access vlan 20
 switchport mode access
!
interface TenGigabitEthernet1/1/1
 switchport trunk allowed vlan 20,99
 switchport mode trunk
!
interface Vlan99
 ip address 10.90.99.12 255.255.255.0
!
end
"""


def test_a_switch_starts_from_its_saved_config(private: Private, tmp_path: Path) -> None:
    saved = tmp_path / "demo-sw-lab.cfg"
    saved.write_text(STARTUP_CONFIG)
    started = private.up(*SMALL, "--startup-config", f"DEMO-SW-LAB={saved}")
    assert started.returncode == 0, started.stderr
    shown = private.schooltech("net", "show", "-i", private.inventory, "--switch", "DEMO-SW-LAB")
    assert shown.returncode == 0, shown.stderr
    assert " description restored from the term-start backup" in shown.stdout.splitlines()
    assert " name STUDENTS" in shown.stdout.splitlines()
    other = private.schooltech("net", "show", "-i", private.inventory, "--switch", "DEMO-SW-LIB")
    assert "term-start backup" not in other.stdout  # only that switch


def test_a_startup_config_for_a_switch_not_simulated_is_refused(private: Private, tmp_path: Path) -> None:
    saved = tmp_path / "typo.cfg"
    saved.write_text(STARTUP_CONFIG)
    refused = private.up(*SMALL, "--startup-config", f"DEMO-SW-LABB={saved}")
    assert refused.returncode == 2
    assert "--startup-config DEMO-SW-LABB: no emulated switch of that name in this scope" in refused.stderr
    assert "emulated switches: DEMO-SW-CORE, DEMO-SW-LAB, DEMO-SW-LIB" in refused.stderr
    assert not (private.state / "sim" / "state.json").exists()
