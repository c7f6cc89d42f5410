"""``schooltech inventory list|show``: the resolved fleet, and where each value came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inventory.helpers import DEFAULT_ROOMS, EXAMPLE, REPO, TODAY, pos, schooltech, write_school

from schooltech_fleet.cli import main
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.files import PROFILE_DIR

PROFILE = PROFILE_DIR / "secondary.yml"
PROFILE_LABEL = str(PROFILE.relative_to(REPO))
EXAMPLE_LABEL = str(EXAMPLE.relative_to(REPO))


def test_show_explain_names_the_profile_file_and_line_of_a_profile_value() -> None:
    done = schooltech("inventory", "show", "RVS-C101-PC01", "--explain", "-i", EXAMPLE.parent)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    at = lines.index("filtering_level = standard")
    line, column = pos(PROFILE.read_text(), "filtering_level:", at="standard")
    assert lines[at + 1] == f"    <- profile: {PROFILE_LABEL}:{line}:{column}"


def test_show_explain_names_the_school_room_and_device_layers() -> None:
    text = EXAMPLE.read_text()
    done = schooltech("inventory", "show", "RVS-C101-TCH01", "--explain", "-i", EXAMPLE.parent)
    lines = done.stdout.splitlines()
    assert lines[0] == f"RVS-C101-TCH01  school RVS, {EXAMPLE_LABEL}"
    room = lines.index("room_title = Computing 1")
    assert lines[room + 1] == "    <- room: {}:{}:{}".format(
        EXAMPLE_LABEL, *pos(text, "title: Computing 1", at="Computing")
    )
    vlan = lines.index("vlan = staff")
    line, column = pos(text, "vlan: staff", at="staff")
    assert lines[vlan + 1] == f"    <- device: {EXAMPLE_LABEL}:{line}:{column}"


def test_show_explain_prints_line_numbers_above_99_as_numbers() -> None:
    done = schooltech("inventory", "show", "RVS-T1-PC01", "--explain", "-i", EXAMPLE.parent)
    line, column = pos(EXAMPLE.read_text(), "screen_lock_minutes: 20", at="20")
    assert line >= 100
    assert f"    <- room: {EXAMPLE_LABEL}:{line}:{column}" in done.stdout.splitlines()


def test_show_json_is_the_resolved_variables_of_the_host(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path)
    done = schooltech("inventory", "show", "TST-C1-PC02", "--format", "json", "-i", path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == load_fleet(path, today=TODAY).host_vars("TST-C1-PC02")


def test_show_json_explain_gives_value_layer_and_source_of_each_variable() -> None:
    done = schooltech("inventory", "show", "RVS-C101-PC01", "--format", "json", "--explain", "-i", EXAMPLE.parent)
    explained = json.loads(done.stdout)
    line, column = pos(PROFILE.read_text(), "filtering_level:", at="standard")
    assert explained["filtering_level"] == {
        "value": "standard",
        "layer": "profile",
        "source": f"{PROFILE_LABEL}:{line}:{column}",
        "note": "",
    }
    assert explained["patch.window.start"]["value"] == "16:30"


def test_show_a_switch() -> None:
    done = schooltech("inventory", "show", "RVS-SW-A1", "--format", "json", "-i", EXAMPLE.parent)
    assert done.returncode == 0
    values = json.loads(done.stdout)
    assert (values["switch_platform"], values["mgmt_ip"], values["ansible_host"]) == (
        "cisco_ios",
        "10.20.99.12",
        "10.20.99.12",
    )


def test_show_an_unknown_host_exits_2_with_a_message() -> None:
    done = schooltech("inventory", "show", "RVS-C101-PC99", "-i", EXAMPLE.parent)
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"error: no host named 'RVS-C101-PC99' in {EXAMPLE.parent}" in done.stderr
    assert "hint: list the hosts with 'schooltech inventory list'" in done.stderr


def test_show_on_an_invalid_inventory_exits_2_with_the_findings(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, rooms=DEFAULT_ROOMS.replace("ict_suite", "ict_suit"))
    done = schooltech("inventory", "show", "TST-C1-PC01", "-i", path)
    assert done.returncode == 2
    line, column = pos(text, "kind: ict_suit", at="ict_suit")
    assert f"{path}:{line}:{column}: error[unknown-ref]: room C1: unknown room kind 'ict_suit'" in done.stderr
    assert "error: the inventory has 1 problem" in done.stderr


def test_show_with_a_missing_inventory_exits_2(tmp_path: Path) -> None:
    done = schooltech("inventory", "show", "X", "-i", tmp_path / "missing")
    assert done.returncode == 2
    assert "no such file or directory" in done.stderr


def test_list_shows_every_room_with_its_devices() -> None:
    done = schooltech("inventory", "list", "-i", EXAMPLE.parent)
    assert done.returncode == 0
    assert "Riverside Valley School (RVS, secondary)" in done.stdout
    assert "148 devices" in done.stdout
    assert "RVS-SW-CORE (cisco_ios)" in done.stdout


def test_list_an_unknown_school_exits_2() -> None:
    done = schooltech("inventory", "list", "--school", "XYZ", "-i", EXAMPLE.parent)
    assert done.returncode == 2
    assert "no school with code 'XYZ'" in done.stderr


def test_text_that_looks_like_rich_markup_is_printed_as_written(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, rooms=DEFAULT_ROOMS.replace("title: Computing 1", 'title: "[/b] Lab [red]"'))
    text = path.read_text().replace("name: Test School TST", 'name: "Test [/b] School"')
    path.write_text(text)
    listing = schooltech("inventory", "list", "-i", path)
    assert listing.returncode == 0
    assert "Test [/b] School (TST, secondary)" in listing.stdout
    shown = schooltech("inventory", "show", "TST-C1-PC01", "-i", path)
    assert "room_title = [/b] Lab [red]" in shown.stdout


@pytest.mark.parametrize("args", [["show"], ["frobnicate"], [], ["show", "X", "--format", "yaml"]])
def test_inventory_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["inventory", *args])
    assert exited.value.code == 2
    assert "usage:" in capsys.readouterr().err
