"""Connection variables come only from the model: compose cannot set them, and the pattern covers all Ansible reads."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import yaml

from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.model import SimEndpoint, SimulationLayer
from schooltech_fleet.inventory.resolve import simulation_vars
from schooltech_fleet.inventory.variables import (
    ANSIBLE_NAMES,
    CONNECTION,
    MODEL_PREFIXES,
    RESOLVED,
    model_group,
    model_only,
)

from .helpers import REPO, located, only, pos, run_check, write_school

SIMULATION = SimulationLayer.model_validate(
    {
        "schooltech_sim": 1,
        "simulation": "sim-test",
        "started": "2026-11-28T18:00:00+00:00",
        "connection": {
            "ssh_user": "fleetadmin",
            "ssh_private_key": "/sim/id",
            "ssh_known_hosts": "/sim/known_hosts",
            "switch_username": "schooltech",
            "switch_password_file": "/sim/pw",
            "switch_known_hosts": "/sim/switch_known_hosts",
            "switch_minute_seconds": 1.0,
        },
        "schools": {},
    }
)


def test_every_variable_the_model_sets_is_documented_as_resolved_or_connection() -> None:
    fleet = load_fleet(REPO / "inventories")
    seen = {name for host in fleet.hosts for name in fleet.host_vars(host)}
    endpoint = SimEndpoint.model_validate({"host": "127.0.0.1", "port": 2222})
    seen |= set(simulation_vars(SIMULATION, endpoint, "device")) | set(simulation_vars(SIMULATION, endpoint, "switch"))
    assert seen - RESOLVED == CONNECTION
    assert {name for name in seen if model_only(name) is None} == set()


def test_every_variable_ansible_reads_to_connect_or_become_is_the_models_alone() -> None:
    from ansible.plugins.loader import (  # noqa: PLC0415 - Ansible's own plugin documentation is the reference
        become_loader,
        connection_loader,
        fragment_loader,
        init_plugin_loader,
        shell_loader,
    )
    from ansible.utils.plugin_docs import get_docstring  # noqa: PLC0415

    init_plugin_loader()
    names: set[str] = set()
    for loader in (connection_loader, become_loader, shell_loader):
        for plugin in loader.all(class_only=True):
            doc, *_ = get_docstring(inspect.getfile(plugin), fragment_loader)
            for option in (doc or {}).get("options", {}).values():
                names |= {var["name"] for var in option.get("vars") or [] if "[" not in var["name"]}
    assert len(names) > 100
    assert {name for name in names if model_only(name) is None} == set()


def test_ansibles_reserved_and_magic_names_may_not_be_composed() -> None:
    import ansible.constants as C  # noqa: PLC0415
    from ansible.vars.reserved import get_reserved_names  # noqa: PLC0415

    assert set(get_reserved_names()) <= ANSIBLE_NAMES
    magic = {name for names in C.MAGIC_VARIABLE_MAPPING.values() for name in names}
    assert {name for name in magic if model_only(name) is None} == set()


def test_every_role_and_every_playbook_variable_is_the_models() -> None:
    roles = {path.name for path in (REPO / "roles").iterdir() if path.is_dir()}
    assert {f"{role}_" for role in roles} <= set(MODEL_PREFIXES)
    for path in (REPO / "playbooks" / "group_vars").rglob("*.yml"):
        for name in yaml.safe_load(path.read_text(encoding="utf-8")):
            assert model_only(name) is not None, f"{path}: {name}"
            assert not name.startswith("ansible_"), f"{path}: {name}: the address Ansible uses is the inventory's"


def test_every_extra_variable_of_a_job_is_the_models() -> None:
    from schooltech_fleet.jobs.job import job_extravars  # noqa: PLC0415
    from schooltech_fleet.jobs.model import JobKind, JobRequest  # noqa: PLC0415
    from schooltech_fleet.jobs.windows import WindowCheck  # noqa: PLC0415

    demo = REPO / "inventories" / "demo"
    fleet = load_fleet(demo)
    hosts = sorted(h for h in fleet.hosts if fleet.host_vars(h).get("managed"))
    windows = dict.fromkeys(hosts, WindowCheck(None, in_lessons=False))
    names = job_extravars(JobRequest(JobKind.PATCH, demo, "DEMO"), fleet, hosts, windows)
    assert {name for name in names if model_only(name) is None} == set()


@pytest.mark.parametrize(
    "name",
    ["ansible_host", "ansible_ssh_host", "ansible_port", "ansible_user", "ansible_connection",
     "ansible_ssh_common_args", "ansible_ssh_extra_args", "ansible_become", "ansible_become_password",
     "ansible_python_interpreter", "ansible_shell_executable", "ansible_network_os", "ansible_winrm_transport",
     "mgmt_ip", "ip", "managed", "simulation", "switch_password_file", "switch_known_hosts", "schooltech_serial",
     "lab_baseline_admin_user", "licensing_keys", "patching_reboot_allowed", "web_filter", "inventory_hostname",
     "hostvars", "serial", "environment", "execution_node", "switch_jump_node"],
)  # fmt: skip
def test_compose_may_not_set_a_variable_only_the_model_sets(tmp_path: Path, name: str) -> None:
    path, text = write_school(tmp_path, ansible=f"compose:\n  {name}: \"'203.0.113.9'\"")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, f"  {name}:", at=name), "expression")
    assert finding.message.startswith(f"compose may not set {name}: ")


@pytest.mark.parametrize("name", ["room_label", "asset_tag", "ansible", "hostname_lower", "switching_time"])
def test_compose_may_add_a_variable_of_its_own(tmp_path: Path, name: str) -> None:
    path, _ = write_school(tmp_path, ansible=f"compose:\n  {name}: room ~ '-x'")
    assert run_check(path).findings == ()
    fleet = load_fleet(path)
    assert {fleet.host_vars(host)[name] for host in fleet.hosts} == {"C1-x"}


@pytest.mark.parametrize(
    ("name", "model"),
    [("managed", True), ("Managed", True), ("switches", True), ("room_tst_c1", True), ("batch_x", True),
     ("all", True), ("ungrouped", True), ("lab_rooms", False), ("model_dell", False), ("rooms_old", False)],
)  # fmt: skip
def test_the_groups_the_model_creates(name: str, model: bool) -> None:
    assert model_group(name) is model
