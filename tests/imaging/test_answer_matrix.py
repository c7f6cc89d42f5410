"""Every OS x firmware x disk layout: rendered and passing its validator, or refused with a hint."""

from __future__ import annotations

import itertools
from xml.etree import ElementTree

import pytest
import yaml

from schooltech_fleet.errors import ImagingError
from schooltech_fleet.imaging.answers import AnswerFormat, render_answer, validate_answers
from schooltech_fleet.imaging.answers.request import ANSWER_OSES
from schooltech_fleet.inventory.model import OperatingSystem

from .conftest import KEY, TOKEN, request

COMBINATIONS = list(itertools.product(sorted(ANSWER_OSES), ("bios", "uefi"), ("single", "lvm")))
WINDOWS = (OperatingSystem.WINDOWS10, OperatingSystem.WINDOWS11)
UNSUPPORTED = {(os, firmware, "lvm") for os in WINDOWS for firmware in ("bios", "uefi")} | {
    (OperatingSystem.WINDOWS11, "bios", "single")
}


@pytest.mark.parametrize(("os", "firmware", "layout"), COMBINATIONS, ids=str)
def test_every_supported_combination_renders_a_file_that_passes_its_validator(
    os: OperatingSystem, firmware: str, layout: str
) -> None:
    if (os, firmware, layout) in UNSUPPORTED:
        with pytest.raises(ImagingError) as refused:
            request(os=os, firmware=firmware, disk_layout=layout)
        assert refused.value.hint
        return
    answer = render_answer(request(os=os, firmware=firmware, disk_layout=layout))
    assert validate_answers([answer]) == []
    assert answer.text.rstrip().count("callback/") == 1


def test_all_supported_files_validate_in_one_batch() -> None:
    answers = [
        render_answer(request(hostname=f"pc{index:02d}", os=os, firmware=firmware, disk_layout=layout))
        for index, (os, firmware, layout) in enumerate(COMBINATIONS)
        if (os, firmware, layout) not in UNSUPPORTED
    ]
    assert len(answers) == 15
    assert validate_answers(answers) == []


def test_preseed_callback_is_the_last_step_after_the_key() -> None:
    text = render_answer(request()).text
    (late,) = [line for line in text.splitlines() if "preseed/late_command" in line]
    steps = late.split(" string ", 1)[1].split("; ")
    assert steps[0] == "set -e"
    assert steps[-1].startswith("wget -q -O /dev/null --post-data installed http://10.77.0.2:8080/callback/")
    assert any(KEY in step and "authorized_keys" in step for step in steps)
    # no password: "*" matches none, and root cannot log in
    assert "d-i passwd/user-password-crypted password *\n" in text
    assert "d-i passwd/root-login boolean false\n" in text


def test_preseed_layouts_and_boot_loader_follow_the_request() -> None:
    lvm_bios = render_answer(request(disk_layout="lvm")).text
    single_uefi = render_answer(request(firmware="uefi")).text
    assert "d-i partman-auto/method string lvm" in lvm_bios
    assert "d-i grub-installer/bootdev string default" in lvm_bios
    assert "d-i partman-auto/method string regular" in single_uefi
    assert "grub-installer/bootdev" not in single_uefi
    assert "d-i grub-installer/force-efi-extra-removable boolean true" in single_uefi


def test_autoinstall_carries_key_layout_proxy_and_callback() -> None:
    answer = render_answer(
        request(os=OperatingSystem.UBUNTU2404, disk_layout="lvm", mirror="http://mirror.example/ubuntu")
    )
    assert answer.format is AnswerFormat.AUTOINSTALL
    config = yaml.safe_load(answer.text)["autoinstall"]
    assert config["storage"]["layout"]["name"] == "lvm"
    assert config["user-data"]["users"][0]["ssh_authorized_keys"] == [KEY]
    assert config["user-data"]["users"][0]["lock_passwd"] is True
    assert config["proxy"] == "http://proxy.lab1.school.example:3128"
    assert config["apt"]["primary"][0]["uri"] == "http://mirror.example/ubuntu"
    assert config["late-commands"][-1].startswith("curl -fsS -o /dev/null -X POST --data installed http://10.77.0.2")


def test_autounattend_partitions_per_firmware_and_windows_time_zone() -> None:
    ns = {"u": "urn:schemas-microsoft-com:unattend"}
    uefi = ElementTree.fromstring(render_answer(request(os=OperatingSystem.WINDOWS11, firmware="uefi")).text)
    bios = ElementTree.fromstring(render_answer(request(os=OperatingSystem.WINDOWS10, firmware="bios")).text)
    assert [t.text for t in uefi.iterfind(".//u:CreatePartition/u:Type", ns)] == ["EFI", "MSR", "Primary"]
    assert [t.text for t in bios.iterfind(".//u:CreatePartition/u:Type", ns)] == ["Primary", "Primary"]
    assert uefi.findtext(".//u:InstallTo/u:PartitionID", namespaces=ns) == "3"
    assert bios.findtext(".//u:InstallTo/u:PartitionID", namespaces=ns) == "2"
    assert uefi.findtext(".//u:ComputerName", namespaces=ns) == "lab1-pc01"
    assert uefi.findtext(".//u:TimeZone", namespaces=ns) == "GMT Standard Time"
    commands = [path.text or "" for path in uefi.iterfind(".//u:RunSynchronousCommand/u:Path", ns)]
    # SetupComplete.cmd's last line is the callback; redirections come first, so a key or token
    # ending in a digit cannot turn into "1>" (a handle redirection)
    assert commands[-1] == (
        r"cmd /c >>%WINDIR%\Setup\Scripts\SetupComplete.cmd echo "
        f"curl.exe -fsS -o NUL -X POST --data installed http://10.77.0.2:8080/callback/{TOKEN}"
    )
    assert rf"cmd /c >%ProgramData%\ssh\administrators_authorized_keys echo {KEY}" in commands


def test_a_time_zone_windows_cannot_name_is_refused() -> None:
    with pytest.raises(ImagingError, match="no Windows time zone"):
        render_answer(request(os=OperatingSystem.WINDOWS10, timezone="Antarctica/Troll"))


def test_a_long_windows_name_and_an_os_without_answer_files_are_refused() -> None:
    with pytest.raises(ImagingError, match="hostname"):
        request(os=OperatingSystem.WINDOWS11, firmware="uefi", hostname="lab1-pc01-abcdefg")
    with pytest.raises(ImagingError, match="os"):
        request(os=OperatingSystem.CHROMEOS)
