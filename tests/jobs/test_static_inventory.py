"""A job's static inventory (the slice the command resolved) gives Ansible what the inventory plugin gives it.

For every host of every shipped school: the same host variables (values and types) and the same
group memberships, read by the real ``ansible-inventory`` both ways, and the same ``inventory_dir``
(the playbooks find the school's ``files/`` through it). The one difference: Ansible's own
bookkeeping, ``inventory_file`` and ``inventory_dir``, which ``ansible-inventory --list`` leaves
out and Ansible sets from the source it read; the slice sets them to the school file and its
directory, as the plugin's source gives them (checked with ``ansible -m debug``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from inventory.helpers import REPO, VENV_BIN, members, plain

from schooltech_fleet.inventory import Fleet, load_fleet
from schooltech_fleet.inventory.resolve import ssh_common_args
from schooltech_fleet.jobs.payload import slice_fleet, write_inventory
from schooltech_fleet.jobs.tuning import STATIC_INVENTORY

SHIPPED = [REPO / "inventories" / name for name in ("primary", "secondary", "specialist", "demo")]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_CACHE_DIR", str(tmp_path / "cache"))  # the plugin's resolved fleets


def _ansible(tool: str, source: Path, *args: str, static: bool) -> str:
    """Run the real ``ansible-inventory`` or ``ansible`` with the project's ansible.cfg on *source*: the
    static inventory as a job gives it (the schooltech_slice plugin only), or a school directory through the plugin."""
    env = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
           **(STATIC_INVENTORY if static else {})}  # fmt: skip
    done = subprocess.run([str(VENV_BIN / tool), "-i", str(source), *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _static(fleet: Fleet, school: str, hosts: list[str], path: Path) -> Path:
    return write_inventory(path, slice_fleet(fleet, school, hosts).inventory(fleet.school(school)))


def _inventory_dirs(source: Path, hosts: list[str], *, static: bool) -> dict[str, str]:
    out = _ansible("ansible", source, ",".join(hosts), "-m", "ansible.builtin.debug", "-a", "var=inventory_dir",
                   "-o", static=static)  # fmt: skip
    return {line.split(" | ")[0]: json.loads(line.split(" => ", 1)[1])["inventory_dir"] for line in out.splitlines()}


@pytest.mark.parametrize("inventory", SHIPPED, ids=[path.name for path in SHIPPED])
def test_every_host_of_every_shipped_school_has_the_same_variables_and_groups_through_the_slice(
    inventory: Path, tmp_path: Path
) -> None:
    fleet = load_fleet(inventory)
    through_plugin = json.loads(_ansible("ansible-inventory", inventory, "--list", static=False))
    for school in fleet.schools:
        hosts = [name for name, host in fleet.hosts.items() if host.school == school]
        sliced = _static(fleet, school, hosts, tmp_path / f"{school}.slice.json")
        through_slice = json.loads(_ansible("ansible-inventory", sliced, "--list", static=True))

        theirs = {host: plain(through_plugin["_meta"]["hostvars"][host]) for host in hosts}
        assert plain(through_slice["_meta"]["hostvars"]) == theirs
        groups = {g for g in through_plugin if g not in ("_meta", "all") and members(through_plugin, g) & set(hosts)}
        assert {g for g in through_slice if g not in ("_meta", "all")} == groups
        for group in groups:
            assert members(through_slice, group) == members(through_plugin, group) & set(hosts), group
        sample = hosts[:3]
        assert _inventory_dirs(sliced, sample, static=True) == _inventory_dirs(inventory, sample, static=False)


def _listed(source: Path, pattern: str, *, static: bool) -> list[str]:
    out = _ansible("ansible", source, pattern, "--list-hosts", static=static)
    return [line.strip() for line in out.splitlines()[1:]]


@pytest.mark.parametrize("pattern", ["managed", "room_demo_lab1", "all"])
def test_the_hosts_of_a_group_come_in_the_plugins_order_so_the_canary_is_the_same_pc(
    pattern: str, tmp_path: Path
) -> None:
    """The playbooks' ``order: inventory`` follows a group's host list: its first PC is the canary."""
    inventory = REPO / "inventories" / "demo"
    fleet = load_fleet(inventory)
    managed = [name for name in fleet.hosts if name in fleet.hosts_of("managed")]
    sliced = _static(fleet, "DEMO", managed, tmp_path / "demo.slice.json")
    expected = [name for name in _listed(inventory, pattern, static=False) if name in managed]
    assert _listed(sliced, pattern, static=True) == expected


def test_a_room_of_a_school_is_sliced_to_its_hosts_and_the_groups_that_hold_them(tmp_path: Path) -> None:
    fleet = load_fleet(REPO / "inventories" / "demo")
    room = sorted(fleet.hosts_of("room_demo_lab1") & fleet.hosts_of("managed"))
    sliced = _static(fleet, "DEMO", room, tmp_path / "lab1.slice.json")
    listing = json.loads(_ansible("ansible-inventory", sliced, "--list", static=True))
    assert set(listing["_meta"]["hostvars"]) == set(room)
    assert members(listing, "managed") == members(listing, "room_demo_lab1") == set(room)
    assert "room_demo_lib" not in listing and "switches" not in listing


def test_a_value_that_looks_like_a_template_reaches_ansible_as_text(tmp_path: Path) -> None:
    source = write_inventory(tmp_path / "hosts.slice.json", {"all": {"hosts": {"here": {
        "ansible_connection": "local", "motd": "{{ 6 * 7 }}", "when": "2026-09-03", "period": "12:10",
        "count": 3}}}})  # fmt: skip
    assert (source.stat().st_mode & 0o777) == 0o600
    out = _ansible("ansible", source, "here", "-m", "ansible.builtin.debug", "-a",
                   "msg={{ [motd, when is string, period is string, count is integer] }}", static=True)  # fmt: skip
    assert json.loads(out.split(" => ", 1)[1])["msg"] == ["{{ 6 * 7 }}", True, True, True]


@pytest.mark.parametrize(("text", "reason"), [
    ('{"all": {"hosts": {"here": {}}}}', "not a schooltech slice of format 1"),
    ('{"schooltech_slice": 1, "all": {"hostz": {}}}', "unexpected key 'hostz' in group all"),
    ("not json", "not a schooltech slice (Expecting value"),
])  # fmt: skip
def test_a_file_that_is_not_a_slice_fails_the_inventory_with_its_reason(tmp_path: Path, text: str, reason: str) -> None:
    source = tmp_path / "hand-written.slice.json"
    source.write_text(text)
    env = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1", **STATIC_INVENTORY}
    done = subprocess.run([str(VENV_BIN / "ansible-inventory"), "-i", str(source), "--list"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode != 0
    assert reason in " ".join(done.stderr.split()), done.stderr


def test_the_static_inventory_holds_licence_key_references_not_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_EXAM_BROWSER_KEY", "CANARY-static-inventory-7d2e")
    fleet = load_fleet(REPO / "inventories" / "demo")
    managed = sorted(fleet.hosts_of("school_demo") & fleet.hosts_of("managed"))
    text = _static(fleet, "DEMO", managed, tmp_path / "hosts.slice.json").read_text()
    assert "CANARY" not in text
    assert "DEMO_EXAM_BROWSER_KEY" in text  # the reference: the job's secrets.py reads the key from it


SIMULATION_LAYER = {
    "schooltech_sim": 1,
    "simulation": "sim-handwritten",
    "started": "2026-12-01T07:00:00+00:00",
    "connection": {
        "ssh_user": "fleetadmin", "ssh_private_key": "/sim/keys/id_ed25519", "ssh_known_hosts": "/sim/known hosts",
        "switch_username": "schooltech", "switch_password_file": "/sim/switch-password",
        "switch_known_hosts": "/sim/switch_known_hosts", "switch_minute_seconds": 1.5,
    },
    "schools": {"DEMO": {"devices": {"DEMO-LAB1-PC01": {"host": "127.0.0.1", "port": 22101},
                                     "DEMO-LAB1-PC02": {"host": "127.0.0.1", "port": 22102}}}},
}  # fmt: skip


def test_a_simulated_schools_connection_values_reach_ansible_through_the_slice(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "inventories" / "demo", demo, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    (demo / ".schooltech-sim.yml").write_text(yaml.safe_dump(SIMULATION_LAYER), encoding="utf-8")
    fleet = load_fleet(demo)
    pcs = ["DEMO-LAB1-PC01", "DEMO-LAB1-PC02"]
    assert fleet.simulated == {"DEMO": "sim-handwritten"}
    assert sorted(fleet.hosts) == pcs  # a simulated school is only its simulated devices

    sliced = _static(fleet, "DEMO", pcs, tmp_path / "hosts.slice.json")
    listing = json.loads(_ansible("ansible-inventory", sliced, "--list", static=True))
    seen = plain(listing["_meta"]["hostvars"])
    assert {name: {key: seen[name][key] for key in ("ansible_host", "ansible_port", "ansible_user",
                                                    "ansible_ssh_private_key_file", "simulation")} for name in pcs} == {
        name: {"ansible_host": "127.0.0.1", "ansible_port": port, "ansible_user": "fleetadmin",
               "ansible_ssh_private_key_file": "/sim/keys/id_ed25519", "simulation": "sim-handwritten"}
        for name, port in zip(pcs, (22101, 22102), strict=True)}  # fmt: skip
    assert {seen[name]["ansible_ssh_common_args"] for name in pcs} == {ssh_common_args("/sim/known hosts")}
    assert seen == plain(json.loads(_ansible("ansible-inventory", demo, "--list", static=False))["_meta"]["hostvars"])
