"""Lab jobs on 8 simulated PCs: schooltech vs stock ansible-playbook vs the tuned config without the wrapper.

The same playbooks, hosts and extra variables (canary rollout, calendar verdicts) in
each variant, each on freshly started PCs:

  stock    ansible-playbook with Ansible's defaults (forks 5, linear, no pipelining,
           facts gathered every run); only the inventory plugin and roles path set
  tuned    ansible-playbook with schooltech's configuration (Mitogen, pipelining,
           ControlPersist, forks 25, cached facts), no wrapper
  schooltech  ``schooltech`` jobs: the tuned run through ansible-runner, with events,
           progress, run records and the audit log

Per variant: a rebuild on fresh PCs, the same rebuild again (nothing to change), and a
patch that upgrades schooltech-demo-app 1.0 -> 1.1. Then the wrapper's overhead on its
own: tuned and schooltech no-change rebuilds alternating on one simulation (--pairs,
median), since single runs vary by several percent either way. Targets: schooltech >= 4x
faster than stock; wrapper overhead <= 5% over tuned.

Usage: .venv/bin/python benchmarks/lab_jobs.py [--strategy linear] [--pairs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from schooltech_fleet import clock
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.jobs import JobKind, JobRequest, run_job
from schooltech_fleet.jobs.job import job_extravars, select_targets
from schooltech_fleet.jobs.tuning import ansible_environment
from schooltech_fleet.jobs.windows import check_window
from schooltech_fleet.sim import aptrepo, simulation

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KEYS = {"DEMO_EXAM_BROWSER_KEY": "bench-exam-key", "DEMO_DATALOGGER_KEY": "bench-datalogger-key"}
STEPS = (("rebuild", JobKind.REBUILD), ("rebuild again", JobKind.REBUILD), ("patch", JobKind.PATCH))
STOCK_CFG = """[defaults]
inventory_plugins = {root}/plugins/inventory
roles_path = {root}/roles
collections_path = {root}/.collections
[inventory]
enable_plugins = schooltech
ignore_patterns = ^files$
"""


def playbook_command(inventory: Path, kind: JobKind, work: Path) -> list[str]:
    """ansible-playbook with the exact extra variables the wrapper would pass."""
    request = JobRequest(kind=kind, inventory=inventory, school="DEMO")
    fleet = load_fleet(inventory)
    hosts = select_targets(fleet, request)
    windows = {host: check_window(fleet.host_vars(host), clock.now()) for host in hosts}
    extravars = work / f"{kind}.json"
    extravars.write_text(json.dumps(job_extravars(request, fleet, hosts, windows)))
    keys = work / "keys.json"
    keys.write_text(json.dumps({"schooltech_licence_keys": {"exam-browser": KEYS["DEMO_EXAM_BROWSER_KEY"],
                                                            "datalogger": KEYS["DEMO_DATALOGGER_KEY"]}}))  # fmt: skip
    return [str(BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / "playbooks" / kind.playbook),
            "-e", f"@{extravars}", "-e", f"@{keys}", "--limit", ",".join(hosts)]  # fmt: skip


def fresh_simulation(work: Path, name: str) -> tuple[Path, simulation.Simulation]:
    """A copy of the demo inventory in *work* and a freshly started simulation of it."""
    inventory = work / "demo"
    shutil.rmtree(inventory, ignore_errors=True)
    shutil.copytree(ROOT / "inventories" / "demo", inventory, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    return inventory, simulation.up(inventory, sim_id=f"bench-{name}-{os.getpid()}", detach=False)


def timed_run(variant: str, kind: JobKind, inventory: Path, work: Path) -> float:
    """Seconds for one *variant* run of *kind*; a failed run is an error."""
    started = time.perf_counter()
    if variant == "schooltech":
        ok = run_job(JobRequest(kind=kind, inventory=inventory, school="DEMO")).succeeded
    else:
        env = dict(os.environ)
        if variant == "stock":
            (work / "ansible.cfg").write_text(STOCK_CFG.format(root=ROOT))
            env["ANSIBLE_CONFIG"] = str(work / "ansible.cfg")
        else:
            env.update(ansible_environment(f"bench-{os.getpid()}"))
            env["ANSIBLE_FORKS"] = "25"
        done = subprocess.run(playbook_command(inventory, kind, work), env=env, cwd=ROOT, check=False,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        ok = done.returncode == 0
    if not ok:
        raise RuntimeError(f"{variant}: {kind} failed")
    return time.perf_counter() - started


def run_variant(variant: str, work: Path) -> dict[str, float]:
    inventory, sim = fresh_simulation(work, variant)
    times = {}
    try:
        for label, kind in STEPS:
            if label == "patch":
                aptrepo.publish(sim.repo_dir, "schooltech-demo-app", "1.1")
            times[label] = timed_run(variant, kind, inventory, work)
    finally:
        simulation.down(inventory)
    return times


def wrapper_overhead(work: Path, pairs: int) -> list[float]:
    """Tuned and schooltech no-change rebuilds, alternating on one simulation: the wrapper's cost per pair.

    Single runs vary by several percent either way on 2 cores; alternating pairs on the same
    PCs and taking the median separates the wrapper's cost from that noise.
    """
    inventory, _ = fresh_simulation(work, "overhead")
    try:
        timed_run("schooltech", JobKind.REBUILD, inventory, work)
        ratios = []
        for _ in range(pairs):
            tuned = timed_run("tuned", JobKind.REBUILD, inventory, work)
            ours = timed_run("schooltech", JobKind.REBUILD, inventory, work)
            ratios.append(ours / tuned - 1)
    finally:
        simulation.down(inventory)
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strategy", choices=("mitogen", "linear"), default="mitogen",
                        help="the tuned runs' strategy (SCHOOLTECH_ANSIBLE_STRATEGY)")  # fmt: skip
    parser.add_argument("--pairs", type=int, default=5,
                        help="alternating tuned/schooltech no-change rebuilds for the wrapper overhead")  # fmt: skip
    args = parser.parse_args()
    os.environ["SCHOOLTECH_ANSIBLE_STRATEGY"] = args.strategy
    os.environ["SCHOOLTECH_ALLOWED_NETWORKS"] = "127.0.0.0/8"  # the simulation only
    os.environ.update(KEYS)
    with tempfile.TemporaryDirectory(prefix="lab-jobs-") as tmp:
        work = Path(tmp)
        os.environ["SCHOOLTECH_STATE_DIR"] = str(work / "state")
        results = {variant: run_variant(variant, work) for variant in ("stock", "tuned", "schooltech")}
        overhead = wrapper_overhead(work, args.pairs) if args.pairs else []
    print(f"\n8 simulated lab PCs, canary rollout, strategy for tuned runs: {args.strategy}")
    print(f"{'':16}{'stock':>10}{'tuned':>10}{'schooltech':>12}{'stock/st':>10}{'wrapper':>10}")
    for label, _ in STEPS:
        stock, tuned, ours = (results[v][label] for v in ("stock", "tuned", "schooltech"))
        print(f"{label:16}{stock:9.1f}s{tuned:9.1f}s{ours:11.1f}s{stock / ours:9.1f}x{(ours / tuned - 1):+10.1%}")
    first, again = results["schooltech"]["rebuild"], results["schooltech"]["rebuild again"]
    print(f"no-change rebuild is {first / again:.1f}x faster than the first (schooltech)")
    if overhead:
        print(
            f"wrapper overhead, {len(overhead)} alternating no-change rebuild pairs: median "
            f"{statistics.median(overhead):+.1%} (each: {', '.join(f'{r:+.1%}' for r in overhead)})"
        )
    print("targets: schooltech >= 4x faster than stock; wrapper overhead <= 5% over tuned")


if __name__ == "__main__":
    main()
