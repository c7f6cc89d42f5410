"""``image plan`` at district scale: 4 schools of 500 PCs to image (2,000 devices).

Each school has 20 imaged rooms of 24 Debian lab PCs (a counted pattern with an address range
and one MAC each) and a teacher PC on the staff VLAN; one boot server serves the
students' VLAN and one the staff VLAN. Measures loading the inventory (check and resolve, no
cache), ``imaging_targets`` and the whole ``plan_images`` (targets, every iPXE script and
preseed rendered and validated: debconf-set-selections --checkonly and the key allow-list) for
every school, best of a few runs in this process, against the issue's target (2 s); then
proves that the plan holds no MAC, IP address, host name, script or answer file twice.

Usage: .venv/bin/python benchmarks/image_plan.py [--schools N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from schooltech_fleet.imaging.plan import ImagePlan, plan_images
from schooltech_fleet.imaging.targets import imaging_targets
from schooltech_fleet.inventory import load_fleet

ROOMS = 20
PCS_PER_ROOM = 24
TARGET_SECONDS = 2.0


def school_file(index: int) -> str:
    """One school of 500 PCs to image, valid for ``schooltech check``."""
    code = f"I{index:03d}"
    net = f"10.{20 + index}"
    lines = [
        "schooltech: 1",
        f"school: {{name: Imaging school {index}, code: {code}, type: secondary}}",
        "vlans:",
        f"  students: {{subnet: {net}.0.0/23, gateway: {net}.0.1}}",
        f"  staff: {{subnet: {net}.4.0/24, gateway: {net}.4.1}}",
        f"  management: {{subnet: {net}.9.0/24, gateway: {net}.9.1}}",
        "room_kinds:",
        "  ict_suite: {imaging_profile: debian_lab}",
        "models:",
        '  "Dell OptiPlex 7010": {firmware: uefi, secure_boot: true}',
        "sites:",
        "  - {name: main}",
        "boot_servers:",
        f"  - {{name: {code}-PXE-STU, address: {net}.1.250, vlans: [students]}}",
        f"  - {{name: {code}-PXE-STAFF, address: {net}.4.250, vlans: [staff]}}",
        "rooms:",
    ]
    for r in range(ROOMS):
        first = r * PCS_PER_ROOM + 10  # host number in the /23: 10 ... 489
        lines += [
            f"  - name: R{r:02d}",
            "    kind: ict_suite",
            "    devices:",
            f"      - count: {PCS_PER_ROOM}",
            "        role: lab_pc",
            "        os: debian12",
            "        model: Dell OptiPlex 7010",
            f"        ip_start: {net}.{first // 256}.{first % 256}",
            "        assets:",
            *(f"          - {{mac: '02:1a:{index:02x}:{r:02x}:00:{k:02x}'}}" for k in range(PCS_PER_ROOM)),
            f"      - {{name: {code}-R{r:02d}-TCH01, role: teacher_pc, os: debian12, vlan: staff,"
            f" ip: {net}.4.{10 + r}, mac: '02:1a:{index:02x}:{r:02x}:01:00'}}",
        ]
    return "\n".join(lines) + "\n"


ADMIN_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPsG6m0C5r3iC0cS1Y6c5Zr0m8Jm0nq4kWv9yQ2t8x1A admin@benchmark"


def collisions(plans: list[ImagePlan]) -> dict[str, list[str]]:
    """Every MAC, IP address, (case-blind) host name, script and answer file that more than one PC has."""
    pcs = [pc for plan in plans for pc in plan.pcs]
    targets = [pc.target for pc in pcs]
    found = {}
    for what, values in (("MAC", [t.mac for t in targets]), ("IP", [str(t.ip) for t in targets if t.ip]),
                         ("host name", [t.name.lower() for t in targets]),
                         ("script", [pc.script_name for pc in pcs]),
                         ("answer file", [pc.answer.filename for pc in pcs])):  # fmt: skip
        found[what] = sorted(value for value, count in Counter(values).items() if count > 1)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["SCHOOLTECH_NO_CACHE"] = "1"  # measure the check and resolution, not a cached fleet
    with tempfile.TemporaryDirectory() as tmp:
        district = Path(tmp)
        for index in range(args.schools):
            (district / f"i{index:03d}.school.yml").write_text(school_file(index), encoding="utf-8")
        codes = [f"I{index:03d}" for index in range(args.schools)]
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            fleet = load_fleet(district)
            loaded = time.perf_counter()
            targets = [target for code in codes for target in imaging_targets(fleet, code)]
            targeted = time.perf_counter()
            plans = [plan_images(fleet, code, admin_key=ADMIN_KEY) for code in codes]
            planned = time.perf_counter()
            runs.append((planned - start, loaded - start, targeted - loaded, planned - targeted))
    devices = sum(1 for host in fleet.hosts.values() if host.kind == "device")
    print(f"district: {args.schools} schools, {devices} devices, {len(targets)} imaging targets")
    _, load, target, plan = min(runs)
    print(f"load (check + resolve): {load:.2f} s; imaging_targets: {target:.3f} s (best of {args.repeat})")
    print(f"image plan for every school: {plan:.2f} s (targets, scripts and preseeds rendered and validated); "
          f"load + plan {load + plan:.2f} s = {(load + plan) / TARGET_SECONDS:.2f}x the {TARGET_SECONDS:.0f} s target")
    clashes = collisions(plans)
    print("collisions: " + ", ".join(f"{len(values)} {what}" for what, values in clashes.items()))
    findings = [finding for plan in plans for finding in plan.findings]
    if any(clashes.values()) or len(targets) != devices or findings:
        print(f"FAILED: {clashes} ({len(targets)} targets for {devices} devices), {findings[:3]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
