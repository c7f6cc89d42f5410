"""Benchmark the emulated switches: Netmiko push + ``show running-config``, sequential vs threaded.

    .venv/bin/python benchmarks/switch_emulator.py [--switches 20] [--workers 10]

Each job connects with Netmiko (``cisco_ios``), sends a 19-line ``send_config_set`` with an
``error_pattern``, reads ``show running-config`` and disconnects. The emulator's CPU time is
read from /proc to tell whether the single reactor thread is the bottleneck.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netmiko import ConnectHandler

from schooltech_fleet.sim.switches import SwitchFarm, SwitchSpec, catalyst_interfaces, start_switches

USER, PASSWORD = "bench", "bench-pass"
ERROR_PATTERN = r"% ?(Invalid|Incomplete|Ambiguous|Unknown)"
CHANGE = [
    "vlan 10", " name STAFF", "vlan 20", " name STUDENTS",
    "interface GigabitEthernet1/0/1", " description Classroom PC", " switchport mode access",
    " switchport access vlan 20", " switchport port-security", " spanning-tree portfast",
    "interface TenGigabitEthernet1/1/1", " switchport trunk allowed vlan 10,20", " switchport mode trunk",
    "ip access-list extended STUDENTS-IN", " permit udp any any eq domain", " permit ip any any",
    "logging host 10.0.0.5", "ntp server 10.0.0.1", "snmp-server location Benchmark lab",
]  # fmt: skip


@dataclass
class JobTiming:
    """Seconds spent in each phase of one job."""

    connect: float
    config: float
    show: float


def run_job(port: int, options: dict[str, Any]) -> JobTiming:
    """Connect, push CHANGE, read the running-config, disconnect."""
    start = time.perf_counter()
    connection = ConnectHandler(device_type="cisco_ios", host="127.0.0.1", port=port, username=USER,
                                password=PASSWORD, **options)  # fmt: skip
    connected = time.perf_counter()
    connection.send_config_set(CHANGE, error_pattern=ERROR_PATTERN)
    configured = time.perf_counter()
    running = connection.send_command("show running-config")
    shown = time.perf_counter()
    connection.disconnect()
    if "snmp-server location Benchmark lab" not in running:
        raise RuntimeError("the change did not reach the running-config")
    return JobTiming(connected - start, configured - connected, shown - configured)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(farm: SwitchFarm, workers: int, options: dict[str, Any]) -> tuple[float, float, list[JobTiming]]:
    """Run one job per switch with ``workers`` threads; returns wall time, emulator CPU, timings."""
    for name in farm.ports:
        farm.control.reset(name)
    ports = list(farm.ports.values())
    cpu_before = process_cpu_seconds(farm.process.pid)
    start = time.perf_counter()
    job: Callable[[int], JobTiming] = lambda port: run_job(port, options)  # noqa: E731
    if workers == 1:
        timings = [job(port) for port in ports]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            timings = list(pool.map(job, ports))
    wall = time.perf_counter() - start
    return wall, process_cpu_seconds(farm.process.pid) - cpu_before, timings


def report(label: str, wall: float, emulator_cpu: float, timings: Sequence[JobTiming]) -> None:
    """One result line."""
    connect, config, show = (
        statistics.mean(getattr(t, phase) for t in timings) for phase in ("connect", "config", "show")
    )
    print(
        f"{label:<46} wall {wall:6.2f} s | emulator CPU {emulator_cpu:5.2f} s ({emulator_cpu / wall:4.0%})"
        f" | per job: connect {connect:.3f} s, config {config:.3f} s, show run {show:.3f} s"
    )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switches", type=int, default=20)
    parser.add_argument("--workers", type=int, default=10)
    options = parser.parse_args(argv)
    specs = [SwitchSpec(f"bench-{index:02d}", 0, USER, PASSWORD, catalyst_interfaces(48))
             for index in range(options.switches)]  # fmt: skip
    variants: list[tuple[str, dict[str, Any], tuple[int, ...]]] = [
        ("netmiko defaults (fast_cli=True)", {}, (1, options.workers, options.switches)),
        ("global_delay_factor=0.5", {"global_delay_factor": 0.5}, (1, options.workers)),
    ]
    with tempfile.TemporaryDirectory() as workdir, start_switches(specs, Path(workdir)) as farm:
        print(f"{options.switches} emulated switches (48+4 ports) in one process, {os.cpu_count()} CPUs, "
              f"{len(CHANGE)}-line change + show running-config per switch")  # fmt: skip
        run_job(next(iter(farm.ports.values())), {})  # warm-up (imports, first key exchange)
        for label, netmiko_options, worker_counts in variants:
            for workers in worker_counts:
                wall, cpu, timings = measure(farm, workers, netmiko_options)
                mode = "sequential" if workers == 1 else f"{workers} threads"
                report(f"{mode}, {label}", wall, cpu, timings)


if __name__ == "__main__":
    main()
