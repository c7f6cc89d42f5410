"""Values that would inject commands into a switch session or be evaluated by Ansible are rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from schooltech_fleet.inventory import load_fleet

from .helpers import DEFAULT_ROOMS, TODAY, located, only, pos, run_check, write_school

SWITCH = """
- name: TST-SW1
  platform: cisco_ios
  mgmt_ip: 10.9.99.11
  ports:
    - {ports: 1-2, room: C1, description: DESCRIPTION}
"""


def test_a_newline_in_a_switch_port_description_is_rejected_at_the_description(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, switches=SWITCH.replace("DESCRIPTION", '"lab\\nno vlan 20"'))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "description:", at='"lab'), "schema")
    assert finding.message.startswith("switches[0].ports[0].description: contains a newline;")
    assert "inject a command" in finding.message


def test_a_carriage_return_in_a_description_is_rejected(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, switches=SWITCH.replace("DESCRIPTION", '"lab\\rshutdown"'))
    assert "contains a carriage return" in only(run_check(path)).message


def test_a_template_in_a_room_title_is_rejected_at_the_title(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS.replace("title: Computing 1", "title: \"{{ lookup('pipe','id') }}\"")
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "title:", at='"'), "schema")
    assert finding.message.startswith("rooms[0].title: contains the template delimiter '{{';")
    assert "Ansible would evaluate it" in finding.message


@pytest.mark.parametrize("delimiter", ["{%", "%}", "{#", "#}", "}}"])
def test_every_jinja_delimiter_is_rejected(tmp_path: Path, delimiter: str) -> None:
    rooms = DEFAULT_ROOMS.replace("title: Computing 1", f'title: "Computing {delimiter} 1"')
    path, _ = write_school(tmp_path, rooms=rooms)
    assert f"contains the template delimiter {delimiter!r}" in only(run_check(path)).message


def test_a_single_brace_is_fine(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS.replace("title: Computing 1", 'title: "Computing {1}"')
    path, _ = write_school(tmp_path, rooms=rooms)
    assert run_check(path).findings == ()


def test_a_tab_in_a_device_model_is_rejected_at_the_model(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS.replace("os: debian12", 'os: debian12\n      model: "Dell\\tOptiPlex"')
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "model:", at='"'), "schema")
    assert finding.message.startswith("rooms[0].devices[0].model: contains a tab;")


def test_a_literal_tab_character_in_a_model_is_rejected_too(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS.replace("os: debian12", "os: debian12\n      model: Dell\tOptiPlex")
    path, _ = write_school(tmp_path, rooms=rooms)
    assert "contains a tab" in only(run_check(path)).message


@pytest.mark.parametrize(
    ("escape", "name"),
    [("\\x1b", "U+001B"), ("\\x00", "U+0000"), ("\\x7f", "U+007F"), ("\\u2028", "U+2028"), ("\\x85", "U+0085")],
)
def test_other_control_characters_are_named_in_the_finding(tmp_path: Path, escape: str, name: str) -> None:
    rooms = DEFAULT_ROOMS + f'    - {{name: TST-C1-TCH01, role: teacher_pc, serial: "AB{escape}12"}}\n'
    path, _ = write_school(tmp_path, rooms=rooms)
    assert f"contains the control character {name}" in only(run_check(path)).message


def test_a_multi_line_aup_banner_written_as_a_block_scalar_is_accepted(tmp_path: Path) -> None:
    settings = "aup_banner: |\n  This computer belongs to Test School.\n  Activity is monitored.\n"
    path, _ = write_school(tmp_path, settings=settings)
    assert run_check(path).findings == ()
    banner = load_fleet(path, today=TODAY).host_vars("TST-C1-PC01")["aup_banner"]
    assert banner == "This computer belongs to Test School.\nActivity is monitored.\n"


def test_a_control_character_in_a_multi_line_banner_is_rejected(tmp_path: Path) -> None:
    settings = 'aup_banner: "This computer belongs to Test School.\\nActivity is \\x1b[31mmonitored.\\n"'
    path, text = write_school(tmp_path, settings=settings)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "aup_banner:", at='"'), "schema")
    assert finding.message.startswith("settings.aup_banner: contains the control character U+001B")


def test_a_template_in_a_motd_is_rejected(tmp_path: Path) -> None:
    settings = "motd: |\n  Welcome to {{ inventory_hostname }}\n"
    path, _ = write_school(tmp_path, settings=settings)
    assert "contains the template delimiter '{{'" in only(run_check(path)).message


def test_unsafe_values_in_a_room_settings_layer_are_rejected(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS + '  settings:\n    snmp: {location: "Room C1\\nsnmp-server community public rw"}\n'
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "location:", at='"'), "schema")
    assert finding.message.startswith("rooms[0].settings.snmp.location: contains a newline")


def test_an_ansible_compose_expression_may_not_hide_a_template(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, ansible="compose:\n  x: \"{{ lookup('pipe', 'id') }}\"")
    assert "template delimiter" in only(run_check(path)).message
