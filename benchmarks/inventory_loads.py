"""What one command costs in inventory loads: ``net plan`` (live and from backups) and ``schooltech plan``.

Each command runs in process on one school, the demo school and D000 of a generated district
(50 schools, 30,000 devices; ``--schools N``), with the resolved-fleet cache off
(``SCHOOLTECH_NO_CACHE=1``: every load reads and resolves the school files), cold (emptied
before each run: the first command after an edit) and warm. The school is simulated with its
switches only, each on a loopback port that refuses connections: the switch plans go through
selection, the network guard, intent and rendering, then find the switch silent; the check
runs of ``schooltech plan`` select their PCs and find none. So what is measured is the
command's own work, with no simulation running.

Run it with the code to compare on the path (``PYTHONPATH=<checkout>``), before and after.

Usage: .venv/bin/python benchmarks/inventory_loads.py [--schools N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

from district import SWITCHES_PER_SCHOOL, write_district
from inventory_loads import silent_switches

from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.network.operations import Selection, plan
from schooltech_fleet.review.school_plan import plan_school

ROOT = Path(__file__).resolve().parent.parent


def cpu(step: Callable[[], Any], prepare: Callable[[], Any] = lambda: None, repeat: int = 3) -> float:
    """The least CPU time (this process, its threads) *step* took in *repeat* runs, each after *prepare*."""
    times = []
    for _ in range(repeat):
        prepare()
        start = time.process_time()
        step()
        times.append(time.process_time() - start)
    return min(times)


def compare(label: str, inventory: Path, school: str, switches: Sequence[str], work: Path) -> None:
    commands: dict[str, Callable[[], Any]] = {
        "net plan --from-backups": lambda: plan(Selection(inventory, (school,)), from_backups=True),
        "net plan": lambda: plan(Selection(inventory, (school,))),
        "schooltech plan": lambda: plan_school(inventory, school),
    }
    print(f"\n{label}: {school} ({len(switches)} switches)")
    with silent_switches(inventory, school, switches, work):
        for name, command in commands.items():
            os.environ["SCHOOLTECH_NO_CACHE"] = "1"
            off = cpu(command)
            del os.environ["SCHOOLTECH_NO_CACHE"]
            cold = cpu(command, prepare=lambda: shutil.rmtree(work / "cache", ignore_errors=True))
            load_fleet(inventory)  # the cache warmed
            warm = cpu(command)
            print(f"  {name:26s} CPU s: no cache {off:6.2f}   cold cache {cold:6.2f}   warm cache {warm:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="inventory-loads-") as tmp:
        work = Path(tmp)
        os.environ.update({"SCHOOLTECH_STATE_DIR": str(work / "state"), "SCHOOLTECH_CACHE_DIR": str(work / "cache"),
                           "SCHOOLTECH_ALLOWED_NETWORKS": "127.0.0.0/8"})  # fmt: skip
        demo = work / "demo"
        shutil.copytree(ROOT / "inventories" / "demo", demo, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
        compare("demo", demo, "DEMO", ("DEMO-SW-CORE", "DEMO-SW-LAB", "DEMO-SW-LIB"), work)
        write_district(work / "district", args.schools)
        compare(f"district of {args.schools} schools", work / "district", "D000",
                [f"D000-SW{n:02d}" for n in range(SWITCHES_PER_SCHOOL)], work)  # fmt: skip


if __name__ == "__main__":
    main()
