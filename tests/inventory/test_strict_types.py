"""Text, numbers and booleans never turn into one another, in school files, profiles and the simulation layer.

Pydantic's lax mode took ``id: true`` as VLAN 1, ``seats: true`` as one seat, ``"yes"`` as true and
167772161 as 10.0.0.1; each such mistake is now an error at the value, with a hint.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from schooltech_fleet.inventory.loader import parse
from schooltech_fleet.inventory.model import ProfileFile

from .helpers import DEFAULT_ROOMS, DEFAULT_VLANS, located, only, pos, run_check, schooltech, write, write_school

THERAPY_VLAN = DEFAULT_VLANS + "therapy: {id: ID, subnet: 10.9.50.0/24}\n"
PER_SEAT = """
- id: cad
  product: CAD Suite
  type: per_seat
  seats: SEATS
  rooms: [C1]
"""


def finding_at(tmp_path: Path, line_with: str, at: str, **sections: str) -> tuple[str, str]:
    """Check a school of these *sections*; its one finding must point at *at* on the line with *line_with*.

    Returns the finding's message and hint.
    """
    path, text = write_school(tmp_path, **sections)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, line_with, at), "schema"), finding.text()
    return finding.message, finding.hint


# --- the mistakes of the issue: booleans where numbers are meant ----------------------------


def test_a_vlan_id_true_is_not_vlan_1(tmp_path: Path) -> None:
    message, hint = finding_at(tmp_path, "therapy:", "true", vlans=THERAPY_VLAN.replace("ID", "true"))
    assert message == "vlans.therapy.id: expected a whole number, found true"
    assert hint == "write a number such as 10, not true"


def test_a_screen_lock_of_true_is_not_one_minute(tmp_path: Path) -> None:
    message, _ = finding_at(tmp_path, "screen_lock_minutes", "true", settings="screen_lock_minutes: true")
    assert message == "settings.screen_lock_minutes: expected a whole number, found true"


def test_a_count_of_true_is_not_one_device(tmp_path: Path) -> None:
    message, _ = finding_at(tmp_path, "count:", "true", rooms=DEFAULT_ROOMS.replace("count: 2", "count: true"))
    assert message == "rooms[0].devices[0].count: expected a whole number, found true"


def test_seats_true_is_not_one_seat(tmp_path: Path) -> None:
    message, _ = finding_at(tmp_path, "seats:", "true", licences=PER_SEAT.replace("SEATS", "true"))
    assert message == "licences[0].seats: expected a whole number, found true"


def test_check_exits_1_on_a_boolean_vlan_id(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, vlans=THERAPY_VLAN.replace("ID", "true"))
    done = schooltech("check", path)
    assert done.returncode == 1
    line, column = pos(text, "true")
    expected = f"{path}:{line}:{column}: error[schema]: vlans.therapy.id: expected a whole number, found true"
    assert expected in done.stdout


# --- every other crossing between text, numbers and booleans ---------------------------------


@pytest.mark.parametrize(
    ("written", "message", "hint"),
    [
        ('"50"', "expected a whole number, found the text '50'", "write 50 without quotes"),
        ("50.0", "expected a whole number, found the number 50.0", "write 50, not 50.0"),
        ("50.5", "expected a whole number, found the number 50.5", "write a number such as 10, not 50.5"),
        ("[50]", "expected a whole number, found a list", "write a number such as 10, not [50]"),
    ],
)
def test_a_whole_number_is_written_as_one(tmp_path: Path, written: str, message: str, hint: str) -> None:
    found, found_hint = finding_at(tmp_path, "therapy:", written, vlans=THERAPY_VLAN.replace("ID", written))
    assert (found, found_hint) == (f"vlans.therapy.id: {message}", hint)


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ('"yes"', "write true (without quotes), not 'yes'"),
        ("no", "write false (without quotes), not 'no'"),
        ('"true"', "write true (without quotes), not 'true'"),
        ("1", "write true (without quotes), not 1"),
        ("0", "write false (without quotes), not 0"),
        ("maybe", "write true or false (without quotes)"),
    ],
)
def test_a_boolean_is_true_or_false_only(tmp_path: Path, written: str, hint: str) -> None:
    settings = f"wipe_student_homes_on_rebuild: {written}"
    message, found_hint = finding_at(tmp_path, "wipe_student", written, settings=settings)
    assert message.startswith("settings.wipe_student_homes_on_rebuild: expected true or false, found ")
    assert found_hint == hint


@pytest.mark.parametrize(
    ("written", "shown", "hint"),
    [
        ("101", "the number 101", 'put it in quotes to make it text: "101"'),
        ("7010.5", "the number 7010.5", 'put it in quotes to make it text: "7010.5"'),
        ("true", "true", 'put it in quotes to make it text: "true"'),
    ],
)
def test_text_is_never_a_number_or_a_boolean(tmp_path: Path, written: str, shown: str, hint: str) -> None:
    rooms = DEFAULT_ROOMS.replace("title: Computing 1", f"title: {written}")
    message, found_hint = finding_at(tmp_path, "title:", written, rooms=rooms)
    assert (message, found_hint) == (f"rooms[0].title: expected text, found {shown}", hint)


def test_a_decimal_takes_a_whole_number_but_not_a_boolean(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, settings="switch: {storm_control: {broadcast_level: 5}}")
    assert run_check(path).findings == ()
    settings = "switch: {storm_control: {broadcast_level: true}}"
    message, hint = finding_at(tmp_path, "broadcast_level", "true", settings=settings)
    assert message == "settings.switch.storm_control.broadcast_level: expected a number, found true"
    assert hint == "write a number such as 2.5, not true"


@pytest.mark.parametrize(
    ("section", "old", "new", "message"),
    [
        ("rooms", "ip_start: 10.9.16.11", "ip_start: 168431627",
         "rooms[0].devices[0].ip_start: expected an IPv4 address, found the number 168431627"),
        ("rooms", "os: debian12", "os: debian12\n      purchased: 1700000000",
         "rooms[0].devices[0].purchased: expected a date, found the number 1700000000"),
        ("vlans", "subnet: 10.9.30.0/24", "subnet: 167779840",
         "vlans.guest.subnet: expected an IPv4 subnet, found the number 167779840"),
        ("rooms", "role: lab_pc", "role: true", "rooms[0].devices[0].role: true is not allowed"),
        ("rooms", "ip_start: 10.9.16.11", "ip_start: true",
         "rooms[0].devices[0].ip_start: expected an IPv4 address, found true"),
    ],
)  # fmt: skip
def test_addresses_dates_and_names_are_read_from_text_only(
    tmp_path: Path, section: str, old: str, new: str, message: str
) -> None:
    body = {"rooms": DEFAULT_ROOMS, "vlans": DEFAULT_VLANS}[section]
    assert old in body
    written = new.rsplit(": ", 1)[1]
    found, _ = finding_at(tmp_path, written, written, **{section: body.replace(old, new)})
    assert found == message


@pytest.mark.parametrize("written", ["2026-09-03T00:00:00", "1699920000", '"1699920000"', "20260903"])
def test_a_date_is_written_yyyy_mm_dd_and_nothing_else(tmp_path: Path, written: str) -> None:
    rooms = DEFAULT_ROOMS.replace("os: debian12", f"os: debian12\n      purchased: {written}")
    message, hint = finding_at(tmp_path, "purchased:", written, rooms=rooms)
    assert message.startswith("rooms[0].devices[0].purchased: ")
    assert hint == "write dates as YYYY-MM-DD, e.g. 2026-09-03"


def test_a_time_with_seconds_is_refused_rather_than_cut(tmp_path: Path) -> None:
    settings = 'patch: {window: {start: "16:30:45"}}'
    message, hint = finding_at(tmp_path, "window", '"16:30:45"', settings=settings)
    assert message == "settings.patch.window.start: '16:30:45' is not a time of day"
    assert hint == 'write times as quoted "HH:MM", e.g. "08:45"'


def test_the_format_version_true_is_not_1(tmp_path: Path) -> None:
    path, text = write_school(tmp_path)
    path.write_text(text.replace("schooltech: 1", "schooltech: true"), encoding="utf-8")
    finding = only(run_check(path))
    assert (finding.line, finding.column, finding.message) == (1, 13, "schooltech: expected the number 1, found true")


@pytest.mark.parametrize("written", ["[1, true]", "true"])
def test_switch_ports_are_numbers(tmp_path: Path, written: str) -> None:
    switches = f"- {{name: TST-SW1, platform: cisco_ios, mgmt_ip: 10.9.99.11, ports: [{{ports: {written}, room: C1}}]}}"
    path, _ = write_school(tmp_path, switches=switches)
    messages = [f.message for f in run_check(path).errors]
    assert any("found true" in m and m.startswith("switches[0].ports[0].ports") for m in messages), messages


def test_a_list_of_ports_still_works(tmp_path: Path) -> None:
    switches = """
    - name: TST-SW1
      platform: cisco_ios
      mgmt_ip: 10.9.99.11
      ports: [{ports: [1, 2], room: C1}]
      uplinks: [{port: 28}]
    """
    path, _ = write_school(tmp_path, switches=switches)
    assert run_check(path).findings == ()


# --- profiles and the simulation layer are held to the same types ------------------------------


def test_a_profile_is_strict_too(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        profile: {name: primary, description: A test profile}
        settings:
          screen_lock_minutes: "10"
        """
    )
    parsed = parse(write(tmp_path, text, "primary.yml"), ProfileFile)
    (finding,) = parsed.findings
    assert (finding.line, finding.message, finding.hint) == (
        3, "settings.screen_lock_minutes: expected a whole number, found the text '10'", "write 10 without quotes"
    )  # fmt: skip


