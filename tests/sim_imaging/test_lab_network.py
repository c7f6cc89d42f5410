"""The lab's network namespaces: named per run, invisible to the host, removed by prefix even after a crash."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from schooltech_fleet.errors import SimulationError
from schooltech_fleet.sim.imaging import network

pytestmark = pytest.mark.imaging

CRASHING_OWNER = """
import sys, time
from pathlib import Path
from schooltech_fleet.sim.imaging.lab import ImagingLab, LabConfig, LabPc
lab = ImagingLab(Path(sys.argv[1]), LabConfig(pcs=(LabPc("pc01", "52:54:00:77:00:01"),)))
lab.start()
print(lab.run_id, flush=True)
time.sleep(600)
"""


def _host_links() -> list[str]:
    result = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True)
    return sorted(line.split(":")[1].strip() for line in result.stdout.splitlines())


def _dead_pid() -> int:
    probe = subprocess.Popen(["true"])
    probe.wait()
    return probe.pid


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"  # a zombie has exited; its parent reaps it


def _wait_gone(pids: list[int], timeout: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (alive := [pid for pid in pids if not _gone(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def _pids(namespace: str) -> list[int]:
    result = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True, check=True)
    return [int(word) for word in result.stdout.split()]


@pytest.fixture
def live_run() -> Iterator[network.Namespaces]:
    namespaces = network.Namespaces(network.new_run_id())
    network.create(namespaces, network.Addressing(), taps=2)
    try:
        yield namespaces
    finally:
        network.remove(namespaces.run_id)


def test_a_run_lives_in_namespaces_of_its_own_and_the_host_sees_none_of_it(live_run: network.Namespaces) -> None:
    assert set(live_run.all) <= set(network.list_namespaces())
    assert all(name.startswith(f"stlab-{live_run.run_id}-") for name in live_run.all)
    lan = subprocess.run(
        ["ip", "-n", live_run.name("lan"), "-o", "link", "show", "master", "br0"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ports = {line.split(":")[1].strip().split("@")[0] for line in lan.splitlines()}
    assert ports == {"rt0", "bs0", "pr0", "tap0", "tap1"}
    assert not {"br0", "rt0", "bs0", "pr0", "tap0", "tap1"} & set(_host_links())
    # no route out of the segment: the boot server knows its own subnet only
    routes = subprocess.run(
        ["ip", "-n", live_run.name("boot"), "route", "show"], capture_output=True, text=True, check=True
    ).stdout
    assert "default" not in routes


def test_two_runs_never_share_a_name() -> None:
    assert len({network.new_run_id() for _ in range(50)}) == 50


def test_orphans_are_removed_by_prefix_and_live_runs_are_kept(live_run: network.Namespaces) -> None:
    host_before = _host_links()
    orphan = network.Namespaces(f"{_dead_pid()}-beef")
    network.create(orphan, network.Addressing(), taps=1)
    sleeper = subprocess.Popen(["ip", "netns", "exec", orphan.name("boot"), "sleep", "600"], start_new_session=True)
    try:
        assert orphan.run_id in network.remove_orphans()
        assert not set(orphan.all) & set(network.list_namespaces())
        sleeper.wait(timeout=10)  # killed with its namespace
        assert set(live_run.all) <= set(network.list_namespaces())
        assert _host_links() == host_before
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
        network.remove(orphan.run_id)


def test_a_crashed_lab_is_cleaned_up_by_the_next_one(tmp_path: Path) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", CRASHING_OWNER, str(tmp_path)], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert owner.stdout is not None
        run_id = owner.stdout.readline().strip()
        assert run_id, "the lab did not start"
        services = [pid for name in network.Namespaces(run_id).all for pid in _pids(name)]
        assert len(services) >= 4, "router and boot server dnsmasq, HTTP server, power controller"
        owner.kill()  # a crash: no stop(), the services run on in the namespaces
        owner.wait()
        assert _wait_gone(services, timeout=1) == services

        assert run_id in network.remove_orphans()  # what the next lab's start() does first

        assert not [name for name in network.list_namespaces() if name.startswith(f"stlab-{run_id}-")]
        assert _wait_gone(services) == []
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()


def test_addressing_refuses_overlaps() -> None:
    plan = network.Addressing()
    with pytest.raises(SimulationError, match="outside the DHCP pool"):
        network.Addressing(boot_server=plan.pool_start)
    with pytest.raises(SimulationError, match="not a host address"):
        network.Addressing(router=plan.broadcast)
