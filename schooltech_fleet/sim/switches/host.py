"""Host many emulated switches in one Twisted reactor (the body of ``python -m ...switches``)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from twisted.internet import error as internet_error
from twisted.internet import reactor as _reactor
from twisted.internet import task

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.switches.control_server import ControlFactory
from schooltech_fleet.sim.switches.management import Fabric
from schooltech_fleet.sim.switches.spec import SwitchSpec, check_unique
from schooltech_fleet.sim.switches.ssh import build_ssh_factory
from schooltech_fleet.sim.switches.switch import EmulatedSwitch

# Twisted's zope interfaces confuse mypy without the mypy-zope plugin: use the reactor untyped.
reactor: Any = _reactor
LOOPBACK = "127.0.0.1"
PARENT_CHECK_SECONDS = 1.0


def serve(specs: Sequence[SwitchSpec], control_port: int, ready_file: Path, parent_pid: int | None = None,
          key_dir: Path | None = None) -> None:  # fmt: skip
    """Listen for every switch and the control channel on 127.0.0.1, then run until stopped.

    ``ready_file`` is written (atomically, JSON ``{"pid", "control_port", "switches": {name:
    port}, "host_keys": {name: "ssh-ed25519 AAAA..."}}``) once everything listens. With
    ``key_dir``, each switch's SSH private host key is written there (``NAME``, mode 0600).
    The reactor stops on SIGTERM/SIGINT, and when ``parent_pid`` is given and that process
    goes away. Raises SimulationError if a startup config is refused or a port cannot be bound.
    """
    check_unique(specs)
    switches = {spec.name: EmulatedSwitch(spec) for spec in specs}
    Fabric(switches).enforce()
    if key_dir is not None:
        _write_host_keys(key_dir, switches)
    ports: dict[str, int] = {}
    try:
        for name, switch in switches.items():
            listening = reactor.listenTCP(switch.spec.port, build_ssh_factory(switch), interface=LOOPBACK)
            ports[name] = listening.getHost().port
        control = reactor.listenTCP(control_port, ControlFactory(switches, ports), interface=LOOPBACK)
    except internet_error.CannotListenError as error:
        message = f"switch emulator cannot listen on {LOOPBACK}:{error.port}: {error.socketError}"
        raise SimulationError(message) from None
    host_keys = {name: switch.host_key_line for name, switch in switches.items()}
    _write_ready_file(ready_file, {"pid": os.getpid(), "control_port": control.getHost().port, "switches": ports,
                                   "host_keys": host_keys})  # fmt: skip
    if parent_pid is not None:
        task.LoopingCall(_stop_if_orphaned, parent_pid).start(PARENT_CHECK_SECONDS, now=False)
    reactor.run()


def _stop_if_orphaned(parent_pid: int) -> None:
    if os.getppid() != parent_pid:
        reactor.stop()


def _write_host_keys(key_dir: Path, switches: dict[str, EmulatedSwitch]) -> None:
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, switch in switches.items():
        path = key_dir / name
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(switch.host_key_text)


def _write_ready_file(path: Path, content: dict[str, object]) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(content))
    os.replace(partial, path)
