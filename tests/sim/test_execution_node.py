"""The simulated school's execution node: set up with ``node setup``, running jobs on the PCs, lost mid-job.

One node setup per session (the session simulation's node, about half a minute the first time);
the jobs are a few seconds each. The node reaches the PCs at 127.0.0.1:PORT with the key the
simulation installed in it (:mod:`schooltech_fleet.sim.node`): the payload carries no key.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schooltech_fleet.cli import main
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.jobs import JobKind, JobRequest, remote, run_job
from schooltech_fleet.jobs.model import HostStatus, Progress
from schooltech_fleet.jobs.payload import slice_fleet, write_inventory
from schooltech_fleet.jobs.runner import EventTally, PlaybookRun, run_playbook
from schooltech_fleet.jobs.tuning import project_root
from schooltech_fleet.nodes.collections import bundle
from schooltech_fleet.nodes.hostkey import offered_key
from schooltech_fleet.nodes.setup import setup_school_nodes
from schooltech_fleet.nodes.wheelhouse import (
    COMPLETE,
    DEBIAN_12,
    DIRECTORY_ENV,
    controller_versions,
    wheelhouse_name,
    wheels_dir,
)
from schooltech_fleet.sim import node as sim_node
from schooltech_fleet.sim import pcs, simulation
from schooltech_fleet.sim.image import ADMIN_USER

# read before the session's fixtures point the cache directory at a temporary one: the wheels that
# scripts/bootstrap.sh fetched (a test never downloads)
BOOTSTRAPPED_WHEELS = wheels_dir()
NODE_HOME = "/home/fleetadmin"
LOST_NODE_VERDICT_SECONDS = 30
CA_CERT = "/usr/local/share/ca-certificates/schooltech-filter-ca.crt"  # lab_baseline, on Debian

PLAYBOOK = """
- name: Three lab PCs, one at a time
  hosts: all
  serial: 1
  gather_facts: false
  tasks:
    - name: Reach the PC
      ansible.builtin.ping:
    - name: Read its hostname file
      ansible.builtin.command: cat /etc/hostname
      register: hostname_file
    - name: Use a collection the project depends on (on the node, from the bundle node setup installed)
      ansible.builtin.debug:
        msg: "{{ [['pc', hostname_file.stdout]] | community.general.dict }}"
    - name: Fail on one PC
      ansible.builtin.fail:
        msg: "{{ inventory_hostname }} refuses"
      when: inventory_hostname == fail_on
    - name: Wait
      ansible.builtin.command: "sleep {{ wait_on.get(inventory_hostname, 0) }}"
      changed_when: false
"""


@pytest.fixture(scope="module")
def node(simulated_school: simulation.Simulation, demo_inventory: Path) -> Iterator[dict[str, Any]]:
    """The DEMO node, set up, with the simulation layer sending DEMO's lab jobs to it (only for this module)."""
    if not (BOOTSTRAPPED_WHEELS / wheelhouse_name(DEBIAN_12, controller_versions()) / COMPLETE).is_file():
        pytest.fail(f"no wheels for the node in {BOOTSTRAPPED_WHEELS}: run scripts/bootstrap.sh (tests never download)")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DIRECTORY_ENV, str(BOOTSTRAPPED_WHEELS))
        simulation.use_execution_node(True)
        try:
            fleet = load_fleet(demo_inventory)
            targets = _targets(simulated_school)
            found = remote.execution_node(fleet, "DEMO", targets)
            assert found is not None and found["port"] == simulated_school.node("DEMO").port
            (first,) = setup_school_nodes(fleet, "DEMO")
            assert first.ready, first.error
            yield dict(found)
        finally:
            simulation.use_execution_node(False)


def _targets(sim: simulation.Simulation) -> list[str]:
    return [pc.name for pc in sim.pcs][:3]


