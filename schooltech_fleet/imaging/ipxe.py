"""Per-MAC iPXE scripts: install (kernel, initrd and the answer file by one-shot token) or local boot.

Every URL is absolute (``http://ADDR:PORT/...``): the PC never guesses a next-server. The
served tree is the one :mod:`schooltech_fleet.imaging.pxe_service` serves and
``image plan`` writes::

    boot/<mac:hexhyp>.ipxe            this module's scripts (iPXE asks for ${mac:hexhyp})
    files/<os>/...                    installer media (see :data:`MEDIA`)
    /answer/<token>                   the answer file while the token is open
                                      (Ubuntu's nocloud-net asks for /answer/<token>/user-data and meta-data)
    /callback/<token>                 the installer's last step POSTs here; the script flips to local boot

Local boot follows iPXE's own advice: ``sanboot --no-describe --drive 0x80`` hands a BIOS PC to
its first hard disk; under UEFI ``exit`` returns to the firmware, which tries its next boot entry.
:data:`LOCAL_BOOT_SCRIPT` decides at boot time from ``${platform}``, for a PC whose firmware the
server does not know (an unknown MAC, or the flip after a callback).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schooltech_fleet.errors import ImagingError
from schooltech_fleet.imaging.answers.request import Firmware, check_url
from schooltech_fleet.imaging.finding import Finding
from schooltech_fleet.imaging.pxe_service import LOCAL_BIOS, LOCAL_UEFI

# the local-boot script lives with the boot server's token service, which serves it after a callback
from schooltech_fleet.imaging.pxe_service import LOCAL_BOOT_SCRIPT as LOCAL_BOOT_SCRIPT  # noqa: PLC0414 - re-export
from schooltech_fleet.imaging.pxe_service import hexhyp as hexhyp  # noqa: PLC0414 - re-export
from schooltech_fleet.imaging.pxe_service import local_boot_script as local_boot_script  # noqa: PLC0414 - re-export
from schooltech_fleet.inventory.model import OperatingSystem

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_UNC = re.compile(r"^\\\\[A-Za-z0-9.-]+(\\[A-Za-z0-9$._-]+)+$")
#: the iPXE commands the scripts use (the checker refuses any other)
IPXE_COMMANDS = frozenset({"echo", "kernel", "initrd", "boot", "sanboot", "exit", "iseq", "sleep", "goto", "reboot"})


@dataclass(frozen=True)
class Media:
    """Where an OS's network installer lives under ``files/`` and how its kernel is told about the answer."""

    kernel: str
    initrds: tuple[tuple[str, str], ...]  # (path under files/, name the kernel or wimboot sees)


MEDIA: dict[OperatingSystem, Media] = {
    # Debian's netboot installer (debian-installer-12-netboot-amd64: .../debian-installer/amd64/linux, initrd.gz)
    OperatingSystem.DEBIAN12: Media("debian12/linux", (("debian12/initrd.gz", "initrd.gz"),)),
    # the live server ISO's casper/vmlinuz and casper/initrd; the ISO itself beside them
    OperatingSystem.UBUNTU2204: Media("ubuntu2204/vmlinuz", (("ubuntu2204/initrd", "initrd"),)),
    OperatingSystem.UBUNTU2404: Media("ubuntu2404/vmlinuz", (("ubuntu2404/initrd", "initrd"),)),
    # wimboot with the install media's boot files; winpeshl.ini starts install.cmd, which maps the
    # media share and runs setup.exe /unattend:X:\Windows\System32\autounattend.xml
    **{
        os: Media(
            "wimboot",
            (
                (f"{os}/boot/bcd", "BCD"),
                (f"{os}/boot/boot.sdi", "boot.sdi"),
                (f"{os}/winpeshl.ini", "winpeshl.ini"),
                (f"{os}/install.cmd", "install.cmd"),
                (f"{os}/sources/boot.wim", "boot.wim"),
            ),
        )
        for os in (OperatingSystem.WINDOWS10, OperatingSystem.WINDOWS11)
    },
}
UBUNTU_ISO = "live-server-amd64.iso"


def script_path(mac: str) -> str:
    """The script's path under the served root: ``boot/52-54-00-ab-cd-ef.ipxe``."""
    return f"boot/{hexhyp(mac)}.ipxe"


def answer_url(server_url: str, token: str) -> str:
    return f"{_server(server_url)}/answer/{_token(token)}"


def callback_url(server_url: str, token: str) -> str:
    """What goes into :attr:`AnswerRequest.callback_url`."""
    return f"{_server(server_url)}/callback/{_token(token)}"


