"""Lab jobs on a 30-PC room and on the demo school's 8 PCs: schooltech vs stock ansible-playbook vs the tuned config.

The same playbooks, hosts and extra variables (canary rollout, calendar verdicts) in
each variant, each on freshly started PCs:

  stock    ansible-playbook with Ansible's defaults (forks 5, linear, no pipelining,
           facts gathered every run); only the inventory plugin and roles path set
  tuned    ansible-playbook with schooltech's configuration (pipelining, ControlPersist,
           forks 25, cached facts) and the strategy of the row, no wrapper
  schooltech  ``schooltech`` jobs: the tuned run through ansible-runner, with events,
           progress, run records and the audit log

Two sizes: a 30-PC computing suite (the demo school with LAB1 grown to 30 PCs; the job
targets that room: one canary, then the other 29) and the demo school as it is (8 PCs in
three rooms: batches of 1, 3, 2 and 2). Two strategies for tuned and schooltech: Mitogen's
and Ansible's own linear one; stock is Ansible's defaults, so linear, and runs once per size.

Per variant: a rebuild on fresh PCs, the same rebuild again (nothing to change), and a
patch that upgrades schooltech-demo-app 1.0 -> 1.1. Each run's controller CPU (this
process and every process it waited for: ansible-playbook, its forks, Mitogen's) and the
machine's other CPU time in the same interval (the PCs: sshd, modules, apt; and the
daemonised ssh connection masters) are printed beside its wall time. Then, from the
schooltech runs' job events (what ansible.posix.profile_tasks sums: a task's start to the
next one's, over every batch), where the time went per batch and per task, and how much
of each task round the slowest PC's own result accounts for.

Last, the wrapper's overhead on its own: tuned and schooltech no-change rebuilds
alternating on one simulation (--pairs, median), since single runs vary by several
percent either way. Targets: schooltech >= 4x faster than stock with Mitogen and >= 2.5x on
Ansible's own strategy; wrapper overhead <= 5% over tuned.

Usage: .venv/bin/python benchmarks/lab_jobs.py [--pcs 30 8] [--strategies mitogen linear] [--pairs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import measure
import yaml

from schooltech_fleet import clock
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.jobs import JobKind, JobRequest, run_job
from schooltech_fleet.jobs.job import job_extravars, select_targets
from schooltech_fleet.jobs.runs import runs_dir
from schooltech_fleet.jobs.tuning import ansible_environment
from schooltech_fleet.jobs.windows import check_window
from schooltech_fleet.sim import aptrepo, simulation

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KEYS = {"DEMO_EXAM_BROWSER_KEY": "bench-exam-key", "DEMO_DATALOGGER_KEY": "bench-datalogger-key"}
STEPS = (("rebuild", JobKind.REBUILD), ("rebuild again", JobKind.REBUILD), ("patch", JobKind.PATCH))
SUITE_ROOM = "LAB1"
DEMO_PCS = 8
STOCK_CFG = """[defaults]
inventory_plugins = {root}/plugins/inventory
roles_path = {root}/roles
collections_path = {root}/.collections
[inventory]
enable_plugins = schooltech
ignore_patterns = ^files$
"""


@dataclass(frozen=True)
class Timed:
    """One run: wall seconds, the controller's CPU seconds, the rest of the machine's CPU seconds."""

    seconds: float
    controller_cpu: float
    other_cpu: float
    run_id: str | None = None  # a schooltech run: its job events are in the run's artifacts


@dataclass
class Size:
    """A benchmarked fleet: its inventory, the room the jobs target (None: the whole school)."""

    pcs: int
    inventory: Path
    rooms: tuple[str, ...]

    @property
    def label(self) -> str:
        if self.rooms:
            return f"{self.pcs} PCs in one room ({self.rooms[0]}: one canary, then {self.pcs - 1})"
        return f"{self.pcs} PCs, the demo school (three rooms: batches of 1, 3, 2, 2 on a rebuild)"


def make_size(pcs: int, work: Path) -> Size:
    """The demo inventory as it is (8 PCs), or with LAB1 grown to *pcs* PCs (the jobs target that room)."""
    inventory = work / f"demo-{pcs}"
    shutil.rmtree(inventory, ignore_errors=True)
    shutil.copytree(ROOT / "inventories" / "demo", inventory, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    if pcs == DEMO_PCS:
        return Size(pcs, inventory, ())
    school = inventory / "demo.school.yml"
    data = yaml.safe_load(school.read_text())
    (devices,) = (room["devices"][0] for room in data["rooms"] if room["name"] == SUITE_ROOM)
    assets = [{"mac": f"52:54:00:90:21:{i:02x}", "serial": f"BENCH{i:03d}"} for i in range(pcs)]
    devices.update(count=pcs, ip_start="10.90.20.151", assets=assets)  # past the other rooms' addresses
    school.write_text(yaml.safe_dump(data, sort_keys=False))
    return Size(pcs, inventory, (SUITE_ROOM,))


def request(size: Size, kind: JobKind) -> JobRequest:
    return JobRequest(kind=kind, inventory=size.inventory, school="DEMO", rooms=size.rooms)


def playbook_command(size: Size, kind: JobKind, work: Path) -> list[str]:
    """ansible-playbook with the exact extra variables the wrapper would pass."""
    fleet, job = load_fleet(size.inventory), request(size, kind)
    hosts = select_targets(fleet, job)
    windows = {host: check_window(fleet.host_vars(host), clock.now()) for host in hosts}
    extravars = work / f"{kind}.json"
    extravars.write_text(json.dumps(job_extravars(job, fleet, hosts, windows)))
    keys = work / "keys.json"
    keys.write_text(json.dumps({"schooltech_licence_keys": {"exam-browser": KEYS["DEMO_EXAM_BROWSER_KEY"],
                                                            "datalogger": KEYS["DEMO_DATALOGGER_KEY"]}}))  # fmt: skip
    return [str(BIN / "ansible-playbook"), "-i", str(size.inventory), str(ROOT / "playbooks" / kind.playbook),
            "-e", f"@{extravars}", "-e", f"@{keys}", "--limit", ",".join(hosts)]  # fmt: skip


def machine_cpu() -> float:
    """CPU seconds every process on this machine has used (user + system, all cores) since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system = (int(f) for f in fields[:3])
    irq, softirq = int(fields[5]), int(fields[6])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """This process's CPU seconds and those of the children it has waited for."""
    return sum(
        u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def timed_run(variant: str, kind: JobKind, size: Size, sim_id: str, work: Path) -> Timed:
    """One *variant* run of *kind*; a failed run is an error."""
    machine_before = machine_cpu()
    if variant == "schooltech":
        own_before, started = own_cpu(), time.perf_counter()
        result = run_job(request(size, kind))
        seconds, controller = time.perf_counter() - started, own_cpu() - own_before
        if not result.succeeded:
            raise RuntimeError(f"schooltech: {kind} failed: {[(h.name, h.status, h.message) for h in result.hosts]}")
        run_id: str | None = result.run_id
    else:
        env: dict[str, str] = {}
        if variant == "stock":
            (work / "ansible.cfg").write_text(STOCK_CFG.format(root=ROOT))
            env["ANSIBLE_CONFIG"] = str(work / "ansible.cfg")
        else:
            env.update(ansible_environment(sim_id))
            env["ANSIBLE_FORKS"] = "25"
        done = measure.run(playbook_command(size, kind, work), env=env, cwd=ROOT, timeout=3600)
        seconds, controller, run_id = done.seconds, done.cpu_seconds, None
    return Timed(seconds, controller, machine_cpu() - machine_before - controller, run_id)


def fresh_simulation(size: Size, name: str) -> simulation.Simulation:
    """A freshly started simulation of *size*'s PCs."""
    return simulation.up(
        size.inventory, rooms=size.rooms, sim_id=f"bench-{name}-{size.pcs}-{os.getpid()}", detach=False
    )


def run_variant(variant: str, size: Size, work: Path, strategy: str) -> dict[str, Timed]:
    os.environ["SCHOOLTECH_ANSIBLE_STRATEGY"] = strategy
    sim = fresh_simulation(size, f"{variant}-{strategy}")
    times = {}
    try:
        for label, kind in STEPS:
            if label == "patch":
                aptrepo.publish(sim.repo_dir, "schooltech-demo-app", "1.1")
            times[label] = timed_run(variant, kind, size, sim.sim_id, work)
            print(f"  {size.pcs} PCs, {variant} ({strategy}), {label}: {times[label].seconds:.1f} s", flush=True)
    finally:
        simulation.down(size.inventory)
    return times


def wrapper_overhead(size: Size, work: Path, strategy: str, pairs: int) -> list[float]:
    """Tuned and schooltech no-change rebuilds, alternating on one simulation: the wrapper's cost per pair.

    Single runs vary by several percent either way on 2 cores; alternating pairs on the same
    PCs and taking the median separates the wrapper's cost from that noise.
    """
    os.environ["SCHOOLTECH_ANSIBLE_STRATEGY"] = strategy
    sim_id = fresh_simulation(size, "overhead").sim_id
    try:
        timed_run("schooltech", JobKind.REBUILD, size, sim_id, work)
        ratios = []
        for _ in range(pairs):
            tuned = timed_run("tuned", JobKind.REBUILD, size, sim_id, work).seconds
            ours = timed_run("schooltech", JobKind.REBUILD, size, sim_id, work).seconds
            ratios.append(ours / tuned - 1)
    finally:
        simulation.down(size.inventory)
    return ratios


# --- where the time went, from a schooltech run's job events ---


@dataclass
class Breakdown:
    """Task rounds (one task in one batch) of a run: their wall time and the slowest PC's share of it."""

    batches: list[tuple[int, int, float]] = field(default_factory=list)  # (PCs, task rounds, seconds)
    tasks: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0.0, 0.0, 0]))

    @property
    def rounds(self) -> int:
        return sum(rounds for _, rounds, _ in self.batches)

    @property
    def wall(self) -> float:
        return sum(t[0] for t in self.tasks.values())

    @property
    def slowest_pc(self) -> float:
        return sum(t[1] for t in self.tasks.values())


