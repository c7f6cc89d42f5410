#!/usr/bin/python3
"""schooltech-pxe: a boot server's one-shot tokens, per-PC entries and installer callbacks.

Python's standard library only: the ``pxe_server`` role installs this very file on a Debian
boot server as ``/usr/local/sbin/schooltech-pxe`` (its ``files/schooltech-pxe`` is a link to
it), and the simulation's imaging lab runs it from the package. The token and callback logic
exists here once.

The served tree (under the root; ``image plan`` writes the same files)::

    boot/<mac>.ipxe          the PC's iPXE script; MAC in iPXE's ``${mac:hexhyp}`` form (52-54-00-..)
    files/...                kernels, initrds, anything served as is
    tokens/<token>.json      an open one-shot token: {"mac": ..., "answer": "<path under the root>"}
    answers/...              answer files; served only as /answer/<token>, never by path
    entries/<mac>.json       when the PC's entry was opened, and its token (not served)
    callbacks/<token>.json   written when the installer calls back
    discovered/<mac>.json    written when a MAC without a script asks for one

and, under the TFTP root beside it (when the tree has one), the GRUB entries of Secure Boot
PCs (:mod:`schooltech_fleet.imaging.grub`; Debian's signed GRUB reads them over TFTP)::

    grub/<mac>.cfg           MAC in GRUB's ``${net_default_mac}`` form (52:54:00:..)

HTTP (:class:`TokenServer`): ``GET /boot/<mac>.ipxe`` (a MAC without a script gets
:data:`LOCAL_BOOT_SCRIPT` and is recorded as discovered), ``GET /files/<path>``,
``GET /answer/<token>`` while the token is open (also ``/answer/<token>/user-data`` and
``meta-data``, what Ubuntu's ``ds=nocloud-net;s=<server>/answer/<token>/`` asks for) and
``POST /callback/<token>``: the callback is recorded, the token closes and the PC's script
becomes :data:`LOCAL_BOOT_SCRIPT` in one atomic rename (and its GRUB entry, if it has one,
:data:`LOCAL_BOOT_ENTRY`), so its next network boot starts the installed system instead of
installing again. Every request is one JSON line in the request
log (time, client, method, path, status, bytes); the role's nginx writes the same lines for
what it serves itself (``boot/``, ``files/``) and passes ``/answer/`` and ``/callback/`` here.

Commands (what the controller runs over SSH; JSON on stdout, a refusal on stderr with exit 2)::

    schooltech-pxe serve                 the HTTP server (the role's systemd unit runs it)
    schooltech-pxe open MAC TOKEN        stdin: {"script": ..., "answer": ..., "answer_name": ...,
                                          "grub_entry": ... (Secure Boot PCs only)}
    schooltech-pxe close MAC             local boot again; the PC's open token closes
    schooltech-pxe wake MAC              one magic packet to each served VLAN's broadcast
    schooltech-pxe status                {"asked": [MACs that fetched their script since their
                                          entry opened], "called_back": [tokens], "open": {MAC: token}}

Settings come from ``/etc/schooltech-pxe.json`` (``--config``), which the role writes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

try:  # inside schooltech-fleet a refusal is a FleetError; the boot server's copy runs alone
    from schooltech_fleet.errors import ImagingError as _Refusal
except ImportError:  # pragma: no cover - exercised on the boot server
    _Refusal = Exception  # type: ignore[misc,assignment]

CONFIG = Path("/etc/schooltech-pxe.json")
MAX_CALLBACK_BODY = 64 * 1024
LOCAL_BIOS = "sanboot --no-describe --drive 0x80"
LOCAL_UEFI = "exit"
WAKE_PORT = 9
SYNC = b"\xff" * 6
REPEATS = 16

_MAC_RE = re.compile(r"^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


class BootTreeError(_Refusal):
    """A value the boot server refuses (not a MAC, not a token, not an iPXE script)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.message = message
        self.hint = hint


def local_boot_script(firmware: str | None = None) -> str:
    """Boot the installed system: first disk (``bios``), back to the firmware (``uefi``), or decide at boot (None)."""
    if firmware == "bios":
        command = f"{LOCAL_BIOS} || exit"
    elif firmware == "uefi":
        command = LOCAL_UEFI
    else:
        command = f"iseq ${{platform}} pcbios && {LOCAL_BIOS} || {LOCAL_UEFI}"
    return f"#!ipxe\necho schooltech: nothing to install for ${{mac}}: booting from the local disk\n{command}\n"


