"""What one PC's answer file is made from, checked once so that every renderer can trust it.

Every value ends up inside another language (a debconf line, a shell command, YAML, XML, an
iPXE command line), so each field is held to the shape its real values have: a value with a
quote, a newline, ``${`` or a space where none belongs is refused here with a hint, not
escaped three different ways later. The renderers still quote for their format (defence in
depth); :mod:`validate` proves the result parses.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal, NoReturn
from urllib.parse import urlsplit

from schooltech_fleet.errors import ImagingError
from schooltech_fleet.inventory.model import OperatingSystem

Firmware = Literal["bios", "uefi"]
DiskLayout = Literal["single", "lvm"]

#: the operating systems an answer file can be rendered for
LINUX_OSES = frozenset({OperatingSystem.DEBIAN12, OperatingSystem.UBUNTU2204, OperatingSystem.UBUNTU2404})
WINDOWS_OSES = frozenset({OperatingSystem.WINDOWS10, OperatingSystem.WINDOWS11})
ANSWER_OSES = LINUX_OSES | WINDOWS_OSES

_HOSTNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_LINUX_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
_WINDOWS_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,19}$")
_LOCALE = re.compile(r"^[a-z]{2,3}_[A-Z]{2}(?:\.UTF-8)?$")
_KEYBOARD = re.compile(r"^[a-z]{2,8}$")
_SSH_KEY = re.compile(
    r"^(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com"
    r"|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}(?: [A-Za-z0-9@._+-]{1,100})?$"
)
_URL_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_URL_PATH = re.compile(r"^[A-Za-z0-9._~/-]*$")


@dataclass(frozen=True)
class AnswerRequest:
    """One PC's install: who it is, what to install and how, and where to report back."""

    hostname: str
    os: OperatingSystem
    firmware: Firmware
    disk_layout: DiskLayout
    locale: str
    keyboard: str
    timezone: str
    admin_user: str
    admin_ssh_key: str
    callback_url: str
    mirror: str | None
    proxy: str | None

    def __post_init__(self) -> None:
        if self.os not in ANSWER_OSES:
            known = ", ".join(sorted(str(name) for name in ANSWER_OSES))
            _refuse("os", self.os, f"an answer file exists for {known}")
        if self.firmware not in ("bios", "uefi"):
            _refuse("firmware", self.firmware, "use bios or uefi")
        if self.disk_layout not in ("single", "lvm"):
            _refuse("disk_layout", self.disk_layout, "use single or lvm")
        self._check_shapes()
        if self.is_windows:
            self._check_windows()
        elif not _LINUX_USER.match(self.admin_user):
            _refuse("admin_user", self.admin_user, "a Linux user name: lower-case letters, digits, _ and -")

    def _check_shapes(self) -> None:
        if not _HOSTNAME.match(self.hostname):
            _refuse("hostname", self.hostname, "letters, digits and '-' (one DNS label, at most 63 characters)")
        if not _LOCALE.match(self.locale):
            _refuse("locale", self.locale, "a locale such as en_GB.UTF-8")
        if not _KEYBOARD.match(self.keyboard):
            _refuse("keyboard", self.keyboard, "an XKB layout name such as gb or de")
        if self.timezone not in _timezones():
            _refuse("timezone", self.timezone, "an IANA time zone such as Europe/London")
        if not _SSH_KEY.match(self.admin_ssh_key):
            _refuse("admin_ssh_key", self.admin_ssh_key, "one OpenSSH public key: type, key, plain comment")
        check_url("callback_url", self.callback_url)
        for field_name in ("mirror", "proxy"):
            value = getattr(self, field_name)
            if value is not None:
                check_url(field_name, value)

    def _check_windows(self) -> None:
        if len(self.hostname) > 15:
            _refuse("hostname", self.hostname, "a Windows computer name has at most 15 characters (NetBIOS)")
        if self.hostname.isdigit():
            _refuse("hostname", self.hostname, "a Windows computer name cannot be only digits")
        if not _WINDOWS_USER.match(self.admin_user):
            _refuse("admin_user", self.admin_user, "a Windows account: letters, digits, '.', '_', '-' (20 at most)")
        if self.disk_layout == "lvm":
            _refuse("disk_layout", self.disk_layout, "LVM is a Linux layout; use single for Windows")
        if self.os == OperatingSystem.WINDOWS11 and self.firmware == "bios":
            _refuse("firmware", self.firmware, "Windows 11 setup needs UEFI (Secure Boot capable); install Windows 10")

    @property
    def is_windows(self) -> bool:
        return self.os in WINDOWS_OSES

    @property
    def language(self) -> str:
        """The locale without its encoding, as installers spell it: ``en_GB``."""
        return self.locale.split(".", 1)[0]


@lru_cache(maxsize=4096)  # a plan checks the same few server URLs for every PC; a refusal is never cached
def check_url(field_name: str, url: str) -> None:
    """Refuse anything but a plain ``http(s)://host[:port]/path`` (no user info, query or odd characters)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        _refuse(field_name, url, "an absolute URL such as http://10.0.0.2:8080/path")
    if (
        parts.scheme not in ("http", "https")
        or not _URL_HOST.match(parts.hostname or "")
        or parts.username is not None
        or parts.query
        or parts.fragment
        or not _URL_PATH.match(parts.path)
        or url != parts.geturl()
        or (port is not None and not 0 < port < 65536)
    ):
        _refuse(field_name, url, "an absolute http(s) URL: host, optional port and a plain path; no credentials")


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _refuse(field_name: str, value: object, hint: str) -> NoReturn:
    raise ImagingError(f"answer file: {field_name} {value!r} cannot be used", hint=hint)
