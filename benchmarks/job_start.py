"""Controller overhead of a lab job on a 30,000-device district: from the command's start to its first task event.

One school of a generated district (50 schools, 30,500 hosts; ``--schools N``) has its networks
on loopback (``district.write_district(..., loopback=(0,))``): its 580 PCs have 127.x
addresses, where nothing answers on port 22, so the job can be started here for real and no
address outside 127.0.0.0/8 is ever contacted (``SCHOOLTECH_ALLOWED_NETWORKS=127.0.0.0/8``).

Measured, in one run, on the same data:
  - ``schooltech configure --school D000 --check``: the time from starting the command to the
    ``created`` time of the first ``playbook_on_task_start`` event in the run's artifacts
    (ansible-runner's own clock), with an empty cache (the first run after an edit) and warm;
  - stock ``ansible-playbook -i DISTRICT playbooks/configure.yml --limit school_d000 --check``
    (the inventory plugin, the same playbook): the time to the first ``TASK [`` line of its
    output, cold and warm (stopped there).
The job itself then fails its canary (connection refused) and halts; that part is not measured.

Usage: .venv/bin/python benchmarks/job_start.py [--schools N] [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from district import write_district

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCHOOL = "D000"


def schooltech_start(district: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds from starting the command to: ansible-runner starting ansible-playbook (its ``command``
    artifact written), Ansible's ``playbook_on_start`` event, its first task event (events' ``created``)."""
    runs = Path(env["SCHOOLTECH_STATE_DIR"]) / "runs"
    before = set(runs.iterdir()) if runs.is_dir() else set()
    start = time.time()
    subprocess.run([str(BIN / "schooltech"), "configure", "-i", str(district), "--school", SCHOOL, "--check"],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)  # fmt: skip
    (run,) = set(runs.iterdir()) - before
    created: dict[str, list[float]] = {}
    for path in run.glob("artifacts/*/job_events/*.json"):
        event = json.loads(path.read_text())
        when = dt.datetime.fromisoformat(event["created"]).replace(tzinfo=dt.UTC).timestamp()
        created.setdefault(event.get("event"), []).append(when)
    if "playbook_on_task_start" not in created:
        raise RuntimeError(f"no task started in {run}: see its artifacts")
    (command,) = run.glob("artifacts/*/command")
    return (command.stat().st_mtime - start, min(created["playbook_on_start"]) - start,
            min(created["playbook_on_task_start"]) - start)


def stock_start(district: Path, env: dict[str, str]) -> float:
    """Seconds from starting ``ansible-playbook`` through the plugin to its first ``TASK [`` line (then stopped)."""
    argv = [str(BIN / "ansible-playbook"), "-i", str(district), str(ROOT / "playbooks" / "configure.yml"),
            "--limit", f"school_{SCHOOL.lower()}", "--check"]  # fmt: skip
    start = time.time()
    with subprocess.Popen(argv, env={**env, "PYTHONUNBUFFERED": "1"}, cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, start_new_session=True) as process:  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("TASK ["):
                seconds = time.time() - start
                os.killpg(process.pid, signal.SIGKILL)
                return seconds
    raise RuntimeError("ansible-playbook printed no task")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="warm runs of each (the best is printed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="job-start-") as tmp:
        work = Path(tmp)
        district = work / "district"
        write_district(district, args.schools, loopback=(0,))
        env = {**os.environ, "SCHOOLTECH_STATE_DIR": str(work / "state"), "SCHOOLTECH_CACHE_DIR": str(work / "cache"),
               "SCHOOLTECH_ALLOWED_NETWORKS": "127.0.0.0/8", "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}  # fmt: skip
        cold = schooltech_start(district, env)
        warm = [schooltech_start(district, env) for _ in range(args.runs)]
        stock_env = {**env, "SCHOOLTECH_CACHE_DIR": str(work / "stock-cache")}
        stock_cold = stock_start(district, stock_env)
        stock_warm = [stock_start(district, stock_env) for _ in range(args.runs)]
    hosts = args.schools * 610
    print(f"a configure job on {SCHOOL} (580 PCs) of a {args.schools}-school district ({hosts:,} hosts); "
          "seconds from the command's start to its first task")
    print(f"  {'':34s} {'cold':>6s} {'warm (best; all)':>18s}")
    firsts = [w[2] for w in warm]
    for name, first, again in (("schooltech configure", cold[2], firsts), ("stock ansible-playbook + plugin",
                                                                           stock_cold, stock_warm)):  # fmt: skip
        runs = ", ".join(f"{s:.2f}" for s in again)
        print(f"  {name:34s} {first:6.2f} {min(again):8.2f} ({runs})")
    print(f"  stock / schooltech: cold {stock_cold / cold[2]:.2f}x, warm {min(stock_warm) / min(firsts):.2f}x")
    spawn, started, task = min(warm, key=lambda w: w[2])
    print(f"  schooltech's best warm run: {spawn:.2f} s in schooltech (load, targets, guard, calendar, slice, "
          f"ansible-runner) + {started - spawn:.2f} s Ansible starting (imports, inventory, playbook) + "
          f"{task - started:.2f} s to the first task")


if __name__ == "__main__":
    main()