#: the script for a PC with nothing pending (an unknown MAC, and the flip after a callback)
LOCAL_BOOT_SCRIPT = local_boot_script()
#: a closed GRUB entry: back to the firmware, which boots its next option (the local disk)
LOCAL_BOOT_ENTRY = 'echo "schooltech: nothing to install for ${net_default_mac}: booting from the local disk"\nexit\n'


def grub_mac(mac: str) -> str:
    """The MAC as GRUB's ``${net_default_mac}`` spells it (``52:54:00:ab:cd:ef``), from any usual spelling."""
    return normal_mac(mac)


def grub_entry_name(mac: str) -> str:
    """A Secure Boot PC's entry under the TFTP root: ``grub/52:54:00:ab:cd:ef.cfg``."""
    return f"grub/{grub_mac(mac)}.cfg"


def normal_mac(mac: str) -> str:
    """``52:54:00:ab:cd:ef`` from any of ``52:54:00:AB:CD:EF``, ``52-54-00-ab-cd-ef``."""
    lowered = mac.strip().lower()
    if not _MAC_RE.match(lowered):
        raise BootTreeError(f"{mac!r} is not a MAC address", hint="write it as 52:54:00:12:34:56")
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


def magic_packet(mac: str) -> bytes:
    """The 102-byte Wake-on-LAN payload for *mac*: six 0xFF bytes, then the MAC sixteen times."""
    return SYNC + bytes.fromhex(normal_mac(mac).replace(":", "")) * REPEATS


