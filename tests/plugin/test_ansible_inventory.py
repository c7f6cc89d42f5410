"""The inventory plugin through the real ``ansible-inventory``: same hosts, groups and variables as the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from inventory.helpers import (
    DEFAULT_ROOMS,
    EXAMPLE,
    REPO,
    ansible_inventory,
    plain,
    pos,
    schooltech,
    write,
    write_school,
)

SECONDARY = EXAMPLE.parent


@pytest.fixture(scope="module")
def secondary_list() -> dict[str, Any]:
    done = ansible_inventory("-i", SECONDARY, "--list")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def children(listing: dict[str, Any], group: str) -> list[str]:
    return listing.get(group, {}).get("children", [])


def hosts(listing: dict[str, Any], group: str) -> list[str]:
    return listing.get(group, {}).get("hosts", [])


def test_graph_shows_type_school_site_and_room_groups_with_their_hosts() -> None:
    done = ansible_inventory("-i", SECONDARY, "--graph")
    assert done.returncode == 0, done.stderr
    graph = done.stdout
    for line in (
        "  |--@type_secondary:",
        "  |  |--@school_rvs:",
        "  |  |  |--@site_rvs_main:",
        "  |  |  |  |--@room_rvs_c101:",
        "  |  |  |  |  |--RVS-C101-TCH01",
        "  |--@kind_ict_suite:",
        "  |--@managed:",
        "  |  |--@family_linux:",
        "  |--@switches:",
        "  |  |--@platform_cisco_ios:",
        "  |  |  |--RVS-SW-A1",
    ):
        assert line in graph.splitlines(), line
    assert "RVS-C101-PC30" in graph
    assert "[WARNING]" not in done.stderr


def test_the_group_tree_links_type_school_site_room_and_host(secondary_list: dict[str, Any]) -> None:
    assert "type_secondary" in children(secondary_list, "all")
    assert children(secondary_list, "type_secondary") == ["school_rvs"]
    assert children(secondary_list, "school_rvs") == ["site_rvs_main"]
    assert "room_rvs_c101" in children(secondary_list, "site_rvs_main")
    assert "room_rvs_c101" in children(secondary_list, "kind_ict_suite")
    assert "RVS-C101-TCH01" in hosts(secondary_list, "room_rvs_c101")
    assert {"family_linux", "family_windows"} <= set(children(secondary_list, "managed"))
    assert "platform_hp_procurve" in children(secondary_list, "switches")
    assert hosts(secondary_list, "platform_hp_procurve") == ["RVS-SW-T1"]


def test_every_host_of_the_school_file_is_in_the_inventory(secondary_list: dict[str, Any]) -> None:
    listed = schooltech("check", SECONDARY, "--format", "json", "--as-of", "2026-10-01")
    summary = json.loads(listed.stdout)["summary"]
    assert len(secondary_list["_meta"]["hostvars"]) == summary["devices"] + summary["switches"]


@pytest.mark.parametrize(
    "host",
    ["RVS-C101-PC01", "RVS-C101-TCH01", "RVS-C102-PC02", "RVS-T1-PC16", "RVS-LIB-PRN01", "RVS-SRV01", "RVS-SW-A1"],
)
def test_host_variables_equal_what_schooltech_inventory_show_prints(host: str) -> None:
    ansible = ansible_inventory("-i", SECONDARY, "--host", host)
    assert ansible.returncode == 0, ansible.stderr
    ours = schooltech("inventory", "show", host, "--format", "json", "-i", SECONDARY)
    assert json.loads(ansible.stdout) == json.loads(ours.stdout)


def test_every_host_of_every_shipped_school_has_the_cli_variables() -> None:
    listing = ansible_inventory("-i", REPO / "inventories", "--list")
    assert listing.returncode == 0, listing.stderr
    hostvars = plain(json.loads(listing.stdout)["_meta"]["hostvars"])
    from schooltech_fleet.inventory import load_fleet  # noqa: PLC0415 - in-process, the same fleet

    fleet = load_fleet(REPO / "inventories")
    assert set(hostvars) == set(fleet.hosts)
    for host in fleet.hosts:
        assert hostvars[host] == fleet.host_vars(host), host


def test_an_invalid_school_file_fails_with_its_file_line_message_and_no_hosts(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, rooms=DEFAULT_ROOMS.replace("kind: ict_suite", "kind: ict_suit"))
    done = ansible_inventory("-i", path, "--list")
    assert done.returncode != 0
    line, column = pos(text, "kind: ict_suit", at="ict_suit")
    assert f"{path}:{line}:{column}: error[unknown-ref]: room C1: unknown room kind 'ict_suit'" in done.stderr
    assert "TST-C1-PC01" not in done.stdout


def test_one_invalid_file_in_a_directory_fails_the_whole_source(tmp_path: Path) -> None:
    write_school(tmp_path, "AAA")
    bad = write(tmp_path, "schooltech: 1\nschool: {name: B, code: BBB, type: college}\n", "bbb.school.yml")
    done = ansible_inventory("-i", tmp_path, "--graph")
    assert done.returncode != 0
    assert f"{bad}:2:" in done.stderr
    assert "AAA-C1-PC01" not in done.stdout


def test_a_yaml_syntax_error_fails_with_its_line_not_a_python_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "schooltech: 1\nschool:\n  name: [Test\n")
    done = ansible_inventory("-i", path, "--list")
    assert done.returncode != 0
    assert f"{path}:" in done.stderr
    assert "error[yaml]" in done.stderr
    assert "Traceback" not in done.stderr


ANSIBLE_SECTION = """
groups:
  warranty_over: warranty_end is defined and warranty_end < '2026-06-01'
  windows_teachers: os_family == 'windows' and device_role == 'teacher_pc'