def _events(run_id: str) -> Iterator[dict[str, Any]]:
    folder = runs_dir() / run_id / "artifacts" / run_id / "job_events"
    events = (json.loads(path.read_text()) for path in folder.glob("*.json"))
    yield from sorted(events, key=lambda e: e["counter"])


def breakdown(run_id: str) -> Breakdown:
    """Each task round from its start event to the next task's (or batch end's), as profile_tasks sums them."""
    found = Breakdown()
    task: str | None = None
    task_start = batch_start = 0.0
    slowest, pcs, rounds = 0.0, set(), 0

    def close(at: float) -> None:
        nonlocal task
        if task is not None:
            entry = found.tasks[task]
            entry[0] += at - task_start
            entry[1] += slowest
            entry[2] += 1
        task = None

    for event in _events(run_id):
        at = datetime.fromisoformat(event["created"]).timestamp()
        kind, data = event["event"], event.get("event_data", {})
        if kind in ("playbook_on_task_start", "playbook_on_handler_task_start"):
            close(at)
            task, task_start, slowest, rounds = data.get("task") or data.get("name", "?"), at, 0.0, rounds + 1
        elif kind.startswith("runner_on_") and "duration" in data:
            slowest = max(slowest, float(data["duration"] or 0.0))
            pcs.add(data.get("host"))
        elif kind in ("playbook_on_play_start", "playbook_on_stats"):
            close(at)
            if rounds:
                found.batches.append((len(pcs), rounds, at - batch_start))
            batch_start, pcs, rounds = at, set(), 0
    return found


