"""``run_job`` for a school whose site has an execution node: the job runs through a real ``ansible-runner worker``.

The worker runs as a local subprocess (``local_transport``, the transport without SSH) and the
"PCs" are this machine (``ANSIBLE_TRANSPORT=local``: nothing at the school's addresses is
contacted). The job is the read-only ``asset_facts``, so the playbook, the collection's role and
module, the static slice and the node's ``ansible.cfg`` all travel in the payload, as to a node.
A lost node is a worker killed with everything it started; a node that never finishes a task
is one whose Python hangs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from inventory.helpers import write_school

from jobs.processes import kill_tree, signal_sessions, worker_tree
from schooltech_fleet.jobs import runs
from schooltech_fleet.jobs.job import run_job
from schooltech_fleet.jobs.model import HostStatus, JobKind, JobRequest, JobResult, Progress
from schooltech_fleet.jobs.payload import write_inventory
from schooltech_fleet.jobs.remote import NODE_CONFIG, Transport, local_transport, node_project
from schooltech_fleet.jobs.tuning import project_root
from schooltech_fleet.paths import state_dir

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKawLEFDaHEWQYM8RXaUGgFc1CmOi5IUhA9BQs329iZv node"
NODE = f'- name: main\n  execution_node: {{host: 10.7.99.5, user: schooltech, host_key: "{HOST_KEY}"}}\n'
VLANS = "\n".join(f"{name}: {{subnet: 10.7.{third}.0/24, gateway: 10.7.{third}.1}}" for name, third in
                  (("staff", 10), ("students", 16), ("guest", 30), ("av", 40), ("management", 99)))  # fmt: skip
ROOMS = """
- name: C1
  kind: ict_suite
  devices:
    - {count: 2, role: lab_pc, os: debian12, ip_start: 10.7.16.11}
"""
PCS = ["AAA-C1-PC01", "AAA-C1-PC02"]


@pytest.fixture
def schools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """School AAA, whose site names an execution node; its PCs are this machine."""
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SCHOOLTECH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SCHOOLTECH_ALLOWED_NETWORKS", raising=False)  # the guard's default: the school's networks
    monkeypatch.setenv("ANSIBLE_TRANSPORT", "local")
    monkeypatch.setenv("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    write_school(tmp_path / "schools", "AAA", vlans=VLANS, rooms=ROOMS, sites=NODE)
    return tmp_path / "schools"


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Callable[[Mapping[str, Any], Path, str], tuple[Transport, str]]]:
    """A local worker in place of the node's; whatever it started is gone after the test."""
    root = tmp_path / "node"

    def reach(node: Mapping[str, Any], scratch: Path, run_id: str) -> tuple[Transport, str]:
        assert (node["host"], node["port"]) == ("10.7.99.5", 22)
        return local_transport(), str(root / run_id)

    yield reach
    signal_sessions(worker_tree(root), signal.SIGKILL)


def _journal() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (state_dir() / "audit.jsonl").read_text().splitlines()]


