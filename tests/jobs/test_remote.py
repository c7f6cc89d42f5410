"""A job through ansible-runner's streaming pipeline: transmit here, a real ``ansible-runner worker``, process here.

The worker runs as a local subprocess (the transport without SSH): the same worker a node
runs. The hosts are this machine (``ansible_connection: local``), so no simulated school is
needed. The node is "lost" by killing (or freezing) the worker and everything it started,
as a node that powers off takes everything with it.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from jobs.processes import signal_sessions, worker_tree
from schooltech_fleet.jobs.model import HostStatus, Progress
from schooltech_fleet.jobs.payload import write_inventory
from schooltech_fleet.jobs.remote import Transport, local_transport, run_remote_playbook, ssh_transport
from schooltech_fleet.jobs.runner import EventTally, PlaybookDidNotStart, PlaybookRun, artifacts, run_playbook

HOSTS = ["here1", "here2"]

PLAYBOOK = """
- name: Two hosts of this machine, one at a time
  hosts: all
  serial: 1
  gather_facts: false
  tasks:
    - name: Say hello
      ansible.builtin.debug:
        msg: "hello from {{ inventory_hostname }} in {{ room }}"
    - name: Count the licence keys
      ansible.builtin.debug:
        msg: "{{ schooltech_licence_keys | default({}) | length }} licence keys"
    - name: Change something
      ansible.builtin.command: "true"
    - name: Fail on one host
      ansible.builtin.fail:
        msg: "{{ inventory_hostname }} refuses"
      when: inventory_hostname == fail_on
    - name: Wait
      ansible.builtin.command: "sleep {{ wait_on.get(inventory_hostname, 0) }}"
      changed_when: false
