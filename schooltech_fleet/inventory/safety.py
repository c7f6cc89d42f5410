"""String types that are safe to put on a switch CLI or into a config file.

Inventory values end up in switch sessions (``description C101``), in files on
lab PCs and in Jinja templates. A newline in a description would inject a
command into a switch session (``"lab\\nno vlan 20"``); a Jinja delimiter would
be evaluated by Ansible. Every string of the inventory is one of these types.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from .scalars import hinted

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_CONTROL_EXCEPT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u0085\u2028\u2029]")
_JINJA = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")

_WHY = "inventory values are sent to switch CLIs and written into config files"


def unsafe_reason(value: str, *, multiline: bool = False) -> str | None:
    """Say why *value* must not reach a device, or return None when it is safe."""
    control = (_CONTROL_EXCEPT_NEWLINE if multiline else _CONTROL).search(value)
    if control:
        char = control.group()
        name = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab"}.get(
            char, f"the control character U+{ord(char):04X}"
        )
        return f"contains {name}; {_WHY}, where it could inject a command"
    jinja = _JINJA.search(value)
    if jinja:
        return f"contains the template delimiter {jinja.group()!r}; {_WHY}, where Ansible would evaluate it"
    return None


def _single_line(value: str) -> str:
    reason = unsafe_reason(value)
    if reason:
        raise ValueError(reason)
    return value


def _text_block(value: str) -> str:
    reason = unsafe_reason(value, multiline=True)
    if reason:
        raise ValueError(reason)
    return value


SafeStr = Annotated[str, AfterValidator(_single_line)]
"""One line of printable text without template delimiters."""

SafeText = Annotated[str, AfterValidator(_text_block)]
"""Printable text that may span lines (banners, message of the day)."""

Name = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"),
]
"""An identifier: room, site, VLAN, software set and licence names."""

Hostname = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"),
]
"""An RFC 1123 host label: devices and switches."""


# --- values that land in a quoted or structured context -------------------------------------
#
# Each type below is held to what its consumers can take as plain data (docs/inventory.md,
# "Values written into files on lab PCs"): what cannot be represented there is refused here,
# where ``schooltech check`` names the line, instead of being escaped by hope downstream.

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"{_LABEL}(?:\.{_LABEL})*"  # a DNS name or a dotted IPv4 address
_PORT = r"(?P<port>[1-9][0-9]{0,4})"  # 1-65535: the upper bound is checked apart

# The roles hold their variables to the same patterns (roles/*/vars/main.yml; tests keep them equal).
PROXY_URL = rf"https?://{_HOST}(?::{_PORT})?/?"
MIRROR_URL = rf"https?://{_HOST}(?::{_PORT})?(?:/[A-Za-z0-9._~-]+)*/?"
PROXY_EXCEPTION = rf"\.?{_HOST}(?:/[0-9]{{1,2}})?"
HOST_PORT = rf"{_HOST}:{_PORT}"
WINGET_ID = r"[A-Za-z0-9][A-Za-z0-9._+-]{0,127}"
PACKAGE_VERSION = r"[0-9][A-Za-z0-9.+~:-]*\*?"
APT_SOURCE = r"deb(?:-src)? +(?:\[[^\[\]]*\] +)?[^\s\[\]]+ +[^\s\[\]]+(?: +[^\s\[\]]+)*"
RELATIVE_FILE = r"[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*"
LOCAL_PATH = r"/[^\"\\%$]*"

SHOWN = 40
"""Characters of a refused value quoted in its finding."""


def _shown(value: str) -> str:
    return repr(value if len(value) <= SHOWN else value[:SHOWN] + "...")


def _port_fits(match: re.Match[str] | None) -> bool:
    port = match.groupdict().get("port") if match is not None else None
    return match is not None and (port is None or int(port) <= 65535)


def _held_to(pattern: str, what: str, example: str, why: str, named: str | None = None) -> AfterValidator:
    """A string type that must match *pattern* in full; the first character matching *named* is named."""
    compiled = re.compile(pattern)
    outside = re.compile(named) if named else None

    def check(value: str) -> str:
        if _port_fits(compiled.fullmatch(value)):
            return value
        bad = outside.search(value) if outside else None
        contains = f" (it contains {bad.group()!r})" if bad else ""
        raise hinted(f"{_shown(value)} is not {what}{contains}: {why}", f"write {what} only, e.g. {example}")

    return AfterValidator(check)


ProxyUrl = Annotated[
    SafeStr,
    _held_to(PROXY_URL, "a proxy URL http://HOST:PORT", "http://10.20.99.3:3128",
             "apt.conf and /etc/environment take it between double quotes, and Windows as HOST:PORT; a scheme, "
             "a host and a port are all it may hold", r"[^A-Za-z0-9.:/-]"),
]  # fmt: skip
"""The web filter's proxy: scheme, host and port, nothing else (no path, no user name or password)."""

