"""How often a command reads and resolves the school files: a spy around the real loader, and an inventory
whose switches are simulated but never answer (so the commands that reach switches run without any).

The spy wraps the two functions every load goes through, whoever calls it: reading a YAML file
(``loader.read_file``, under ``load_schools``) and resolving one school into hosts and groups
(``resolve.resolve_school``, under ``resolve``). The resolved-fleet cache is turned off unless asked,
so what is counted is what a command does, not what an earlier one left in the cache.
"""

from __future__ import annotations

import shutil
import socket
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from schooltech_fleet.inventory import loader, resolve
from schooltech_fleet.inventory.fleet import Fleet
from schooltech_fleet.inventory.school import LoadedSchool

REPO = Path(__file__).resolve().parents[1]
DEMO_SWITCHES = ("DEMO-SW-CORE", "DEMO-SW-LAB", "DEMO-SW-LIB")


@dataclass
class Loads:
    reads: Counter[str] = field(default_factory=Counter)  # file name -> times read
    resolutions: Counter[str] = field(default_factory=Counter)  # school code -> times resolved


def count_loads(monkeypatch: pytest.MonkeyPatch, *, cache: bool = False) -> Loads:
    """From now on, count every school file read and every school resolved (the cache turned off, unless *cache*)."""
    if not cache:
        monkeypatch.setenv("SCHOOLTECH_NO_CACHE", "1")
    loads = Loads()
    read_file, resolve_school = loader.read_file, resolve.resolve_school

    def counted_read(path: Path) -> Any:
        loads.reads[path.name] += 1
        return read_file(path)

    def counted_resolve(school: LoadedSchool) -> Fleet:
        loads.resolutions[school.code] += 1
        return resolve_school(school)

    monkeypatch.setattr(loader, "read_file", counted_read)
    monkeypatch.setattr(resolve, "resolve_school", counted_resolve)
    return loads


@contextmanager
def silent_switches(inventory: Path, school: str, switches: Sequence[str], work: Path) -> Iterator[None]:
    """*school*'s switches simulated on loopback ports that are bound but never listen (refused at once)."""
    (work / "switch-password").write_text("never-used\n", encoding="utf-8")
    with ExitStack() as stack:
        ports = {}
        for name in switches:
            held = stack.enter_context(socket.socket())
            held.bind(("127.0.0.1", 0))
            ports[name] = held.getsockname()[1]
        layer = {
            "schooltech_sim": 1, "simulation": "sim-silent", "started": "2026-12-01T07:00:00+00:00",
            "connection": {"ssh_user": "fleetadmin", "ssh_private_key": str(work / "id_ed25519"),
                           "ssh_known_hosts": str(work / "known_hosts"), "switch_username": "schooltech",
                           "switch_password_file": str(work / "switch-password"),
                           "switch_known_hosts": str(work / "switch_known_hosts")},
            "schools": {school: {"switches": {n: {"host": "127.0.0.1", "port": p} for n, p in ports.items()}}},
        }  # fmt: skip
        (inventory / ".schooltech-sim.yml").write_text(yaml.safe_dump(layer), encoding="utf-8")
        yield


@pytest.fixture
def silent_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the demo school, simulated with its switches only, each on a loopback port that refuses
    connections; a state and cache directory of the test's own."""
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SCHOOLTECH_CACHE_DIR", str(tmp_path / "cache"))
    inventory = tmp_path / "demo"
    shutil.copytree(REPO / "inventories" / "demo", inventory, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    with silent_switches(inventory, "DEMO", DEMO_SWITCHES, tmp_path):
        yield inventory
