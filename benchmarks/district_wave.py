"""A district wave over simulated schools against each school's own job: at most 1.2x the slowest school.

The demo school and the primary example (Hazelwood, HZP) are simulated together (``--pcs``
PCs per room) in a private inventory copy and state directory. After one configure wave to
bring every PC to its intended state, each school's configure job is run alone, one after
the other, then the same jobs as one district wave (both schools at once, no canary school).
Printed: each school's own time, their sum (what running them one by one costs), the wave's
time and its ratio to the slowest school (target: at most 1.2), and whether every PC's
result in the wave equals its result when its school ran alone.

Usage: .venv/bin/python benchmarks/district_wave.py [--pcs 2] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from schooltech_fleet.inventory.files import SIM_OVERRIDE_NAME
from schooltech_fleet.jobs import JobKind, JobRequest, run_job
from schooltech_fleet.jobs.district import DistrictRequest, run_district_job
from schooltech_fleet.sim import simulation

ROOT = Path(__file__).resolve().parent.parent
SCHOOLS = {"DEMO": ROOT / "inventories" / "demo", "HZP": ROOT / "inventories" / "primary"}


def statuses(result: object) -> dict[str, str]:
    return {h.name: str(h.status) for h in result.hosts}  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pcs", type=int, default=2, help="simulated PCs per room (default 2)")
    parser.add_argument("--runs", type=int, default=3, help="alone-then-wave rounds; medians printed (default 3)")
    args = parser.parse_args()
    os.environ.setdefault("SCHOOLTECH_ALLOWED_NETWORKS", "127.0.0.0/8")
    with tempfile.TemporaryDirectory(prefix="bench-district-") as scratch:
        work = Path(scratch)
        for code, source in SCHOOLS.items():
            shutil.copytree(source, work / "inventory" / code.lower(), ignore=shutil.ignore_patterns(SIM_OVERRIDE_NAME))
        os.environ["SCHOOLTECH_STATE_DIR"] = str(work / "state")
        inventory = work / "inventory"
        sim = simulation.up(inventory, max_pcs=args.pcs, detach=False, sim_id=f"bench-district-{secrets.token_hex(2)}")
        try:
            per_school = {code: sum(1 for pc in sim.pcs if pc.school == code) for code in SCHOOLS}
            print(f"schools: {', '.join(f'{code} ({n} PCs)' for code, n in per_school.items())}; configure job")
            warm = run_district_job(DistrictRequest(JobKind.CONFIGURE, inventory, canaries=()))
            assert warm.succeeded, warm.wave
            alone: dict[str, list[float]] = {code: [] for code in SCHOOLS}
            waves: list[float] = []
            equal = True
            for _ in range(args.runs):
                seen: dict[str, str] = {}
                for code in SCHOOLS:
                    began = time.monotonic()
                    result = run_job(JobRequest(JobKind.CONFIGURE, inventory, code))
                    alone[code].append(time.monotonic() - began)
                    seen |= statuses(result)
                began = time.monotonic()
                wave = run_district_job(DistrictRequest(JobKind.CONFIGURE, inventory, canaries=()))
                waves.append(time.monotonic() - began)
                in_wave = {name: status for o in wave.wave.outcomes if o.result for name, status in
                           statuses(o.result).items()}  # fmt: skip
                equal = equal and in_wave == seen
        finally:
            simulation.down(inventory)
    own = {code: statistics.median(times) for code, times in alone.items()}
    slowest, wave_time = max(own.values()), statistics.median(waves)
    for code, seconds in own.items():
        print(f"  {code} alone            {seconds:6.1f} s")
    print(f"  one after the other    {sum(own.values()):6.1f} s")
    print(
        f"  district wave          {wave_time:6.1f} s   {wave_time / slowest:.2f}x the slowest school (target <= 1.2)"
    )
    print(f"  results equal to each school's own job: {'yes' if equal else 'NO'}")


if __name__ == "__main__":
    main()