MirrorUrl = Annotated[
    SafeStr,
    _held_to(MIRROR_URL, "a mirror URL http://HOST[:PORT]/PATH", "http://10.20.99.10/debian",
             "installers take it as their archive (Debian's preseed as mirror/http/hostname and directory, "
             "Ubuntu's autoinstall as apt's primary uri); a scheme, host, port and path are all it may hold",
             r"[^A-Za-z0-9.:/_~-]"),
]  # fmt: skip
"""A Debian or Ubuntu archive mirror: scheme, host, optional port and path; no user, query or fragment."""

ProxyException = Annotated[
    SafeStr,
    _held_to(PROXY_EXCEPTION, "a host name, .domain, IPv4 address or subnet", ".school.example.org",
             "it joins the no_proxy list of /etc/environment (comma-separated, in double quotes) and Windows' "
             "bypass list (';'-separated); a '*' would take every site past the filter", r"[^A-Za-z0-9./-]"),
]  # fmt: skip
"""One entry of ``web_filter.no_proxy``: a host, a domain suffix (``.school.example.org``), an address or subnet."""

HostPort = Annotated[
    SafeStr,
    _held_to(HOST_PORT, "HOST:PORT", "10.20.99.10:27000",
             "licence clients read it from the server=HOST:PORT line of the licence file", r"[^A-Za-z0-9.:-]"),
]  # fmt: skip
"""A licence server's address and port."""

WingetId = Annotated[
    SafeStr,
    _held_to(WINGET_ID, "a winget package id", "Mozilla.Firefox.ESR",
             "winget takes it after --id, where a value starting with '-' would be an option and NAME=VERSION "
             "would pin a version", r"[^A-Za-z0-9._+-]"),
]  # fmt: skip
"""A winget package id (``Publisher.Package``): never an option, never ``NAME=VERSION``."""

PackageVersion = Annotated[
    SafeStr,
    _held_to(PACKAGE_VERSION, "a package version", "1.4.2-1",
             "apt takes it in NAME=VERSION and winget after --version", r"[^A-Za-z0-9.+~:*-]"),
]  # fmt: skip
"""A Debian (or winget) version to pin, optionally ending in ``*`` (apt's version wildcard)."""

AptSource = Annotated[
    SafeStr,
    _held_to(APT_SOURCE, "an APT source line",
             "deb [signed-by=/usr/share/keyrings/school.gpg] http://10.20.99.10/apt bookworm main",
             "it becomes the one line of a sources.list.d file: deb [options] URI suite [components]"),
]  # fmt: skip
"""The school's package repository as a one-line-style APT source."""

RelativeFile = Annotated[
    SafeStr,
    _held_to(RELATIVE_FILE, "a path below the school file's folder",
             "files/rvs-filter-ca.pem", "a job copies this file from the controller to every lab PC",
             r"[^A-Za-z0-9._/-]"),
]  # fmt: skip
"""A file beside (or below) the school file: no absolute path, no ``..``, no hidden part."""

LocalPath = Annotated[
    SafeStr,
    _held_to(LOCAL_PATH, 'an absolute path free of " \\ % and $', "/var/lib/schooltech/sim/known_hosts",
             "ssh expands % and ${...} in its file options, and Ansible gives ssh the key file between double quotes",
             r'["\\%$]'),
]  # fmt: skip
"""A path on the controller that reaches ssh's options (the simulation layer's key and host-key files)."""


# --- SSH host keys ---------------------------------------------------------------------------

SSH_KEY_TYPES = ("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa")
"""Host key types an execution node may present (what ``ssh-keyscan`` prints for a current OpenSSH)."""


def _ssh_public_key(value: str) -> str:
    """One OpenSSH public key line, ``TYPE BASE64 [COMMENT]``, whose key data names the same type.

    The line becomes a ``known_hosts`` entry for the node: anything more (a second key, options
    such as ``@cert-authority``, a host pattern) would widen what ssh trusts.
    """
    hint = "paste the node's key as ssh-keyscan prints it, without the host name: 'ssh-ed25519 AAAAC3...'"
    parts = value.split(" ")
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        raise hinted(f"{_shown(value)} is not an SSH public key: it must start with one of "
                     f"{', '.join(SSH_KEY_TYPES)}", hint)  # fmt: skip
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise hinted(f"{_shown(value)} is not an SSH public key: its key data is not base64", hint) from None
    length = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else -1
    if blob[4 : 4 + length] != parts[0].encode() or len(blob) <= 4 + length:
        raise hinted(f"{_shown(value)} is not an SSH public key: its key data is not a {parts[0]} key", hint)
    return value


SshPublicKey = Annotated[SafeStr, AfterValidator(_ssh_public_key)]
"""An SSH public key line (``ssh-ed25519 AAAA... comment``): an execution node's host key."""
