"""The boot server's HTTP server: serves a :class:`ServedTree` and takes installer callbacks.

Run inside the boot server's namespace (the lab does this)::

    python -m schooltech_fleet.sim.imaging.http_server --root DIR --bind ADDR --port N \\
        --log requests.jsonl --ready http.ready

Every request is appended to ``--log`` as one JSON line (time, client, method, path, status,
bytes); ``--ready`` is written once the socket listens. Python's ``http.server`` only: what
a boot server with Debian packages alone would run.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.imaging.ipxe import LOCAL_BOOT_SCRIPT
from schooltech_fleet.sim.imaging.served_tree import ServedTree, normal_mac, write_atomically

MAX_CALLBACK_BODY = 64 * 1024


class BootServer(ThreadingHTTPServer):
    """The HTTP server, holding the tree and the request log."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], tree: ServedTree, log: Path) -> None:
        super().__init__(address, BootRequestHandler)
        self.tree = tree
        self.log_path = log
        self.lock = threading.Lock()

    def record(self, entry: dict[str, object]) -> None:
        with self.lock, self.log_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")


class BootRequestHandler(BaseHTTPRequestHandler):
    """GET scripts, files and answers; POST callbacks."""

    server: BootServer
    server_version = "schooltech-boot/1"

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
            self._file(tree.root / "files", path[len("/files/") :])
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n")

    def do_POST(self) -> None:
        path = unquote(urlsplit(self.path).path)
        length = int(self.headers.get("Content-Length") or 0)
        if not path.startswith("/callback/") or length > MAX_CALLBACK_BODY:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n")
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        with self.server.lock:
            callback = self.server.tree.close_token(
                path[len("/callback/") :], client=self.client_address[0], body=body, received_at=time.time()
            )
        if callback is None:
            self._send(HTTPStatus.GONE, b"no open token\n")
        else:
            self._send(HTTPStatus.OK, f"installed: {callback.mac} boots from its disk from now on\n".encode())

    def _script(self, mac_text: str) -> None:
        tree = self.server.tree
        try:
            mac = normal_mac(mac_text)
        except SimulationError:
            self._send(HTTPStatus.NOT_FOUND, b"not a MAC\n")
            return
        try:
            self._send(HTTPStatus.OK, tree.script_path(mac).read_bytes())
        except FileNotFoundError:
            tree.record_discovered(mac, client=self.client_address[0], seen_at=time.time())
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
                "client": self.client_address[0],
                "method": self.command,
                "path": urlsplit(self.path).path,
                "status": int(status),
                "bytes": size,
            }
        )

    def log_message(self, format: str, *args: object) -> None:
        """Requests go to the JSON log (see _record), not to stderr."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--tftp-root", type=Path, help="the TFTP root holding grub/<mac>.cfg entries")
    parser.add_argument("--bind", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--ready", type=Path, required=True)
    args = parser.parse_args(argv)
    server = BootServer((args.bind, args.port), ServedTree(args.root, args.tftp_root).create(), args.log)
    write_atomically(args.ready, f"{args.bind}:{args.port}\n")
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
