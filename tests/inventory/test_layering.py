"""Layering: profile -> school -> room -> device; the most specific layer wins, and says where it was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from schooltech_fleet.inventory import ExplainedVar, explain_host, load_fleet
from schooltech_fleet.inventory.files import PROFILE_DIR
from schooltech_fleet.inventory.layers import deep_merge

from .helpers import TODAY, pos, write_school

PROFILE = PROFILE_DIR / "secondary.yml"
PROFILE_TEXT = PROFILE.read_text(encoding="utf-8")

SETTINGS = """
screen_lock_minutes: 15
patch:
  window:
    start: "17:00"
web_filter:
  no_proxy: [intranet.tst]
"""

ROOMS = """
- name: C1
  kind: ict_suite
  settings:
    screen_lock_minutes: 20
    usb_storage: null
  devices:
    - count: 2
      role: lab_pc
      os: debian12
    - name: TST-C1-TCH01
      role: teacher_pc
      os: debian12
      vlan: staff
      settings:
        screen_lock_minutes: 30
        patch:
          window:
            end: "23:00"
- name: C2
  kind: ict_suite
  devices:
    - count: 1
      role: lab_pc
      os: debian12
"""


@pytest.fixture
def layered(tmp_path: Path) -> tuple[Path, str]:
    return write_school(tmp_path, settings=SETTINGS, rooms=ROOMS)


def variables(path: Path, host: str) -> dict[str, ExplainedVar]:
    return {var.name: var for var in explain_host(path, host, today=TODAY).variables}


def where(var: ExplainedVar) -> tuple[str, Path, int, int]:
    assert var.source is not None, f"{var.name} has no source"
    return var.source.layer, Path(var.source.file).resolve(), var.source.line, var.source.column


# --- the merge itself -------------------------------------------------------


def test_deep_merge_merges_mappings_and_replaces_lists_and_values() -> None:
    base = {"patch": {"window": {"start": "16:30", "end": "22:00"}, "reboot": "never"}, "ntp": ["a", "b"], "x": 1}
    override = {"patch": {"window": {"start": "17:00"}}, "ntp": ["c"], "x": None}
    assert deep_merge(base, override) == {
        "patch": {"window": {"start": "17:00", "end": "22:00"}, "reboot": "never"},
        "ntp": ["c"],
        "x": None,
    }
    assert base["patch"]["window"]["start"] == "16:30", "the layers below are not modified"


# --- resolved values ------------------------------------------------------------


def test_a_value_only_the_profile_sets_reaches_the_host(layered: tuple[Path, str]) -> None:
    hostvars = load_fleet(layered[0], today=TODAY).host_vars("TST-C2-PC01")
    assert hostvars["filtering_level"] == "standard"
    assert hostvars["usb_storage"] == "block"


def test_the_most_specific_layer_wins(layered: tuple[Path, str]) -> None:
    fleet = load_fleet(layered[0], today=TODAY)
    assert fleet.host_vars("TST-C2-PC01")["screen_lock_minutes"] == 15  # school over profile (10)
    assert fleet.host_vars("TST-C1-PC01")["screen_lock_minutes"] == 20  # room over school
    assert fleet.host_vars("TST-C1-TCH01")["screen_lock_minutes"] == 30  # device over room


def test_mappings_merge_key_by_key_across_layers(layered: tuple[Path, str]) -> None:
    fleet = load_fleet(layered[0], today=TODAY)
    room_window = fleet.host_vars("TST-C1-PC01")["patch"]["window"]
    assert room_window == {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "17:00", "end": "22:00"}
    device_patch = fleet.host_vars("TST-C1-TCH01")["patch"]
    assert device_patch["window"] == {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "17:00", "end": "23:00"}
    assert device_patch["reboot"] == "outside_lessons", "siblings of an overridden key stay"


def test_a_list_in_a_more_specific_layer_replaces_the_whole_list(layered: tuple[Path, str]) -> None:
    web_filter = load_fleet(layered[0], today=TODAY).host_vars("TST-C2-PC01")["web_filter"]
    assert web_filter["no_proxy"] == ["intranet.tst"]


def test_an_explicit_null_clears_the_value_from_the_layers_below(layered: tuple[Path, str]) -> None:
    fleet = load_fleet(layered[0], today=TODAY)
    assert fleet.host_vars("TST-C1-PC01")["usb_storage"] is None
    assert fleet.host_vars("TST-C2-PC01")["usb_storage"] == "block", "only the room that cleared it"


def test_explain_gives_the_same_values_as_the_resolved_fleet(layered: tuple[Path, str]) -> None:
    fleet = load_fleet(layered[0], today=TODAY)
    for host in ("TST-C1-PC01", "TST-C1-TCH01", "TST-C2-PC01"):
        explained = explain_host(layered[0], host, today=TODAY).variables
        assert rebuild(explained) == fleet.host_vars(host), host


def rebuild(explained: tuple[ExplainedVar, ...]) -> dict[str, Any]:
    """Put explain's flattened variables (patch.window.start, licences[x]) back together."""
    out: dict[str, Any] = {}
    for var in explained:
        if "[" in var.name:
            out.setdefault(var.name.split("[")[0], []).append(var.value)
            continue
        if var.name in ("licences", "exam_freezes"):
            out[var.name] = var.value
            continue
        *parents, leaf = var.name.split(".")
        node = out
        for step in parents:
            node = node.setdefault(step, {})
        node[leaf] = var.value
    return out


