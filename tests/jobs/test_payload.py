"""Slicing: a job sent to a school's node carries that school's targets and that job's secrets, nothing more."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from inventory.helpers import TODAY, write_school

from schooltech_fleet.errors import UsageError
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.jobs.payload import slice_fleet
from schooltech_fleet.jobs.remote import execution_node
from schooltech_fleet.jobs.secrets import job_secrets

LICENCE = """
- id: cad-{code}
  product: CAD Suite
  type: site
  rooms: [C1]
  expires: 2027-08-31
  key: {{env: {code}_CAD_KEY}}
"""
ROOMS = """
- name: C1
  kind: ict_suite
  devices:
    - {{count: 2, role: lab_pc, os: debian12, ip_start: 10.{n}.16.11}}
- name: C2
  kind: ict_suite
  devices:
    - {{count: 2, role: lab_pc, os: debian12, ip_start: 10.{n}.16.31}}
"""


def _vlans(n: int) -> str:
    return "\n".join(f"{name}: {{subnet: 10.{n}.{third}.0/24, gateway: 10.{n}.{third}.1}}" for name, third in
                     (("staff", 10), ("students", 16), ("guest", 30), ("av", 40), ("management", 99)))  # fmt: skip


@pytest.fixture
def district(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two schools, AAA and BBB, each with a licence whose key is in the environment."""
    for n, code in ((7, "AAA"), (8, "BBB")):
        write_school(tmp_path, code, vlans=_vlans(n), rooms=ROOMS.format(n=n), licences=LICENCE.format(code=code))
        monkeypatch.setenv(f"{code}_CAD_KEY", f"KEY-OF-{code}-5f1e")
    return tmp_path


def test_the_slice_holds_only_the_targets_with_their_resolved_variables(district: Path) -> None:
    fleet = load_fleet(district, TODAY)
    sliced = slice_fleet(fleet, "AAA", ["AAA-C1-PC01", "AAA-C2-PC02"])
    assert list(sliced.hosts) == ["AAA-C1-PC01", "AAA-C2-PC02"]
    assert sliced.hosts["AAA-C2-PC02"] == fleet.host_vars("AAA-C2-PC02")
    text = json.dumps(sliced.inventory())
    for other in fleet.hosts:
        if other not in sliced.hosts:
            assert other not in text, f"{other} leaked into the payload"
    assert "BBB" not in text and "10.8." not in text


def test_the_sliced_inventory_is_what_ansible_reads_with_the_targets_in_their_groups(district: Path) -> None:
    fleet = load_fleet(district, TODAY)
    sliced = slice_fleet(fleet, "AAA", ["AAA-C1-PC01", "AAA-C2-PC02"])
    inventory = yaml.safe_load(yaml.safe_dump(sliced.inventory()))
    assert inventory["all"]["hosts"]["AAA-C1-PC01"]["ansible_host"] == "10.7.16.11"

    def members(tree: dict[str, Any], group: str) -> set[str]:
        """Every host under *group*, wherever it appears in the tree."""
        found: set[str] = set()
        for name, entry in (tree.get("children") or {}).items():
            found |= _all_hosts(entry) if name == group else members(entry, group)
        return found

    assert members(inventory["all"], "managed") == {"AAA-C1-PC01", "AAA-C2-PC02"}
    assert members(inventory["all"], "room_aaa_c1") == {"AAA-C1-PC01"}
    assert members(inventory["all"], "type_secondary") == {"AAA-C1-PC01", "AAA-C2-PC02"}


def _all_hosts(entry: dict[str, Any]) -> set[str]:
    found = set(entry.get("hosts") or {})
    for child in (entry.get("children") or {}).values():
        found |= _all_hosts(child)
    return found


def test_the_slice_names_only_its_own_schools_licence_key_and_reads_no_other(district: Path, tmp_path: Path) -> None:
    fleet = load_fleet(district, TODAY)
    sliced = slice_fleet(fleet, "AAA", ["AAA-C1-PC01"])
    assert sliced.licence_keys == {"cad-AAA": {"env": "AAA_CAD_KEY"}}
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    secrets = job_secrets(sliced.licence_keys, fleet.school("AAA").parent, scratch)
    assert secrets.values == ("KEY-OF-AAA-5f1e",)
    carried = json.dumps(sliced.inventory()) + "".join(p.read_text() for p in scratch.iterdir())
    assert "KEY-OF-AAA-5f1e" in carried
    assert "KEY-OF-BBB" not in carried and "BBB_CAD_KEY" not in carried


def test_a_host_of_another_school_is_refused(district: Path) -> None:
    fleet = load_fleet(district, TODAY)
    with pytest.raises(UsageError, match="may target only its hosts, not BBB-C1-PC01"):
        slice_fleet(fleet, "AAA", ["AAA-C1-PC01", "BBB-C1-PC01"])
    with pytest.raises(UsageError, match="no host named NOPE"):
        slice_fleet(fleet, "AAA", ["NOPE"])


HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKawLEFDaHEWQYM8RXaUGgFc1CmOi5IUhA9BQs329iZv node"
NODE = f'- name: main\n  execution_node: {{host: 10.7.99.5, user: schooltech, host_key: "{HOST_KEY}"}}\n'


def test_the_node_of_a_job_is_its_sites_and_the_network_guard_holds_its_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))  # no simulation recorded
    write_school(tmp_path, "AAA", vlans=_vlans(7), rooms=ROOMS.format(n=7), sites=NODE)
    fleet = load_fleet(tmp_path, TODAY)
    monkeypatch.delenv("SCHOOLTECH_ALLOWED_NETWORKS", raising=False)  # the guard's default: the school's networks
    node = execution_node(fleet, "AAA", ["AAA-C1-PC01", "AAA-C2-PC01"])
    assert node is not None and (node["host"], node["port"], node["user"]) == ("10.7.99.5", 22, "schooltech")
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "127.0.0.0/8")
    with pytest.raises(UsageError, match=r"refusing to contact execution node schooltech@10.7.99.5:22 \(10.7.99.5\)"):
        execution_node(fleet, "AAA", ["AAA-C1-PC01"])


def test_a_school_without_a_node_runs_its_jobs_here(district: Path) -> None:
    assert execution_node(load_fleet(district, TODAY), "AAA", ["AAA-C1-PC01"]) is None
