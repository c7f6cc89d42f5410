"""Per-MAC GRUB entries for Secure Boot PCs: install (kernel, initrd, the answer URL by token) or local boot.

A Secure Boot PC cannot run iPXE (Debian's ``ipxe.efi`` is unsigned). The firmware loads
Debian's signed shim over TFTP, shim loads Debian's signed network GRUB (``grubx64.efi``, from
``grubnetx64.efi.signed``), which reads ``grub/grub.cfg`` (the ``pxe_server`` role's) from the
TFTP server, and that sources this module's entry, ``grub/<mac>.cfg``, the MAC as GRUB's
``${net_default_mac}`` writes it (``52:54:00:ab:cd:ef``).

That GRUB is one signed image: its built-in modules include ``tftp`` and ``efinet`` but not
``http``, and under Secure Boot it loads no other. So the kernel and initrd come over TFTP
from the boot server, ``(tftp,ADDRESS)/files/<os>/...``, the same paths the iPXE scripts name
under HTTP (the boot server's TFTP root holds ``files/`` too); the answer file and the
callback stay on HTTP, fetched by the installer, not by GRUB. GRUB hands the kernel to shim,
which boots it only if it is signed by a key it trusts (Debian's kernel is; Ubuntu's and
wimboot are not signed by Debian, so only Debian installs through Debian's shim).

An entry never loops: if the kernel cannot be loaded or booted, GRUB goes on to ``exit``,
back to the firmware, which boots its next option, the local disk. After the callback the
entry becomes :data:`LOCAL_BOOT_ENTRY`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from schooltech_fleet.errors import ImagingError
from schooltech_fleet.imaging import ipxe
from schooltech_fleet.imaging.finding import Finding
from schooltech_fleet.imaging.pxe_service import LOCAL_BOOT_ENTRY as LOCAL_BOOT_ENTRY  # noqa: PLC0414 - re-export
from schooltech_fleet.imaging.pxe_service import grub_entry_name as grub_entry_name  # noqa: PLC0414 - re-export
from schooltech_fleet.imaging.pxe_service import grub_mac as grub_mac  # noqa: PLC0414 - re-export
from schooltech_fleet.inventory.model import OperatingSystem

#: the GRUB commands the entries use (the checker refuses any other)
GRUB_COMMANDS = frozenset({"echo", "linux", "initrd", "boot", "sleep", "exit"})
#: the operating systems whose installer kernel Debian's shim boots (signed by Debian)
SIGNED_BY_DEBIAN = frozenset({OperatingSystem.DEBIAN12})


def boot_entry(server_address: str, title: str, kernel: str, initrds: tuple[str, ...], arguments: str) -> str:
    """An entry that boots *kernel* (a path under the TFTP root) with *initrds* and *arguments*.

    If the kernel cannot be loaded or started, it returns to the firmware (the local disk).
    """
    device = f"(tftp,{server_address})"
    for path in (kernel, *initrds):
        if not re.fullmatch(r"[A-Za-z0-9._/-]+", path) or ".." in path:
            raise ImagingError(f"{path!r} is not a path GRUB can be given", hint="letters, digits, '.', '_', '-', '/'")
    if not re.fullmatch(r"[A-Za-z0-9 .,:=/_+-]*", arguments):
        raise ImagingError(f"the kernel arguments {arguments!r} hold characters GRUB would interpret",
                           hint="no quotes, '$', ';', '&' or '#'")  # fmt: skip
    lines = [
        f'echo "schooltech: {title}"',
        f"linux {device}/{kernel} {arguments}".rstrip(),
        "initrd " + " ".join(f"{device}/{path}" for path in initrds),
        "boot",
        'echo "schooltech: the installer could not be started: booting from the local disk"',
        "sleep 10",
        "exit",
    ]
    return "\n".join(lines) + "\n"


def install_entry(server_url: str, os: OperatingSystem, token: str, hostname: str) -> str:
    """The entry that installs *os* on the Secure Boot PC *hostname*, its answer file fetched with *token*."""
    if os not in SIGNED_BY_DEBIAN:
        raise ImagingError(
            f"{os} cannot be installed under Secure Boot through Debian's shim: its installer is not signed by Debian",
            hint="image this model with Secure Boot off (secure_boot: false) or install Debian",
        )
    if not re.fullmatch(r"[A-Za-z0-9-]{1,63}", hostname):
        raise ImagingError(f"{hostname!r} is not a host name", hint="letters, digits and '-'")
    media = ipxe.MEDIA[os]
    answer = ipxe.answer_url(server_url, token)
    arguments = f"auto=true priority=critical url={answer} netcfg/choose_interface=auto --- quiet"
    return boot_entry(_address(server_url), f"installing {os} on {hostname}", f"files/{media.kernel}",
                      tuple(f"files/{path}" for path, _ in media.initrds), arguments)  # fmt: skip


def check_entry(name: str, text: str, server_url: str) -> list[Finding]:
    """Findings of the GRUB entry *name*: known commands only, every TFTP device and URL on the boot
    server of *server_url*, no GRUB variable but ``${net_default_mac}`` in an ``echo``."""
    address = _address(server_url)
    server = server_url.rstrip("/")
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] not in GRUB_COMMANDS:
            findings.append(Finding(name, number, f"unknown GRUB command {words[0]!r}"))
        for device in re.findall(r"\(([^)]*)\)", line if words[0] != "echo" else ""):
            if device != f"tftp,{address}":
                findings.append(Finding(name, number, f"({device}) is not the boot server's TFTP ({address})"))
        for url in re.findall(r"[a-z]+://[^\s;]+", line):
            if not url.startswith(server + "/"):
                findings.append(Finding(name, number, f"{url} is not on the boot server {server}"))
        for variable in re.findall(r"\$\{?([A-Za-z0-9_]*)", line):
            if (words[0], variable) != ("echo", "net_default_mac"):
                findings.append(Finding(name, number, f"unexpected GRUB variable ${variable}"))
    return findings


def _address(server_url: str) -> str:
    host = urlsplit(ipxe.answer_url(server_url, "x" * 16)).hostname
    if not host:
        raise ImagingError(f"{server_url!r} names no host", hint="write it as http://ADDRESS:PORT")
    return host