keyed_groups:
  - key: model | default('unknown') | lower | regex_replace('[^a-z0-9]+', '_')
    prefix: model
  - key: serial_number | default('')
    prefix: asset
    default_value: untagged
compose:
  room_label: room ~ '-' ~ device_role
  managed_model: model if managed else none
"""

CONSTRUCTED_ROOMS = """
- name: C1
  kind: ict_suite
  devices:
    - count: 2
      role: lab_pc
      os: debian12
      model: Dell OptiPlex 7010
      warranty_end: 2026-01-31
    - {name: TST-C1-TCH01, role: teacher_pc, os: windows11, model: HP Elite 800, serial: HP1}
"""


@pytest.fixture(scope="module")
def constructed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path, _ = write_school(tmp_path_factory.mktemp("constructed"), rooms=CONSTRUCTED_ROOMS, ansible=ANSIBLE_SECTION)
    done = ansible_inventory("-i", path, "--list")
    assert done.returncode == 0, done.stderr
    return path, json.loads(done.stdout)


def test_constructable_groups_add_hosts_matching_a_condition(constructed: tuple[Path, dict[str, Any]]) -> None:
    _, listing = constructed
    assert sorted(hosts(listing, "warranty_over")) == ["TST-C1-PC01", "TST-C1-PC02"]
    assert hosts(listing, "windows_teachers") == ["TST-C1-TCH01"]


def test_constructable_keyed_groups_group_hosts_by_a_value(constructed: tuple[Path, dict[str, Any]]) -> None:
    _, listing = constructed
    assert sorted(hosts(listing, "model_dell_optiplex_7010")) == ["TST-C1-PC01", "TST-C1-PC02"]
    assert hosts(listing, "model_hp_elite_800") == ["TST-C1-TCH01"]
    assert hosts(listing, "asset_HP1") == ["TST-C1-TCH01"]
    assert sorted(hosts(listing, "asset_untagged")) == ["TST-C1-PC01", "TST-C1-PC02"]


def test_constructable_compose_sets_variables(constructed: tuple[Path, dict[str, Any]]) -> None:
    path, listing = constructed
    hostvars = plain(listing["_meta"]["hostvars"])
    assert hostvars["TST-C1-PC01"]["managed_model"] == "Dell OptiPlex 7010"
    assert hostvars["TST-C1-TCH01"]["room_label"] == "C1-teacher_pc"
    single = ansible_inventory("-i", path, "--host", "TST-C1-PC02")
    assert json.loads(single.stdout)["room_label"] == "C1-lab_pc"


def test_a_strict_constructable_expression_that_fails_fails_the_source(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, ansible="strict: true\ncompose:\n  x: mac ~ '-'")
    done = ansible_inventory("-i", path, "--list")
    assert done.returncode != 0
    line, column = pos(text, "x: mac", at="mac")
    assert (
        f"{path}:{line}:{column}: error[expression]: compose x: could not be evaluated for TST-C1-PC01 "
        "(and 1 more host): 'mac' is undefined"
    ) in done.stderr
    assert "TST-C1-PC01" not in done.stdout


def test_a_failing_constructable_expression_skips_the_host_unless_strict(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS + "    - {name: TST-C1-TCH01, role: teacher_pc, os: debian12, mac: 3c:52:82:1a:20:01}\n"
    path, _ = write_school(tmp_path, rooms=rooms, ansible="compose:\n  x: mac ~ '-'\ngroups:\n  with_mac: mac != ''")
    done = ansible_inventory("-i", path, "--list")
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    hostvars = plain(listing["_meta"]["hostvars"])
    assert hostvars["TST-C1-TCH01"]["x"] == "3c:52:82:1a:20:01-"
    assert "x" not in hostvars["TST-C1-PC01"]
    assert hosts(listing, "with_mac") == ["TST-C1-TCH01"]


def test_a_keyed_group_with_default_value_and_trailing_separator_is_a_check_error(tmp_path: Path) -> None:
    ansible = "keyed_groups:\n  - {key: model, default_value: none, trailing_separator: false}"
    path, text = write_school(tmp_path, ansible=ansible)
    done = schooltech("check", path)
    assert done.returncode == 1
    assert f"{path}:{pos(text, '- {key: model', at='{')[0]}:" in done.stdout
    assert "give default_value or trailing_separator, not both" in done.stdout


def test_a_host_defined_by_two_sources_is_refused(tmp_path: Path) -> None:
    write_school(tmp_path / "a", "AAA")
    second = "- name: X\n  kind: office\n  devices:\n    - {name: AAA-C1-PC01, role: teacher_pc, os: debian12}\n"
    write_school(tmp_path / "b", "BBB", rooms=second)
    done = ansible_inventory("-i", tmp_path / "a", "-i", tmp_path / "b", "--list")
    assert done.returncode != 0
    assert "host AAA-C1-PC01 is already defined by another inventory source" in done.stderr


LAYERED_ROOMS = """
- name: C1
  kind: ict_suite
  settings: {screen_lock_minutes: 20, usb_storage: null, patch: {window: {start: "17:30"}}}
  devices:
    - count: 2
      role: lab_pc
      os: debian12
      vlan: staff
      settings: {patch: {reboot: never}}
    - name: TST-C1-TCH01
      role: teacher_pc
      os: windows11
      settings: {screen_lock_minutes: 30, web_filter: {no_proxy: [intranet]}}
"""


def test_layered_overrides_reach_ansible_exactly_as_resolved(tmp_path: Path) -> None:
    from schooltech_fleet.inventory import load_fleet  # noqa: PLC0415

    path, _ = write_school(tmp_path, rooms=LAYERED_ROOMS, settings="screen_lock_minutes: 15")
    done = ansible_inventory("-i", path, "--list")
    assert done.returncode == 0, done.stderr
    hostvars = plain(json.loads(done.stdout)["_meta"]["hostvars"])
    fleet = load_fleet(path)
    assert set(hostvars) == set(fleet.hosts)
    for host in fleet.hosts:
        assert hostvars[host] == fleet.host_vars(host), host
    pc = hostvars["TST-C1-PC01"]
    assert (pc["screen_lock_minutes"], pc["usb_storage"], pc["vlan"]) == (20, None, "staff")
    assert pc["patch"]["window"]["start"] == "17:30"
    assert pc["patch"]["reboot"] == "never"
    assert pc["patch"]["window"]["end"] == "22:00", "the batch's patch keeps the room's and profile's keys"
    assert hostvars["TST-C1-TCH01"]["screen_lock_minutes"] == 30
    assert hostvars["TST-C1-TCH01"]["web_filter"]["no_proxy"] == ["intranet"]
