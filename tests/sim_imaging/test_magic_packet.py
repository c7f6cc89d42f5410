"""The Wake-on-LAN magic packet: what the lab's power controller recognises in a frame."""

from __future__ import annotations

import pytest

from schooltech_fleet.sim.imaging.magic_packet import build, woken_macs

pytestmark = pytest.mark.imaging

MAC = "52:54:00:77:00:01"
MAC_BYTES = bytes.fromhex("525400770001")


def test_a_built_packet_is_sync_then_the_mac_sixteen_times() -> None:
    packet = build("52-54-00-77-00-01")
    assert len(packet) == 102
    assert packet[:6] == b"\xff" * 6
    assert packet[6:] == MAC_BYTES * 16


def test_the_packet_is_found_anywhere_in_a_frame() -> None:
    ethernet_ip_udp_headers = bytes(42)
    assert woken_macs(ethernet_ip_udp_headers + build(MAC) + b"trailer") == [MAC]


def test_each_mac_is_reported_once_in_order() -> None:
    other = "52:54:00:77:00:02"
    assert woken_macs(build(MAC) + build(other) + build(MAC)) == [MAC, other]


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param(build(MAC)[:-1], id="fifteen-and-a-bit-repeats"),
        pytest.param(b"\xff" * 6 + MAC_BYTES * 15 + bytes.fromhex("525400770002"), id="one-differs"),
        pytest.param(b"\xff" * 6 + MAC_BYTES * 15, id="fifteen-repeats"),
        pytest.param(b"\xff" * 102, id="all-ones-is-no-mac"),
        pytest.param(b"", id="empty"),
    ],
)
def test_anything_else_wakes_nobody(frame: bytes) -> None:
    assert woken_macs(frame) == []


def test_a_sync_run_longer_than_six_bytes_still_finds_the_mac() -> None:
    # the payload may follow more 0xFF bytes (e.g. a broadcast MAC right before it)
    assert woken_macs(b"\xff" * 6 + build(MAC)) == [MAC]
