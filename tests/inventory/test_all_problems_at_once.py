"""One run reports every problem: a technician fixes a file once, not once per mistake."""

from __future__ import annotations

from pathlib import Path

from .helpers import located, pos, run_check, write, write_school


def test_every_schema_mistake_of_a_file_is_reported_in_one_run(tmp_path: Path) -> None:
    rooms = """
    - name: C1
      titel: Computing 1
      kind: ict_suite
      devices:
        - count: 2
          role: lab_pc
          os: debian13
          purchased: 2024-02-30
        - name: TST-C1-TCH01
          role: teacher_pc
          ip: 10.9.10.300
          mac: 3c:52:82
    """
    switches = """
    - name: TST-SW1
      platform: cisco_ios
      mgmt_ip: 10.9.99.11
      ports:
        - {ports: 1-2, room: C1, description: "lab\\nno vlan 20"}
    """
    path, text = write_school(tmp_path, rooms=rooms, switches=switches)
    found = [located(f) for f in run_check(path).findings]
    assert found == [
        (str(path), *pos(text, "titel:"), "schema"),
        (str(path), *pos(text, "os: debian13", at="debian13"), "schema"),
        (str(path), *pos(text, "purchased:", at="2024"), "schema"),
        (str(path), *pos(text, "ip: 10.9.10.300", at="10.9"), "schema"),
        (str(path), *pos(text, "mac: 3c:52:82", at="3c"), "schema"),
        (str(path), *pos(text, "description:", at='"lab'), "schema"),
    ]


def test_every_cross_reference_mistake_of_a_file_is_reported_in_one_run(tmp_path: Path) -> None:
    vlans = """
    staff: {subnet: 10.9.10.0/24, gateway: 10.9.11.1}
    students: {subnet: 10.9.16.0/24}
    guest: {subnet: 10.9.16.0/25}
    management: {subnet: 10.9.99.0/24}
    """
    rooms = """
    - name: C1
      kind: ict_suit
      vlan: students
      devices:
        - {count: 2, role: lab_pc, os: debian12, ip_start: 10.9.16.11}
        - {name: TST-C1-PC02, role: teacher_pc, os: debian12, vlan: staf}
    """
    switches = """
    - name: TST-SW1
      platform: junos
      mgmt_ip: 10.9.98.11
      access_ports: 8
      uplink_ports: 0
      ports:
        - {ports: 1-9, room: C1}
    """
    licences = """
    - {id: cad, product: CAD, type: per_seat, seats: 1, rooms: [C1], expires: 2026-01-31}
    """
    calendar = """
    terms:
      - {name: Autumn, start: 2026-09-03, end: 2026-08-18}
    lessons:
      periods:
        - {start: "09:00", end: "10:00"}
        - {start: "09:30", end: "10:30"}
    """
    path, text = write_school(
        tmp_path, vlans=vlans, rooms=rooms, switches=switches, licences=licences, calendar=calendar
    )
    found = {(f.line, f.code) for f in run_check(path).findings}
    expected = {
        (pos(text, "staff:")[0], "address"),  # gateway outside its subnet
        (pos(text, "guest:")[0], "subnet-overlap"),
        (pos(text, "kind: ict_suit")[0], "unknown-ref"),
        (pos(text, "vlan: staf")[0], "unknown-ref"),
        (pos(text, "{name: TST-C1-PC02")[0], "duplicate"),  # host name of the pattern
        (pos(text, "management:")[0], "lockout"),  # no gateway: a push would remove the switches' route back
        (pos(text, "switches:")[0], "lockout"),  # no uplink leads to the router
        (pos(text, "platform: junos")[0], "platform"),
        (pos(text, "mgmt_ip:")[0], "address"),  # outside the management subnet
        (pos(text, "{ports: 1-9")[0], "port"),
        (pos(text, "{id: cad")[0], "licence-seats"),
        (pos(text, "{id: cad")[0], "licence-expired"),
        (pos(text, "{name: Autumn")[0], "calendar"),
        (pos(text, '{start: "09:30"')[0], "calendar"),
    }
    assert found == expected


def test_every_file_of_a_directory_is_reported_in_one_run(tmp_path: Path) -> None:
    broken_yaml = write(tmp_path / "a", "schooltech: 1\nschool: [\n", "aaa.school.yml")
    _, _ = write_school(tmp_path / "b", "BBB")
    bad_kind, _ = write_school(tmp_path / "c", "CCC", rooms="- {name: C1, kind: nope}")
    result = run_check(tmp_path)
    assert result.schools == 2
    assert [(f.file, f.code) for f in result.findings] == [
        (str(broken_yaml), "yaml"),
        (str(bad_kind), "unknown-ref"),
    ]
