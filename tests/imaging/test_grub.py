"""GRUB entries of Secure Boot PCs: kernel and initrd over TFTP from the boot server, the answer by token."""

from __future__ import annotations

from pathlib import Path

import pytest
from inventory.helpers import REPO

from schooltech_fleet.errors import ImagingError
from schooltech_fleet.imaging import grub
from schooltech_fleet.inventory.model import OperatingSystem

from .conftest import SERVER, TOKEN

GRUB_CFG = REPO / "roles" / "pxe_server" / "templates" / "grub.cfg.j2"


def test_the_entry_is_named_as_grub_spells_the_mac() -> None:
    assert grub.grub_mac("52-54-00-AB-CD-EF") == "52:54:00:ab:cd:ef"
    assert grub.grub_entry_name("52:54:00:AB:CD:EF") == "grub/52:54:00:ab:cd:ef.cfg"
    with pytest.raises(ImagingError):
        grub.grub_entry_name("52:54:00:ab:cd")


def test_the_role_s_grub_cfg_sources_the_entry_by_that_name() -> None:
    assert "source $prefix/${net_default_mac}.cfg" in GRUB_CFG.read_text(encoding="utf-8")


def test_a_debian_entry_loads_the_netboot_installer_over_tftp_and_passes_the_answer_url() -> None:
    entry = grub.install_entry(SERVER, OperatingSystem.DEBIAN12, TOKEN, "lab1-pc01")
    lines = entry.splitlines()
    assert lines[1] == (
        "linux (tftp,10.77.0.2)/files/debian12/linux auto=true priority=critical "
        f"url={SERVER}/answer/{TOKEN} netcfg/choose_interface=auto --- quiet"
    )
    assert lines[2] == "initrd (tftp,10.77.0.2)/files/debian12/initrd.gz"
    assert lines[3:] == [
        "boot",
        'echo "schooltech: the installer could not be started: booting from the local disk"',
        "sleep 10",
        "exit",
    ], "a failed load or boot goes back to the firmware: no loop"
    assert grub.check_entry("e.cfg", entry, SERVER) == []


@pytest.mark.parametrize("os", sorted(set(OperatingSystem) - grub.SIGNED_BY_DEBIAN), ids=str)
def test_an_installer_debian_s_shim_would_refuse_is_refused_before_anything_boots(os: OperatingSystem) -> None:
    with pytest.raises(ImagingError, match="not signed by Debian"):
        grub.install_entry(SERVER, os, TOKEN, "lab1-pc01")


def test_the_local_boot_entry_returns_to_the_firmware_and_passes_the_check() -> None:
    assert grub.LOCAL_BOOT_ENTRY.splitlines()[-1] == "exit"
    assert grub.check_entry("local.cfg", grub.LOCAL_BOOT_ENTRY, SERVER) == []


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("insmod http", "unknown GRUB command 'insmod'"),
        ("linux (http,10.77.0.2)/files/debian12/linux", "(http,10.77.0.2) is not the boot server's TFTP"),
        ("linux (tftp,10.9.9.9)/files/debian12/linux", "(tftp,10.9.9.9) is not the boot server's TFTP"),
        ("linux (tftp,10.77.0.2)/x url=http://10.9.9.9:8080/answer/t", "is not on the boot server"),
        ("linux (tftp,10.77.0.2)/x url=$answer", "unexpected GRUB variable $answer"),
    ],
)
def test_the_checker_refuses_what_the_entries_never_hold(line: str, problem: str) -> None:
    findings = grub.check_entry("e.cfg", f"echo hi\n{line}\n", SERVER)
    assert [(finding.line, problem in finding.problem) for finding in findings] == [(2, True)]


@pytest.mark.parametrize(
    ("kernel", "arguments"),
    [("files/../etc/shadow", ""), ("files/linux", "url=x;reboot"), ("files/linux", "a=$x"), ("files/linux", 'a="b"')],
)
def test_paths_and_arguments_grub_would_interpret_are_refused(kernel: str, arguments: str) -> None:
    with pytest.raises(ImagingError):
        grub.boot_entry("10.77.0.2", "t", kernel, ("files/initrd.gz",), arguments)


def test_the_signed_network_grub_has_tftp_but_no_http() -> None:
    """What the entries rely on, read from Debian's signed image (grub-efi-amd64-signed)."""
    modules = grub_modules(Path("/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed"))
    assert {"tftp", "efinet", "linux", "linuxefi", "echo", "sleep", "normal"} <= modules
    assert "http" not in modules, "no HTTP: kernel and initrd must come over TFTP"


def grub_modules(image: Path) -> set[str]:
    """The names of the GRUB modules built into *image* (each ELF object's ``.modname`` section)."""
    data = image.read_bytes()
    names = set()
    start = data.find(b"\x7fELF")
    while start != -1:
        names |= _modname(data, start)
        start = data.find(b"\x7fELF", start + 4)
    return names


def _modname(data: bytes, start: int) -> set[str]:
    def number(offset: int, size: int) -> int:
        return int.from_bytes(data[start + offset : start + offset + size], "little")

    if data[start + 4] != 2:  # ELF64 only (GRUB's x86_64 modules)
        return set()
    table, size, count, names_index = number(0x28, 8), number(0x3A, 2), number(0x3C, 2), number(0x3E, 2)
    if not 0 < count < 64 or size != 64:
        return set()
    headers = [table + index * size for index in range(count)]
    names_at = number(headers[names_index] + 0x18, 8)
    for header in headers:
        name_at = start + names_at + number(header, 4)
        if data[name_at : data.find(b"\0", name_at)] == b".modname":
            value_at = start + number(header + 0x18, 8)
            return {data[value_at : data.find(b"\0", value_at)].decode()}
    return set()
