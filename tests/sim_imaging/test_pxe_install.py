"""The whole path on the lab's segment, with real packets and real VMs.

Wake-on-LAN -> proxy DHCP beside the router -> iPXE -> the PC's script by absolute URL ->
kernel and initrd -> the answer file by one-shot token -> the marker on the disk -> the
callback -> the script flips to local boot -> the next wake boots the disk, no reinstall.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import pytest

from schooltech_fleet.imaging.ipxe import LOCAL_BOOT_SCRIPT
from schooltech_fleet.sim.imaging.disk_marker import INSTALLED_SYSTEM_EXIT, MAGIC, InstallMarker
from schooltech_fleet.sim.imaging.dnsmasq import BIOS_LOADER, UEFI_LOADER
from schooltech_fleet.sim.imaging.lab import ImagingLab
from schooltech_fleet.sim.imaging.vm import Firmware, VmState

pytestmark = pytest.mark.imaging

INSTALL_TIMEOUT = 240.0  # one TCG boot to the callback takes about 20 s here


def _answer(name: str) -> str:
    return f"d-i netcfg/get_hostname string {name}\nd-i time/zone string Europe/London\n"


def _eventually(probe: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := probe()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return result


def test_the_segment_offers_ipxe_by_architecture_and_ipxe_its_script(imaging_lab: ImagingLab) -> None:
    boot_server, router = str(imaging_lab.boot_server), str(imaging_lab.config.addressing.router)
    for arch, loader in ((0, "undionly.kpxe"), (7, "ipxe.efi"), (9, "ipxe.efi")):
        offers = {offer.server: offer for offer in imaging_lab.dhcp_offers(arch=arch)}
        assert set(offers) == {boot_server, router}, f"arch {arch}: both servers answer"
        proxy = offers[boot_server]
        assert (proxy.address, proxy.vendor_class) == ("0.0.0.0", "PXEClient"), "proxy-DHCP leases nothing"
        assert (proxy.boot_file, proxy.next_server, proxy.via_port_4011) == (loader, boot_server, True)
        lease = offers[router]
        assert lease.address in [str(host) for host in imaging_lab.config.addressing.subnet.hosts()]
        assert lease.boot_file == "", "the school router knows nothing of PXE"

    (ipxe,) = [offer for offer in imaging_lab.dhcp_offers(user_class="iPXE") if offer.server == boot_server]
    assert ipxe.boot_file == f"{imaging_lab.server_url}/boot/${{mac:hexhyp}}.ipxe"
    assert (ipxe.next_server, ipxe.via_port_4011) == (boot_server, False)

    assert imaging_lab.tftp_get("undionly.kpxe") == BIOS_LOADER.read_bytes()


def test_a_woken_pc_installs_once_calls_back_and_then_boots_its_disk(imaging_lab: ImagingLab) -> None:
    pc = imaging_lab.config.pcs[0]
    answer = _answer(pc.name)
    token = imaging_lab.prepare_install(pc.mac, answer)
    since = time.time()

    imaging_lab.wake(pc.mac)
    imaging_lab.wait_for_state(pc.mac, VmState.RUNNING, timeout=30)
    imaging_lab.wake(pc.mac)  # a retried wave: the PC is on already, nothing starts twice
    callback = imaging_lab.wait_for_callback(token, timeout=INSTALL_TIMEOUT)
    first = imaging_lab.wait_for_state(pc.mac, VmState.OFF, timeout=60)

    sha = hashlib.sha256(answer.encode()).hexdigest()
    assert imaging_lab.installed(pc.mac) == InstallMarker(token=token, answer_sha256=sha)
    assert callback.mac == pc.mac and f"answer-sha256={sha}" in callback.body
    assert first.exit_code == 0 and not first.timed_out, "the installer powered off by itself"
    requests = [
        (request.method, request.path, request.status)
        for request in imaging_lab.http_requests()
        if request.time >= since and request.client == callback.client
    ]
    assert requests == [
        ("GET", "/boot/52-54-00-77-00-01.ipxe", 200),
        ("GET", "/files/standin/vmlinuz", 200),
        ("GET", "/files/standin/initrd.gz", 200),
        ("GET", f"/answer/{token}", 200),
        ("POST", f"/callback/{token}", 200),
    ]
    events = [(event["event"], event["mac"]) for event in imaging_lab.power_events() if event["time"] >= since]
    assert events == [("wake", pc.mac), ("power-on", pc.mac), ("already-on", pc.mac), ("power-off", pc.mac)]
    boot_log = imaging_lab.dnsmasq_log("boot")
    assert f"PXE(eth0) {pc.mac} proxy" in boot_log and "user class: iPXE" in boot_log
    assert f"DHCPACK(eth0) {callback.client} {pc.mac}" in imaging_lab.dnsmasq_log("router")
    assert imaging_lab.served.script_path(pc.mac).read_text(encoding="utf-8") == LOCAL_BOOT_SCRIPT

    since = time.time()
    imaging_lab.wake(pc.mac)
    second = imaging_lab.wait_for_state(pc.mac, VmState.OFF, timeout=INSTALL_TIMEOUT, boots=first.boots + 1)

    assert second.exit_code == INSTALLED_SYSTEM_EXIT, "the disk's boot code ended the VM: the local system ran"
    later = [request.path for request in imaging_lab.http_requests() if request.time >= since]
    assert later == ["/boot/52-54-00-77-00-01.ipxe"], "a script, no kernel, no answer: nothing installed again"
    assert imaging_lab.serial_log(pc.mac).rstrip().endswith(f"{MAGIC} token={token} answer-sha256={sha}")
    assert [found.token for found in imaging_lab.callbacks()].count(token) == 1


def test_a_uefi_pc_fetches_ipxe_efi_over_tftp_then_installs_the_same_way(imaging_lab: ImagingLab) -> None:
    (pc,) = [pc for pc in imaging_lab.config.pcs if pc.firmware is Firmware.UEFI]
    answer = _answer(pc.name)
    token = imaging_lab.prepare_install(pc.mac, answer)

    imaging_lab.wake(pc.mac)
    callback = imaging_lab.wait_for_callback(token, timeout=INSTALL_TIMEOUT)
    imaging_lab.wait_for_state(pc.mac, VmState.OFF, timeout=60)

    sha = hashlib.sha256(answer.encode()).hexdigest()
    assert imaging_lab.installed(pc.mac) == InstallMarker(token=token, answer_sha256=sha)
    boot_log = imaging_lab.dnsmasq_log("boot")
    assert f"sent {imaging_lab.tftp_root / UEFI_LOADER.name} to {callback.client}" in boot_log
    assert "vendor class: PXEClient:Arch:00007" in boot_log, "OVMF's PXE client asked as x86-64 UEFI"


def test_a_pc_whose_installer_fails_powers_off_without_calling_back(imaging_lab: ImagingLab) -> None:
    pc = imaging_lab.config.pcs[1]
    token = imaging_lab.prepare_install(pc.mac, _answer(pc.name))
    imaging_lab.served.token_path(token).unlink()  # the boot server lost the token: no answer file
    before = imaging_lab.vm(pc.mac).boots

    imaging_lab.wake(pc.mac)
    status = imaging_lab.wait_for_state(pc.mac, VmState.OFF, timeout=INSTALL_TIMEOUT, boots=before + 1)

    assert (status.exit_code, status.timed_out) == (0, False), "it powered off by itself"
    assert token not in [callback.token for callback in imaging_lab.callbacks()]
    assert imaging_lab.installed(pc.mac) is None
    assert f"FAILED: no answer file for token {token}" in imaging_lab.serial_log(pc.mac)


def test_a_wake_for_an_unknown_mac_is_logged_and_starts_nothing(imaging_lab: ImagingLab) -> None:
    since = time.time()
    imaging_lab.wake("52:54:00:99:99:99")
    events = _eventually(lambda: [event for event in imaging_lab.power_events() if event["time"] >= since])
    assert [(event["event"], event["mac"]) for event in events] == [("unknown-mac", "52:54:00:99:99:99")]
    assert all(imaging_lab.vm(pc.mac).state is VmState.OFF for pc in imaging_lab.config.pcs)


def test_a_room_installs_with_at_most_two_vms_at_once(imaging_lab: ImagingLab) -> None:
    room = imaging_lab.config.pcs
    assert len(room) == 4
    tokens = {pc.mac: imaging_lab.prepare_install(pc.mac, _answer(pc.name)) for pc in room}
    since = time.time()
    for pc in room:
        imaging_lab.wake(pc.mac)
    for pc in room:
        imaging_lab.wait_for_callback(tokens[pc.mac], timeout=2 * INSTALL_TIMEOUT)
    for pc in room:
        imaging_lab.wait_for_state(pc.mac, VmState.OFF, timeout=60)

    for pc in room:
        sha = hashlib.sha256(_answer(pc.name).encode()).hexdigest()
        assert imaging_lab.installed(pc.mac) == InstallMarker(token=tokens[pc.mac], answer_sha256=sha)
    running, most = 0, 0
    for event in sorted(imaging_lab.power_events(), key=lambda event: event["time"]):
        if event["time"] >= since and event["event"] in ("power-on", "power-off"):
            running += 1 if event["event"] == "power-on" else -1
            most = max(most, running)
    assert most == imaging_lab.config.max_running == 2