def install_script(server_url: str, os: OperatingSystem, firmware: Firmware, token: str, hostname: str) -> str:
    """The script that installs *os* on the PC *hostname*, its answer file fetched with *token*.

    If a download or the boot fails the PC boots its disk (no half-started install, no loop);
    the missing callback reports it.
    """
    server = _server(server_url)
    try:
        media = MEDIA[os]
    except KeyError:
        known = ", ".join(map(str, MEDIA))
        raise ImagingError(f"no network installer is known for {os}", hint=f"known: {known}") from None
    if not re.fullmatch(r"[A-Za-z0-9-]{1,63}", hostname):
        raise ImagingError(f"{hostname!r} is not a host name", hint="letters, digits and '-'")
    files = f"{server}/files"
    answer = answer_url(server, token)
    lines = ["#!ipxe", f"echo schooltech: installing {os} on {hostname} (${{mac}})"]
    if os == OperatingSystem.DEBIAN12:
        arguments = f"initrd=initrd.gz auto=true priority=critical url={answer} netcfg/choose_interface=auto --- quiet"
    elif os in (OperatingSystem.UBUNTU2204, OperatingSystem.UBUNTU2404):
        iso = f"{files}/{os}/{UBUNTU_ISO}"
        arguments = f"initrd=initrd ip=dhcp url={iso} autoinstall ds=nocloud-net;s={answer}/ --- quiet"
    else:
        arguments = ""
    lines.append(f"kernel {files}/{media.kernel} {arguments}".rstrip() + " || goto failed")
    # --name, never 'initrd URL NAME': iPXE would pass NAME as the image's command line and wrap a
    # Linux initrd in a CPIO entry of that name (the kernel then finds no /init)
    lines += [f"initrd --name {name} {files}/{path} || goto failed" for path, name in media.initrds]
    if os not in (OperatingSystem.DEBIAN12, OperatingSystem.UBUNTU2204, OperatingSystem.UBUNTU2404):
        lines.append(f"initrd --name autounattend.xml {answer} || goto failed")
    lines += [
        "boot || goto failed",
        ":failed",
        "echo schooltech: the installer could not be started: booting from the local disk",
        "sleep 10",
        LOCAL_BIOS + " || exit" if firmware == "bios" else LOCAL_UEFI,
    ]
    return "\n".join(lines) + "\n"


def windows_boot_files(os: OperatingSystem, share: str) -> dict[str, str]:
    """The two small files wimboot injects into WinPE beside the answer file, by path under ``files/``.

    ``winpeshl.ini`` makes WinPE run ``install.cmd`` instead of a shell; ``install.cmd`` starts the
    network, maps *share* (the UNC path of the extracted install media, e.g. ``\\\\10.77.0.2\\win11``)
    and runs its ``setup.exe`` with the answer file wimboot put in ``X:\\Windows\\System32``.
    """
    if os not in (OperatingSystem.WINDOWS10, OperatingSystem.WINDOWS11):
        raise ImagingError(f"{os} is not installed through WinPE", hint="Windows 10 and 11 only")
    if not _UNC.match(share):
        raise ImagingError(f"{share!r} is not a UNC share path", hint=r"write it as \\server\share")
    install = [
        "@echo off",
        "rem schooltech: Windows setup from the install share, with the answer file wimboot injected",
        "wpeinit",
        "wpeutil WaitForNetwork",
        f"net use S: {share} || goto failed",
        r"S:\setup.exe /unattend:X:\Windows\System32\autounattend.xml",
        "exit /b 0",
        ":failed",
        f"echo schooltech: cannot reach {share}: rebooting to try again",
        "wpeutil reboot",
    ]
    return {
        f"{os}/winpeshl.ini": '[LaunchApps]\r\n"install.cmd"\r\n',
        f"{os}/install.cmd": "\r\n".join(install) + "\r\n",
    }


def check_script(name: str, text: str, server_url: str) -> list[Finding]:
    """Findings of the iPXE script *name*: the ``#!ipxe`` line, known commands only, every URL on
    *server_url*, no iPXE settings but ``${mac}`` and ``${platform}``."""
    server = _server(server_url)
    lines = text.splitlines()
    findings = [] if lines and lines[0] == "#!ipxe" else [Finding(name, 1, "the script must start with #!ipxe")]
    for number, line in enumerate(lines[1:], start=2):
        words = line.split()
        if not words or words[0].startswith(("#", ":")):
            continue
        if words[0] not in IPXE_COMMANDS:
            findings.append(Finding(name, number, f"unknown iPXE command {words[0]!r}"))
        for url in re.findall(r"[a-z]+://[^\s;]+", line):
            if not url.startswith(server + "/"):
                findings.append(Finding(name, number, f"{url} is not on the boot server {server}"))
        for setting in re.findall(r"\$\{([^}]*)\}", line):
            if setting not in ("mac", "platform"):
                findings.append(Finding(name, number, f"unexpected iPXE setting ${{{setting}}}"))
    return findings


def _server(server_url: str) -> str:
    check_url("boot server URL", server_url)
    return server_url.rstrip("/")


def _token(token: str) -> str:
    if not _TOKEN.match(token):
        raise ImagingError(f"{token!r} is not a one-shot token", hint="16 to 128 characters of A-Z a-z 0-9 _ -")
    return token
