"""An SSH server that is not the switch: it answers with a key of its own and keeps every password offered.

What a session meets when someone else answers on a switch's management address (a
laptop given the switch's IP, a man in the middle). A real SSH server (paramiko), on
127.0.0.1; it never lets anyone in.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType
from typing import Any

import paramiko

from schooltech_fleet.network.hostkeys import HostKey


class _Recorder(paramiko.ServerInterface):  # type: ignore[misc]
    def __init__(self, passwords: list[str]) -> None:
        self._passwords = passwords

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        self._passwords.append(password)
        return int(paramiko.AUTH_FAILED)


class Impostor:
    """Listening on 127.0.0.1:``port`` until closed; ``passwords`` holds what clients sent it."""

    def __init__(self, key: Any = None) -> None:
        """*key*: the paramiko host key it answers with (a new ECDSA key by default)."""
        self.passwords: list[str] = []
        self._key: Any = key or paramiko.ECDSAKey.generate()
        self.key = HostKey.of(self._key)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._session, args=(connection,), daemon=True).start()

    def _session(self, connection: socket.socket) -> None:
        transport = paramiko.Transport(connection)
        transport.add_server_key(self._key)
        try:
            transport.start_server(server=_Recorder(self.passwords))
            transport.accept(timeout=10)
        except (paramiko.SSHException, EOFError, OSError):
            pass
        finally:
            transport.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._listener.close()

    def __enter__(self) -> Impostor:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:  # fmt: skip
        self.close()
