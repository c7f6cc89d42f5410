"""Wake-on-LAN magic packets: six 0xFF bytes, then the target MAC sixteen times.

A NIC in wake mode looks for that pattern anywhere in a frame it receives, whatever carries
it (UDP to port 9 or 7, EtherType 0x0842); :func:`woken_macs` does the same.
"""

from __future__ import annotations

from schooltech_fleet.imaging.pxe_service import REPEATS, SYNC
from schooltech_fleet.imaging.pxe_service import magic_packet as build

__all__ = ["build", "woken_macs"]


def woken_macs(frame: bytes) -> list[str]:
    """Every MAC (``aa:bb:..``) that a magic packet in *frame* wakes, in order, without repeats."""
    found: list[str] = []
    start = frame.find(SYNC)
    while start != -1:
        body = frame[start + len(SYNC) : start + len(SYNC) + 6 * REPEATS]
        candidate = body[:6]
        if len(body) == 6 * REPEATS and candidate != b"\xff" * 6 and body == candidate * REPEATS:
            mac = ":".join(f"{byte:02x}" for byte in candidate)
            if mac not in found:
                found.append(mac)
        start = frame.find(SYNC, start + 1)
    return found
