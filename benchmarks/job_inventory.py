"""What a lab job's inventory costs Ansible: the plugin (every school file parsed again) vs the job's static slice.

Measures, in one run, on the same data: ``ansible managed --list-hosts`` (Ansible's start and
inventory load, no PC contacted) over
  - the plugin, given the inventory the command was given and ``--limit school_CODE`` (what every
    ``ansible-playbook`` of a job did before), cold (empty cache) and warm;
  - the static slice of the school's managed PCs that ``run_job`` writes now, read by the
    ``schooltech.fleet.schooltech_slice`` plugin (``STATIC_INVENTORY``);
  - the same slice as the previous code wrote it for Ansible's yaml plugin (every string marked
    ``{"__ansible_unsafe": ...}``: the yaml plugin tags, deep-copies and inspects each value);
and, in process, what writing the slice costs (``slice_fleet`` + ``write_inventory``, after the
``load_fleet`` the command does either way). For the demo school and a generated district
(50 schools, 30,000 devices; ``--schools N``), one school's job.

Usage: .venv/bin/python benchmarks/job_inventory.py [--schools N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from district import write_district
from measure import best, run, timed

from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.jobs.payload import slice_fleet, write_inventory
from schooltech_fleet.jobs.tuning import STATIC_INVENTORY

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _untrusted(value: Any) -> Any:
    """*value* with each string marked untrusted for the yaml plugin (``{"__ansible_unsafe": s}``)."""
    if isinstance(value, str):
        return {"__ansible_unsafe": value}
    if isinstance(value, dict):
        return {key: _untrusted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_untrusted(item) for item in value]
    return value


def compare(label: str, inventory: Path, school: str, work: Path) -> None:
    fleet = load_fleet(inventory)
    managed = sorted(fleet.hosts_of(f"school_{school.lower()}") & fleet.hosts_of("managed"))
    sliced = slice_fleet(fleet, school, managed).inventory(fleet.school(school))
    path, write = timed(lambda: write_inventory(work / f"{school}.slice.json", sliced))
    marked = work / f"{school}.yml"
    marked.write_text(json.dumps(_untrusted(sliced)), encoding="utf-8")
    listing = [str(BIN / "ansible"), "managed", "--list-hosts", "-i"]
    cfg = {"ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}
    cold = min((run([*listing, str(inventory), "--limit", f"school_{school.lower()}"],
                    env={**cfg, "SCHOOLTECH_CACHE_DIR": str(work / f"cold-{school}-{i}")}, cwd=ROOT)
                for i in range(3)), key=lambda r: r.seconds)
    warm = best([*listing, str(inventory), "--limit", f"school_{school.lower()}"],
                env={**cfg, "SCHOOLTECH_CACHE_DIR": str(work / "warm")}, cwd=ROOT)
    static = best([*listing, str(path)], env={**cfg, **STATIC_INVENTORY}, cwd=ROOT)
    yaml_plugin = best([*listing, str(marked)], env={**cfg, "ANSIBLE_INVENTORY_ENABLED": "yaml"}, cwd=ROOT)
    print(f"\n{label}: a job on {school}'s {len(managed)} managed PCs ({len(fleet.hosts)} hosts in the inventory)")
    print(f"  writing the slice (in process)   {write:6.2f} s  {path.stat().st_size / 1e6:6.2f} MB")
    for name, result in (("plugin, cold cache", cold), ("plugin, warm cache", warm),
                         ("slice, yaml plugin (marked)", yaml_plugin), ("slice, schooltech_slice plugin", static)):
        # (no peak memory: a command forked from this process, which holds the district, reports it as its own)
        print(f"  {name:32s} {result.seconds:6.2f} s  {result.seconds / static.seconds:5.2f}x the slice")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="job-inventory-") as tmp:
        work = Path(tmp)
        compare("demo", ROOT / "inventories" / "demo", "DEMO", work)
        write_district(work / "district", args.schools)
        compare(f"district of {args.schools} schools", work / "district", "D000", work)


if __name__ == "__main__":
    main()
