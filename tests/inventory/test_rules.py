"""Every validation rule: a failing example, and the exact file:line:column and code it is reported at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from schooltech_fleet.inventory import check

from .helpers import (
    DEFAULT_ROOMS,
    DEFAULT_VLANS,
    LICENCE_SECTION,
    drop_lines,
    located,
    only,
    pos,
    run_check,
    school_text,
    write,
    write_school,
)

ROOMS_WITH_TEACHER = """
- name: C1
  kind: ict_suite
  devices:
    - count: 2
      role: lab_pc
      os: debian12
      ip_start: 10.9.16.11
    - name: TST-C1-TCH01
      role: teacher_pc
      os: debian12
      vlan: staff
      ip: 10.9.10.21
      mac: 3c:52:82:1a:20:01
      serial: SER001
- name: C2
  kind: ict_suite
  devices:
    - count: 2
      role: lab_pc
      os: debian12
      ip_start: 10.9.16.51
"""

SWITCH = """
- name: TST-SW1
  platform: cisco_ios
  mgmt_ip: 10.9.99.11
  access_ports: 24
  uplink_ports: 4
  ports:
    - {{ports: 1-10, room: C1}}
    - {{ports: 11, device: TST-C1-TCH01}}
    {extra}
  uplinks:
    - {{port: 25, to: TST-SW2}}
    - {{port: 26, description: to the router}}
- name: TST-SW2
  platform: hp_procurve
  mgmt_ip: 10.9.99.12
  access_ports: 24
  uplinks:
    - {{port: 25, to: TST-SW1}}
"""


def switches(extra: str = "") -> str:
    return SWITCH.format(extra=extra)


def test_a_valid_school_has_no_findings(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, switches=switches())
    result = run_check(path)
    assert result.findings == ()
    assert (result.schools, result.devices, result.switches) == (1, 5, 2)


# --- school header and schema ---------------------------------------------


def test_unknown_school_type_is_reported_at_the_type(tmp_path: Path) -> None:
    text = school_text(school_type="college")
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "type: college", at="college"), "schema")
    assert "'college' is not allowed" in finding.message
    assert "'primary', 'secondary' or 'specialist'" in finding.hint


def test_unknown_field_is_reported_at_the_key_with_did_you_mean(tmp_path: Path) -> None:
    text = school_text().replace("title: Computing 1", "titel: Computing 1")
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "titel:"), "schema")
    assert finding.message == "rooms[0]: unknown field 'titel'"
    assert finding.hint == "did you mean 'title'?"


def test_unknown_top_level_section_gets_did_you_mean(tmp_path: Path) -> None:
    text = school_text(switchs="[]")
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "switchs:"), "schema")
    assert finding.hint == "did you mean 'switches'?"


def test_missing_required_field_is_reported_at_the_mapping_that_lacks_it(tmp_path: Path) -> None:
    text = school_text().replace("    kind: ict_suite\n", "")
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- name: C1", at="name"), "schema")
    assert finding.message == "rooms[0]: missing required field 'kind'"
    assert finding.hint == "add 'kind:' here"


def test_missing_format_version_is_reported(tmp_path: Path) -> None:
    text = school_text().replace("schooltech: 1\n", "")
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert (finding.line, finding.column, finding.code) == (1, 1, "schema")
    assert "missing required field 'schooltech'" in finding.message


def test_a_wrong_type_says_what_was_found(tmp_path: Path) -> None:
    text = school_text(sites="name: main")
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "name: main"), "schema")
    assert finding.message == "sites: expected a list, found a mapping {'name': 'main'}"


# --- references -------------------------------------------------------------


def test_unknown_room_kind_is_reported_at_the_kind_with_did_you_mean(tmp_path: Path) -> None:
    text = school_text().replace("kind: ict_suite", "kind: ict_suit")
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "kind: ict_suit", at="ict_suit"), "unknown-ref")
    assert finding.message == "room C1: unknown room kind 'ict_suit'"
    assert finding.hint == "did you mean 'ict_suite'?"


ROOM_C1 = "  kind: ict_suite\n  devices:\n    - count: 2"


@pytest.mark.parametrize(
    ("old", "new", "line_with", "message"),
    [
        ("vlan: staff", "vlan: staf", "vlan: staf", "room C1 refers to VLAN 'staf', which does not exist"),
        (
            ROOM_C1,
            ROOM_C1.replace("  devices:", "  software_sets: [base, compting]\n  devices:"),
            "compting",
            "room C1 refers to software set 'compting', which does not exist",
        ),
        (
            ROOM_C1,
            ROOM_C1.replace("  devices:", "  vlan: studnets\n  devices:"),
            "studnets",
            "room C1 refers to VLAN 'studnets', which does not exist",
        ),
        (
            ROOM_C1,
            ROOM_C1.replace("  devices:", "  site: annexe\n  devices:"),
            "annexe",
            "room C1 refers to site 'annexe', which does not exist",
        ),
        (
            ROOM_C1,
            ROOM_C1.replace("  devices:", "  building: Z-block\n  devices:"),
            "Z-block",
            "room C1 refers to building 'Z-block', which does not exist",
        ),
    ],
    ids=["device-vlan", "room-software-set", "room-vlan", "room-site", "room-building"],
)
def test_a_room_or_device_referring_to_something_missing_is_reported_at_the_reference(
    tmp_path: Path, old: str, new: str, line_with: str, message: str
) -> None:
    rooms = ROOMS_WITH_TEACHER.replace(old, new, 1)
    path, text = write_school(tmp_path, rooms=rooms, sites="- {name: main, buildings: [A-block]}")
    finding = only(run_check(path))
    value = line_with.rsplit(": ", maxsplit=1)[-1]
    assert located(finding) == (str(path), *pos(text, line_with, at=value), "unknown-ref")
    assert finding.message == message


def test_unknown_reference_hint_lists_what_exists_when_nothing_is_close(tmp_path: Path) -> None:
    text = school_text(
        rooms=ROOMS_WITH_TEACHER.replace(ROOM_C1, ROOM_C1.replace("  devices:", "  building: xyz\n  devices:"), 1),
        sites="- {name: main, buildings: [A-block, S-block]}",
    )
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert finding.hint == "known buildings: A-block, S-block"


@pytest.mark.parametrize(
    ("extra", "at", "message"),
    [
        ("- {ports: 12-13, room: C3}", "C3", "switch TST-SW1 port 12 refers to room 'C3', which does not exist"),
        (
            "- {ports: 12, device: TST-C1-TCH02}",
            "TST-C1-TCH02",
            "switch TST-SW1 port 12 refers to device 'TST-C1-TCH02', which does not exist",
        ),
        ("- {ports: 12, vlan: voice}", "voice", "switch TST-SW1 port 12 refers to VLAN 'voice', which does not exist"),
    ],
    ids=["room", "device", "vlan"],
)
def test_a_switch_port_referring_to_something_missing_is_reported_at_the_reference(
    tmp_path: Path, extra: str, at: str, message: str
) -> None:
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, switches=switches(extra))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, extra, at=at), "unknown-ref")
    assert finding.message == message


def test_an_uplink_to_a_switch_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    router = "- {port: 26, description: to the router}"
    typo = switches().replace(router, f"{router}\n    - {{port: 27, to: TST-SW3}}")
    text = school_text(rooms=ROOMS_WITH_TEACHER, switches=typo)
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "to: TST-SW3", at="TST-SW3"), "unknown-ref")
    assert finding.message == "switch TST-SW1 uplink refers to switch 'TST-SW3', which does not exist"
    assert finding.hint == "did you mean 'TST-SW2'?"


LICENCES = """
- id: cad
  product: CAD Suite
  type: per_seat
  seats: 10
  rooms: [C1, C2]
  software_set: design
  expires: 2027-08-31
