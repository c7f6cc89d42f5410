"""What the stand-in installer leaves on a PC's disk: a boot sector that is also the proof.

Sector 0 of the disk gets a tiny real-mode boot program (:data:`BOOT_CODE`), the marker
text at :data:`TEXT_OFFSET` and the 0x55AA signature. The marker names the one-shot token
and the SHA-256 of the answer file the installer fetched, so the host can tell exactly
what was installed (:func:`read_marker`). Booted from the disk later, the program prints
the marker on the first serial port and ends the VM through qemu's ``isa-debug-exit``
device (exit status :data:`INSTALLED_SYSTEM_EXIT`): the "installed system" of the lab.
It is a BIOS boot sector: a UEFI PC has no installed system to boot in the lab.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SECTOR = 512
TEXT_OFFSET = 0x40
MAGIC = "SCHOOLTECH-STANDIN"
#: I/O port of qemu's isa-debug-exit device, and the byte the boot program writes to it
DEBUG_EXIT_PORT = 0xF4
DEBUG_EXIT_VALUE = 0x10
#: qemu's exit status after that write: (value << 1) | 1
INSTALLED_SYSTEM_EXIT = (DEBUG_EXIT_VALUE << 1) | 1

#: 16-bit code loaded at 0x7C00: print the NUL-terminated text at 0x7C40 to COM1, then exit qemu
BOOT_CODE = bytes(
    [
        0xFA,  # cli
        0x31, 0xC0,  # xor ax, ax
        0x8E, 0xD8,  # mov ds, ax
        0xFC,  # cld
        0xBE, (0x7C00 + TEXT_OFFSET) & 0xFF, (0x7C00 + TEXT_OFFSET) >> 8,  # mov si, 0x7C40
        0xBA, 0xF8, 0x03,  # mov dx, 0x3F8 (COM1)
        0xAC,  # next: lodsb
        0x84, 0xC0,  # test al, al
        0x74, 0x03,  # jz done
        0xEE,  # out dx, al
        0xEB, 0xF8,  # jmp next
        0xB0, DEBUG_EXIT_VALUE,  # done: mov al, DEBUG_EXIT_VALUE
        0xBA, DEBUG_EXIT_PORT, 0x00,  # mov dx, DEBUG_EXIT_PORT
        0xEE,  # out dx, al
        0xF4,  # halt: hlt
        0xEB, 0xFD,  # jmp halt
    ]
)

_TEXT_RE = re.compile(rf"^{MAGIC} token=(?P<token>[A-Za-z0-9_-]+) answer-sha256=(?P<sha>[0-9a-f]{{64}})\r\n$")


@dataclass(frozen=True)
class InstallMarker:
    """What the stand-in installer wrote: the token it installed with and its answer file's hash."""

    token: str
    answer_sha256: str


def marker_text(token: str, answer_sha256: str) -> str:
    """The marker line, as the installer's shell writes it."""
    return f"{MAGIC} token={token} answer-sha256={answer_sha256}\r\n"


def read_marker(disk: Path) -> InstallMarker | None:
    """The marker in sector 0 of the raw disk image *disk*, or None if nothing was installed."""
    with disk.open("rb") as image:
        sector = image.read(SECTOR)
    if len(sector) < SECTOR or sector[510:512] != b"\x55\xaa" or sector[: len(BOOT_CODE)] != BOOT_CODE:
        return None
    text = sector[TEXT_OFFSET:510].split(b"\0", 1)[0].decode("ascii", errors="replace")
    match = _TEXT_RE.match(text)
    if match is None:
        return None
    return InstallMarker(token=match["token"], answer_sha256=match["sha"])
