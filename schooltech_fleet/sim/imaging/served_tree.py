"""The boot server's content: a directory tree the caller writes and the HTTP server serves.

Layout under the root (``image plan`` will write the same files)::

    boot/<mac>.ipxe          the PC's iPXE script; MAC in iPXE's ``${mac:hexhyp}`` form (52-54-00-..)
    files/...                kernels, initrds, anything served as is
    tokens/<token>.json      an open one-shot token: {"mac": ..., "answer": "<path under the root>"}
    answers/...              answer files; served only as /answer/<token>, never by path
    callbacks/<token>.json   written by the server when the installer calls back
    discovered/<mac>.json    written by the server when a MAC without a script asks for one

and, under the TFTP root beside it (``tftp_root``, when the tree has one), the GRUB entries of
Secure Boot PCs (:mod:`schooltech_fleet.imaging.grub`)::

    grub/<mac>.cfg           MAC in GRUB's ``${net_default_mac}`` form (52:54:00:..)

URLs: ``GET /boot/<mac>.ipxe`` (a MAC without a script is sent
:data:`schooltech_fleet.imaging.ipxe.LOCAL_BOOT_SCRIPT`, the same script ``image plan`` uses, and
recorded as discovered), ``GET /files/<path>``, ``GET /answer/<token>`` (while the token is
open; also as ``/answer/<token>/user-data`` with ``/answer/<token>/meta-data`` beside it,
the two files Ubuntu's ``ds=nocloud-net;s=<server>/answer/<token>/`` asks for) and
``POST /callback/<token>``: the callback is recorded, the token closes and the PC's script
becomes :data:`LOCAL_BOOT_SCRIPT` (and its GRUB entry, if it has one,
:data:`~schooltech_fleet.imaging.grub.LOCAL_BOOT_ENTRY`), so its next network boot starts the
installed system instead of installing again.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.imaging.grub import LOCAL_BOOT_ENTRY, entry_path
from schooltech_fleet.imaging.ipxe import LOCAL_BOOT_SCRIPT

_MAC_RE = re.compile(r"^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


def normal_mac(mac: str) -> str:
    """``52:54:00:ab:cd:ef`` from any of ``52:54:00:AB:CD:EF``, ``52-54-00-ab-cd-ef``."""
    lowered = mac.strip().lower()
    if not _MAC_RE.match(lowered):
        raise SimulationError(f"{mac!r} is not a MAC address", hint="write it as 52:54:00:12:34:56")
    return lowered.replace("-", ":")


def hexhyp(mac: str) -> str:
    """The MAC as iPXE's ``${mac:hexhyp}`` spells it: ``52-54-00-ab-cd-ef``."""
    return normal_mac(mac).replace(":", "-")


def valid_token(token: str) -> bool:
    """Whether *token* has the shape of a one-shot token (16-128 URL-safe characters)."""
    return bool(_TOKEN_RE.match(token))


def new_token() -> str:
    """A fresh one-shot token (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Callback:
    """An installer's report that it finished: which token, which PC, what it sent."""

    token: str
    mac: str
    client: str
    received_at: float
    body: str


@dataclass(frozen=True)
class ServedTree:
    """The HTTP root of the boot server (and its TFTP root, for GRUB entries) and the operations on their files."""

    root: Path
    tftp_root: Path | None = None

    def create(self) -> ServedTree:
        for sub in ("boot", "files", "tokens", "answers", "callbacks", "discovered"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        return self

    def script_path(self, mac: str) -> Path:
        return self.root / "boot" / f"{hexhyp(mac)}.ipxe"

    def grub_entry_path(self, mac: str) -> Path:
        if self.tftp_root is None:
            raise SimulationError("this boot server has no TFTP root for GRUB entries")
        return self.tftp_root / entry_path(mac)

    def write_grub_entry(self, mac: str, entry: str) -> Path:
        """Write the Secure Boot PC's GRUB entry (``grub/<mac>.cfg`` under the TFTP root), world-readable:
        dnsmasq's TFTP serves no other file."""
        path = self.grub_entry_path(mac)
        write_atomically(path, entry, mode=0o644)
        return path

    def token_path(self, token: str) -> Path:
        if not valid_token(token):
            raise SimulationError(f"{token!r} is not a valid token", hint="use served_tree.new_token()")
        return self.root / "tokens" / f"{token}.json"

    def callback_path(self, token: str) -> Path:
        return self.root / "callbacks" / f"{token}.json"

    def write_script(self, mac: str, script: str) -> Path:
        """Write the PC's iPXE script (it must start with ``#!ipxe``)."""
        if not script.startswith("#!ipxe"):
            raise SimulationError(f"the iPXE script for {normal_mac(mac)} does not start with #!ipxe")
        path = self.script_path(mac)
        write_atomically(path, script)
        return path

    def open_token(self, token: str, mac: str, answer: str, answer_name: str | None = None) -> Path:
        """Open *token* for the PC *mac*: its answer file (text *answer*) is served until the callback."""
        name = answer_name or f"{token}.answer"
        answer_path = self.root / "answers" / name
        write_atomically(answer_path, answer)
        record = {"mac": normal_mac(mac), "answer": str(answer_path.relative_to(self.root))}
        path = self.token_path(token)
        write_atomically(path, json.dumps(record, indent=2) + "\n")
        return path

    def token_record(self, token: str) -> dict[str, Any] | None:
        """The open token's record, or None (unknown, malformed or already used)."""
        if not valid_token(token):
            return None
        try:
            record = json.loads(self.token_path(token).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        return record if isinstance(record, dict) else None

    def answer_for(self, token: str) -> bytes | None:
        """The answer file of an open token, or None."""
        record = self.token_record(token)
        if record is None:
            return None
        path = (self.root / str(record.get("answer", ""))).resolve()
        if not path.is_relative_to((self.root / "answers").resolve()):
            return None
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def close_token(self, token: str, client: str, body: str, received_at: float) -> Callback | None:
        """Record the callback for an open token, close it and flip its PC to local boot; None if not open."""
        record = self.token_record(token)
        if record is None:
            return None
        mac = normal_mac(str(record["mac"]))
        callback = Callback(token=token, mac=mac, client=client, received_at=received_at, body=body)
        write_atomically(self.callback_path(token), json.dumps(asdict(callback), indent=2) + "\n")
        self.write_script(mac, LOCAL_BOOT_SCRIPT)
        if self.tftp_root is not None and self.grub_entry_path(mac).exists():
            self.write_grub_entry(mac, LOCAL_BOOT_ENTRY)
        self.token_path(token).unlink()
        return callback

    def callbacks(self) -> list[Callback]:
        """Every callback received so far, oldest first."""
        found = []
        for path in (self.root / "callbacks").glob("*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            found.append(Callback(**data))
        return sorted(found, key=lambda callback: callback.received_at)

    def record_discovered(self, mac: str, client: str, seen_at: float) -> None:
        """Note a MAC that asked for a script it does not have (it boots locally)."""
        path = self.root / "discovered" / f"{hexhyp(mac)}.json"
        write_atomically(path, json.dumps({"mac": normal_mac(mac), "client": client, "seen_at": seen_at}) + "\n")

    def discovered(self) -> list[str]:
        """MACs that asked for a script without having one."""
        return sorted(
            json.loads(path.read_text(encoding="utf-8"))["mac"] for path in (self.root / "discovered").glob("*.json")
        )


def write_atomically(path: Path, text: str, mode: int | None = None) -> None:
    """Replace *path* with *text* in one step (the HTTP server never serves half a file); *mode* if given,
    else private to this user."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
