"""The stand-in installer's pieces: the install marker on a disk, its initrd archive, its cached build."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from schooltech_fleet.sim.imaging import cpio, installer
from schooltech_fleet.sim.imaging.disk_marker import BOOT_CODE, TEXT_OFFSET, InstallMarker, marker_text, read_marker
from schooltech_fleet.sim.imaging.vm import create_disk

pytestmark = pytest.mark.imaging

TOKEN = "VQHEpgxu_8q4LsZV-rWmDiMk_wwBpuB2"
SHA = hashlib.sha256(b"answer\n").hexdigest()


def _write_sector(disk: Path, sector: bytes) -> None:
    with disk.open("r+b") as image:
        image.write(sector)


def _installer_sector(token: str = TOKEN, signature: bytes = b"\x55\xaa") -> bytes:
    """Sector 0 as the installer's /init assembles it (boot code, marker text, padding, signature)."""
    text = marker_text(token, SHA).encode()
    return (BOOT_CODE.ljust(TEXT_OFFSET, b"\0") + text).ljust(510, b"\0") + signature


def test_a_blank_disk_has_no_marker(tmp_path: Path) -> None:
    create_disk(tmp_path / "pc.img", size=1 << 20)
    assert read_marker(tmp_path / "pc.img") is None


def test_the_marker_names_the_token_and_the_answer_files_hash(tmp_path: Path) -> None:
    disk = tmp_path / "pc.img"
    create_disk(disk, size=1 << 20)
    _write_sector(disk, _installer_sector())
    assert read_marker(disk) == InstallMarker(token=TOKEN, answer_sha256=SHA)


@pytest.mark.parametrize(
    "sector",
    [
        pytest.param(_installer_sector(signature=b"\0\0"), id="no-boot-signature"),
        pytest.param(bytes(TEXT_OFFSET) + _installer_sector()[TEXT_OFFSET:], id="no-boot-code"),
        pytest.param(_installer_sector(token="bad token!"), id="malformed-text"),
    ],
)
def test_anything_but_the_installers_sector_is_no_marker(tmp_path: Path, sector: bytes) -> None:
    disk = tmp_path / "pc.img"
    create_disk(disk, size=1 << 20)
    _write_sector(disk, sector)
    assert read_marker(disk) is None


def test_the_boot_code_fits_before_the_marker_text() -> None:
    assert len(BOOT_CODE) < TEXT_OFFSET


def test_the_initrd_archive_is_what_the_kernel_and_busybox_cpio_read(tmp_path: Path) -> None:
    data = _sample_archive()
    listing = _cpio(["-t", "-v"], data, tmp_path)
    assert [line.split()[0] for line in listing.splitlines() if line.strip() and "blocks" not in line] == [
        "drwxr-xr-x",
        "crw-------",
        "-rwxr-xr-x",
    ]
    assert _cpio(["-i", "--to-stdout", "init"], data, tmp_path) == "#!/bin/busybox sh\necho hello\n"
    assert data == _sample_archive(), "no times, owners or inode numbers of the build host"


def test_the_cached_installer_holds_init_busybox_and_the_vms_drivers(tmp_path: Path) -> None:
    built = installer.ensure_installer()
    names = _cpio(["-t"], gzip.decompress(built.initrd.read_bytes()), tmp_path).split()
    assert {"init", "bin/busybox", "dev/console", "lib/schooltech/modules"} <= set(names)
    for module in installer.MODULES + installer.UEFI_MODULES:
        assert f"lib/modules/{module}.ko" in names
    assert built.kernel.read_bytes()[0x202:0x206] == b"HdrS", "a bzImage kernel"
    assert installer.ensure_installer() == built, "built once, then taken from the cache"


def test_the_cache_key_follows_the_recipe() -> None:
    recipe = installer.Recipe(kernel_package="linux-image-6.1.0-99-amd64", kernel_version="6.1.1-1", busybox_sha256=SHA)
    assert recipe.tag == replace(recipe).tag
    assert recipe.tag != replace(recipe, init_script=recipe.init_script + "\n").tag
    assert recipe.tag != replace(recipe, kernel_version="6.1.1-2").tag


def _sample_archive() -> bytes:
    archive = cpio.Archive()
    archive.directory("dev")
    archive.device("dev/console", major=5, minor=1)
    archive.file("init", b"#!/bin/busybox sh\necho hello\n", mode=0o755)
    return archive.close()


def _cpio(args: list[str], data: bytes, cwd: Path) -> str:
    result = subprocess.run(["busybox", "cpio", *args], input=data, capture_output=True, cwd=cwd, check=True)
    return result.stdout.decode()
