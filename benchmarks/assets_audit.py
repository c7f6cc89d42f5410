"""The audit comparison at district scale: 30,000 declared x 30,000 discovered devices (target: under 5 s).

Generated: 1,000 rooms of 30 PCs, one switch per room (its PCs on ports 1-30, a core switch
seeing every MAC on an uplink), every PC answering with its serial, vendor/model, MAC, RAM and
disk. Planted, 100 of each: missing PCs, stranger MACs, PCs plugged into another room's port,
changed serials, PCs calling themselves another name; the run checks that exactly these are found.

The alternative: what a script written for the job usually does, for each declared device scan
the list of discovered PCs (serial and MAC, then MAC, then name) and the switches' MAC
tables for its MAC. That is timed on a sample of devices and scaled to the whole list (labelled).

With --simulation INVENTORY it times instead the whole ``schooltech assets audit`` (a subprocess,
as a technician runs it: every PC's facts over SSH, every switch's MAC table over Netmiko)
against the simulation running for INVENTORY (``schooltech sim up -i inventories/demo``, or
``scripts/demo --keep``): 8 PCs and 3 switches, target under 30 s; min and median of --runs.
Exit 1 (findings, as when ``sim plant`` planted some) counts as a completed audit.

Usage: .venv/bin/python benchmarks/assets_audit.py [--rooms N] [--sample N]
       .venv/bin/python benchmarks/assets_audit.py --simulation inventories/demo [--school DEMO] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from pathlib import Path

from measure import run, timed

from schooltech_fleet.assets.audit import compare
from schooltech_fleet.assets.declared import DeclaredDevice, DeclaredPort, DeclaredSchool
from schooltech_fleet.assets.discovery import DiscoveredPc, Discovery, Disk, MacSighting

PER_ROOM = 30
EVERY = 300  # one device in EVERY of each planted class
TARGET_SECONDS = 5.0
SIMULATION_TARGET_SECONDS = 30.0


def mac(n: int, prefix: str = "52:54:00") -> str:
    return f"{prefix}:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}"


def generate(rooms: int) -> tuple[DeclaredSchool, Discovery]:
    devices, ports, pcs, sightings, unreachable = [], [], [], [], []
    for n in range(rooms * PER_ROOM):
        room, port = f"R{n // PER_ROOM:04d}", n % PER_ROOM + 1
        name, serial = f"D-{room}-PC{port:02d}", f"SN{n:07d}"
        devices.append(DeclaredDevice(name, room, "lab_pc", True, mac(n), serial, "Dell OptiPlex 7010 SFF", 8, 256))
        ports.append(DeclaredPort(f"SW-{room}", port, room, None, False))
        planted = n % EVERY
        if planted == 0:  # missing: off, unplugged
            unreachable.append(name)
            continue
        pcs.append(DiscoveredPc(name, "old-name" if planted == 3 else name.lower(),
                                "SN-REPLACED" if planted == 2 else serial, "Dell Inc.", "OptiPlex 7010 SFF",
                                (mac(n),), 7900, (Disk("sda", 256),), "Debian 12", "Dell Inc. 1.0 2025"))  # fmt: skip
        switch = f"SW-R{(n // PER_ROOM + 1) % rooms:04d}" if planted == 1 else f"SW-{room}"  # 1: moved
        sightings.append(MacSighting(switch, f"Gi1/0/{port}", port, 20, mac(n), False))
        sightings.append(MacSighting("SW-CORE", "Te1/1/1", 49, 20, mac(n), True))
    for k in range(rooms * PER_ROOM // EVERY):  # strangers
        sightings.append(MacSighting(f"SW-R{k % rooms:04d}", "Gi1/0/31", 31, 20, mac(k, "02:00:5e"), False))
    declared = DeclaredSchool("D", tuple(sorted({d.room for d in devices})), tuple(devices), tuple(ports))
    return declared, Discovery("D", tuple(pcs), tuple(unreachable), tuple(sightings), (), "2026-12-01T00:00:00Z")


def naive(devices: list[DeclaredDevice], discovery: Discovery) -> int:
    """For each device, scan the PCs (serial+MAC, then MAC, then name) and the MAC tables; how many were seen."""
    seen = 0
    for device in devices:
        found = next((pc for pc in discovery.pcs if pc.serial == device.serial and device.mac in pc.macs), None)
        found = found or next((pc for pc in discovery.pcs if device.mac in pc.macs), None)
        found = found or next((pc for pc in discovery.pcs if pc.host == device.name), None)
        on_port = any(s.mac == device.mac for s in discovery.sightings)
        seen += found is not None or on_port
    return seen


def on_simulation(inventory: Path, school: str, runs: int) -> None:
    """Time ``schooltech assets audit`` *runs* times against the running simulation of *inventory*."""
    argv = [str(Path(sys.executable).parent / "schooltech"), "assets", "audit", "-i", str(inventory),
            "--school", school, "--format", "json"]  # fmt: skip
    seconds = sorted(run(argv, ok=(0, 1)).seconds for _ in range(runs))
    verdict = "met" if seconds[0] < SIMULATION_TARGET_SECONDS else "MISSED"
    print(f"schooltech assets audit --school {school} on the simulation of {inventory}, {runs} runs")
    print(f"  min {seconds[0]:.1f} s   median {statistics.median(seconds):.1f} s   max {seconds[-1]:.1f} s   "
          f"target < {SIMULATION_TARGET_SECONDS:.0f} s: {verdict}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=1000, help="rooms of 30 PCs (default 1000: 30,000 devices)")
    parser.add_argument("--sample", type=int, default=200, help="devices the naive scan is timed on")
    parser.add_argument("--simulation", type=Path, metavar="INVENTORY",
                        help="time the whole audit against the simulation running for INVENTORY instead")  # fmt: skip
    parser.add_argument("--school", default="DEMO", help="with --simulation: the school to audit")
    parser.add_argument("--runs", type=int, default=3, help="with --simulation: how many audits to time")
    args = parser.parse_args()
    if args.simulation:
        on_simulation(args.simulation, args.school, args.runs)
        return
    (declared, discovery), generate_seconds = timed(lambda: generate(args.rooms))
    result, seconds = min((timed(lambda: compare(declared, discovery)) for _ in range(3)), key=lambda r: r[1])
    count = len(declared.devices)
    print(f"{count} declared x {len(discovery.pcs)} discovered PCs, {len(discovery.sightings)} MAC sightings "
          f"(generated in {generate_seconds:.1f} s)")  # fmt: skip
    verdict = "met" if seconds < TARGET_SECONDS else "MISSED"
    print(f"  audit comparison        {seconds:7.3f} s   target < {TARGET_SECONDS:.0f} s: {verdict}   "
          f"{seconds / count * 1e6:.1f} us per device (best of 3)")  # fmt: skip
    planted = count // EVERY
    found = Counter(f.kind.value for f in result.findings)
    print(f"  findings: {', '.join(f'{n} {kind}' for kind, n in sorted(found.items()))} "
          f"(planted: {planted} of each class; mismatch = changed serial)")  # fmt: skip
    sample = list(declared.devices[:: max(1, count // args.sample)])[: args.sample]
    _, sample_seconds = timed(lambda: naive(sample, discovery))
    estimate = sample_seconds / len(sample) * count
    print(f"  naive per-device scan   {estimate:7.1f} s   ESTIMATED: timed on {len(sample)} devices "
          f"({sample_seconds:.2f} s), scaled to {count}; {estimate / seconds:.0f}x the audit")  # fmt: skip


if __name__ == "__main__":
    main()
