"""A DHCP client that only asks: what do the servers on this segment offer a given kind of PC?

Run inside a lab namespace (the lab's ``probe`` namespace has a port on the bridge)::

    python -m schooltech_fleet.sim.imaging.dhcp_probe --interface eth0 --arch 0 [--user-class iPXE]

It broadcasts one DHCPDISCOVER dressed as a PXE ROM of client architecture ``--arch``
(option 93; 0 BIOS, 7 x86-64 UEFI) — or as iPXE with ``--user-class iPXE`` — collects the
offers for ``--wait`` seconds and prints them as one JSON list: who offered (option 54),
the address offered (``yiaddr``), the next server (``siaddr``), the boot file and the
vendor class (option 60, ``PXEClient`` for a proxy-DHCP offer). It never requests a lease.

A proxy offer without a boot file is what a PXE ROM gets from dnsmasq's ``pxe-service``:
a boot menu in option 43 (BIOS) or just a redirect (UEFI). The ROM then asks the boot
server on UDP port 4011, naming the menu's first boot item, and boots the file of that
answer; the probe does the same and reports that file with ``via_port_4011`` set.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import secrets
import socket
import struct
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from ipaddress import IPv4Address

from schooltech_fleet.errors import SimulationError

MAGIC_COOKIE = b"\x63\x82\x53\x63"
DISCOVER, OFFER, REQUEST, ACK = 1, 2, 3, 5
PXE_BOOT_SERVER_PORT = 4011
#: PXE vendor options (option 43): the boot menu, and the boot item a client asks for
PXE_BOOT_MENU, PXE_BOOT_ITEM = 9, 71
SIOCGIFADDR = 0x8915
_HEADER = struct.Struct("!BBBBIHH4s4s4s4s16s64s128s")


@dataclass(frozen=True)
class Offer:
    """One DHCPOFFER as the probe received it."""

    server: str  # option 54, the server identifier
    address: str  # yiaddr: 0.0.0.0 in a proxy-DHCP offer
    next_server: str  # siaddr
    boot_file: str
    vendor_class: str  # option 60: "PXEClient" from a proxy-DHCP server
    via_port_4011: bool = False  # boot file from the boot server's answer on port 4011, not the offer


@dataclass(frozen=True)
class _Client:
    mac: bytes
    address: IPv4Address  # ciaddr of the port-4011 request (the probe's own address)
    arch: int
    user_class: str | None
    guid: bytes


def discover(client: _Client, xid: int) -> bytes:
    """A broadcast DHCPDISCOVER from a PXE client of *arch* (with iPXE's user class if given)."""
    return _message(client, xid, DISCOVER, ciaddr=IPv4Address(0), vendor=b"")


def boot_request(client: _Client, xid: int, vendor: bytes) -> bytes:
    """The DHCPREQUEST a PXE ROM sends to a boot server's port 4011 (*vendor*: its option 43)."""
    return _message(client, xid, REQUEST, ciaddr=client.address, vendor=vendor)


def _message(client: _Client, xid: int, kind: int, ciaddr: IPv4Address, vendor: bytes) -> bytes:
    flags = 0x8000 if kind == DISCOVER else 0
    header = _HEADER.pack(
        1, 1, 6, 0, xid, 0, flags, ciaddr.packed, *(b"\0" * 4,) * 3, client.mac.ljust(16, b"\0"), b"", b""
    )
    options = [
        _option(53, bytes([kind])),
        _option(60, f"PXEClient:Arch:{client.arch:05d}:UNDI:002001".encode()),
        _option(93, client.arch.to_bytes(2, "big")),
        _option(94, bytes([1, 2, 1])),
        _option(97, b"\0" + client.guid),
    ]
    if client.user_class is not None:
        options.append(_option(77, client.user_class.encode()))
    if vendor:
        options.append(_option(43, vendor + b"\xff"))
    return header + MAGIC_COOKIE + b"".join(options) + b"\xff"


def parse_reply(packet: bytes, xid: int, kind: int) -> tuple[Offer, dict[int, bytes]] | None:
    """The reply in *packet* if it is a DHCP message of *kind* answering *xid*, with its option 43."""
    if len(packet) < _HEADER.size + 4 or packet[_HEADER.size : _HEADER.size + 4] != MAGIC_COOKIE:
        return None
    fields = _HEADER.unpack_from(packet)
    if fields[0] != 2 or fields[4] != xid:
        return None
    options = _options(packet[_HEADER.size + 4 :])
    if options.get(53) != bytes([kind]):
        return None
    file_field = fields[13].split(b"\0", 1)[0].decode("ascii", errors="replace")
    offer = Offer(
        server=str(IPv4Address(options.get(54, b"\0\0\0\0"))),
        address=str(IPv4Address(fields[8])),
        next_server=str(IPv4Address(fields[9])),
        boot_file=options.get(67, b"").decode("ascii", errors="replace") or file_field,
        vendor_class=options.get(60, b"").decode("ascii", errors="replace"),
    )
    return offer, _options(options.get(43, b""))


def first_boot_item(vendor: dict[int, bytes]) -> bytes:
    """Option 43 naming the first item of the offer's boot menu (type, layer 0); empty without a menu."""
    menu = vendor.get(PXE_BOOT_MENU, b"")
    return _option(PXE_BOOT_ITEM, menu[:2] + b"\0\0") if len(menu) >= 2 else b""


def probe(interface: str, arch: int, user_class: str | None, wait: float) -> list[Offer]:
    """Broadcast one discover on *interface* and return the offers received within *wait* seconds."""
    client = _Client(
        mac=bytes.fromhex(_read(f"/sys/class/net/{interface}/address").replace(":", "")),
        address=_address_of(interface),
        arch=arch,
        user_class=user_class,
        guid=secrets.token_bytes(16),
    )
    xid = secrets.randbits(32)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
        sock.bind(("0.0.0.0", 68))
        sock.sendto(discover(client, xid), ("255.255.255.255", 67))
        replies = _collect(sock, xid, OFFER, wait)
        return [
            _ask_boot_server(sock, client, offer, vendor, wait) or offer
            if offer.vendor_class == "PXEClient" and not offer.boot_file
            else offer
            for offer, vendor in replies
        ]


def _ask_boot_server(
    sock: socket.socket, client: _Client, offer: Offer, vendor: dict[int, bytes], wait: float
) -> Offer | None:
    """What the boot server answers on port 4011 for the offer's first boot item (None: no answer)."""
    server = offer.next_server if offer.next_server != "0.0.0.0" else offer.server
    xid = secrets.randbits(32)
    sock.sendto(boot_request(client, xid, first_boot_item(vendor)), (server, PXE_BOOT_SERVER_PORT))
    answers = _collect(sock, xid, ACK, wait, first_only=True)
    if not answers:
        return None
    ack = answers[0][0]
    return Offer(
        server=offer.server,
        address=offer.address,
        next_server=ack.next_server,
        boot_file=ack.boot_file,
        vendor_class=offer.vendor_class,
        via_port_4011=True,
    )


def _collect(
    sock: socket.socket, xid: int, kind: int, wait: float, first_only: bool = False
) -> list[tuple[Offer, dict[int, bytes]]]:
    found = []
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            packet = sock.recv(4096)
        except TimeoutError:
            break
        if (reply := parse_reply(packet, xid, kind)) is not None:
            found.append(reply)
            if first_only:
                break
    return found


def _address_of(interface: str) -> IPv4Address:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        request = struct.pack("256s", interface.encode()[:15])
        return IPv4Address(fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)[20:24])
    except OSError as exc:
        raise SimulationError(f"{interface} has no IPv4 address", hint="run the probe inside a lab namespace") from exc
    finally:
        probe.close()


def _option(code: int, value: bytes) -> bytes:
    return bytes([code, len(value)]) + value


def _options(data: bytes) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    index = 0
    while index < len(data) and data[index] != 0xFF:
        if data[index] == 0:
            index += 1
            continue
        if index + 1 >= len(data):
            break
        code, length = data[index], data[index + 1]
        found[code] = data[index + 2 : index + 2 + length]
        index += 2 + length
    return found


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    except OSError as exc:
        raise SimulationError(f"cannot read {path}: {exc.strerror}", hint="run the probe in a lab namespace") from exc


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interface", default="eth0")
    parser.add_argument("--arch", type=int, default=0)
    parser.add_argument("--user-class")
    parser.add_argument("--wait", type=float, default=3.0)
    args = parser.parse_args(argv)
    offers = probe(args.interface, args.arch, args.user_class, args.wait)
    json.dump([asdict(offer) for offer in offers], sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