def _run(tmp_path: Path, demo_inventory: Path, targets: list[str], name: str, **extravars: Any) -> PlaybookRun:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "play.yml").write_text(PLAYBOOK)
    (project / "ansible.cfg").write_text(remote.NODE_CONFIG)  # the node's configuration, here as well
    plugin = project / remote.COLLECTION / remote.SLICE_PLUGIN  # read with the slice's plugin, as a job's payload
    plugin.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(project_root() / remote.SLICE_PLUGIN, plugin)
    run_dir = tmp_path / name
    run_dir.mkdir(mode=0o700)
    inventory = write_inventory(tmp_path / f"{name}.slice.json",
                                slice_fleet(load_fleet(demo_inventory), "DEMO", targets).inventory())  # fmt: skip
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return PlaybookRun(run_id=f"{name}-run", run_dir=run_dir, project_dir=project, playbook="play.yml",
                       inventory=inventory, limit=targets, extravars={"fail_on": "none", "wait_on": {}, **extravars},
                       cmdline=[], envvars={"PATH": path}, forks=3)  # fmt: skip


def _statuses(tally: EventTally) -> dict[str, tuple[HostStatus, str | None, str | None]]:
    return {r.name: (r.status, r.failed_task, r.message) for r in tally.results()}


def test_a_second_node_setup_changes_nothing(node: dict[str, Any], demo_inventory: Path) -> None:
    (again,) = setup_school_nodes(load_fleet(demo_inventory), "DEMO")

    assert again.ready and not again.changed
    wanted = controller_versions()
    assert again.versions == {"ansible-core": wanted["ansible-core"], "ansible-runner": wanted["ansible-runner"],
                              **bundle().versions}  # fmt: skip
    assert set(bundle().versions) == {"schooltech.fleet", "ansible.utils", "ansible.windows", "community.general"}


