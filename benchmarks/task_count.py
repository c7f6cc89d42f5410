"""Tasks each lab job runs per Debian lab PC, counted from the playbooks and roles (no host needed).

Issue 16: the controller pays about 90 ms per task per batch whatever the task does, so a
skipped task costs nearly as much as one that runs. This counts every task a Debian PC
meets: fact gathering, each task (skipped or not), each ``include_tasks`` (one task, then
its file), ``import_tasks`` files in place (no task of their own). An include whose
condition names Windows or the exam freeze is counted but not followed (the PC takes the
other branch); a templated include file is followed to its Linux branch. Handlers are not
counted (they run only on a change).

Usage: .venv/bin/python benchmarks/task_count.py [TREE ...]   (default: this checkout)
    e.g. git archive main | tar -x -C /tmp/before && benchmarks/task_count.py /tmp/before .
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

JOBS = ("rebuild", "patch", "license", "configure")
INCLUDES = ("ansible.builtin.include_tasks", "ansible.builtin.import_tasks")
NOT_FOLLOWED = re.compile(r"Windows|exam_freeze")


def _file_of(argument: Any) -> str:
    """The tasks file an include names: its Linux branch when the name is a Jinja choice."""
    name = str(argument["file"] if isinstance(argument, dict) else argument)
    choice = re.search(r"else '([^']+)'", name)
    return choice.group(1) if choice else name


def count_tasks(tasks_file: Path) -> int:
    """Tasks a Debian PC meets in *tasks_file*, its includes and imports followed."""
    total = 0
    for task in yaml.safe_load(tasks_file.read_text(encoding="utf-8")) or []:
        if "block" in task:
            raise ValueError(f"{tasks_file}: blocks are not counted yet")
        module = next((key for key in INCLUDES if key in task), None)
        if module is None:
            total += 1
            continue
        dynamic = module.endswith("include_tasks")
        total += 1 if dynamic else 0
        if not (dynamic and NOT_FOLLOWED.search(str(task.get("when", "")))):
            total += count_tasks(tasks_file.parent / _file_of(task[module]))
    return total


def count_job(tree: Path, job: str) -> int:
    """Tasks one PC meets in playbooks/<job>.yml of *tree*."""
    (play,) = yaml.safe_load((tree / "playbooks" / f"{job}.yml").read_text(encoding="utf-8"))
    total = 1 if play.get("gather_facts", True) else 0
    for section in ("pre_tasks", "roles", "post_tasks"):
        for entry in play.get(section, []):
            if section == "roles":
                role = entry["role"].rsplit(".", 1)[-1]
                total += count_tasks(tree / "roles" / role / "tasks" / "main.yml")
            else:
                module = next(key for key in INCLUDES if key in entry)
                total += count_tasks(tree / "playbooks" / _file_of(entry[module]))
    return total


def main(argv: list[str]) -> None:
    trees = [Path(arg) for arg in argv] or [Path(__file__).resolve().parent.parent]
    print("job        " + "  ".join(f"{tree!s:>14}" for tree in trees))
    for job in JOBS:
        print(f"{job:<10} " + "  ".join(f"{count_job(tree, job):>14}" for tree in trees))


if __name__ == "__main__":
    main(sys.argv[1:])
