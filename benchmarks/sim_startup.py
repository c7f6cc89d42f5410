"""Time the real ``schooltech sim up`` / ``sim down`` path on a generated 30-PC school.

    .venv/bin/python benchmarks/sim_startup.py [--pcs 30] [--switches 4] [--rounds 1] [--library] [--cold-image]

A temporary inventory holds one school with one room of ``--pcs`` lab PCs (debian12, one
counted pattern) and ``--switches`` cisco_ios switches; the simulation uses a private state
directory. Each round measures

* start-up: ``schooltech sim up -i INVENTORY`` (a subprocess, as a technician runs it; with
  ``--library``: ``simulation.up()`` in this process, with the time of each phase), from the
  cached lab-PC image;
* first ping: from the end of ``sim up`` until one real ``ansible -i INVENTORY managed -m
  ansible.builtin.ping`` succeeds on every PC (retried until it does);
* teardown: ``schooltech sim down``, checked to leave no container behind.

The lab-PC image is built first if it is not cached, and that build is timed separately
(``--cold-image`` times a full build even when it is cached, without touching the cached image).
Targets on a 2-core machine: start-up < 60 s, teardown < 20 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from schooltech_fleet.sim import simulation  # noqa: E402 - after the path set-up above
from schooltech_fleet.sim.image import Recipe, ensure_image, image_exists  # noqa: E402

BIN = Path(sys.executable).parent
STARTUP_TARGET = 60.0
TEARDOWN_TARGET = 20.0
PING_DEADLINE = 120.0


def school_file(pcs: int, switches: int) -> str:
    """One secondary school: a computing lab of *pcs* lab PCs and *switches* Catalyst switches."""
    lines = [
        "schooltech: 1",
        "school: {name: Benchmark School, code: BENCH, type: secondary}",
        "settings:",
        "  timezone: Europe/London",
        "vlans:",
        "  staff: {subnet: 10.200.10.0/24, gateway: 10.200.10.1}",
        "  students: {subnet: 10.200.0.0/22, gateway: 10.200.0.1}",
        "  guest: {subnet: 10.200.30.0/24, gateway: 10.200.30.1}",
        "  av: {subnet: 10.200.40.0/24, gateway: 10.200.40.1}",
        "  management: {subnet: 10.200.99.0/24, gateway: 10.200.99.1}",
        "sites:",
        "  - {name: main, buildings: [main]}",
        "rooms:",
        "  - name: LAB1",
        "    kind: ict_suite",
        "    building: main",
        "    devices:",
        f"      - count: {pcs}",
        "        role: lab_pc",
        "        os: debian12",
        "        model: Dell OptiPlex 7010 SFF",
        "        ip_start: 10.200.1.1",
        "switches:",
    ]
    for n in range(1, switches + 1):
        lines += [
            f"  - name: BENCH-SW-{n}",
            "    platform: cisco_ios",
            "    model: Catalyst 2960-X 48",
            f"    mgmt_ip: 10.200.99.{10 + n}",
            "    access_ports: 48",
            "    uplink_ports: 4",
        ]
    return "\n".join(lines) + "\n"


def _env(state: Path) -> dict[str, str]:
    """This environment with the private state directory and no ANSIBLE_* overrides (ansible.cfg applies)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    return env | {"SCHOOLTECH_STATE_DIR": str(state)}


