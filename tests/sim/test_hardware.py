"""The simulated PCs' hardware identity: what each PC's firmware and NIC say (pure: no containers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from schooltech_fleet.sim.hardware import SIM_DMI_DIR, identity_for, volumes, write_tree


@pytest.mark.parametrize(("model", "vendor", "name", "version", "serial"), [
    ("Dell OptiPlex 7010 SFF", "Dell Inc.", "OptiPlex 7010 SFF", "", 7),
    ("Dell OptiPlex 3000 Micro", "Dell Inc.", "OptiPlex 3000 Micro", "", 7),
    ("Lenovo ThinkCentre M70q", "LENOVO", "11DT003QUK", "ThinkCentre M70q", 8),
    ("HP ProDesk 400 G7", "HP", "ProDesk 400 G7", "", 10),
])  # fmt: skip
def test_vendor_and_product_come_from_the_declared_model(model: str, vendor: str, name: str, version: str,
                                                         serial: int) -> None:  # fmt: skip
    identity = identity_for("DEMO-LAB1-PC01", model, None, None)
    assert (identity.sys_vendor, identity.product_name, identity.product_version) == (vendor, name, version)
    assert identity.bios_vendor == vendor and identity.bios_version and identity.bios_date
    assert len(identity.serial) == serial and identity.serial.isalnum()


def test_declared_serial_and_mac_win_and_made_up_ones_are_stable_and_distinct() -> None:
    declared = identity_for("PC01", "Dell OptiPlex 7010 SFF", "4XK7PW3", "52:54:00:90:20:65")
    assert (declared.serial, declared.mac) == ("4XK7PW3", "52:54:00:90:20:65")
    first, again, other = (identity_for(n, "Dell OptiPlex 7010 SFF", None, None) for n in ("PC01", "pc01", "PC02"))
    assert (first.serial, first.mac) == (again.serial, again.mac)
    assert first.serial != other.serial and first.mac != other.mac
    assert int(first.mac.split(":")[0], 16) & 0b10  # locally administered: never a real vendor's


def test_the_tree_is_laid_out_as_the_kernel_shows_it(tmp_path: Path) -> None:
    write_tree(tmp_path / "pc01", identity_for("PC01", "Lenovo ThinkCentre M70q", "PF3KX9ZA", "52:54:00:90:20:8d"))
    tree = tmp_path / "pc01"
    assert (tree / "dmi" / "product_serial").read_text() == "PF3KX9ZA\n"
    assert (tree / "dmi" / "product_serial").stat().st_mode & 0o777 == 0o400
    assert (tree / "dmi" / "product_version").read_text() == "ThinkCentre M70q\n"
    assert (tree / "net" / "eth0" / "address").read_text() == "52:54:00:90:20:8d\n"
    assert (tree / "net" / "lo" / "address").read_text() == "00:00:00:00:00:00\n"
    assert volumes(tree) == ((tree / "dmi", SIM_DMI_DIR), (tree / "net", "/sys/class/net"))