def _hanging_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Python that never answers: every module the node runs hangs until the worker is killed."""
    hang = tmp_path / "hang"
    hang.write_text("#!/bin/sh\nexec sleep 600\n")
    hang.chmod(0o755)
    monkeypatch.setenv("ANSIBLE_PYTHON_INTERPRETER", str(hang))


def test_a_job_of_a_school_with_a_node_runs_there_with_the_same_results_records_and_journal(
    schools: Path, node: Callable[..., tuple[Transport, str]], tmp_path: Path
) -> None:
    seen: list[Progress] = []

    result = run_job(JobRequest(JobKind.ASSET_FACTS, schools, "AAA"), seen.append, invocation="test", reach_node=node)

    assert result.node == "10.7.99.5:22"
    assert {h.name: h.status for h in result.hosts} == dict.fromkeys(PCS, HostStatus.OK)
    assert all(h.report["asset_facts"]["os"] for h in result.hosts), "the collection's module did not report"
    assert result.succeeded and result.warnings == ()
    assert any(p.task is not None and p.total == 2 for p in seen)
    assert runs.load(result.run_id) == result
    command = json.loads((runs.runs_dir() / result.run_id / "artifacts" / result.run_id / "command").read_text())
    assert command["env"]["ANSIBLE_LOCAL_TEMP"] == f"{tmp_path / 'node' / result.run_id}/tmp"
    assert command["env"]["ANSIBLE_STRATEGY"] == "linear" and "ANSIBLE_CONFIG" not in command["env"]
    start, end = _journal()[-2:]
    assert (start["phase"], start["node"], start["targets"]) == ("start", "10.7.99.5:22", PCS)
    assert (end["phase"], end["node"], end["hosts"]) == ("end", "10.7.99.5:22", dict.fromkeys(PCS, "ok"))
    assert not any((tmp_path / "node").iterdir()), "the worker's directory outlived the job"


def test_a_school_without_a_node_runs_its_job_here_from_the_static_slice(
    tmp_path: Path, schools: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_ANSIBLE_STRATEGY", "linear")  # Mitogen would sudo to root even as root: no sudo here
    write_school(tmp_path / "here", "AAA", vlans=VLANS, rooms=ROOMS)

    result = run_job(JobRequest(JobKind.ASSET_FACTS, tmp_path / "here", "AAA"))

    assert result.node is None
    assert {h.name: h.status for h in result.hosts} == dict.fromkeys(PCS, HostStatus.OK)
    command = json.loads((runs.runs_dir() / result.run_id / "artifacts" / result.run_id / "command").read_text())
    inventory = command["command"][command["command"].index("-i") + 1]
    assert Path(inventory).name == "inventory.slice.json" and not Path(inventory).exists()  # the scratch directory's
    assert _journal()[-1]["node"] is None


def test_a_node_lost_mid_job_leaves_its_unfinished_pcs_not_run_and_says_so(
    schools: Path, node: Callable[..., tuple[Transport, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _hanging_python(tmp_path, monkeypatch)
    killed: set[int] = set()

    def kill_the_node(progress: Progress) -> None:
        if progress.task is not None and not killed:
            killed.update(kill_tree(tmp_path / "node"))

    result = run_job(JobRequest(JobKind.ASSET_FACTS, schools, "AAA"), kill_the_node, reach_node=node)

    assert killed
    assert {h.name: h.status for h in result.hosts} == dict.fromkeys(PCS, HostStatus.NOT_RUN)
    assert all((h.message or "").startswith("execution node lost: ") for h in result.hosts)
    assert not result.succeeded and not result.halted and result.ansible_rc != 0
    assert any(w.startswith("execution node 10.7.99.5:22 lost: ") for w in result.warnings)
    assert runs.load(result.run_id) == result
    assert _journal()[-1]["hosts"] == dict.fromkeys(PCS, "not run")
    assert not any((tmp_path / "node").iterdir()), "the lost node's job directory was left behind"


def test_a_stop_request_stops_a_job_on_a_node_as_it_stops_one_here(
    schools: Path, node: Callable[..., tuple[Transport, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _hanging_python(tmp_path, monkeypatch)
    started: list[Progress] = []

    def stop() -> str | None:
        return "SIGTERM received" if any(p.task is not None for p in started) else None

    result: JobResult = run_job(JobRequest(JobKind.ASSET_FACTS, schools, "AAA"), started.append, stop=stop,
                                reach_node=node)  # fmt: skip

    assert result.interrupted == "SIGTERM received"
    assert {h.name: h.status for h in result.hosts} == dict.fromkeys(PCS, HostStatus.NOT_RUN)
    assert not any(w.startswith("execution node") for w in result.warnings)
    assert _journal()[-1]["interrupted"] == "SIGTERM received"


def test_every_playbook_finds_its_roles_in_the_project_a_node_gets(tmp_path: Path) -> None:
    """The node has no checkout: the playbooks must find schooltech.fleet beside them, with the node's ansible.cfg."""
    project = node_project(project_root(), tmp_path / "project")
    (project / "ansible.cfg").write_text(NODE_CONFIG, encoding="utf-8")
    inventory = write_inventory(tmp_path / "hosts.slice.json", {"all": {"hosts": {"AAA-C1-PC01": {}}}})
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANSIBLE_")}
    env |= {"ANSIBLE_COLLECTIONS_PATH": str(tmp_path / "nothing"), "ANSIBLE_NOCOLOR": "1"}  # not the checkout's link
    playbooks = sorted(p.name for p in project.glob("*.yml"))
    assert {kind.playbook for kind in JobKind} <= set(playbooks)

    done = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "--syntax-check", "-i",
                           str(inventory), *playbooks], cwd=project, env=env, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip

    assert done.returncode == 0, done.stderr
    module = project / "collections/ansible_collections/schooltech/fleet/plugins/modules/asset_facts_read_files.py"
    assert module.is_file() and not list(project.rglob(".collections"))
