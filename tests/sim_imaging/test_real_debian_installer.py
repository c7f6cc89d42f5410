"""Opt-in (``--slow-installer``): the real Debian 12 installer, booted over PXE, fetches the preseed the plan rendered.

The PCs are two of the demo school's Debian 12 PCs (the library's BIOS PC, a lab's UEFI PC) on a
segment with the school's addresses, so the iPXE script and the preseed are byte for byte what
``schooltech image plan`` renders for them; ``files/debian12/`` is Debian's
``debian-installer-12-netboot-amd64``. Each PC is woken, boots iPXE, the script, the real
kernel and initrd, and passes once d-i has fetched ``/answer/<token>``: a question asked
before that (language, network, host name, name server) leaves it waiting, and the test fails
after :data:`PRESEED_TIMEOUT` with the PC's DHCP exchanges, its requests and its serial
console's tail (d-i itself shows on the PC's screen). The PC is powered off right after the fetch.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest
from host_prerequisites import required

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.imaging.ipxe import script_path
from schooltech_fleet.imaging.plan import PlannedPc, plan_images
from schooltech_fleet.imaging.pxe_service import new_token
from schooltech_fleet.imaging.targets import imaging_targets
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.model import OperatingSystem
from schooltech_fleet.sim.imaging import real_installer
from schooltech_fleet.sim.imaging.lab import ImagingLab, LabConfig, LabPc
from schooltech_fleet.sim.imaging.school_lab import segment_addressing
from schooltech_fleet.sim.imaging.vm import Firmware, VmState

pytestmark = [pytest.mark.imaging, pytest.mark.slow_installer]

SCHOOL = "DEMO"
PCS = {Firmware.BIOS: "DEMO-LIB-PC01", Firmware.UEFI: "DEMO-LAB1-PC01"}
STUDENTS = IPv4Network("10.90.20.0/24")  # the PCs' VLAN, its gateway and boot server as the inventory has them
GATEWAY, BOOT_SERVER = IPv4Address("10.90.20.1"), IPv4Address("10.90.20.5")
PRESEED_TIMEOUT = 480.0  # a failure condition (d-i stuck at a question), not a measure of speed


@pytest.fixture(scope="module")
def planned(demo_inventory: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[Firmware, PlannedPc]:
    """The plan's script and preseed of each PC (the whole school's plan, with real one-shot tokens)."""
    key = tmp_path_factory.mktemp("admin-key") / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    fleet = load_fleet(demo_inventory)
    tokens = {target.mac: new_token() for target in imaging_targets(fleet, SCHOOL)}
    plan = plan_images(fleet, SCHOOL, admin_key=key.with_suffix(".pub").read_text().strip(), tokens=tokens)
    assert plan.valid, plan.findings
    by_name = {pc.target.name: pc for pc in plan.pcs}
    chosen = {firmware: by_name[name] for firmware, name in PCS.items()}
    for firmware, pc in chosen.items():
        assert (pc.target.os, pc.target.firmware) == (OperatingSystem.DEBIAN12, firmware.value)
    return chosen


@pytest.fixture(scope="module")
def installer_lab(planned: dict[Firmware, PlannedPc], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImagingLab]:
    media = required(real_installer.debian12_media)
    config = LabConfig(
        pcs=tuple(
            LabPc(pc.target.name.lower(), pc.target.mac, firmware, memory_mb=real_installer.MEMORY_MB)
            for firmware, pc in planned.items()
        ),
        addressing=segment_addressing(STUDENTS, GATEWAY, BOOT_SERVER),
        max_running=1,
        max_runtime=PRESEED_TIMEOUT + 60,
        media=(media,),
    )
    with ImagingLab(tmp_path_factory.mktemp("real-installer-lab"), config) as lab:
        yield lab


@pytest.mark.parametrize("firmware", [Firmware.BIOS, Firmware.UEFI], ids=["bios", "uefi"])
def test_the_real_debian_installer_fetches_the_preseed_the_plan_rendered(
    installer_lab: ImagingLab, planned: dict[Firmware, PlannedPc], firmware: Firmware
) -> None:
    pc = planned[firmware]
    mac = pc.target.mac
    assert pc.server_url == installer_lab.server_url, "the lab serves at the plan's boot server URL"
    installer_lab.served.open_token(pc.token, mac, pc.answer.text, answer_name=pc.answer.filename)
    installer_lab.served.write_script(mac, pc.script)

    installer_lab.wake(mac)
    try:
        fetched = installer_lab.wait_for_request("GET", f"/answer/{pc.token}", PRESEED_TIMEOUT)
    except SimulationError as exc:
        pytest.fail(f"{exc.message}\n{_what_the_pc_did(installer_lab, mac)}")
    finally:
        installer_lab.power_off(mac)

    from_pc = [(r.method, r.path, r.status) for r in installer_lab.http_requests() if r.client == fetched.client]
    media = "/files/debian12"
    answer = ("GET", f"/answer/{pc.token}", 200)
    assert from_pc[: from_pc.index(answer) + 1] == [
        ("GET", f"/{script_path(mac)}", 200),
        ("GET", f"{media}/linux", 200),
        ("GET", f"{media}/initrd.gz", 200),
        answer,
    ]
    assert fetched.bytes == len(pc.answer.text.encode())
    assert installer_lab.vm(mac).state is VmState.OFF
    woken = next(e["time"] for e in installer_lab.power_events() if (e["event"], e["mac"]) == ("wake", mac))
    print(f"{pc.target.name} ({firmware.value}): wake to GET /answer/<token> in {fetched.time - woken:.0f} s")


def _what_the_pc_did(lab: ImagingLab, mac: str) -> str:
    """The PC's DHCP exchanges, its HTTP requests and its serial console's tail, for a failure message."""
    dhcp = [line for line in lab.dnsmasq_log("router").splitlines() if mac in line.lower()]
    clients = {match[1] for line in dhcp if (match := re.search(r"DHCPACK\(\S+\) (\S+)", line))}
    requests = [f"{r.method} {r.path} {r.status}" for r in lab.http_requests() if r.client in clients]
    serial = lab.serial_log(mac).splitlines()
    return "\n".join(
        ["router DHCP:", *dhcp[-12:], "HTTP requests:", *requests, "serial console (tail):", *serial[-30:]]
    )