"""


def test_a_licence_referring_to_a_missing_room_or_software_set_is_reported(tmp_path: Path) -> None:
    licences = LICENCES.replace("[C1, C2]", "[C1, C7]").replace("software_set: design", "software_set: desgin")
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, licences=licences)
    found = {f.message: f for f in run_check(path).findings}
    assert set(found) == {
        "licence cad refers to room 'C7', which does not exist",
        "licence cad refers to software set 'desgin', which does not exist",
    }
    room = found["licence cad refers to room 'C7', which does not exist"]
    assert located(room) == (str(path), *pos(text, "rooms: [C1, C7]", at="C7"), "unknown-ref")
    software = found["licence cad refers to software set 'desgin', which does not exist"]
    assert located(software) == (str(path), *pos(text, "software_set: desgin", at="desgin"), "unknown-ref")
    assert software.hint == "did you mean 'design'?"


def test_an_exam_freeze_for_a_missing_room_is_reported(tmp_path: Path) -> None:
    calendar = """
    terms:
      - {name: Autumn, start: 2026-09-03, end: 2026-12-18}
    exam_freezes:
      - {name: Mocks, start: 2026-12-01, end: 2026-12-12, rooms: [C1, C9]}
    """
    path, text = write_school(tmp_path, calendar=calendar)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "rooms: [C1, C9]", at="C9"), "unknown-ref")


def test_a_room_without_a_site_in_a_school_with_two_sites_is_reported(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, sites="- {name: main}\n- {name: annexe}")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- name: C1", at="name"), "unknown-ref")
    assert finding.hint == "add site: one of main, annexe"


# --- duplicates -------------------------------------------------------------


def test_duplicate_hostname_is_reported_at_the_second_device(tmp_path: Path) -> None:
    rooms = ROOMS_WITH_TEACHER + (
        "    - {name: TST-C1-TCH01, role: teacher_pc, os: debian12, vlan: staff, ip: 10.9.10.22}\n"
    )
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "{name: TST-C1-TCH01", at="TST"), "duplicate")
    assert f"({path}:{pos(text, '- name: TST-C1-TCH01')[0]})" in finding.message


def test_hostnames_differing_only_in_case_are_duplicates(tmp_path: Path) -> None:
    rooms = ROOMS_WITH_TEACHER + "    - {name: tst-c1-tch01, role: teacher_pc, os: debian12, vlan: staff}\n"
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "{name: tst-c1-tch01", at="tst"), "duplicate")


def test_an_explicit_device_colliding_with_a_counted_pattern_is_reported_at_the_explicit_device(
    tmp_path: Path,
) -> None:
    rooms = DEFAULT_ROOMS + "    - {name: TST-C1-PC02, role: lab_pc, os: debian12}\n"
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "{name: TST-C1-PC02", at="TST"), "duplicate")
    assert "TST-C1-PC02" in finding.message
    assert f"{path}:{pos(text, 'count: 2')[0]}" in finding.message


def test_a_counted_pattern_colliding_with_an_earlier_explicit_device_is_reported_at_the_pattern(
    tmp_path: Path,
) -> None:
    rooms = """
    - name: C1
      kind: ict_suite
      devices:
        - {name: TST-C1-PC03, role: lab_pc, os: debian12}
        - count: 4
          role: lab_pc
          os: debian12
    """
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- count: 4", at="count"), "duplicate")
    assert "TST-C1-PC03" in finding.message


def test_two_counted_patterns_numbering_on_in_the_same_room_do_not_collide(tmp_path: Path) -> None:
    rooms = """
    - name: C1
      kind: ict_suite
      devices:
        - {count: 2, role: lab_pc, os: debian12}
        - {count: 2, role: lab_pc, os: windows11}
    """
    path, _ = write_school(tmp_path, rooms=rooms)
    assert run_check(path).findings == ()


def test_school_wide_names_number_on_across_rooms(tmp_path: Path) -> None:
    rooms = """
    - name: TROLLEY-A
      kind: device_pool
      devices:
        - {count: 3, role: student_laptop, os: ubuntu2404}
    - name: TROLLEY-B
      kind: device_pool
      devices:
        - {count: 3, role: student_laptop, os: ubuntu2404}
    """
    path, _ = write_school(tmp_path, rooms=rooms)
    result = run_check(path)
    assert result.findings == ()
    assert result.devices == 6


def test_a_counted_pattern_colliding_with_itself_via_first_is_reported_once(tmp_path: Path) -> None:
    rooms = """
    - name: C1
      kind: ict_suite
      devices:
        - {count: 5, role: lab_pc, os: debian12}
        - {count: 5, first: 3, role: lab_pc, os: debian12}
    """
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "{count: 5, first: 3", at="{"), "duplicate")
    assert "3 host names of this counted pattern (TST-C1-PC03 ... TST-C1-PC05)" in finding.message


def test_duplicate_mac_is_reported_at_the_second_device(tmp_path: Path) -> None:
    rooms = ROOMS_WITH_TEACHER + (
        "    - {name: TST-C2-TCH01, role: teacher_pc, os: debian12, vlan: staff, mac: 3C-52-82-1A-20-01}\n"
    )
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "mac: 3C-52", at="3C-52"), "duplicate")
    assert "MAC address 3c:52:82:1a:20:01 of TST-C2-TCH01 is already used by TST-C1-TCH01" in finding.message


def test_duplicate_mac_in_the_asset_records_of_a_pattern_is_reported_at_the_asset(tmp_path: Path) -> None:
    rooms = ROOMS_WITH_TEACHER.replace(
        "      ip_start: 10.9.16.51\n",
        "      ip_start: 10.9.16.51\n"
        "      assets:\n"
        "        - {mac: 3c:52:82:1a:20:02}\n"
        "        - {mac: 3c:52:82:1a:20:01}\n",
    )
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- {mac: 3c:52:82:1a:20:01}", at="3c"), "duplicate")
    assert "of TST-C2-PC02 is already used by TST-C1-TCH01" in finding.message


def test_duplicate_serial_is_reported_at_the_second_device(tmp_path: Path) -> None:
    rooms = (
        ROOMS_WITH_TEACHER + "    - {name: TST-C2-TCH01, role: teacher_pc, os: debian12, vlan: staff, serial: SER001}\n"
    )
    path, text = write_school(
        tmp_path,
        rooms=rooms,
        switches=switches().replace("platform: hp_procurve", "platform: hp_procurve\n  serial: SER001"),
    )
    findings = run_check(path).findings
    assert [located(f) for f in findings] == [
        (str(path), *pos(text, "serial: SER001", at="SER001", nth=2), "duplicate"),
        (str(path), *pos(text, "serial: SER001", at="SER001", nth=3), "duplicate"),
    ]


def test_duplicate_ip_is_reported_at_the_second_device(tmp_path: Path) -> None:
    rooms = (
        ROOMS_WITH_TEACHER + "    - {name: TST-C2-TCH01, role: teacher_pc, os: debian12, vlan: staff, ip: 10.9.10.21}\n"
    )
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "ip: 10.9.10.21", at="10.9", nth=2), "duplicate")
    assert finding.message == "TST-C2-TCH01: IP address 10.9.10.21 is also used by TST-C1-TCH01"


def test_an_explicit_ip_inside_a_pattern_range_is_a_duplicate(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS + "    - {name: TST-C1-PRN01, role: printer, ip: 10.9.16.12}\n"
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "ip: 10.9.16.12", at="10.9"), "duplicate")
    assert "also used by TST-C1-PC02" in finding.message


def test_a_switch_address_used_by_a_device_is_a_duplicate(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS + "    - {name: TST-SRV01, role: server, os: debian12, vlan: management, ip: 10.9.99.11}\n"
    path, text = write_school(
        tmp_path, rooms=rooms, switches=switches().replace("device: TST-C1-TCH01", "device: TST-SRV01")
    )
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "mgmt_ip: 10.9.99.11", at="10.9"), "duplicate")


def test_a_switch_port_assigned_twice_is_reported_at_the_second_assignment(tmp_path: Path) -> None:
    extra = "- {ports: '9-12', vlan: av}"
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, switches=switches(extra))
    result = run_check(path)
    assert [located(f) for f in result.findings] == [(str(path), *pos(text, extra, at="'9-12'"), "duplicate")] * 3
    assert [f.message for f in result.findings] == [
        "switch TST-SW1: port 10 is assigned twice (room C1 and VLAN av)",
        "switch TST-SW1: port 11 is assigned twice (device TST-C1-TCH01 and VLAN av)",
        "switch TST-SW1: port 9 is assigned twice (room C1 and VLAN av)",
    ]


def test_an_uplink_on_an_assigned_access_port_is_reported_at_the_uplink(tmp_path: Path) -> None:
    text = school_text(rooms=ROOMS_WITH_TEACHER, switches=switches().replace("port: 25, to", "port: 11, to"))
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "port: 11, to", at="11"), "duplicate")
    assert finding.message == "switch TST-SW1: port 11 is assigned twice (device TST-C1-TCH01 and an uplink)"


def test_a_port_beyond_the_switch_is_reported(tmp_path: Path) -> None:
    extra = "- {ports: 29, vlan: av}"
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, switches=switches(extra))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, extra, at="29"), "port")
    assert finding.message == "switch TST-SW1: port 29 does not exist (the switch has ports 1-28)"


def test_a_port_range_written_backwards_is_a_schema_error(tmp_path: Path) -> None:
    extra = "- {ports: 20-12, vlan: av}"
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, switches=switches(extra))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, extra, at="20-12"), "schema")
    assert "runs backwards" in finding.message


def test_a_room_declared_twice_is_reported_at_the_second(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS + "- {name: C1, kind: classroom}\n"
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- {name: C1", at="C1"), "duplicate")


def test_a_licence_declared_twice_is_reported_at_the_second_id(tmp_path: Path) -> None:
    licences = LICENCES + LICENCES.replace("rooms: [C1, C2]", "rooms: []")
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, licences=licences)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- id: cad", at="cad", nth=2), "duplicate")


# --- VLANs and addressing ---------------------------------------------------


@pytest.mark.parametrize("vlan_id", ["0", "4095", "-1"])
def test_vlan_id_outside_1_to_4094_is_a_schema_error_at_the_id(tmp_path: Path, vlan_id: str) -> None:
    vlans = f"therapy: {{id: {vlan_id}, subnet: 10.9.50.0/24}}"
    path, text = write_school(tmp_path, vlans=vlans)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "therapy:", at=vlan_id), "schema")
    assert finding.message.startswith("vlans.therapy.id: Input should be")


def test_a_new_vlan_without_an_id_is_reported(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, vlans="therapy: {subnet: 10.9.50.0/24}")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "therapy:", at="{"), "vlan")


def test_duplicate_vlan_id_is_reported_at_the_school_vlan_naming_the_other(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, vlans=DEFAULT_VLANS + "therapy: {id: 20, subnet: 10.9.50.0/24}")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "therapy:", at="20"), "duplicate")
    assert finding.message == "VLAN 'therapy' uses id 20, already used by VLAN 'students'"


def test_overlapping_subnets_are_reported_at_the_second_subnet(tmp_path: Path) -> None:
    vlans = DEFAULT_VLANS.replace("10.9.30.0/24, gateway: 10.9.30.1", "10.9.16.128/25, gateway: 10.9.16.129")
    path, text = write_school(tmp_path, vlans=vlans)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "guest:", at="10.9.16.128/25"), "subnet-overlap")
    assert finding.message == "subnet 10.9.16.128/25 of VLAN 'guest' overlaps 10.9.16.0/24 of VLAN 'students'"


def test_a_subnet_overlapping_a_wide_subnet_that_is_not_its_neighbour_is_reported(tmp_path: Path) -> None:
    # students 10.9.16.0/21 contains both guest and av; sorted, av is not next to students
    vlans = """
    staff: {subnet: 10.9.10.0/24}
    students: {subnet: 10.9.16.0/21}
    guest: {subnet: 10.9.17.0/24}
    av: {subnet: 10.9.18.0/24}
    management: {subnet: 10.9.99.0/24}
    """
    path, text = write_school(tmp_path, vlans=vlans, rooms="[]")
    result = run_check(path)
    assert [(f.line, f.code) for f in result.findings] == [
        (pos(text, "guest:")[0], "subnet-overlap"),
        (pos(text, "av:")[0], "subnet-overlap"),
    ]
    assert result.findings[1].message == "subnet 10.9.18.0/24 of VLAN 'av' overlaps 10.9.16.0/21 of VLAN 'students'"


def test_a_subnet_with_host_bits_set_is_a_schema_error_with_the_right_subnet(tmp_path: Path) -> None:
    vlans = DEFAULT_VLANS.replace("10.9.30.0/24", "10.9.30.7/24")
    path, text = write_school(tmp_path, vlans=vlans)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "guest:", at="10.9.30.7/24"), "schema")
    assert "the subnet is 10.9.30.0/24" in finding.message


def test_a_device_address_outside_its_vlan_subnet_is_reported(tmp_path: Path) -> None:
    rooms = ROOMS_WITH_TEACHER.replace("ip: 10.9.10.21", "ip: 10.9.16.21")
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "ip: 10.9.16.21", at="10.9"), "address")
    assert finding.message == (
        "TST-C1-TCH01: address 10.9.16.21 is outside subnet 10.9.10.0/24 of VLAN 'staff' (room C1)"
    )


def test_a_counted_pattern_running_past_its_subnet_is_reported_at_ip_start(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS.replace("count: 2", "count: 4").replace("10.9.16.11", "10.9.16.253")
    path, text = write_school(tmp_path, rooms=rooms)
    result = run_check(path)
    where = (str(path), *pos(text, "ip_start:", at="10.9"), "address")
    assert [located(f) for f in result.findings] == [where, where]
    assert sorted(f.message for f in result.findings) == [
        "TST-C1-PC03: 10.9.16.255 is the network or broadcast address of 10.9.16.0/24 (room C1)",
        "TST-C1-PC04: address 10.9.17.0 is outside subnet 10.9.16.0/24 of VLAN 'students' (room C1)",
    ]


@pytest.mark.parametrize("address", ["10.9.10.0", "10.9.10.255"])
def test_a_network_or_broadcast_address_is_reported(tmp_path: Path, address: str) -> None:
    rooms = ROOMS_WITH_TEACHER.replace("ip: 10.9.10.21", f"ip: {address}")
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, f"ip: {address}", at="10.9"), "address")
    assert finding.message == f"TST-C1-TCH01: {address} is the network or broadcast address of 10.9.10.0/24 (room C1)"


def test_a_gateway_outside_its_subnet_is_reported_at_the_gateway(tmp_path: Path) -> None:
    vlans = DEFAULT_VLANS.replace("gateway: 10.9.30.1", "gateway: 10.9.31.1")
    path, text = write_school(tmp_path, vlans=vlans)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "guest:", at="10.9.31.1"), "address")
    assert finding.message == "gateway 10.9.31.1 of VLAN 'guest' is outside its subnet 10.9.30.0/24"


def test_a_switch_management_address_outside_the_management_subnet_is_reported(tmp_path: Path) -> None:
    text = school_text(
        rooms=ROOMS_WITH_TEACHER, switches=switches().replace("mgmt_ip: 10.9.99.12", "mgmt_ip: 10.9.16.200")
    )
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "mgmt_ip: 10.9.16.200", at="10.9"), "address")
    assert finding.message == (
        "switch TST-SW2: management address 10.9.16.200 is outside subnet 10.9.99.0/24 of VLAN 'management'; a push "
        "would give the switch this address on the management VLAN, where nothing routes to it, cutting schooltech's "
        "session"
    )


def test_a_malformed_address_or_mac_is_a_schema_error(tmp_path: Path) -> None:
    rooms = ROOMS_WITH_TEACHER.replace("ip: 10.9.10.21", "ip: 10.9.10.321").replace(
        "mac: 3c:52:82:1a:20:01", "mac: 3c:52:82:1a:20"
    )
    path, text = write_school(tmp_path, rooms=rooms)
    findings = run_check(path).findings
    assert [located(f) for f in findings] == [
        (str(path), *pos(text, "ip: 10.9.10.321", at="10.9"), "schema"),
        (str(path), *pos(text, "mac: 3c:52:82:1a:20", at="3c"), "schema"),
    ]
    assert "is not an IPv4 address" in findings[0].message
    assert "not a MAC address" in findings[1].message


# --- switches ---------------------------------------------------------------


def test_unknown_switch_platform_is_reported_with_the_supported_ones(tmp_path: Path) -> None:
    text = school_text(
        rooms=ROOMS_WITH_TEACHER, switches=switches().replace("platform: hp_procurve", "platform: junos")
    )
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "platform: junos", at="junos"), "platform")
    assert finding.message == "switch TST-SW2: unknown platform 'junos'"
    assert finding.hint == "supported platforms: cisco_ios, hp_procurve"


def test_a_port_with_two_targets_is_a_schema_error(tmp_path: Path) -> None:
    extra = "- {ports: 12, room: C2, vlan: av}"
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, switches=switches(extra))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, extra, at="{"), "schema")
    assert "exactly one of room, device, vlan or access_point" in finding.message


def test_a_switch_building_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    text = school_text(
        rooms=ROOMS_WITH_TEACHER,
        sites="- {name: main, buildings: [A-block]}",
        switches=switches().replace("platform: hp_procurve", "platform: hp_procurve\n  building: B-blok"),
    )
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "building: B-blok", at="B-blok"), "unknown-ref")
    assert finding.message == "switch TST-SW2 refers to building 'B-blok', which does not exist"


# --- licences ---------------------------------------------------------------


def test_more_managed_devices_than_per_seat_licences_is_reported_at_seats(tmp_path: Path) -> None:
    # C1: 2 lab PCs + 1 teacher PC, C2: 2 lab PCs -> 5 managed devices
    licences = drop_lines(LICENCES.replace("seats: 10", "seats: 4"), "software_set:")
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, licences=licences)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "seats: 4", at="4"), "licence-seats")
    assert finding.message == "licence cad has 4 seats but 5 managed devices are assigned: C1 (3), C2 (2)"


def test_a_room_that_installs_the_licences_software_set_takes_seats_too(tmp_path: Path) -> None:
    # C1: 3 managed devices in the licence's rooms; C2 installs its software set: 2 more
    rooms = ROOMS_WITH_TEACHER.replace("- name: C2\n  kind: ict_suite\n",
                                       "- name: C2\n  kind: ict_suite\n  software_sets: [base, design]\n")  # fmt: skip
    licences = LICENCES.replace("seats: 10", "seats: 4").replace("[C1, C2]", "[C1]")
    path, text = write_school(tmp_path, rooms=rooms, licences=licences)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "seats: 4", at="4"), "licence-seats")
    assert finding.message == (
        "licence cad has 4 seats but 5 managed devices are assigned: C1 (3), C2 (2, installs design)"
    )


def test_unmanaged_devices_do_not_use_licence_seats(tmp_path: Path) -> None:
    rooms = ROOMS_WITH_TEACHER + "    - {count: 20, role: chromebook, os: chromeos}\n"
    licences = LICENCES.replace("seats: 10", "seats: 5")
    path, _ = write_school(tmp_path, rooms=rooms, licences=licences)
    assert run_check(path).findings == ()


def test_a_per_seat_licence_without_seats_is_a_schema_error(tmp_path: Path) -> None:
    licences = drop_lines(LICENCES, "seats:")
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, licences=licences)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- id: cad", at="id"), "schema")
    assert "a per_seat licence needs seats" in finding.message


def test_an_expired_licence_still_assigned_is_reported_at_expires(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, licences=LICENCES)
    finding = only(run_check(path, today=dt.date(2027, 9, 1)))
    assert located(finding) == (str(path), *pos(text, "expires: 2027-08-31", at="2027"), "licence-expired")
    assert finding.message == "licence cad expired on 2027-08-31 but is still assigned to C1, C2"


def test_an_expired_licence_without_rooms_is_fine(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, licences=LICENCES.replace("[C1, C2]", "[]"))
    assert run_check(path, today=dt.date(2027, 9, 1)).findings == ()


def test_a_licence_expiring_within_30_days_is_a_warning_not_an_error(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, licences=LICENCES)
    result = run_check(path, today=dt.date(2027, 8, 10))
    finding = only(result, severity="warning")
    assert located(finding) == (str(path), *pos(text, "expires: 2027-08-31", at="2027"), "licence-expiring")
    assert finding.message == "licence cad expires on 2027-08-31, in 21 days"
    assert result.errors == []
    assert run_check(path, today=dt.date(2027, 7, 31)).findings == (), "31 days ahead: no warning yet"


def test_a_licence_key_written_inline_is_rejected(tmp_path: Path) -> None:
    licences = LICENCES + "  key: ABCD-EFGH-1234\n"
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, licences=licences)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "key: ABCD", at="ABCD"), "schema")


# --- calendar ---------------------------------------------------------------

CALENDAR = """
terms:
  - {name: Autumn, start: 2026-09-03, end: 2026-12-18}
  - {name: Spring, start: 2027-01-05, end: 2027-03-26}
