"""Client of the emulator's control channel, for tests and failure injection."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.switches.mac_table import Station

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class PathStatus:
    """A switch's management path: intact, or the reasons it is cut."""

    intact: bool
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class PendingRevert:
    """A Rollback Confirmed Change waiting for ``configure confirm``: the archive it restores, when."""

    archive: str
    minutes: int
    seconds_left: float


@dataclass(frozen=True)
class MacEntry:
    """One line of a switch's ``show mac address-table``; ``vlan`` None is IOS's ``All``."""

    vlan: int | None
    mac: str  # dotted, as IOS writes it: 5254.0090.2065
    kind: str  # DYNAMIC | STATIC
    port: str  # Gi1/0/1, Te1/1/1, Vl99, CPU


class SwitchControl:
    """Talks to ``python -m schooltech_fleet.sim.switches`` on its control port.

    Every call opens a short TCP connection; errors raise ``SimulationError``.
    """

    def __init__(self, port: int, host: str = LOOPBACK, timeout: float = 10.0) -> None:
        self.port = port
        self.host = host
        self.timeout = timeout

    def ping(self) -> dict[str, int]:
        """The emulated switches and their SSH ports."""
        result: dict[str, int] = self._call("ping")
        return result

    def running_config(self, switch: str) -> str:
        """The running-config text (``!`` ... ``end``), as ``show running-config`` prints it."""
        return str(self._call("running_config", switch=switch))

    def saved_config(self, switch: str) -> str:
        """What ``write memory`` last stored (the boot config until then)."""
        return str(self._call("saved_config", switch=switch))

    def set_running_config(self, switch: str, text: str) -> None:
        """Replace the running-config by ``text`` (an out-of-band change); all or nothing."""
        self._call("set_running_config", switch=switch, text=text)

    def configure(self, switch: str, text: str) -> None:
        """Type ``text`` in config mode, as someone on the console would (merge)."""
        self._call("configure", switch=switch, text=text)

    def reject(self, switch: str, command_regex: str) -> None:
        """Config commands matching ``command_regex`` answer ``% Invalid input detected``."""
        self._call("reject", switch=switch, pattern=command_regex)

    def drop_after(self, switch: str, n_config_commands: int) -> None:
        """Run ``n`` more config-mode commands, then reset the TCP connection on the next one."""
        self._call("drop_after", switch=switch, commands=n_config_commands)

    def clear_faults(self, switch: str) -> None:
        """Forget ``reject`` patterns and a pending ``drop_after``."""
        self._call("clear_faults", switch=switch)

    def reset(self, switch: str) -> None:
        """Back to the boot state: running and saved config, no faults, empty command log."""
        self._call("reset", switch=switch)

    def command_log(self, switch: str) -> list[str]:
        """Every command line the switch received over SSH since start or ``reset``."""
        result: list[str] = self._call("command_log", switch=switch)
        return result

    def disconnect(self, switch: str) -> int:
        """Abort every SSH session of ``switch``; returns how many were open."""
        return int(self._call("disconnect", switch=switch))

    def management_path(self, switch: str) -> PathStatus:
        """Whether schooltech's sessions can reach ``switch`` now and, if not, why."""
        result = self._call("management_path", switch=switch)
        return PathStatus(bool(result["intact"]), tuple(str(problem) for problem in result["problems"]))

    def pending_revert(self, switch: str) -> PendingRevert | None:
        """The revert ``configure terminal revert timer`` armed and nobody confirmed yet, if any."""
        result = self._call("pending_revert", switch=switch)
        if result is None:
            return None
        return PendingRevert(str(result["archive"]), int(result["minutes"]), float(result["seconds_left"]))

    def expire_revert(self, switch: str) -> str:
        """Let the pending revert fire now (as if its timer ran out); returns the archive restored."""
        return str(self._call("expire_revert", switch=switch))

    def confirm_revert(self, switch: str) -> None:
        """Confirm the pending revert, as ``configure confirm`` typed at the switch's console would."""
        self._call("confirm_revert", switch=switch)

    def hold(self, switch: str, pattern: str, skip: int = 0) -> None:
        """The (*skip* + 1)-th next line matching *pattern* received over SSH gets no answer until :meth:`release`."""
        self._call("hold", switch=switch, pattern=pattern, skip=skip)

    def held(self, switch: str) -> str | None:
        """The line being held, if any."""
        result = self._call("held", switch=switch)
        return None if result is None else str(result)

    def release(self, switch: str) -> str | None:
        """Run the held line (its answer goes out now); returns it, or None when nothing was held."""
        result = self._call("release", switch=switch)
        return None if result is None else str(result)

    def host_key(self, switch: str) -> str:
        """The SSH host public key ``switch`` offers now (``ssh-ed25519 AAAA...``)."""
        return str(self._call("host_key", switch=switch))

    def replace_host_key(self, switch: str, private_key: str | None = None) -> str:
        """Serve new connections with another host key (given as OpenSSH text, else generated); returns it."""
        return str(self._call("replace_host_key", switch=switch, private_key=private_key))

    def mac_table(self, switch: str) -> list[MacEntry]:
        """What ``show mac address-table`` lists on ``switch`` now (see ``mac_table.py``)."""
        return [MacEntry(vlan, str(mac), str(kind), str(port)) for vlan, mac, kind, port in self._call("mac_table",
                                                                                                      switch=switch)]

    def stations(self, switch: str) -> list[Station]:
        """The devices plugged into the ports of ``switch``."""
        return [Station(**station) for station in self._call("stations", switch=switch)]

    def plug(self, switch: str, mac: str, interface: str, vlan: int | None = None, label: str | None = None) -> bool:
        """Plug the device ``mac`` into ``interface`` of ``switch``, unplugging it from wherever it was.

        A device that was plugged in elsewhere keeps its VLAN and label unless given; every
        switch's table follows (``mac_table.py``). Returns whether the port is up: a shut-down
        port learns nothing until it is enabled.
        """
        return bool(self._call("plug", switch=switch, mac=mac, interface=interface, vlan=vlan, label=label))

    def unplug(self, switch: str, mac: str) -> Station:
        """Unplug the device ``mac`` from ``switch``; its entries vanish from every table. Returns it."""
        return Station(**self._call("unplug", switch=switch, mac=mac))

    def _call(self, op: str, **params: Any) -> Any:
        request = json.dumps({"op": op, **params}).encode() + b"\n"
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
                sock.sendall(request)
                reply = _read_line(sock)
        except OSError as error:
            raise SimulationError(f"switch emulator control channel on port {self.port}: {error}") from None
        answer = json.loads(reply)
        if not answer.get("ok"):
            raise SimulationError(f"switch emulator refused {op}: {answer.get('error')}")
        return answer.get("result")


def _read_line(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("connection closed before a reply arrived")
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            return b"".join(chunks)
