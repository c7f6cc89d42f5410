"""The lab's power controller: a Wake-on-LAN listener on the bridge that powers VMs on.

Run inside the lab's lan namespace (the lab does this)::

    python -m schooltech_fleet.sim.imaging.power --config power.json

It reads every frame crossing the bridge (a raw packet socket on ``br0``, as a NIC in wake
mode sees its wire) and looks for magic packets. A magic packet for a known PC that is off
queues it for power-on; at most ``max_running`` VMs run at once (the others wait, in the
order they were woken); a VM that runs longer than ``max_runtime`` seconds is cut off. A
packet for an unknown MAC, or for a PC already on, is only logged. Every event is one JSON
line in ``events``; each PC's status is a JSON file in ``state_dir`` (see :mod:`vm`).
SIGTERM stops every VM and the controller.
"""

from __future__ import annotations

import argparse
import json
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any

from schooltech_fleet.imaging.pxe_service import normal_mac, write_atomically
from schooltech_fleet.sim.imaging.magic_packet import woken_macs
from schooltech_fleet.sim.imaging.vm import VmSpec, VmState, VmStatus, kill_group, qemu_argv, write_status

ETH_P_ALL = 0x0003
STOP_GRACE = 5.0


@dataclass(frozen=True)
class PowerConfig:
    """Everything the controller needs, written by the lab as JSON."""

    bridge: str
    machines: tuple[VmSpec, ...]
    max_running: int
    max_runtime: float
    state_dir: Path
    events: Path
    ready: Path

    def to_json(self) -> dict[str, Any]:
        return {
            "bridge": self.bridge,
            "machines": [machine.to_json() for machine in self.machines],
            "max_running": self.max_running,
            "max_runtime": self.max_runtime,
            "state_dir": str(self.state_dir),
            "events": str(self.events),
            "ready": str(self.ready),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PowerConfig:
        return cls(
            bridge=data["bridge"],
            machines=tuple(VmSpec.from_json(item) for item in data["machines"]),
            max_running=int(data["max_running"]),
            max_runtime=float(data["max_runtime"]),
            state_dir=Path(data["state_dir"]),
            events=Path(data["events"]),
            ready=Path(data["ready"]),
        )


class PowerController:
    """Wake-on-LAN in, VMs on; a worker thread per VM slot."""

    def __init__(self, config: PowerConfig) -> None:
        self.config = config
        self.specs = {normal_mac(spec.mac): spec for spec in config.machines}
        self.status = {mac: VmStatus(name=spec.name, mac=mac, state=VmState.OFF) for mac, spec in self.specs.items()}
        self.pending: queue.Queue[str | None] = queue.Queue()
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def serve(self) -> None:
        """Listen until SIGTERM, then stop every VM."""
        self.config.state_dir.mkdir(parents=True, exist_ok=True)
        for status in self.status.values():
            write_status(self.config.state_dir, status)
        listener = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        listener.bind((self.config.bridge, 0))
        listener.settimeout(0.5)
        workers = [threading.Thread(target=self._work, daemon=True) for _ in range(self.config.max_running)]
        for worker in workers:
            worker.start()
        write_atomically(self.config.ready, "listening\n")
        while not self.stopping.is_set():
            try:
                frame = listener.recv(65535)
            except TimeoutError:
                continue
            except InterruptedError:
                continue
            for mac in woken_macs(frame):
                self.wake(mac)
        listener.close()
        self._stop_all(workers)

    def wake(self, mac: str) -> None:
        """Queue *mac* for power-on if it is a known PC that is off; log the event either way."""
        with self.lock:
            status = self.status.get(mac)
            if status is None:
                self._event("unknown-mac", mac)
                return
            if status.state is not VmState.OFF:
                self._event("already-on", mac, state=status.state.value)
                return
            self._set(replace(status, state=VmState.WAITING, woken_at=time.time(), timed_out=False))
            self._event("wake", mac, pc=status.name)
        self.pending.put(mac)

    def _work(self) -> None:
        while (mac := self.pending.get()) is not None:
            if not self.stopping.is_set():
                self._run(mac)

    def _run(self, mac: str) -> None:
        spec = self.specs[mac]
        with self.lock, spec.qemu_log.open("ab") as log:
            process = subprocess.Popen(
                qemu_argv(spec), stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
            )
            self.running[mac] = process
            status = self.status[mac]
            self._set(replace(status, state=VmState.RUNNING, started_at=time.time(), boots=status.boots + 1))
            self._event("power-on", mac, pc=spec.name, pid=process.pid)
        timed_out = False
        try:
            code = process.wait(timeout=self.config.max_runtime)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(process.pid, signal.SIGKILL)
            code = process.wait()
        with self.lock:
            self.running.pop(mac, None)
            status = self.status[mac]
            self._set(replace(status, state=VmState.OFF, stopped_at=time.time(), exit_code=code, timed_out=timed_out))
            self._event("power-off", mac, pc=spec.name, exit_code=code, timed_out=timed_out)

    def _stop_all(self, workers: list[threading.Thread]) -> None:
        with self.lock:
            processes = list(self.running.values())
        for process in processes:
            kill_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                kill_group(process.pid, signal.SIGKILL)
        for _ in workers:
            self.pending.put(None)
        for worker in workers:
            worker.join(timeout=STOP_GRACE)

    def _set(self, status: VmStatus) -> None:
        self.status[status.mac] = status
        write_status(self.config.state_dir, status)

    def _event(self, event: str, mac: str, **details: object) -> None:
        with self.config.events.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"time": time.time(), "event": event, "mac": mac, **details}) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    args = parser.parse_args(argv)
    config = PowerConfig.from_json(json.loads(args.config.read_text(encoding="utf-8")))
    controller = PowerController(config)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        controller.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    controller.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