def test_the_node_is_in_sim_status_but_never_a_lab_pc(
    simulated_school: simulation.Simulation, capsys: pytest.CaptureFixture[str]
) -> None:
    state = simulation.status()
    node = {host.name: host for host in state.hosts}["DEMO-NODE"]

    assert (node.kind, node.state) == ("node", "running") and state.healthy
    assert "DEMO-NODE" not in {pc.name for pc in simulated_school.pcs}
    assert {pc.name for pc in pcs.status(simulated_school.sim_id)} == {pc.name.lower() for pc in simulated_school.pcs}
    assert main(["sim", "status"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "DEMO-NODE" in line)
    assert "node" in row.replace("DEMO-NODE", "") and f"127.0.0.1:{node.port}" in row and "running" in row


def test_the_key_the_node_offers_is_the_one_the_simulation_recorded(
    simulated_school: simulation.Simulation,
) -> None:
    node = simulated_school.node("DEMO")
    assert node.host_key is not None and offered_key("127.0.0.1", node.port) == node.host_key


def test_a_job_on_the_node_gives_the_results_of_the_same_job_run_here(
    node: dict[str, Any], simulated_school: simulation.Simulation, demo_inventory: Path, tmp_path: Path
) -> None:
    targets = _targets(simulated_school)
    here, there = EventTally(targets), EventTally(targets)

    local = run_playbook(_run(tmp_path, demo_inventory, targets, "local", fail_on=targets[1]), here)
    transport = remote.ssh_transport(node, tmp_path / "node_known_hosts")
    there_run = _run(tmp_path, demo_inventory, targets, "remote", fail_on=targets[1])
    ended = remote.run_remote_playbook(there_run, there, transport, f"{remote.NODE_JOBS}/same")

    assert (ended.rc, ended.lost, ended.warnings) == (local.rc, None, ())
    assert _statuses(there) == _statuses(here)
    assert _statuses(there)[targets[1]][:2] == (HostStatus.FAILED, "Fail on one PC")
    assert _statuses(there)[targets[0]][0] is HostStatus.CHANGED
    assert there.batches == here.batches == 2  # a failed batch ends a serial play, here as there
    assert _statuses(there)[targets[2]][0] is HostStatus.NOT_RUN
    left = pcs.exec_in(simulated_school.container(simulated_school.node("DEMO").name),
                       ["test", "-e", f"{NODE_HOME}/{remote.NODE_JOBS}/same"])  # fmt: skip
    assert left.returncode == 1, "the job's directory (its payload) outlived the job on the node"


def test_the_node_user_reaches_a_login_kept_under_roots_home(simulated_school: simulation.Simulation) -> None:
    """root's default state directory is under /root, which only root may enter: the node's user still reads it."""
    home = Path(f"/root/.schooltech-test-{os.getpid()}")
    try:
        (home / "keys").mkdir(parents=True, mode=0o700)
        key, known = home / "keys" / "id", home / "known_hosts"
        key.write_text("a key\n")
        known.write_text("[127.0.0.1]:1 ssh-ed25519 AAAA\n")
        container = simulated_school.container(simulated_school.node("DEMO").name)
        sim_node.give_login(container, key, known)
        read = pcs.exec_in(container, ["cat", str(key), str(known)], user=ADMIN_USER)
        assert read.returncode == 0 and read.stdout == "a key\n[127.0.0.1]:1 ssh-ed25519 AAAA\n", read.stderr
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_a_lab_job_of_the_school_runs_on_its_node_with_the_schools_files(
    node: dict[str, Any], simulated_school: simulation.Simulation, demo_inventory: Path
) -> None:
    """``schooltech configure`` of a school whose site has a node: the real roles run from the node."""
    pcs.exec_in(simulated_school.container("DEMO-LIB-PC01"), ["rm", "-f", "/etc/motd", CA_CERT])

    result = run_job(JobRequest(JobKind.CONFIGURE, demo_inventory, "DEMO", rooms=("LIB",)))

    assert result.node == f"127.0.0.1:{node['port']}", result
    assert result.succeeded, result.hosts
    assert {h.name: h.status for h in result.hosts}["DEMO-LIB-PC01"] is HostStatus.CHANGED
    # the message of the day, and the web filter's CA certificate from the school's files/ (in the payload)
    written = pcs.exec_in(
        simulated_school.container("DEMO-LIB-PC01"), ["sh", "-c", f"test -s /etc/motd && cat {CA_CERT}"]
    )
    assert written.returncode == 0 and "BEGIN CERTIFICATE" in written.stdout
    assert not [w for w in result.warnings if "may remain" in w]  # the worker's directory went with the job


def test_a_node_killed_mid_job_gives_the_lost_node_verdict_and_the_unfinished_pcs_are_not_run(
    node: dict[str, Any], simulated_school: simulation.Simulation, demo_inventory: Path, tmp_path: Path
) -> None:
    targets = _targets(simulated_school)
    killed_at: list[float] = []

    def kill_at_wait(progress: Progress) -> None:
        if progress.task == "Wait" and progress.batch == 2 and not killed_at:
            killed_at.append(time.monotonic())
            simulation.kill_node(simulated_school, "DEMO")

    tally = EventTally(targets, kill_at_wait)
    worker_dir = f"{remote.NODE_JOBS}/lost"
    try:
        run = _run(tmp_path, demo_inventory, targets, "lost", wait_on={targets[1]: 600})
        ended = remote.run_remote_playbook(run, tally, remote.ssh_transport(node, tmp_path / "known_hosts"), worker_dir)
        seconds = time.monotonic() - killed_at[0]
    finally:
        simulation.start_node(simulated_school, "DEMO")  # for the tests after this one

    print(
        f"lost-node verdict {seconds:.1f} s after podman kill began (the engine's limit: "
        f"{LOST_NODE_VERDICT_SECONDS} s): {ended.lost}; warnings: {list(ended.warnings)}"
    )
    assert ended.lost is not None and ended.rc != 0
    statuses = _statuses(tally)
    assert statuses[targets[0]][0] is HostStatus.CHANGED  # its batch had finished
    for pc in targets[1:]:
        status, _, message = statuses[pc]
        assert status is HostStatus.NOT_RUN and message is not None and message.startswith("execution node lost")
    assert _ssh_clients_to(node["port"]) == [], "the transport to the dead node is still running"
    container = simulated_school.container(simulated_school.node("DEMO").name)
    left = pcs.exec_in(container, ["test", "-e", f"{NODE_HOME}/{worker_dir}"]).returncode == 0
    assert left == any(worker_dir in warning for warning in ended.warnings), ended.warnings
    (again,) = setup_school_nodes(load_fleet(demo_inventory), "DEMO")  # the next setup removes what it left
    assert again.ready and not again.changed and again.removed_jobs == (1 if left else 0)
    assert pcs.exec_in(container, ["test", "-e", f"{NODE_HOME}/{worker_dir}"]).returncode == 1


def _ssh_clients_to(port: int) -> list[str]:
    """The ssh clients of this machine that connect to 127.0.0.1:*port*."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            if argv and Path(argv[0]).name == "ssh" and "-p" in argv and str(port) in argv:
                found.append(" ".join(argv))
    return found
