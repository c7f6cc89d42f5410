"""Imaging rules: every PC a room's imaging profile reinstalls must be bootable and recognisable first."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import located, only, pos, run_check, write_school

IMAGED_ROOM = """
- name: C1
  kind: ict_suite
  imaging_profile: debian_lab
  devices:
    - count: 2
      role: lab_pc
      os: debian12
      model: Dell OptiPlex 7010
      ip_start: 10.9.16.11
      assets:
        - {mac: "02:00:00:00:16:11"}
        - {mac: "02:00:00:00:16:12"}
    - {name: TST-C1-TCH01, role: teacher_pc, os: debian12, ip: 10.9.16.10, mac: "02:00:00:00:16:10"}
    - {name: TST-C1-DSP01, role: display, ip: 10.9.16.9}
"""

BOOT_SERVERS = """
- {name: TST-PXE1, address: 10.9.16.5, vlans: [students]}
"""


def school(tmp_path: Path, rooms: str = IMAGED_ROOM, boot_servers: str | None = BOOT_SERVERS,
           **sections: str | None) -> tuple[Path, str]:  # fmt: skip
    return write_school(tmp_path, "TST", rooms=rooms, boot_servers=boot_servers, **sections)


def test_an_imaged_room_with_macs_and_a_boot_server_passes(tmp_path: Path) -> None:
    path, _ = school(tmp_path)
    assert not run_check(path).findings


def test_a_room_that_opts_out_of_its_kinds_profile_needs_neither_macs_nor_a_boot_server(tmp_path: Path) -> None:
    rooms = IMAGED_ROOM.replace("imaging_profile: debian_lab", "imaging_profile: null")
    rooms = rooms.replace('"02:00:00:00:16:10"', "null")
    path, _ = school(tmp_path, rooms=rooms, boot_servers=None, room_kinds="ict_suite: {imaging_profile: debian_lab}")
    assert not run_check(path).findings


def test_a_counted_pc_without_a_mac_is_reported_at_its_pattern(tmp_path: Path) -> None:
    path, text = school(tmp_path, rooms=IMAGED_ROOM.replace('        - {mac: "02:00:00:00:16:12"}\n', ""))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- count: 2", at="count"), "imaging")
    assert finding.message == "TST-C1-PC02 in room C1 (imaging profile debian_lab) has no MAC address"
    assert "assets:" in finding.hint


def test_a_pc_written_out_without_a_mac_is_reported_at_its_entry(tmp_path: Path) -> None:
    path, text = school(tmp_path, rooms=IMAGED_ROOM.replace(', mac: "02:00:00:00:16:10"', ""))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "TST-C1-TCH01", at="{"), "imaging")
    assert finding.message.startswith("TST-C1-TCH01 in room C1")


def test_a_display_in_an_imaged_room_needs_no_mac(tmp_path: Path) -> None:
    path, text = school(tmp_path)
    assert "TST-C1-DSP01" in text and not run_check(path).findings


def test_a_mac_used_twice_in_a_school_is_a_duplicate(tmp_path: Path) -> None:
    path, text = school(tmp_path, rooms=IMAGED_ROOM.replace("02:00:00:00:16:10", "02:00:00:00:16:12"))
    finding = only(run_check(path))
    assert located(finding)[1:] == (*pos(text, '"02:00:00:00:16:12"', nth=2), "duplicate")
    assert "MAC address 02:00:00:00:16:12" in finding.message


def test_a_windows_name_over_15_characters_is_reported_imaged_or_not(tmp_path: Path) -> None:
    rooms = """
    - name: OFFICE
      kind: office
      devices:
        - {name: TST-OFFICE-TCH01, role: teacher_pc, os: windows11}
    """
    path, text = school(tmp_path, rooms=rooms, boot_servers=None)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "TST-OFFICE-TCH01"), "naming")
    assert finding.message == (
        "TST-OFFICE-TCH01: Windows host name 'TST-OFFICE-TCH01' has 16 characters; Windows (NetBIOS) takes at most 15"
    )


def test_a_15_character_windows_name_and_a_long_linux_name_pass(tmp_path: Path) -> None:
    rooms = """
    - name: OFFICE
      kind: office
      devices:
        - {name: TST-OFFICE-TCH1, role: teacher_pc, os: windows11}
        - {name: TST-OFFICE-LINUX01, role: teacher_pc, os: debian12}
    """
    path, _ = school(tmp_path, rooms=rooms, boot_servers=None)
    assert not run_check(path).findings


def test_a_counted_pattern_of_long_windows_names_is_reported_once(tmp_path: Path) -> None:
    rooms = """
    - name: LANGUAGES
      kind: classroom
      devices:
        - {count: 3, role: lab_pc, os: windows10}
    """
    path, text = school(tmp_path, rooms=rooms, boot_servers=None)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "count: 3", at="{"), "naming")
    assert finding.message.startswith("3 PCs of this counted pattern (TST-LANGUAGES-PC01 ...)")


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        ("imaging_profile: debian_lab", "imaging_profile: debain_lab", "did you mean 'debian_lab'?"),
        ("imaging_profile: debian_lab", "imaging_profile: macos", "known imaging profiles: debian_lab, "),
    ],
    ids=["close", "far"],
)
def test_an_unknown_imaging_profile_is_reported_with_a_suggestion(
    tmp_path: Path, old: str, new: str, hint: str
) -> None:
    path, text = school(tmp_path, rooms=IMAGED_ROOM.replace(old, new))
    finding = only(run_check(path))
    name = new.split(": ")[1]
    assert located(finding) == (str(path), *pos(text, new, at=name), "unknown-ref")
    assert finding.message == f"room C1: unknown imaging profile {name!r}"
    assert finding.hint.startswith(hint)


def test_an_unknown_imaging_profile_of_a_room_kind_is_reported(tmp_path: Path) -> None:
    path, text = school(tmp_path, room_kinds="ict_suite: {imaging_profile: windows-lab}")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "windows-lab"), "unknown-ref")
    assert finding.hint == "did you mean 'windows_lab'?"


def test_an_imaged_room_whose_vlan_no_boot_server_serves_is_reported_at_its_profile(tmp_path: Path) -> None:
    path, text = school(tmp_path, boot_servers="- {name: TST-PXE1, address: 10.9.10.5, vlans: [staff]}")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "imaging_profile: debian_lab", at="debian_lab"), "imaging")
    assert finding.message == "room C1 is imaged (profile debian_lab) but no boot server serves its VLAN 'students'"


def test_a_room_imaged_through_its_kind_without_a_boot_server_is_reported_at_its_name(tmp_path: Path) -> None:
    rooms = IMAGED_ROOM.replace("  imaging_profile: debian_lab\n", "")
    path, text = school(tmp_path, rooms=rooms, boot_servers=None, room_kinds="ict_suite: {imaging_profile: debian_lab}")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- name: C1", at="C1"), "imaging")


def test_a_boot_server_on_another_site_does_not_serve_the_room(tmp_path: Path) -> None:
    rooms = IMAGED_ROOM.replace("  kind: ict_suite", "  kind: ict_suite\n  site: main")
    servers = "- {name: TST-PXE1, site: annexe, address: 10.9.16.5, vlans: [students]}"
    path, _ = school(tmp_path, rooms=rooms, boot_servers=servers, sites="- {name: main}\n- {name: annexe}")
    finding = only(run_check(path))
    assert finding.code == "imaging" and "no boot server on site main serves" in finding.message


def test_a_boot_server_outside_the_subnet_of_a_vlan_it_serves_is_reported(tmp_path: Path) -> None:
    servers = "- {name: TST-PXE1, address: 10.9.16.5, vlans: [students, staff]}"
    path, text = school(tmp_path, boot_servers=servers)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "TST-PXE1", at="10.9.16.5"), "address")
    assert finding.message == (
        "boot server TST-PXE1: address 10.9.16.5 is outside subnet 10.9.10.0/24 of VLAN 'staff', which it serves"
    )


def test_a_boot_server_on_its_vlans_gateway_is_reported(tmp_path: Path) -> None:
    path, _ = school(tmp_path, boot_servers="- {name: TST-PXE1, address: 10.9.16.1, vlans: [students]}")
    assert only(run_check(path)).code == "address"


@pytest.mark.parametrize(
    ("server", "at", "message"),
    [
        ("- {name: TST-PXE1, site: mian, address: 10.9.16.5, vlans: [students]}", "mian",
         "boot server TST-PXE1 refers to site 'mian', which does not exist"),
        ("- {name: TST-PXE1, address: 10.9.16.5, vlans: [studnets]}", "studnets",
         "boot server TST-PXE1 refers to VLAN 'studnets', which does not exist"),
    ],
    ids=["site", "vlan"],
)  # fmt: skip
def test_a_boot_server_naming_an_unknown_site_or_vlan_is_reported(
    tmp_path: Path, server: str, at: str, message: str
) -> None:
    path, text = school(tmp_path, boot_servers=server, sites="- {name: main}")
    findings = [f for f in run_check(path).findings if f.code == "unknown-ref"]
    assert [(located(f), f.message) for f in findings] == [((str(path), *pos(text, at), "unknown-ref"), message)]
    assert findings[0].hint.startswith("did you mean")


def test_two_boot_servers_on_one_vlan_are_reported(tmp_path: Path) -> None:
    servers = BOOT_SERVERS + "- {name: TST-PXE2, address: 10.9.16.6, vlans: [students]}"
    path, text = school(tmp_path, boot_servers=servers)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "TST-PXE2", at="students"), "duplicate")


def test_a_pc_whose_os_differs_from_its_rooms_profile_is_reported(tmp_path: Path) -> None:
    rooms = IMAGED_ROOM.replace("imaging_profile: debian_lab", "imaging_profile: ubuntu_lab")
    path, text = school(tmp_path, rooms=rooms)
    findings = list(run_check(path).findings)
    assert [located(f) for f in findings] == [
        (str(path), *pos(text, "os: debian12", at="debian12"), "imaging"),
        (str(path), *pos(text, "TST-C1-TCH01", at="debian12"), "imaging"),
    ]
    assert findings[0].message == (
        "2 PCs of this counted pattern (TST-C1-PC01 ...): imaging profile ubuntu_lab of room C1 installs ubuntu2404, "
        "but the inventory says debian12"
    )


def test_windows_11_on_a_bios_model_is_reported(tmp_path: Path) -> None:
    rooms = IMAGED_ROOM.replace("debian_lab", "windows_lab").replace("debian12", "windows11")
    path, text = school(tmp_path, rooms=rooms, models='"Dell OptiPlex 7010": {firmware: bios}')
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "model: Dell", at="Dell"), "imaging")
    assert "Windows 11 does not install on BIOS firmware" in finding.message


def test_an_imaged_pc_without_a_locale_is_reported(tmp_path: Path) -> None:
    path, _ = school(tmp_path, settings="locale: null")
    findings = list(run_check(path).findings)
    assert {f.code for f in findings} == {"imaging"} and len(findings) == 2
    assert findings[0].message == (
        "2 PCs of this counted pattern (TST-C1-PC01 ...) in room C1 (imaging profile debian_lab): "
        "no locale to install with"
    )


@pytest.mark.parametrize(
    ("section", "value", "message"),
    [
        ("settings", "locale: en_GB", "'en_GB' is not a locale"),
        ("settings", "locale: true", "expected text, found true"),
        ("settings", "keyboard: GB", "'GB' is not an XKB keyboard layout"),
        ("settings", "keyboard: 44", "expected text, found the number 44"),
        ("settings", "os_mirrors: {debian: 'http://x/debian?q=1'}", "is not a mirror URL"),
        ("imaging_profiles", "kiosk: {os: chromeos}", "chromeos cannot be installed over the network"),
        ("imaging_profiles", "kiosk: {os: debian12, disk_layout: zfs}", "'zfs' is not allowed"),
        ("models", "'HP 600': {firmware: bios, secure_boot: true}", "Secure Boot is a UEFI feature"),
        ("models", "'HP 600': {firmware: efi}", "'efi' is not allowed"),
        ("models", "'HP 600': {secure_boot: 'yes'}", "expected true or false, found the text 'yes'"),
    ],
)
def test_imaging_values_are_held_to_their_types(tmp_path: Path, section: str, value: str, message: str) -> None:
    path, _ = school(tmp_path, **{section: value})
    finding = only(run_check(path))
    assert finding.code == "schema" and message in finding.message, finding.text()
