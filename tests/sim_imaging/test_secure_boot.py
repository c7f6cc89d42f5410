"""A Secure Boot PC on the lab's segment: OVMF enforcing Secure Boot with Microsoft's keys.

Wake-on-LAN -> proxy DHCP gives shim (not iPXE) -> shim loads the signed GRUB -> GRUB reads
grub/grub.cfg and the PC's grub/<mac>.cfg over TFTP -> Debian's signed kernel, checked by
shim -> the answer file by token -> the callback, which reports Secure Boot on -> the entry
is closed: the next network boot goes back to the firmware and installs nothing.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator

import pytest
from host_prerequisites import required

from schooltech_fleet.imaging.grub import LOCAL_BOOT_ENTRY
from schooltech_fleet.sim.imaging.disk_marker import InstallMarker
from schooltech_fleet.sim.imaging.lab import ImagingLab, LabConfig, LabPc
from schooltech_fleet.sim.imaging.vm import Firmware, VmState
from schooltech_fleet.sim.prereqs import check_imaging_prerequisites

pytestmark = pytest.mark.imaging

PC = LabPc("lab1-sb01", "52:54:00:77:00:0b", firmware=Firmware.UEFI_SECURE_BOOT)
LOCAL_BOOT_LINE = "schooltech: nothing to install for 52:54:00:77:00:0b: booting from the local disk"
INSTALL_TIMEOUT = 240.0  # shim, GRUB and the kernel over TFTP under TCG: about 30 s here


@pytest.fixture(scope="module")
def secure_boot_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImagingLab]:
    required(check_imaging_prerequisites)
    with ImagingLab(tmp_path_factory.mktemp("secure-boot-lab"), LabConfig(pcs=(PC,), max_running=1)) as lab:
        yield lab


def _plain(text: str) -> str:
    """The serial log without carriage returns and the firmware's terminal escapes."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text.replace("\r", ""))


def test_a_secure_boot_pc_installs_through_shim_and_grub_and_then_boots_its_disk(
    secure_boot_lab: ImagingLab,
) -> None:
    lab = secure_boot_lab
    answer = f"d-i netcfg/get_hostname string {PC.name}\n"
    token = lab.prepare_install(PC.mac, answer)
    entry = lab.served.grub_entry_path(PC.mac)
    assert entry.name == "52:54:00:77:00:0b.cfg"

    lab.wake(PC.mac)
    callback = lab.wait_for_callback(token, timeout=INSTALL_TIMEOUT)
    first = lab.wait_for_state(PC.mac, VmState.OFF, timeout=60)

    sha = hashlib.sha256(answer.encode()).hexdigest()
    assert lab.installed(PC.mac) == InstallMarker(token=token, answer_sha256=sha)
    assert "secure-boot=on" in callback.body, "the installer read SecureBoot=1 from efivarfs"
    assert (first.exit_code, first.timed_out) == (0, False)
    boot_log = lab.dnsmasq_log("boot")
    for served in ("bootx64.efi", "grubx64.efi", "grub/grub.cfg", "grub/52:54:00:77:00:0b.cfg",
                   "files/standin/vmlinuz", "files/standin/initrd.gz"):  # fmt: skip
        assert f"sent {lab.tftp_root / served} to {callback.client}" in boot_log, served
    assert f"sent {lab.tftp_root / 'ipxe.efi'}" not in boot_log, "no unsigned iPXE for a Secure Boot PC"
    assert "SecureBoot variable: 6 0 0 0 1; Secure Boot on" in _plain(lab.serial_log(PC.mac))
    assert entry.read_text(encoding="utf-8") == LOCAL_BOOT_ENTRY, "the callback closed the entry"

    # woken again, GRUB finds the closed entry and goes back to the firmware, which has no
    # installed system to boot here (the disk holds only the marker): the VM stays on, unused
    since = time.time()
    lab.wake(PC.mac)
    lab.wait_for_state(PC.mac, VmState.RUNNING, timeout=30, boots=first.boots + 1)
    deadline = time.monotonic() + INSTALL_TIMEOUT
    while LOCAL_BOOT_LINE not in _plain(lab.serial_log(PC.mac)) and time.monotonic() < deadline:
        time.sleep(0.5)

    assert LOCAL_BOOT_LINE in _plain(lab.serial_log(PC.mac)), "GRUB read the closed entry"
    assert [request.path for request in lab.http_requests() if request.time >= since] == [], "no answer fetched"
    assert [found.token for found in lab.callbacks()].count(token) == 1