exam_freezes:
  - {name: Mocks, start: 2026-12-01, end: 2026-12-12}
lessons:
  days: [mon, tue, wed, thu, fri]
  periods:
    - {start: "08:40", end: "10:40"}
    - {start: "11:00", end: "13:00"}
"""


def calendar_finding(tmp_path: Path, old: str, new: str, **sections: str) -> tuple[object, str, Path]:
    calendar = CALENDAR.replace(old, new)
    assert calendar != CALENDAR
    path, text = write_school(tmp_path, calendar=calendar, **sections)
    return only(run_check(path)), text, path


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-02-30", "03/09/2026", "next monday"])
def test_a_calendar_date_that_does_not_parse_is_reported_at_the_date(tmp_path: Path, bad: str) -> None:
    finding, text, path = calendar_finding(tmp_path, "start: 2027-01-05", f"start: {bad}")
    assert located(finding) == (str(path), *pos(text, f"start: {bad}", at=bad), "schema")
    assert finding.message == f"calendar.terms[1].start: {bad!r} is not a date"
    assert finding.hint == "write dates as YYYY-MM-DD, e.g. 2026-09-03"


def test_a_term_ending_before_it_starts_is_reported_at_the_end(tmp_path: Path) -> None:
    finding, text, path = calendar_finding(tmp_path, "end: 2027-03-26", "end: 2026-03-26")
    assert located(finding) == (str(path), *pos(text, "end: 2026-03-26", at="2026-03-26"), "calendar")
    assert finding.message == "term 'Spring' ends (2026-03-26) before it starts (2027-01-05)"


def test_overlapping_terms_are_reported_at_the_later_start(tmp_path: Path) -> None:
    finding, text, path = calendar_finding(tmp_path, "start: 2027-01-05", "start: 2026-12-10")
    assert located(finding) == (str(path), *pos(text, "start: 2026-12-10", at="2026-12-10"), "calendar")
    assert finding.message == "term 'Spring' starts on 2026-12-10, before term 'Autumn' ends (2026-12-18)"


def test_an_exam_freeze_outside_every_term_is_reported_at_its_start(tmp_path: Path) -> None:
    finding, text, path = calendar_finding(tmp_path, "end: 2026-12-12", "end: 2026-12-22")
    assert located(finding) == (str(path), *pos(text, "{name: Mocks", at="2026-12-01"), "calendar")
    assert finding.message == "exam freeze 'Mocks' (2026-12-01 to 2026-12-22) is not inside any term"


def test_an_exam_freeze_ending_before_it_starts_is_reported_at_its_end(tmp_path: Path) -> None:
    finding, text, path = calendar_finding(tmp_path, "end: 2026-12-12", "end: 2026-11-12")
    assert located(finding) == (str(path), *pos(text, "{name: Mocks", at="2026-11-12"), "calendar")


def test_overlapping_lesson_periods_are_reported_at_the_later_start(tmp_path: Path) -> None:
    finding, text, path = calendar_finding(tmp_path, '{start: "11:00"', '{start: "10:30"')
    assert located(finding) == (str(path), *pos(text, '{start: "10:30"', at='"10:30"'), "calendar")
    assert finding.message == "lesson period 10:30-13:00 overlaps 08:40-10:40"


def test_a_lesson_period_ending_before_it_starts_is_reported_at_its_end(tmp_path: Path) -> None:
    finding, text, path = calendar_finding(tmp_path, 'end: "13:00"', 'end: "10:50"')
    assert located(finding) == (str(path), *pos(text, 'end: "10:50"', at='"10:50"'), "calendar")


@pytest.mark.parametrize("written", ["0830", "830", "8.5", "true", '"08:30Z"', '"08:30+01:00"', '"8:30"', '"25:00"'])
def test_a_time_that_is_not_a_quoted_local_hh_mm_is_a_schema_error(tmp_path: Path, written: str) -> None:
    finding, text, path = calendar_finding(tmp_path, '{start: "11:00"', f"{{start: {written}")
    assert located(finding) == (str(path), *pos(text, f"{{start: {written}", at=written), "schema")
    assert finding.message.startswith("calendar.lessons.periods[1].start: ")


def test_a_patch_window_overlapping_lessons_is_reported_at_the_window(tmp_path: Path) -> None:
    settings = 'patch:\n  window: {start: "12:30", end: "14:00"}'
    path, text = write_school(tmp_path, calendar=CALENDAR, settings=settings)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "window: {", at="{"), "calendar")
    assert finding.message == "patch window 12:30-14:00 overlaps lessons 11:00-13:00 on fri, mon, thu, tue, wed"


def test_a_patch_window_outside_lessons_is_fine(tmp_path: Path) -> None:
    settings = 'patch:\n  window: {start: "13:00", end: "14:00"}'
    path, _ = write_school(tmp_path, calendar=CALENDAR, settings=settings)
    assert run_check(path).findings == ()


def test_a_patch_window_on_days_without_lessons_is_fine(tmp_path: Path) -> None:
    settings = 'patch:\n  window: {days: [sat, sun], start: "09:00", end: "17:00"}'
    path, _ = write_school(tmp_path, calendar=CALENDAR, settings=settings)
    assert run_check(path).findings == ()


def test_a_room_patch_window_overlapping_lessons_is_reported_at_the_room(tmp_path: Path) -> None:
    # the room sets only the times; the days come from the profile
    rooms = DEFAULT_ROOMS + '  settings:\n    patch:\n      window: {start: "09:00", end: "10:00"}\n'
    path, text = write_school(tmp_path, calendar=CALENDAR, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "window: {", at="{"), "calendar")
    assert finding.message.startswith("patch window 09:00-10:00 overlaps lessons 08:40-10:40")


def test_a_device_patch_window_overlapping_lessons_is_reported_at_the_device(tmp_path: Path) -> None:
    rooms = ROOMS_WITH_TEACHER.replace(
        "      serial: SER001\n",
        '      serial: SER001\n      settings: {patch: {window: {start: "11:30", end: "12:00"}}}\n',
    )
    path, text = write_school(tmp_path, calendar=CALENDAR, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "window: {start", at="{start"), "calendar")


def test_a_patch_window_ending_before_it_starts_is_reported(tmp_path: Path) -> None:
    settings = 'patch:\n  window: {start: "22:00", end: "06:00"}'
    path, text = write_school(tmp_path, settings=settings)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "window: {", at="{"), "calendar")


# --- naming -----------------------------------------------------------------


def test_a_naming_pattern_producing_an_invalid_hostname_is_reported_at_the_pattern_name(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS.replace("- count: 2", '- count: 2\n      name: "{school}_{room}-PC{n:02}"')
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, 'name: "{school}_', at='"'), "naming")
    assert finding.message == "naming pattern '{school}_{room}-PC{n:02}' gives 'TST_C1-PC01', not a valid host name"


def test_a_naming_pattern_with_an_unknown_field_is_reported(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS.replace("- count: 2", '- count: 2\n      name: "{school}-{building}-{n}"')
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "{building}", at='"'), "naming")
    assert "gives 'no name'" in finding.message


def test_a_school_naming_convention_producing_an_invalid_hostname_is_reported_at_the_pattern(
    tmp_path: Path,
) -> None:
    # a room name may contain '.', a host name may not
    rooms = DEFAULT_ROOMS.replace("name: C1", "name: C.1")
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- count: 2", at="count"), "naming")
    assert "gives 'TST-C.1-PC01'" in finding.message


def test_a_naming_convention_with_characters_a_pattern_cannot_have_is_a_schema_error(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, naming='lab_pc: "{school} {room}"')
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "lab_pc: ", at='"'), "schema")
    assert "is not a naming pattern" in finding.message


# --- several schools checked together ----------------------------------------


def test_a_school_code_used_by_two_files_is_reported_at_the_second_code(tmp_path: Path) -> None:
    write_school(tmp_path / "a")
    text = school_text(rooms=DEFAULT_ROOMS.replace("C1", "C9"))
    second = write(tmp_path / "b", text)
    finding = only(run_check(tmp_path))
    assert located(finding) == (str(second), *pos(text, "code: TST", at="TST"), "duplicate")
    assert finding.message == f"school code TST is also used by {tmp_path / 'a' / 'tst.school.yml'}"


def test_a_mac_used_in_two_schools_is_reported_in_the_second_school(tmp_path: Path) -> None:
    first, first_text = write_school(tmp_path, "AAA", rooms=ROOMS_WITH_TEACHER)
    second, second_text = write_school(tmp_path, "BBB", rooms=ROOMS_WITH_TEACHER.replace("TST-", "BBB-"))
    result = run_check(tmp_path)
    assert [located(f) for f in result.findings] == [
        (str(second), *pos(second_text, "mac: 3c:52:82:1a:20:01", at="3c"), "duplicate"),
        (str(second), *pos(second_text, "serial: SER001", at="SER001"), "duplicate"),
    ]
    assert f"({first}:{pos(first_text, 'mac: 3c')[0]})" in result.findings[0].message


def test_the_same_host_name_in_two_schools_is_reported(tmp_path: Path) -> None:
    write_school(tmp_path, "AAA", rooms=drop_lines(ROOMS_WITH_TEACHER, "mac:", "serial:"))
    rooms = "- name: X\n  kind: office\n  devices:\n    - {name: TST-C1-TCH01, role: teacher_pc, os: debian12}\n"
    second, text = write_school(tmp_path, "BBB", rooms=rooms)
    finding = only(run_check(tmp_path))
    assert located(finding) == (str(second), *pos(text, "{name: TST-C1-TCH01", at="TST"), "duplicate")


def test_a_real_field_in_the_wrong_place_is_not_called_a_typo(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS.replace("os: debian12", "os: debian12\n      serial: AB12")
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "serial:"), "schema")
    assert finding.message == "rooms[0].devices[0]: field 'serial' is not allowed here"
    assert "did you mean" not in finding.hint


def test_a_port_range_running_off_the_switch_is_one_finding(tmp_path: Path) -> None:
    extra = "- {ports: 27-60, vlan: av}"
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, switches=switches(extra))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, extra, at="27-60"), "port")
    assert finding.message == "switch TST-SW1: ports 29 to 60 (32 ports) do not exist (the switch has ports 1-28)"


def test_a_port_range_beyond_any_switch_is_rejected_before_it_is_expanded(tmp_path: Path) -> None:
    extra = "- {ports: 1-99999999, vlan: av}"
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, switches=switches(extra))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, extra, at="1-99999999"), "schema")
    assert finding.message.endswith("port 99999999 is beyond any switch (at most 104 ports)")


def test_a_counted_pattern_running_past_the_last_ipv4_address_is_a_schema_error(tmp_path: Path) -> None:
    rooms = DEFAULT_ROOMS.replace("ip_start: 10.9.16.11", "ip_start: 255.255.255.255")
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- count: 2", at="count"), "schema")
    assert finding.message == "rooms[0].devices[0]: 2 devices from ip_start 255.255.255.255 run past 255.255.255.255"


def test_two_switches_with_the_same_name_are_reported_at_the_second(tmp_path: Path) -> None:
    renamed = switches().replace("name: TST-SW2", "name: TST-SW1").replace("to: TST-SW2", "to: TST-SW1")
    text = school_text(rooms=ROOMS_WITH_TEACHER, switches=renamed)
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- name: TST-SW1", at="TST", nth=2), "duplicate")
    assert f"({path}:{pos(text, '- name: TST-SW1')[0]})" in finding.message


def test_a_device_on_its_vlans_gateway_address_is_reported(tmp_path: Path) -> None:
    rooms = ROOMS_WITH_TEACHER.replace("ip: 10.9.10.21", "ip: 10.9.10.1")
    path, text = write_school(tmp_path, rooms=rooms)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "ip: 10.9.10.1", at="10.9"), "address")
    assert finding.message == "TST-C1-TCH01: 10.9.10.1 is the gateway of VLAN 'staff' (room C1)"


@pytest.mark.parametrize(
    ("address", "why"),
    [
        (
            "10.9.99.1",
            "the gateway of VLAN 'management'; a push would make the switch answer for the gateway, cutting every "
            "session through it",
        ),
        ("10.9.99.0", "the network or broadcast address of 10.9.99.0/24"),
    ],
)
def test_a_switch_management_address_that_is_not_a_host_address_is_reported(
    tmp_path: Path, address: str, why: str
) -> None:
    text = school_text(
        rooms=ROOMS_WITH_TEACHER, switches=switches().replace("mgmt_ip: 10.9.99.12", f"mgmt_ip: {address}")
    )
    path = write(tmp_path, text)
    finding = only(run_check(path))
    # TST-SW1's "mgmt_ip: 10.9.99.11" also contains "mgmt_ip: 10.9.99.1": find TST-SW2's line
    line, column = (
        pos(text, "mgmt_ip: 10.9.99.1", at="10.9", nth=2)
        if address.endswith(".1")
        else pos(text, f"mgmt_ip: {address}", at="10.9")
    )
    assert located(finding) == (str(path), line, column, "address")
    assert finding.message == f"switch TST-SW2: management {address} is {why}"


def test_a_room_listed_twice_in_a_licence_is_reported_at_the_second_mention(tmp_path: Path) -> None:
    licences = LICENCE_SECTION.replace("rooms: [C1]", "rooms: [C1, C2, C1]")
    path, text = write_school(tmp_path, rooms=ROOMS_WITH_TEACHER, licences=licences)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "rooms: [C1, C2, C1]", at="C1]"), "duplicate")
    assert finding.message == "licence cad lists room C1 twice"


def test_a_pinned_clock_decides_licence_expiry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = write_school(tmp_path, licences=LICENCE_SECTION)
    monkeypatch.setenv("SCHOOLTECH_NOW", "2027-09-01T09:00:00+01:00")
    assert [f.code for f in check(path).findings] == ["licence-expired"]
    monkeypatch.setenv("SCHOOLTECH_NOW", "2027-01-10T09:00:00+00:00")
    assert check(path).findings == ()