def send_magic_packet(mac: str, broadcast: str, port: int = WAKE_PORT) -> None:
    """Send one magic packet for *mac* as UDP to *broadcast*:*port*."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.sendto(magic_packet(mac), (broadcast, port))


@dataclass(frozen=True)
class ServedMedia:
    """A directory served in place as ``files/<prefix>/`` (installer media, mapped, never copied)."""

    prefix: str
    directory: Path

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", self.prefix):
            raise BootTreeError(f"media prefix {self.prefix!r} is not one path segment", hint="e.g. debian12")


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
    """The boot server's HTTP root (and TFTP root, for GRUB entries) and the operations on their files."""

    root: Path
    tftp_root: Path | None = None

    def create(self) -> ServedTree:
        for sub in ("boot", "files", "tokens", "answers", "entries", "callbacks", "discovered"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        return self

    def script_path(self, mac: str) -> Path:
        return self.root / "boot" / f"{hexhyp(mac)}.ipxe"

    def grub_entry_path(self, mac: str) -> Path:
        if self.tftp_root is None:
            raise BootTreeError("this boot server has no TFTP root for GRUB entries", hint="set its tftp_root")
        return self.tftp_root / grub_entry_name(mac)

    def write_grub_entry(self, mac: str, entry: str) -> Path:
        """Write a Secure Boot PC's GRUB entry, world-readable and owned as its directory is.

        dnsmasq's ``tftp-secure`` serves only files owned by the user it runs as; the role makes
        ``grub/`` that user's, so an entry written by root (the service, ``sudo schooltech-pxe``)
        is handed to the same owner.
        """
        path = self.grub_entry_path(mac)
        write_atomically(path, entry)
        folder = path.parent.stat()
        if os.geteuid() == 0 and (folder.st_uid, folder.st_gid) != (0, 0):
            os.chown(path, folder.st_uid, folder.st_gid)
        return path

    def _close_grub_entry(self, mac: str) -> None:
        if self.tftp_root is not None and self.grub_entry_path(mac).exists():
            self.write_grub_entry(mac, LOCAL_BOOT_ENTRY)

    def token_path(self, token: str) -> Path:
        if not valid_token(token):
            raise BootTreeError(f"{token!r} is not a one-shot token", hint="16 to 128 characters of A-Z a-z 0-9 _ -")
        return self.root / "tokens" / f"{token}.json"

    def callback_path(self, token: str) -> Path:
        return self.root / "callbacks" / f"{token}.json"

    def entry_path(self, mac: str) -> Path:
        return self.root / "entries" / f"{hexhyp(mac)}.json"

    def write_script(self, mac: str, script: str) -> Path:
        """Write the PC's iPXE script (it must start with ``#!ipxe``)."""
        _check_script(mac, script)
        path = self.script_path(mac)
        write_atomically(path, script)
        return path

    def open_token(self, token: str, mac: str, answer: str, answer_name: str | None = None) -> Path:
        """Open *token* for the PC *mac*: its answer file (text *answer*) is served until the callback."""
        path = self.token_path(token)
        name = answer_name or f"{token}.answer"
        answer_path = (self.root / "answers" / name).resolve()
        if not answer_path.is_relative_to((self.root / "answers").resolve()):
            raise BootTreeError(f"{name!r} is not a file name", hint="a name without / or ..")
        write_atomically(answer_path, answer)
        record = {"mac": normal_mac(mac), "answer": str(answer_path.relative_to(self.root.resolve()))}
        write_atomically(path, json.dumps(record, indent=2) + "\n")
        return path

    def open_entry(
        self,
        mac: str,
        token: str,
        script: str,
        answer: str,
        answer_name: str | None = None,
        grub_entry: str | None = None,
    ) -> None:
        """Open the PC's entry: close its older tokens, open *token* with *answer*, then serve *script*
        (and *grub_entry*, for a Secure Boot PC)."""
        self.token_path(token)  # refuses a malformed token, MAC or script before anything changes
        _check_script(mac, script)
        if grub_entry is not None:
            self.grub_entry_path(mac)
        self.close_tokens_of(mac)
        write_atomically(self.entry_path(mac), json.dumps({"token": token, "opened_at": time.time()}) + "\n")
        self.open_token(token, mac, answer, answer_name)
        self.write_script(mac, script)
        if grub_entry is not None:
            self.write_grub_entry(mac, grub_entry)

    def close_entry(self, mac: str, script: str = LOCAL_BOOT_SCRIPT) -> None:
        """Serve *script* (local boot) to the PC again and close its open tokens (nothing else if none)."""
        self.write_script(mac, script)
        self._close_grub_entry(mac)
        self.close_tokens_of(mac)

    def close_tokens_of(self, mac: str) -> None:
        """Close every open token of *mac* (a closed token's answer is no longer served)."""
        wanted = normal_mac(mac)
        for path in (self.root / "tokens").glob("*.json"):
            record = self.token_record(path.stem)
            if record is not None and normal_mac(str(record["mac"])) == wanted:
                path.unlink(missing_ok=True)

    def open_tokens(self) -> dict[str, str]:
        """MAC -> token of every open token."""
        found = {}
        for path in sorted((self.root / "tokens").glob("*.json")):
            record = self.token_record(path.stem)
            if record is not None:
                found[normal_mac(str(record["mac"]))] = path.stem
        return found

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
        self._close_grub_entry(mac)
        self.token_path(token).unlink()
        return callback

    def called_back(self, token: str) -> bool:
        """Whether the installer holding *token* has called back."""
        return valid_token(token) and self.callback_path(token).exists()

    def callbacks(self) -> list[Callback]:
        """Every callback received so far, oldest first."""
        found = []
        for path in (self.root / "callbacks").glob("*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            found.append(Callback(**data))
        return sorted(found, key=lambda callback: callback.received_at)

    def asked(self, mac: str, logs: Iterable[Path]) -> bool:
        """Whether a request log shows ``GET /boot/<mac>.ipxe`` (or its answer: a Secure Boot PC's GRUB
        reads its entry over TFTP) since the PC's entry was opened."""
        return self._asked(mac, read_requests(logs))

    def _asked(self, mac: str, requests: list[dict[str, Any]]) -> bool:
        try:
            entry = json.loads(self.entry_path(mac).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return False
        opened_at = float(entry["opened_at"])
        paths = {f"/boot/{hexhyp(mac)}.ipxe", f"/answer/{entry['token']}"}
        return any(
            request.get("method") == "GET" and request.get("path") in paths and float(request["time"]) >= opened_at
            for request in requests
        )

    def record_discovered(self, mac: str, client: str, seen_at: float) -> None:
        """Note a MAC that asked for a script it does not have (it boots locally)."""
        path = self.root / "discovered" / f"{hexhyp(mac)}.json"
        write_atomically(path, json.dumps({"mac": normal_mac(mac), "client": client, "seen_at": seen_at}) + "\n")

    def discovered(self) -> list[str]:
        """MACs that asked for a script without having one."""
        return sorted(
            json.loads(path.read_text(encoding="utf-8"))["mac"] for path in (self.root / "discovered").glob("*.json")
        )

    def status(self, logs: Iterable[Path]) -> dict[str, Any]:
        """What the controller polls: MACs asked since their entry opened, tokens called back, open tokens."""
        requests = read_requests(logs)
        entries = sorted(path.stem for path in (self.root / "entries").glob("*.json"))
        return {
            "asked": [normal_mac(mac) for mac in entries if self._asked(mac, requests)],
            "called_back": sorted(path.stem for path in (self.root / "callbacks").glob("*.json")),
            "open": self.open_tokens(),
        }


def _check_script(mac: str, script: str) -> None:
    if not script.startswith("#!ipxe"):
        raise BootTreeError(f"the iPXE script for {normal_mac(mac)} does not start with #!ipxe")


def read_requests(logs: Iterable[Path]) -> list[dict[str, Any]]:
    """The JSON lines of request logs that exist (a line cut short by a writer is skipped)."""
    requests = []
    for log in logs:
        try:
            lines = log.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            continue
        for line in lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict):
                requests.append(entry)
    return requests


def write_atomically(path: Path, text: str) -> None:
    """Replace *path* with *text* in one step (the HTTP server never serves half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # nginx's worker reads the scripts
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class TokenServer(ThreadingHTTPServer):
    """The HTTP server, holding the tree and the request log.

    *behind_proxy*: the client is the ``X-Real-IP`` that nginx sets (every connection comes from it).
    """

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], tree: ServedTree, log: Path, behind_proxy: bool = False,
        media: Sequence[ServedMedia] = (),
    ) -> None:  # fmt: skip
        super().__init__(address, TokenRequestHandler)
        self.tree = tree
        self.media = {served.prefix: served.directory for served in media}
        self.log_path = log
        self.behind_proxy = behind_proxy
        self.lock = threading.Lock()

    def record(self, entry: dict[str, object]) -> None:
        with self.lock, self.log_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")


class TokenRequestHandler(BaseHTTPRequestHandler):
    """GET scripts, files and answers; POST callbacks."""

    server: TokenServer
    server_version = "schooltech-boot/1"

    @property
    def client(self) -> str:
        forwarded = self.headers.get("X-Real-IP") if self.server.behind_proxy else None
        return forwarded or self.client_address[0]

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        tree = self.server.tree
        if path.startswith("/boot/") and path.endswith(".ipxe"):
            self._script(path[len("/boot/") : -len(".ipxe")])
        elif path.startswith("/answer/"):
            token, _, leaf = path[len("/answer/") :].partition("/")
            answer = tree.answer_for(token) if leaf in ("", "user-data", "meta-data") else None
            if answer is None:
                self._send(HTTPStatus.GONE, b"no open token\n")
            elif leaf == "meta-data":
                self._send(HTTPStatus.OK, f"instance-id: schooltech-{token}\n".encode())
            else:
                self._send(HTTPStatus.OK, answer)
        elif path.startswith("/files/"):
            relative = path[len("/files/") :]
            prefix, _, rest = relative.partition("/")
            if prefix in self.server.media:
                self._file(self.server.media[prefix], rest)
            else:
                self._file(tree.root / "files", relative)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n")

    def do_POST(self) -> None:
        path = unquote(urlsplit(self.path).path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not path.startswith("/callback/") or not 0 <= length <= MAX_CALLBACK_BODY:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n")
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        with self.server.lock:
            callback = self.server.tree.close_token(
                path[len("/callback/") :], client=self.client, body=body, received_at=time.time()
            )
        if callback is None:
            self._send(HTTPStatus.GONE, b"no open token\n")
        else:
            self._send(HTTPStatus.OK, f"installed: {callback.mac} boots from its disk from now on\n".encode())

    def _script(self, mac_text: str) -> None:
        tree = self.server.tree
        try:
            mac = normal_mac(mac_text)
        except BootTreeError:
            self._send(HTTPStatus.NOT_FOUND, b"not a MAC\n")
            return
        try:
            self._send(HTTPStatus.OK, tree.script_path(mac).read_bytes())
        except FileNotFoundError:
            tree.record_discovered(mac, client=self.client, seen_at=time.time())
            self._send(HTTPStatus.OK, LOCAL_BOOT_SCRIPT.encode())

    def _file(self, base: Path, relative: str) -> None:
        target = (base / relative).resolve()
        if not target.is_relative_to(base.resolve()) or not target.is_file():
            self._send(HTTPStatus.NOT_FOUND, b"not found\n")
            return
        size = target.stat().st_size
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self._record(HTTPStatus.OK, size)
        with target.open("rb") as source:
            while chunk := source.read(1 << 20):
                self.wfile.write(chunk)

    def _send(self, status: HTTPStatus, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self._record(status, len(body))
        self.wfile.write(body)

    def _record(self, status: HTTPStatus, size: int) -> None:
        """Log the answer before its body goes out: whoever got the answer finds it in the log."""
        self.server.record(
            {
                "time": time.time(),
                "client": self.client,
                "method": self.command,
                "path": urlsplit(self.path).path,
                "status": int(status),
                "bytes": size,
            }
        )

    def log_message(self, format: str, *args: object) -> None:
        """Requests go to the JSON log (see _record), not to stderr."""


@dataclass(frozen=True)
class Settings:
    """``/etc/schooltech-pxe.json``: where the tree and logs are, where the server listens, where wakes go."""

    root: Path
    bind: str
    port: int
    log: Path
    request_logs: tuple[Path, ...]
    broadcasts: tuple[str, ...]
    wake_port: int = WAKE_PORT
    behind_proxy: bool = True
    tftp_root: Path | None = None
    media: tuple[ServedMedia, ...] = ()  # served in place of files/<prefix>/ (the lab's real installer)

    @classmethod
    def load(cls, path: Path) -> Settings:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BootTreeError(f"{path} does not exist", hint="run the pxe_server role on this host") from None
        return cls(
            root=Path(data["root"]),
            bind=str(data["bind"]),
            port=int(data["port"]),
            log=Path(data["log"]),
            request_logs=tuple(Path(log) for log in data.get("request_logs", [])),
            broadcasts=tuple(str(address) for address in data.get("broadcasts", [])),
            wake_port=int(data.get("wake_port", WAKE_PORT)),
            behind_proxy=bool(data.get("behind_proxy", True)),
            tftp_root=Path(data["tftp_root"]) if data.get("tftp_root") else None,
            media=tuple(ServedMedia(str(prefix), Path(folder)) for prefix, folder in data.get("media", {}).items()),
        )

    def tree(self) -> ServedTree:
        """The served tree these settings name, its directories created."""
        return ServedTree(self.root, self.tftp_root).create()

    @property
    def logs(self) -> tuple[Path, ...]:
        """Every log with requests: this server's and nginx's."""
        return (self.log, *self.request_logs)


def serve(settings: Settings, ready: Path | None = None) -> None:
    """Run the HTTP server until stopped; write *ready* once the socket listens."""
    tree = settings.tree()
    server = TokenServer((settings.bind, settings.port), tree, settings.log, behind_proxy=settings.behind_proxy,
                         media=settings.media)  # fmt: skip
    if ready is not None:
        write_atomically(ready, f"{settings.bind}:{settings.port}\n")
    server.serve_forever()


def run_command(args: argparse.Namespace, stdin: str) -> dict[str, Any]:
    """One controller command on the tree; what it prints as JSON."""
    settings = Settings.load(args.config)
    tree = settings.tree()
    if args.command == "open":
        try:
            entry = json.loads(stdin)
            script, answer = str(entry["script"]), str(entry["answer"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise BootTreeError('open reads {"script": ..., "answer": ...} on stdin') from None
        grub_entry = entry.get("grub_entry")
        tree.open_entry(args.mac, args.token, script, answer, entry.get("answer_name"),
                        None if grub_entry is None else str(grub_entry))  # fmt: skip
        return {"opened": normal_mac(args.mac)}
    if args.command == "close":
        tree.close_entry(args.mac)
        return {"closed": normal_mac(args.mac)}
    if args.command == "wake":
        if not settings.broadcasts:
            raise BootTreeError("no broadcast address to wake PCs at", hint="set pxe_server_wake_broadcasts")
        for broadcast in settings.broadcasts:
            send_magic_packet(args.mac, broadcast, settings.wake_port)
        return {"woken": normal_mac(args.mac), "broadcasts": list(settings.broadcasts)}
    return tree.status(settings.logs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="schooltech-pxe", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--config", type=Path, default=CONFIG)
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("serve", help="run the HTTP server")
    server.add_argument("--ready", type=Path, help="written once the socket listens")
    opening = commands.add_parser("open", help="open a PC's entry (JSON on stdin)")
    opening.add_argument("mac")
    opening.add_argument("token")
    for name in ("close", "wake"):
        commands.add_parser(name).add_argument("mac")
    commands.add_parser("status", help="MACs asked, tokens called back, open tokens")
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            serve(Settings.load(args.config), args.ready)
            return 0
        result = run_command(args, sys.stdin.read() if args.command == "open" else "")
    except BootTreeError as exc:
        sys.stderr.write(f"schooltech-pxe: {exc.message}" + (f" ({exc.hint})" if exc.hint else "") + "\n")
        return 2
    sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
