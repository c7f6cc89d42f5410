"""imaging_targets: the PCs a room's imaging profile reinstalls, with everything their install needs."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from inventory.helpers import REPO, TODAY, write_school

from schooltech_fleet.imaging.targets import BootServerRef, ImagingTarget, imaging_targets
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.fleet import Fleet, UnknownRoom, UnknownSchool
from schooltech_fleet.inventory.model import OperatingSystem

EXAMPLES = REPO / "inventories"


@pytest.fixture(scope="module")
def examples() -> Fleet:
    return load_fleet(EXAMPLES, today=TODAY)


def test_the_demo_school_images_its_eight_lab_pcs_room_by_room(examples: Fleet) -> None:
    targets = imaging_targets(examples, "DEMO")
    assert [t.name for t in targets] == [
        *(f"DEMO-LAB1-PC0{n}" for n in range(1, 5)), "DEMO-LAB2-PC01", "DEMO-LAB2-PC02",
        "DEMO-LIB-PC01", "DEMO-LIB-PC02",
    ]  # fmt: skip
    assert targets[0] == ImagingTarget(
        name="DEMO-LAB1-PC01",
        school="DEMO",
        mac="52:54:00:90:20:65",
        ip=ipaddress.IPv4Address("10.90.20.101"),
        room="LAB1",
        vlan="students",
        profile="debian_lab",
        os=OperatingSystem.DEBIAN12,
        disk_layout="lvm",
        firmware="uefi",
        secure_boot=True,
        locale="en_GB.UTF-8",
        keyboard="gb",
        timezone="Europe/London",
        admin_user="fleetadmin",
        proxy="http://10.90.99.3:3128",
        mirror=None,
        boot_server=BootServerRef("DEMO-PXE1", ipaddress.IPv4Address("10.90.20.5")),
    )


def test_a_room_takes_its_own_profile_and_each_model_its_firmware(examples: Fleet) -> None:
    library = imaging_targets(examples, "DEMO", "LIB")
    assert [(t.name, t.profile, t.disk_layout, t.firmware, t.secure_boot) for t in library] == [
        ("DEMO-LIB-PC01", "debian_kiosk", "single", "bios", False),
        ("DEMO-LIB-PC02", "debian_kiosk", "single", "bios", False),
    ]
    lab2 = imaging_targets(examples, "DEMO", "LAB2")
    assert {(t.firmware, t.secure_boot) for t in lab2} == {("uefi", False)}


def test_every_demo_target_has_its_own_mac_address_and_name(examples: Fleet) -> None:
    targets = imaging_targets(examples, "DEMO")
    for values in ([t.mac for t in targets], [t.ip for t in targets], [t.name.lower() for t in targets]):
        assert len(set(values)) == len(values) == 8


@pytest.mark.parametrize("code", ["RVS", "HZP", "OAK"])
def test_a_school_without_imaging_has_no_targets(examples: Fleet, code: str) -> None:
    assert imaging_targets(examples, code) == []


def test_an_unknown_school_or_room_is_refused_with_what_exists(examples: Fleet) -> None:
    with pytest.raises(UnknownSchool):
        imaging_targets(examples, "NOPE")
    with pytest.raises(UnknownRoom) as refused:
        imaging_targets(examples, "DEMO", "LAB3")
    assert refused.value.message == "school DEMO has no room 'LAB3'"
    assert refused.value.hint == "did you mean 'LAB2'?"


def test_a_room_without_pcs_to_image_is_known_and_empty(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, rooms=ROOMS, boot_servers=BOOT_SERVERS, settings=SETTINGS)
    fleet = load_fleet(path, today=TODAY)
    assert imaging_targets(fleet, "TST", "HALL") == []


ROOMS = """
- name: W1
  kind: ict_suite
  imaging_profile: windows_lab
  devices:
    - {name: TST-W1-PC01, role: lab_pc, os: windows11, model: HP Elite 600, ip: 10.9.16.11, mac: "02:00:00:00:16:11"}
    - {name: TST-W1-TCH01, role: teacher_pc, os: windows11, mac: "02:00:00:00:10:11", vlan: staff,
       settings: {keyboard: us}}
    - {name: TST-W1-SRV01, role: server, os: debian12, mac: "02:00:00:00:16:12"}
    - {name: TST-W1-DSP01, role: display, mac: "02:00:00:00:16:13"}
- name: U1
  kind: ict_suite
  imaging_profile: ubuntu_lab
  settings: {locale: cy_GB.UTF-8}
  devices:
    - {count: 1, role: lab_pc, os: ubuntu2404, assets: [{mac: "02:00:00:00:16:21"}]}
- name: HALL
  kind: hall
  devices:
    - {name: TST-HALL-PC01, role: lab_pc, os: debian12}
"""

BOOT_SERVERS = """
- {name: TST-PXE-STU, address: 10.9.16.5, vlans: [students]}
- {name: TST-PXE-STAFF, address: 10.9.10.5, vlans: [staff]}
"""

SETTINGS = """
os_mirrors: {debian: "http://10.9.99.10/debian", ubuntu: "http://10.9.99.10/ubuntu"}
"""


def test_targets_follow_the_layers_the_vlan_and_the_os(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, rooms=ROOMS, boot_servers=BOOT_SERVERS, settings=SETTINGS,
                           models='"HP Elite 600": {firmware: uefi, secure_boot: true}')  # fmt: skip
    fleet = load_fleet(path, today=TODAY)
    targets = {t.name: t for t in imaging_targets(fleet, "TST")}
    assert sorted(targets) == ["TST-U1-PC01", "TST-W1-PC01", "TST-W1-TCH01"]  # no server, display or HALL PC
    pc, teacher, ubuntu = targets["TST-W1-PC01"], targets["TST-W1-TCH01"], targets["TST-U1-PC01"]
    assert (pc.os, pc.firmware, pc.secure_boot, pc.mirror, pc.keyboard) == (
        OperatingSystem.WINDOWS11, "uefi", True, None, "gb")
    assert (teacher.vlan, teacher.boot_server.name, teacher.keyboard, teacher.ip, teacher.secure_boot) == (
        "staff", "TST-PXE-STAFF", "us", None, False)
    assert (ubuntu.os, ubuntu.locale, ubuntu.mirror, ubuntu.boot_server.name, ubuntu.proxy) == (
        OperatingSystem.UBUNTU2404, "cy_GB.UTF-8", "http://10.9.99.10/ubuntu", "TST-PXE-STU", None)