def _run(argv: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def _check(done: subprocess.CompletedProcess[str]) -> None:
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(done.args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")


def _timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def _up_cli(inventory: Path, env: dict[str, str]) -> None:
    _check(_run([str(BIN / "schooltech"), "sim", "up", "-i", str(inventory)], env))


def _up_library(inventory: Path, state: Path) -> None:
    os.environ["SCHOOLTECH_STATE_DIR"] = str(state)
    began = last = time.perf_counter()

    def phase(message: str) -> None:
        nonlocal last
        now = time.perf_counter()
        print(f"    +{now - last:5.1f} s  (at {now - began:5.1f} s) {message}")
        last = now

    simulation.up(inventory, progress=phase, detach=True)
    print(f"    +{time.perf_counter() - last:5.1f} s  done")


def _ping_all(inventory: Path, env: dict[str, str], pcs: int) -> tuple[float, int]:
    """Seconds until one ``ansible ... ping`` reaches every PC, and how many attempts that took."""
    env = env | {"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1", "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"}
    argv = [str(BIN / "ansible"), "-i", str(inventory), "managed", "-m", "ansible.builtin.ping"]
    began = time.perf_counter()
    attempts = 0
    while True:
        attempts += 1
        done = _run(argv, env)
        try:
            stats = json.loads(done.stdout)["stats"]
        except (ValueError, KeyError):
            stats = {}
        ok = [host for host, counts in stats.items() if counts.get("ok") and not counts.get("unreachable")]
        if done.returncode == 0 and len(ok) == pcs:
            return time.perf_counter() - began, attempts
        if time.perf_counter() - began > PING_DEADLINE:
            raise SystemExit(f"only {len(ok)} of {pcs} PCs answered Ansible within {PING_DEADLINE:.0f} s:\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")  # fmt: skip
        time.sleep(0.5)


def _cold_build() -> float:
    """Seconds to build the image from scratch: a recipe differing only by a comment, removed afterwards.

    The cached image of the real recipe (shared by everyone on this machine) is left alone.
    """
    base = Recipe()
    throwaway = Recipe(setup_script=base.setup_script + f"# sim_startup benchmark {os.getpid()} {time.time()}\n")
    try:
        return _timed(lambda: ensure_image(recipe=throwaway))
    finally:
        _run(["podman", "rmi", "--ignore", throwaway.image_ref], dict(os.environ))


def _leftovers(sim_id: str) -> list[str]:
    done = _run(["podman", "ps", "-a", "-q", "--filter", f"label=schooltech.sim={sim_id}"], dict(os.environ))
    return done.stdout.split()


def _verdict(seconds: float, target: float) -> str:
    return "within target" if seconds < target else "OVER TARGET"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pcs", type=int, default=30, help="lab PCs in the room (default 30)")
    parser.add_argument("--switches", type=int, default=4, help="cisco_ios switches (default 4)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--library", action="store_true", help="call simulation.up() and show its phases")
    parser.add_argument("--cold-image", action="store_true",
                        help="also time a full image build (debootstrap from the mirror) of a throwaway recipe")
    args = parser.parse_args()

    ref = Recipe().image_ref
    if image_exists(ref):
        print(f"lab-PC image {ref}: cached")
    else:
        build = _timed(lambda: ensure_image(progress=lambda message: print(f"  image: {message}")))
        print(f"lab-PC image {ref}: built in {build:.1f} s (not cached before)")
    if args.cold_image:
        print(f"cold image build (throwaway recipe, then removed): {_cold_build():.1f} s")

    with tempfile.TemporaryDirectory(prefix="sim-bench-") as tmp:
        inventory, state = Path(tmp) / "inventory", Path(tmp) / "state"
        inventory.mkdir()
        (inventory / "bench.school.yml").write_text(school_file(args.pcs, args.switches))
        env = _env(state)
        _check(_run([str(BIN / "schooltech"), "check", str(inventory)], env))
        print(f"inventory: 1 school, {args.pcs} lab PCs in one room, {args.switches} cisco_ios switches; "
              f"{os.cpu_count()} CPUs; start-up via {'simulation.up()' if args.library else 'schooltech sim up'}")
        for round_no in range(1, args.rounds + 1):
            try:
                if args.library:
                    startup = _timed(lambda: _up_library(inventory, state))
                else:
                    startup = _timed(lambda: _up_cli(inventory, env))
                os.environ["SCHOOLTECH_STATE_DIR"] = str(state)
                running = simulation.current()
                assert running is not None and len(running.pcs) == args.pcs, running
                assert len(running.switches) == args.switches, running
                ping, attempts = _ping_all(inventory, env, args.pcs)
            finally:  # always taken down, also when a measurement failed
                began = time.perf_counter()
                down = _run([str(BIN / "schooltech"), "sim", "down", "-i", str(inventory)], env)
                teardown = time.perf_counter() - began
            _check(down)
            left = _leftovers(running.sim_id)
            if left:
                raise SystemExit(f"sim down left {len(left)} containers of {running.sim_id}")
            print(f"round {round_no}: start-up {startup:.1f} s ({_verdict(startup, STARTUP_TARGET)} "
                  f"< {STARTUP_TARGET:.0f} s); first Ansible ping of all {args.pcs} PCs {ping:.1f} s later "
                  f"({attempts} attempt{'s' if attempts != 1 else ''}; ready {startup + ping:.1f} s after "
                  f"'sim up' began); teardown {teardown:.1f} s ({_verdict(teardown, TEARDOWN_TARGET)} "
                  f"< {TEARDOWN_TARGET:.0f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
