"""Start and stop the switch emulator process from Python (tests, demo, benchmarks)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

import schooltech_fleet
from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.switches.control_client import SwitchControl
from schooltech_fleet.sim.switches.spec import SwitchSpec, dump_specs

MODULE = "schooltech_fleet.sim.switches"
LOOPBACK = "127.0.0.1"
STOP_TIMEOUT = 5.0
_POLL_SECONDS = 0.05
_STDERR_TAIL = 4000


@dataclass
class SwitchFarm:
    """A running emulator process hosting several switches."""

    process: subprocess.Popen[bytes]
    control: SwitchControl
    ports: Mapping[str, int]
    host_keys: Mapping[str, str]
    workdir: Path
    log_path: Path
    _log: IO[bytes]

    def port(self, switch: str) -> int:
        """The SSH port of ``switch`` on 127.0.0.1."""
        try:
            return self.ports[switch]
        except KeyError:
            raise SimulationError(f"no emulated switch named {switch!r}") from None

    def known_hosts(self) -> str:
        """Known-hosts lines of every switch as started (``[127.0.0.1]:PORT ssh-ed25519 AAAA...``)."""
        return "".join(f"[{LOOPBACK}]:{self.ports[name]} {key}\n" for name, key in sorted(self.host_keys.items()))

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM, then SIGKILL after ``timeout``; safe to call twice."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def __enter__(self) -> SwitchFarm:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:  # fmt: skip
        self.stop()


def start_switches(specs: Sequence[SwitchSpec], workdir: Path, *, control_port: int = 0, timeout: float = 30.0,
                   log_level: str = "WARNING", detached: bool = False) -> SwitchFarm:  # fmt: skip
    """Start one emulator process for ``specs`` and wait until every switch listens.

    ``workdir`` receives the spec file (mode 0600: it may hold host keys), the ready file,
    ``host-keys/`` (each switch's SSH private host key) and ``switches.log`` (the process's
    output). Raises SimulationError, with the end of that log, if the process fails or is not
    ready within ``timeout`` seconds (it is killed then). A process started ``detached`` runs
    in a session of its own and outlives this one (``schooltech sim up``); stop it with
    :func:`stop_detached`. Otherwise it exits when this process does.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    spec_path, ready_path, log_path = workdir / "switches.json", workdir / "ready.json", workdir / "switches.log"
    dump_specs(specs, spec_path)
    ready_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", MODULE, "--spec", str(spec_path), "--control-port", str(control_port),
               "--ready-file", str(ready_path), "--log-level", log_level,
               "--key-dir", str(workdir / "host-keys")]  # fmt: skip
    if not detached:
        command += ["--parent-pid", str(os.getpid())]
    log = log_path.open("wb")
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                               env=_child_environment(), start_new_session=detached)  # fmt: skip
    try:
        control_port, ports, host_keys = _wait_until_ready(process, ready_path, log_path, timeout)
    except BaseException:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
        raise
    return SwitchFarm(process, SwitchControl(control_port), ports, host_keys, workdir, log_path, log)


def is_emulator(pid: int) -> bool:
    """Whether *pid* is a running switch emulator (and not a reused process id)."""
    try:
        return MODULE.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def stop_detached(pid: int, timeout: float = STOP_TIMEOUT) -> bool:
    """SIGTERM a detached emulator, SIGKILL after ``timeout``; False if it was not running."""
    if not is_emulator(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while is_emulator(pid) and time.monotonic() < deadline:
        time.sleep(_POLL_SECONDS)
    if is_emulator(pid):
        os.kill(pid, signal.SIGKILL)
    return True


def _child_environment() -> dict[str, str]:
    """The current environment, with this checkout importable by the child."""
    source_root = str(Path(schooltech_fleet.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source_root, env.get("PYTHONPATH")]))
    return env


def _wait_until_ready(process: subprocess.Popen[bytes], ready_path: Path, log_path: Path,
                      timeout: float) -> tuple[int, dict[str, int], dict[str, str]]:  # fmt: skip
    """Wait for the ready file; return the control port, the SSH port and host key of each switch."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready_path.exists():
            ready = json.loads(ready_path.read_text())
            ports = {str(name): int(port) for name, port in ready["switches"].items()}
            return int(ready["control_port"]), ports, {str(name): str(key) for name, key in ready["host_keys"].items()}
        if process.poll() is not None:
            raise SimulationError(
                f"switch emulator exited with status {process.returncode} before it was ready:\n" + _tail(log_path)
            )
        time.sleep(_POLL_SECONDS)
    raise SimulationError(f"switch emulator not ready after {timeout:.0f} s:\n" + _tail(log_path))


def _tail(path: Path) -> str:
    return path.read_bytes()[-_STDERR_TAIL:].decode(errors="replace")