"""


def _inventory(tmp_path: Path) -> Path:
    hosts = {name: {"ansible_connection": "local", "ansible_host": "127.0.0.1", "room": f"C{n}",
                    "ansible_python_interpreter": sys.executable} for n, name in enumerate(HOSTS, 1)}  # fmt: skip
    return write_inventory(tmp_path / "hosts.slice.json", {"all": {"hosts": hosts, "children": {"managed": {"hosts": {
        name: {} for name in HOSTS}}}}})  # fmt: skip


def _run(tmp_path: Path, name: str, fail_on: str = "none", wait_on: dict[str, int] | None = None) -> PlaybookRun:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "play.yml").write_text(PLAYBOOK)
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\n")
    run_dir = tmp_path / name
    run_dir.mkdir(mode=0o700)
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return PlaybookRun(run_id=f"{name}-run", run_dir=run_dir, project_dir=project, playbook="play.yml",
                       inventory=_inventory(tmp_path), limit=HOSTS, extravars={"fail_on": fail_on,
                       "wait_on": wait_on or {}}, cmdline=[], envvars={"PATH": path, "ANSIBLE_CONFIG": str(config)},
                       forks=2)  # fmt: skip


def _statuses(tally: EventTally) -> dict[str, tuple[HostStatus, str | None]]:
    return {r.name: (r.status, r.failed_task) for r in tally.results()}


def test_a_job_through_a_worker_gives_the_results_of_the_same_job_run_here(tmp_path: Path) -> None:
    here, there = EventTally(HOSTS), EventTally(HOSTS)
    worker_dir = tmp_path / "node" / "job"

    local = run_playbook(_run(tmp_path, "local", fail_on="here2"), here)
    remote_run = _run(tmp_path, "remote", fail_on="here2")
    remote = run_remote_playbook(remote_run, there, local_transport(), str(worker_dir))

    assert (remote.rc, remote.lost, remote.stopped, remote.warnings) == (local.rc, None, None, ())
    assert local.rc != 0
    assert _statuses(there) == _statuses(here) == {
        "here1": (HostStatus.CHANGED, None), "here2": (HostStatus.FAILED, "Fail on one host")}  # fmt: skip
    assert [r.message for r in there.results()] == [r.message for r in here.results()]
    assert there.batches == here.batches == 2
    assert {p.name for p in artifacts(remote_run).iterdir()} >= {"job_events", "rc", "status", "stdout"}
    assert (artifacts(remote_run) / "status").read_text() == "failed"
    assert not worker_dir.exists(), "the worker's directory (the payload, its secrets) outlived the job"
    assert not (remote_run.run_dir / "payload").exists()


def test_the_jobs_secret_files_travel_in_the_payload_and_stay_nowhere(tmp_path: Path) -> None:
    key = "CANARY-remote-licence-3c1f"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    keys = scratch / "licence-keys.json"
    keys.write_text(json.dumps({"schooltech_licence_keys": {"cad": key}}))
    worker_dir = tmp_path / "node" / "job"
    run = replace(_run(tmp_path, "remote"), cmdline=["-e", f"@{keys}"], secrets=(key,))

    ended = run_remote_playbook(run, EventTally(HOSTS), local_transport(), str(worker_dir))

    assert (ended.rc, ended.lost) == (0, None)
    command = json.loads((artifacts(run) / "command").read_text())
    assert "@../secrets/licence-keys.json" in command["command"]  # the node's copy, not the controller's file
    events = [path.read_text() for path in (artifacts(run) / "job_events").glob("*.json")]
    assert sum("1 licence keys" in event for event in events) == len(HOSTS)
    assert not worker_dir.exists()
    assert [p for p in run.run_dir.rglob("*") if p.is_file() and key.encode() in p.read_bytes()] == []


def test_a_worker_killed_mid_job_gives_the_lost_node_verdict_and_the_unfinished_host_is_not_run(
    tmp_path: Path,
) -> None:
    worker_dir = tmp_path / "node" / "job"
    killed: set[int] = set()

    def kill_at_wait(progress: Progress) -> None:
        if progress.task == "Wait" and progress.batch == 2 and not killed:
            killed.update(worker_tree(worker_dir))
            signal_sessions(killed, signal.SIGKILL)

    tally = EventTally(HOSTS, kill_at_wait)
    try:
        ended = run_remote_playbook(_run(tmp_path, "remote", wait_on={"here2": 600}), tally, local_transport(),
                                    str(worker_dir))  # fmt: skip
    finally:
        signal_sessions(worker_tree(worker_dir), signal.SIGKILL)  # a fork that started as the node died

    assert killed
    assert ended.lost is not None and "stream ended before the job did" in ended.lost
    assert ended.rc != 0
    results = {r.name: r for r in tally.results()}
    assert results["here1"].status is HostStatus.CHANGED  # its batch had finished
    assert results["here2"].status is HostStatus.NOT_RUN
    assert results["here2"].message is not None and results["here2"].message.startswith("execution node lost")
    assert not worker_dir.exists(), "the node's job directory was left behind"


def test_a_worker_that_falls_silent_is_given_up_on_after_its_keepalives_stop(tmp_path: Path) -> None:
    worker_dir = tmp_path / "node" / "job"
    frozen: set[int] = set()

    def freeze_at_wait(progress: Progress) -> None:
        if progress.task == "Wait" and not frozen:
            frozen.update(worker_tree(worker_dir))
            signal_sessions(frozen, signal.SIGSTOP)  # a node that hangs: no EOF, no word

    tally = EventTally(HOSTS, freeze_at_wait)
    try:
        ended = run_remote_playbook(_run(tmp_path, "remote", wait_on={"here1": 600}), tally, local_transport(),
                                    str(worker_dir), keepalive_seconds=1, silence_limit=4)  # fmt: skip
    finally:
        signal_sessions(frozen | worker_tree(worker_dir), signal.SIGKILL)  # what the watchdog's kill did not reach

    assert frozen
    assert ended.lost == "no word from the node for 4 s"
    assert {r.name: r.status for r in tally.results()} == {"here1": HostStatus.NOT_RUN, "here2": HostStatus.NOT_RUN}


def test_a_playbook_that_cannot_start_on_the_node_is_an_error_and_leaves_nothing_there(tmp_path: Path) -> None:
    worker_dir = tmp_path / "node" / "job"
    run = replace(_run(tmp_path, "remote"), playbook="missing.yml")

    with pytest.raises(PlaybookDidNotStart, match="did not start on the node"):
        run_remote_playbook(run, EventTally(HOSTS), local_transport(), str(worker_dir))

    assert not worker_dir.exists()
    assert not (run.run_dir / "payload").exists()


def test_the_ssh_transport_trusts_only_the_nodes_recorded_key_and_quotes_the_worker_command(tmp_path: Path) -> None:
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKawLEFDaHEWQYM8RXaUGgFc1CmOi5IUhA9BQs329iZv node"
    known = tmp_path / "known_hosts"
    transport = ssh_transport({"host": "10.9.99.5", "port": 2222, "user": "schooltech", "host_key": key}, known)

    command = transport.worker(".schooltech-node/jobs/patch TST", 5)

    assert known.read_text() == f"[10.9.99.5]:2222 {key}\n"
    assert command[:3] == ["ssh", "-p", "2222"]
    assert "StrictHostKeyChecking=yes" in command and f'UserKnownHostsFile="{known}"' in command
    assert command[-3:] == [
        "--",
        "schooltech@10.9.99.5",
        """sh -c 'PATH="$HOME/.schooltech-node/venv/bin:$PATH" exec ansible-runner "$@"' ansible-runner worker """
        "'--private-data-dir=.schooltech-node/jobs/patch TST' --delete --keepalive-seconds=5",
    ]
    assert "-i" not in command  # a real node: this login's own keys


def test_a_simulated_node_is_reached_with_the_simulations_login_key_only(tmp_path: Path) -> None:
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKawLEFDaHEWQYM8RXaUGgFc1CmOi5IUhA9BQs329iZv"
    node = {"host": "127.0.0.1", "port": 20444, "user": "fleetadmin", "host_key": key, "identity_file": "/s/id"}

    command = ssh_transport(node, tmp_path / "known_hosts").worker("jobs/x", 5)

    assert command[command.index("-i") + 1] == "/s/id" and "IdentitiesOnly=yes" in command
    assert command[-2] == "fleetadmin@127.0.0.1"


def test_a_node_without_a_host_key_is_refused(tmp_path: Path) -> None:
    from schooltech_fleet.errors import UsageError  # noqa: PLC0415

    with pytest.raises(UsageError, match="has no host_key"):
        ssh_transport({"host": "10.9.99.5", "port": 22, "user": "schooltech", "host_key": None}, tmp_path / "k")


def test_the_local_transport_runs_the_worker_without_a_shell() -> None:
    assert local_transport().worker("/tmp/a b", 5)[1:] == ["worker", "--private-data-dir=/tmp/a b", "--delete",
                                                           "--keepalive-seconds=5"]  # fmt: skip
    assert isinstance(local_transport(), Transport)
