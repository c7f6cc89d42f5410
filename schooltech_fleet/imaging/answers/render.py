"""Render a PC's answer file: Debian preseed, Ubuntu autoinstall or Windows autounattend.xml.

The templates live in ``templates/`` and quote for their format: debconf values are refused if
they could break a line (the format has no escaping), YAML values are JSON strings, XML is
autoescaped, shell words are ``shlex``-quoted. What each installer does after the install
(install the admin's SSH key, then POST the one-shot callback as the very last step) is built
here as commands, so that a failure earlier in the step leaves the callback unsent.

No answer file holds a password. Linux: the admin account has none (Debian ``*``, Ubuntu
``lock_passwd``), logs in with its SSH key and has password-less sudo for Ansible. Windows: in the
specialize pass (as SYSTEM, before anyone can log on) ``net user <admin> /add /random`` creates
the account with a random password that is thrown away, adds it to Administrators by SID, and
writes its key to ``administrators_authorized_keys``; SetupComplete.cmd then enables the OpenSSH
server (a Windows capability: needs Windows Update or a source for it) and POSTs the callback.
Ansible reaches the account over SSH with the key and sets its password afterwards; OOBE shows no
account page and nobody is logged on automatically.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import jinja2

from schooltech_fleet.errors import ImagingError
from schooltech_fleet.imaging.answers.request import AnswerRequest
from schooltech_fleet.imaging.answers.windows_zones import windows_zone
from schooltech_fleet.inventory.model import OperatingSystem

DEBIAN_MIRROR = "http://deb.debian.org/debian"
WINDOWS_IMAGE = {OperatingSystem.WINDOWS10: "Windows 10 Education", OperatingSystem.WINDOWS11: "Windows 11 Education"}
#: XKB layout -> Windows input locale (language id : keyboard layout id)
WINDOWS_KEYBOARD = {
    "us": "0409:00000409", "gb": "0809:00000809", "ie": "1809:00001809", "de": "0407:00000407",
    "at": "0c07:00000407", "ch": "0807:00000807", "fr": "040c:0000040c", "be": "080c:0000080c",
    "es": "0c0a:0000040a", "it": "0410:00000410", "nl": "0413:00020409", "pt": "0816:00000816",
    "se": "041d:0000041d", "no": "0414:00000414", "dk": "0406:00000406", "fi": "040b:0000040b",
    "pl": "0415:00000415", "cz": "0405:00000405", "hu": "040e:0000040e",
}  # fmt: skip


class AnswerFormat(StrEnum):
    PRESEED = "preseed"
    AUTOINSTALL = "autoinstall"
    AUTOUNATTEND = "autounattend"


@dataclass(frozen=True)
class RenderedAnswer:
    """One rendered answer file: its format, the name to serve it under and its text."""

    hostname: str
    format: AnswerFormat
    filename: str
    text: str


def answer_format(os: OperatingSystem) -> AnswerFormat:
    if os == OperatingSystem.DEBIAN12:
        return AnswerFormat.PRESEED
    if os in (OperatingSystem.UBUNTU2204, OperatingSystem.UBUNTU2404):
        return AnswerFormat.AUTOINSTALL
    return AnswerFormat.AUTOUNATTEND


def render_answer(request: AnswerRequest) -> RenderedAnswer:
    """The answer file for *request* (not yet validated: see :func:`validate.validate_answers`)."""
    kind = answer_format(request.os)
    if kind is AnswerFormat.PRESEED:
        text = _env().get_template("debian12.preseed.j2").render(_preseed_context(request))
        filename = f"{request.hostname}.preseed.cfg"
    elif kind is AnswerFormat.AUTOINSTALL:
        text = _env().get_template("ubuntu.autoinstall.yaml.j2").render(_autoinstall_context(request))
        filename = f"{request.hostname}.user-data"
    else:
        text = _env(xml=True).get_template("autounattend.xml.j2").render(_autounattend_context(request))
        filename = f"{request.hostname}.autounattend.xml"
    return RenderedAnswer(hostname=request.hostname, format=kind, filename=filename, text=text)


def callback_shell(url: str, downloader: str) -> str:
    """The shell command that POSTs the callback (``wget`` of busybox, or ``curl``)."""
    if downloader == "wget":
        return f"wget -q -O /dev/null --post-data installed {shlex.quote(url)}"
    return f"curl -fsS -o /dev/null -X POST --data installed {shlex.quote(url)}"


def _preseed_context(request: AnswerRequest) -> dict[str, Any]:
    mirror = urlsplit(request.mirror or DEBIAN_MIRROR)
    home = f"/target/home/{request.admin_user}"
    key_file = f"{home}/.ssh/authorized_keys"
    sudoers = f"/target/etc/sudoers.d/schooltech-{request.admin_user}"
    late = [
        "set -e",
        f"mkdir -p {shlex.quote(home + '/.ssh')}",
        f"printf '%s\\n' {shlex.quote(request.admin_ssh_key)} > {shlex.quote(key_file)}",
        f"chmod 700 {shlex.quote(home + '/.ssh')}",
        f"chmod 600 {shlex.quote(key_file)}",
        f"in-target chown -R {shlex.quote(request.admin_user + ':' + request.admin_user)} "
        f"{shlex.quote('/home/' + request.admin_user + '/.ssh')}",
        f"printf '%s\\n' {shlex.quote(request.admin_user + ' ALL=(ALL) NOPASSWD:ALL')} > {shlex.quote(sudoers)}",
        f"chmod 440 {shlex.quote(sudoers)}",
        callback_shell(request.callback_url, "wget"),
    ]
    return {
        "r": request,
        "language": request.language.split("_", 1)[0],
        "country": request.language.split("_", 1)[1],
        "mirror": {
            "scheme": mirror.scheme,
            "host": mirror.netloc,
            "directory": mirror.path.rstrip("/") or "/",
        },
        # the first disk the installer sees, whatever its driver calls it (sda, vda, nvme0n1)
        "early_command": 'debconf-set partman-auto/disk "$(list-devices disk | head -n1)"',
        "late_command": "; ".join(late),
    }


def _autoinstall_context(request: AnswerRequest) -> dict[str, Any]:
    hostname_file = "/target/etc/hostname"
    return {
        "r": request,
        "hostname_command": f"printf '%s\\n' {shlex.quote(request.hostname)} > {hostname_file}",
        "callback_command": callback_shell(request.callback_url, "curl"),
    }


def _autounattend_context(request: AnswerRequest) -> dict[str, Any]:
    try:
        input_locale = WINDOWS_KEYBOARD[request.keyboard]
    except KeyError:
        raise ImagingError(
            f"answer file: no Windows keyboard is known for the XKB layout {request.keyboard!r}",
            hint=f"known: {', '.join(sorted(WINDOWS_KEYBOARD))} (schooltech_fleet/imaging/answers/render.py)",
        ) from None
    if request.firmware == "uefi":
        partitions = [
            {"id": 1, "type": "EFI", "size": 300, "format": "FAT32", "label": "System"},
            {"id": 2, "type": "MSR", "size": 16},
            {"id": 3, "type": "Primary", "format": "NTFS", "label": "Windows", "letter": "C"},
        ]
    else:
        partitions = [
            {"id": 1, "type": "Primary", "size": 500, "format": "NTFS", "label": "System", "active": True},
            {"id": 2, "type": "Primary", "format": "NTFS", "label": "Windows", "letter": "C"},
        ]
    return {
        "r": request,
        "language_tag": request.language.replace("_", "-"),
        "input_locale": input_locale,
        "windows_zone": windows_zone(request.timezone),
        "image_name": WINDOWS_IMAGE[request.os],
        "partitions": partitions,
        "windows_partition": partitions[-1]["id"],
        "specialize_commands": _windows_first_boot(request),
    }


def _windows_first_boot(request: AnswerRequest) -> list[dict[str, str]]:
    """specialize (as SYSTEM, before anyone can log on): the admin account with a random password nobody
    knows, its SSH key, and SetupComplete.cmd, which Windows runs last: the SSH server, then the callback."""
    keys = r"%ProgramData%\ssh\administrators_authorized_keys"
    setup_complete = r"%WINDIR%\Setup\Scripts\SetupComplete.cmd"
    sshd = (
        'powershell -NoProfile -Command "Add-WindowsCapability -Online -Name OpenSSH.Server~~~~0.0.1.0; '
        'Set-Service sshd -StartupType Automatic; Start-Service sshd"'
    )
    callback = f"curl.exe -fsS -o NUL -X POST --data installed {request.callback_url}"
    user = request.admin_user
    # redirections go first ("cmd /c >file echo ..."): a text ending in a digit, as keys and tokens may,
    # would otherwise make "1>" a handle redirection
    return [
        {"description": "admin account, random password", "path": f"cmd /c net user {user} /add /random >NUL"},
        {
            "description": "admin account in Administrators (by SID, any language)",
            "path": f'powershell -NoProfile -Command "Add-LocalGroupMember -SID S-1-5-32-544 -Member {user}"',
        },
        {"description": "SSH key directory", "path": r"cmd /c mkdir %ProgramData%\ssh"},
        {"description": "admin SSH key", "path": f"cmd /c >{keys} echo {request.admin_ssh_key}"},
        {
            "description": "SSH key readable by Administrators and SYSTEM only",
            "path": f"icacls {keys} /inheritance:r /grant *S-1-5-32-544:F /grant *S-1-5-18:F",
        },
        {"description": "SetupComplete directory", "path": r"cmd /c mkdir %WINDIR%\Setup\Scripts"},
        {"description": "SetupComplete: SSH server", "path": f"cmd /c >{setup_complete} echo {sshd}"},
        {"description": "SetupComplete: callback", "path": f"cmd /c >>{setup_complete} echo {callback}"},
    ]


def _debconf_value(value: object) -> str:
    """A debconf value: one line, not ending in a backslash (the format has no quoting)."""
    text = str(value)
    if any(char in text for char in "\r\n\x00") or text.endswith("\\"):
        raise ImagingError(
            f"preseed: the value {text!r} cannot be written on one debconf line",
            hint="remove line breaks and a trailing backslash",
        )
    return text


@cache
def _env(xml: bool = False) -> jinja2.Environment:
    """The answer templates' environment: XML-escaping for autounattend.xml, none for the line formats."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("schooltech_fleet.imaging.answers", "templates"),
        autoescape=xml,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["debconf"] = _debconf_value
    return env