def print_breakdown(title: str, found: Breakdown, top: int = 12) -> None:
    rest = found.wall - found.slowest_pc
    print(f"\n{title}: {found.rounds} task rounds in {len(found.batches)} batches, {found.wall:.1f} s;"
          f" the slowest PC's own results {found.slowest_pc:.1f} s, the rest {rest:.1f} s"
          f" ({1000 * rest / max(found.rounds, 1):.0f} ms per task round)")  # fmt: skip
    print(
        "  batches: " + ", ".join(f"{pcs} PCs {rounds} tasks {seconds:.1f} s" for pcs, rounds, seconds in found.batches)
    )
    print(f"  {'task (summed over batches)':64}{'rounds':>7}{'wall':>9}{'slowest PC':>12}")
    for name, (wall, slowest, rounds) in sorted(found.tasks.items(), key=lambda t: -t[1][0])[:top]:
        print(f"  {name[:63]:64}{rounds:7d}{wall:8.1f}s{slowest:11.1f}s")


def print_table(size: Size, strategies: Sequence[str], results: dict[tuple[str, str], dict[str, Timed]]) -> None:
    print(f"\n{size.label}; stock is Ansible's defaults (linear), the same run on both rows")
    print(f"{'job':15}{'strategy':9}{'stock':>9}{'tuned':>9}{'schooltech':>11}{'stock/st':>10}{'wrapper':>9}"
          f"{'ctrl CPU st':>13}{'other CPU st':>14}{'ctrl CPU stock':>16}")  # fmt: skip
    for label, _ in STEPS:
        stock = results["stock", "linear"][label]
        for strategy in strategies:
            tuned, ours = results["tuned", strategy][label], results["schooltech", strategy][label]
            print(f"{label:15}{strategy:9}{stock.seconds:8.1f}s{tuned.seconds:8.1f}s{ours.seconds:10.1f}s"
                  f"{stock.seconds / ours.seconds:9.1f}x{ours.seconds / tuned.seconds - 1:+9.1%}"
                  f"{ours.controller_cpu:12.1f}s{ours.other_cpu:13.1f}s{stock.controller_cpu:15.1f}s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pcs", type=int, nargs="+", default=[30, DEMO_PCS],
                        help=f"fleet sizes: {DEMO_PCS} is the demo school, others a room of that many PCs")  # fmt: skip
    parser.add_argument("--strategies", nargs="+", choices=("mitogen", "linear"), default=["mitogen", "linear"],
                        help="strategies of the tuned and schooltech runs (SCHOOLTECH_ANSIBLE_STRATEGY)")  # fmt: skip
    parser.add_argument("--pairs", type=int, default=3,
                        help="alternating tuned/schooltech no-change rebuilds for the wrapper overhead "
                             f"(on {DEMO_PCS} PCs or the smallest size, the first strategy)")  # fmt: skip
    args = parser.parse_args()
    os.environ["SCHOOLTECH_ALLOWED_NETWORKS"] = "127.0.0.0/8"  # the simulation only
    os.environ.update(KEYS)
    with tempfile.TemporaryDirectory(prefix="lab-jobs-") as tmp:
        work = Path(tmp)
        os.environ["SCHOOLTECH_STATE_DIR"] = str(work / "state")
        sizes = [make_size(pcs, work) for pcs in args.pcs]
        tables = []
        for size in sizes:
            results = {("stock", "linear"): run_variant("stock", size, work, "linear")}
            for strategy in args.strategies:
                for variant in ("tuned", "schooltech"):
                    results[variant, strategy] = run_variant(variant, size, work, strategy)
            tables.append((size, results))
        smallest = min(sizes, key=lambda s: s.pcs)
        overhead = wrapper_overhead(smallest, work, args.strategies[0], args.pairs) if args.pairs else []
        for size, results in tables:
            print_table(size, args.strategies, results)
        for size, results in tables:
            for strategy in args.strategies:
                run_id = results["schooltech", strategy]["rebuild"].run_id
                assert run_id is not None
                print_breakdown(f"{size.pcs} PCs, schooltech rebuild on fresh PCs ({strategy})", breakdown(run_id))
    if overhead:
        each = ", ".join(f"{r:+.1%}" for r in overhead)
        print(f"\nwrapper overhead, {smallest.pcs} PCs, {args.strategies[0]}, {len(overhead)} alternating no-change "
              f"rebuild pairs: median {statistics.median(overhead):+.1%} (each: {each})")  # fmt: skip
    print("targets: schooltech >= 4x faster than stock with Mitogen, >= 2.5x on linear;"
          " wrapper overhead <= 5% over tuned")  # fmt: skip


if __name__ == "__main__":
    main()