# --- where each value came from ----------------------------------------------


def test_explain_points_a_profile_value_at_the_profile_file_and_line(layered: tuple[Path, str]) -> None:
    var = variables(layered[0], "TST-C2-PC01")["filtering_level"]
    assert var.value == "standard"
    assert where(var) == ("profile", PROFILE.resolve(), *pos(PROFILE_TEXT, "filtering_level:", at="standard"))


def test_explain_points_a_nested_profile_value_at_its_own_line(layered: tuple[Path, str]) -> None:
    var = variables(layered[0], "TST-C2-PC01")["patch.window.end"]
    assert var.value == "22:00"
    assert where(var) == ("profile", PROFILE.resolve(), *pos(PROFILE_TEXT, 'end: "22:00"', at='"22:00"'))


def test_explain_points_a_school_override_at_the_school_file(layered: tuple[Path, str]) -> None:
    path, text = layered
    explained = variables(path, "TST-C2-PC01")
    assert where(explained["screen_lock_minutes"]) == (
        "school",
        path.resolve(),
        *pos(text, "screen_lock_minutes: 15", at="15"),
    )
    assert where(explained["patch.window.start"]) == ("school", path.resolve(), *pos(text, 'start: "17:00"', at='"'))
    assert where(explained["web_filter.no_proxy"]) == ("school", path.resolve(), *pos(text, "no_proxy:", at="["))


def test_explain_points_a_room_override_at_the_room(layered: tuple[Path, str]) -> None:
    path, text = layered
    var = variables(path, "TST-C1-PC01")["screen_lock_minutes"]
    assert var.value == 20
    assert where(var) == ("room", path.resolve(), *pos(text, "screen_lock_minutes: 20", at="20"))


def test_explain_points_a_null_that_clears_a_value_at_the_null(layered: tuple[Path, str]) -> None:
    path, text = layered
    var = variables(path, "TST-C1-PC01")["usb_storage"]
    assert var.value is None
    assert where(var) == ("room", path.resolve(), *pos(text, "usb_storage: null", at="null"))


def test_explain_points_a_device_override_at_the_device(layered: tuple[Path, str]) -> None:
    path, text = layered
    explained = variables(path, "TST-C1-TCH01")
    assert where(explained["screen_lock_minutes"]) == (
        "device",
        path.resolve(),
        *pos(text, "screen_lock_minutes: 30", at="30"),
    )
    assert where(explained["patch.window.end"]) == ("device", path.resolve(), *pos(text, 'end: "23:00"', at='"'))
    # the rest of the window still comes from the layers below
    assert where(explained["patch.window.start"]) == ("school", path.resolve(), *pos(text, 'start: "17:00"', at='"'))
    assert explained["patch.window.days"].source.layer == "profile"


def test_explain_points_a_device_vlan_at_the_device(layered: tuple[Path, str]) -> None:
    path, text = layered
    explained = variables(path, "TST-C1-TCH01")
    assert explained["vlan"].value == "staff"
    assert where(explained["vlan"]) == ("device", path.resolve(), *pos(text, "vlan: staff", at="staff"))
    assert explained["vlan_id"].value == 10
    assert where(explained["vlan_id"])[0:2] == ("profile", PROFILE.resolve())
    assert explained["subnet"].value == "10.9.10.0/24"
    assert where(explained["subnet"]) == ("school", path.resolve(), *pos(text, "staff: {subnet", at="10.9.10.0/24"))


def test_explain_says_which_pattern_device_a_host_is(layered: tuple[Path, str]) -> None:
    path, text = layered
    var = variables(path, "TST-C1-PC02")["device_role"]
    assert var.value == "lab_pc"
    assert var.note == "device 2 of a counted pattern"
    assert where(var) == ("device", path.resolve(), *pos(text, "role: lab_pc", at="lab_pc"))
