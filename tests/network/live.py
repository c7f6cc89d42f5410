"""Helpers of the live network tests: the CLI as a real process, configs as the engine sees them, leaks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from schooltech_fleet import journal
from schooltech_fleet.network import redact
from schooltech_fleet.network.operations import Rendered
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.push import SwitchOutcome
from schooltech_fleet.network.remediation import normalise, views
from schooltech_fleet.network.verify import verify
from schooltech_fleet.sim.simulation import Simulation
from schooltech_fleet.sim.switches import SwitchControl

SCHOOLTECH = str(Path(sys.executable).parent / "schooltech")
DESK_MOVED = "interface GigabitEthernet1/0/3\n description moved desk\n shutdown\nntp server 10.90.99.250\n"
IOS = platform("cisco_ios")
ARCHIVE = IOS.commit_confirm.archive if IOS.commit_confirm else ()  # what a push adds where a switch has none


def net(inventory: str | Path, action: str, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``schooltech net ACTION -i INVENTORY ARGS...`` as a real process (this test's state directory)."""
    environment = kwargs.pop("env", {**os.environ, "COLUMNS": "250"})
    return subprocess.run([SCHOOLTECH, "net", action, "-i", str(inventory), *args], capture_output=True, text=True,
                          check=False, timeout=240, env=environment, **kwargs)  # fmt: skip


def demo(school: Simulation, action: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``schooltech net ACTION`` on the simulated school *school*."""
    return net(school.inventory, action, *args)


def running(control: SwitchControl, name: str) -> str:
    return normalise(IOS, control.running_config(name))


def shown(control: SwitchControl, name: str) -> str:
    """The running config as the engine reads it over SSH: normalised, every secret replaced by its placeholder."""
    return redact.text(IOS, running(control, name))


def saved(control: SwitchControl, name: str) -> str:
    return normalise(IOS, control.saved_config(name))


def problems(config: str, rendered: Rendered) -> str | None:
    """Why *config* is not at *rendered* (None: it is, as text and as the planner reads it)."""
    found = verify(IOS, config, rendered.config, rendered.management)
    return None if found.ok else found.summary()


def kept(config: str, rendered: Rendered) -> list[tuple[str | None, str]]:
    """The lines of *config* outside the owned scope (with their owned parent), in order."""
    return views(IOS, config, rendered.config, rendered.management).running.kept


def unchanged(before: str, after: str, rendered: Rendered) -> bool:
    """Whether every line outside the owned scope is as it was, byte for byte (an archive a push added aside)."""
    old = kept(before, rendered)
    new = [line for line in kept(after, rendered) if line[1] not in ARCHIVE or line in old]
    return old == new


def configured(control: SwitchControl, name: str, since: int) -> list[str]:
    """The configuration-mode sessions *name* received after command log entry *since*."""
    return [line for line in control.command_log(name)[since:] if line.startswith("configure terminal")]


def by_switch(outcomes: tuple[SwitchOutcome, ...]) -> dict[str, SwitchOutcome]:
    return {o.switch: o for o in outcomes}


def audit_events(event: str) -> list[dict[str, Any]]:
    return [entry for entry in journal.entries() if entry["event"] == event]


def secrets_stored(config: str) -> list[str]:
    """The secret values *config* holds as the switch stores them (hashes, type 7 strings, communities)."""
    found = []
    for line in config.splitlines():
        hidden = redact.text(IOS, line)
        if hidden != line:
            found += [word for word in line.split() if word not in hidden.split() and len(word) >= 6]
    return found


def leaked(text: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in text]
