"""Inventory at district scale: 50 schools, 30,000 devices, 500 switches.

Measures, in one run, on the same generated district:
  - ``schooltech check`` (target: <= 2 s and < 500 MB peak);
  - ``ansible all --list-hosts`` through the schooltech plugin, cold (empty cache),
    warm, on the first run after editing one school file, and on the first run after
    editing one and running ``schooltech check``, against a bare plugin that only calls
    add_host/set_variable for the same hosts (target: within 1.3x warm and after an
    edit) and against the same fleet written as a static YAML inventory (same hosts,
    groups and variables).

Usage: .venv/bin/python benchmarks/inventory_scale.py [--schools N] [--skip-static]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import yaml
from district import write_district
from measure import Run, best, run

from schooltech_fleet.inventory import Fleet, load_fleet

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def static_yaml(fleet: Fleet) -> dict[str, Any]:
    """The fleet as a static YAML inventory: the groups, hosts and variables Ansible would hold."""
    groups: dict[str, Any] = {}
    for group in fleet.groups.values():
        entry = groups.setdefault(group.name, {})
        if group.vars:
            entry["vars"] = group.vars
        if group.children:
            entry["children"] = {child: {} for child in group.children}
    for host in fleet.hosts.values():
        for group in host.groups:
            groups.setdefault(group, {}).setdefault("hosts", {})[host.name] = None
        groups[host.groups[0]]["hosts"][host.name] = host.vars or None
    return {"all": {"children": groups}}


def prepare(work: Path, schools: int) -> None:
    """Write the district, the bare plugin's host list and the static YAML inventory into *work*."""
    district = work / "district"
    write_district(district, schools)
    fleet = load_fleet(district)
    devices = sum(1 for h in fleet.hosts.values() if h.kind == "device")
    print(f"district: {schools} schools, {devices} devices, {len(fleet.hosts) - devices} switches, "
          f"{sum(p.stat().st_size for p in district.iterdir()) / 1e6:.1f} MB of YAML")
    (work / "hosts.bare.json").write_text(json.dumps(
        [[name, host.vars.get("ansible_host", "127.0.0.1")] for name, host in fleet.hosts.items()]))
    (work / "static.yml").write_text(yaml.safe_dump(static_yaml(fleet), sort_keys=False))
    (work / "hosts.count").write_text(str(len(fleet.hosts)))


def edit_one_school(district: Path, n: int) -> None:
    """Rename the school in the middle (a change of content, not only of bytes): the *n*-th edit of the run."""
    school = sorted(district.glob("*.school.yml"))[len(list(district.glob("*.school.yml"))) // 2]
    name = f"name: District school {int(school.name[1:4])}"
    text = school.read_text()
    old = next(line for line in text.splitlines() if line.startswith("school: "))
    new = old.replace(name, f"{name} (edit {n})", 1)
    new = new.replace(f" (edit {n - 1})", "") if n else new
    school.write_text(text.replace(old, new, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--skip-static", action="store_true", help="skip the (slow) static YAML inventory")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.schools)
        return

    with tempfile.TemporaryDirectory(prefix="district-") as tmp:
        work = Path(tmp)
        district = work / "district"
        # In a child process: a command forked from a big process would report its memory as peak.
        subprocess.run([sys.executable, __file__, "--prepare", str(work), "--schools", str(args.schools)], check=True)
        hosts = int((work / "hosts.count").read_text())
        cache = {"SCHOOLTECH_CACHE_DIR": str(work / "cache")}

        check = best([str(BIN / "schooltech"), "check", str(district)], env={"SCHOOLTECH_NO_CACHE": "1"})
        print(f"\nschooltech check              {check.seconds:6.2f} s  {check.peak_mb:6.0f} MB peak"
              f"   (target <= 2 s, < 500 MB)")

        ansible = [str(BIN / "ansible"), "all", "--list-hosts", "-i"]
        bare_env = {"ANSIBLE_INVENTORY_PLUGINS": str(ROOT / "benchmarks" / "plugins"),
                    "ANSIBLE_INVENTORY_ENABLED": "bare_hosts"}
        # The rows take turns, round after round, and each keeps its fastest run: a busy spell of
        # the machine then slows one round of every row rather than every run of one row.
        runs: dict[str, list[Run]] = {}
        checks: list[Run] = []
        for n in range(3):
            runs.setdefault("bare add_host plugin", []).append(
                run([*ansible, str(work / "hosts.bare.json")], env=bare_env, cwd=ROOT))
            runs.setdefault("schooltech plugin, cold", []).append(
                run([*ansible, str(district)], env={"SCHOOLTECH_CACHE_DIR": str(work / f"cold{n}")}, cwd=ROOT))
            run([*ansible, str(district)], env=cache, cwd=ROOT)  # the cache holds the district as it is now
            runs.setdefault("schooltech plugin, warm cache", []).append(
                run([*ansible, str(district)], env=cache, cwd=ROOT))
            edit_one_school(district, 2 * n)
            runs.setdefault("  after editing one school", []).append(
                run([*ansible, str(district)], env=cache, cwd=ROOT))
            edit_one_school(district, 2 * n + 1)
            checks.append(run([str(BIN / "schooltech"), "check", str(district)], env=cache, cwd=ROOT))
            runs.setdefault("  after editing one, check", []).append(
                run([*ansible, str(district)], env=cache, cwd=ROOT))
        rows = [(label, min(results, key=lambda r: r.seconds)) for label, results in runs.items()]
        bare, warm = rows[0][1], rows[2][1]
        filling = min(checks, key=lambda r: r.seconds)
        print(f"schooltech check, cache on, after editing one school  {filling.seconds:6.2f} s  "
              f"{filling.peak_mb:6.0f} MB peak   (it leaves the changed school in the cache)")
        if not args.skip_static:
            static = run([*ansible, str(work / "static.yml")], env={"ANSIBLE_INVENTORY_ENABLED": "yaml"}, cwd=ROOT)
            rows.append(("static YAML inventory", static))
        print(f"\nansible all --list-hosts ({hosts} hosts)")
        print(f"  {'':30s} {'wall':>8s}  {'CPU':>8s}  {'peak':>6s}      ratio to bare: wall, CPU")
        for label, result in rows:
            print(f"  {label:30s} {result.seconds:6.2f} s  {result.cpu_seconds:6.2f} s  {result.peak_mb:6.0f} MB   "
                  f"{result.seconds / bare.seconds:5.2f}x {result.cpu_seconds / bare.cpu_seconds:5.2f}x")
        print("  target: schooltech within 1.3x of bare, warm and after editing one school")
        if not args.skip_static:
            print(f"  static YAML / schooltech warm: {rows[-1][1].seconds / warm.seconds:.1f}x slower")


if __name__ == "__main__":
    main()