SIMULATION = """\
schooltech_sim: 1
simulation: sim-test
started: "2026-10-01T08:00:00Z"
connection:
  ssh_user: fleetadmin
  ssh_private_key: /var/lib/schooltech/sim/id_ed25519
  ssh_known_hosts: /var/lib/schooltech/sim/known_hosts
  switch_username: schooltech
  switch_password_file: /var/lib/schooltech/sim/switch-password
  switch_minute_seconds: MINUTE
schools:
  TST:
    devices:
      TST-C1-PC01: {host: 127.0.0.1, port: PORT}
"""


@pytest.mark.parametrize(
    ("minute", "port", "written", "message"),
    [
        ("0.5", '"2222"', '"2222"',
         "schools.TST.devices.TST-C1-PC01.port: expected a whole number, found the text '2222'"),
        ("true", "2222", "true", "connection.switch_minute_seconds: expected a number, found true"),
    ],
)  # fmt: skip
def test_the_simulation_layer_is_strict_too(tmp_path: Path, minute: str, port: str, written: str, message: str) -> None:
    path, _ = write_school(tmp_path)
    layer = SIMULATION.replace("MINUTE", minute).replace("PORT", port)
    layer_path = write(tmp_path, layer, ".schooltech-sim.yml")
    finding = only(run_check(path))
    assert located(finding) == (str(layer_path), *pos(layer, written), "schema")
    assert finding.message == message
