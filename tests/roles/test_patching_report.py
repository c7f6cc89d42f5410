"""The patching role as the fleet jobs run it: ansible-runner, real SSH to a simulated lab PC.

This is the contract with the Python wrapper (``schooltech_fleet.jobs.runner``): the per-host
report arrives in the ``playbook_on_stats`` event's ``artifact_data`` under
``schooltech_report``, and a reboot really happens, with sshd back on the same port.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ansible_runner
import pytest

from schooltech_fleet.sim import aptrepo, pcs
from schooltech_fleet.sim.image import ensure_image

from .molecule_env import PREVIOUS, ROOT

pytestmark = pytest.mark.sim

BOOT_MARKER = "cat /proc/sys/kernel/random/boot_id; sed 's/.*) //' /proc/1/stat | cut -d' ' -f20"
PLAYBOOK = """\
- name: Patch
  hosts: all
  become: true
  gather_facts: false
  vars:
    patching_reboot_allowed: true
    patching_health_services: [ssh]
    patching_min_free_disk_mb: 100
  roles:
    - role: patching
"""


@pytest.fixture
def sim_id() -> Iterator[str]:
    pcs.remove_orphans("pytest-")
    session = f"pytest-{os.getpid()}-roles-{secrets.token_hex(2)}"
    yield session
    pcs.remove_all(session)


def test_patch_run_reports_the_upgrade_and_reboots_over_ssh(
    sim_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    repo = tmp_path / "repo"
    aptrepo.build_repo(repo, PREVIOUS)
    private, public = pcs.ensure_ssh_keypair(tmp_path / "keys")
    (pc,) = pcs.start_pcs([pcs.PcSpec("patch-pc01")], sim_id=sim_id, image=ensure_image(),
                          authorized_key=public, repo_dir=repo)  # fmt: skip
    setup = (
        f"echo '{aptrepo.SOURCES_LINE}' > {aptrepo.SOURCES_FILE} && apt-get update -q"
        " && apt-get install -q -y schooltech-demo-app schooltech-exam-browser"
        " && apt-mark hold schooltech-exam-browser && touch /run/reboot-required"
    )
    assert pcs.exec_in(pc, ["sh", "-c", setup]).returncode == 0
    aptrepo.publish(repo, "schooltech-demo-app", "1.1")  # the school publishes a release
    aptrepo.publish(repo, "schooltech-exam-browser", "2.1")
    before = pcs.exec_in(pc, ["sh", "-c", BOOT_MARKER], check=True).stdout

    result = _run_patching(pc, private, tmp_path / "run")

    assert result.status == "successful", result.stdout.read()
    report = _stats(result)["schooltech_report"][pc.name]["patching_report"]
    assert report["upgraded"] == [{"name": "schooltech-demo-app", "from": "1.0", "to": "1.1"}]
    assert report["held_back"] == ["schooltech-exam-browser"]
    assert report["reboot"] == "done"
    assert report["health"]["ok"] is True
    assert report["health"]["services"] == {"ssh": "running"}
    # the container really restarted and its sshd answers on the same port
    assert pcs.wait_for_ssh(pc.port, timeout=30)
    assert {s.name: s.port for s in pcs.status(sim_id)}[pc.name] == pc.port
    assert pcs.exec_in(pc, ["sh", "-c", BOOT_MARKER], check=True).stdout != before
    versions = pcs.exec_in(pc, ["dpkg-query", "-W", "-f=${Package}=${Version} ", "schooltech-*"]).stdout
    assert versions.split() == ["schooltech-demo-app=1.1", "schooltech-exam-browser=2.0"]


def _run_patching(pc: pcs.PcHandle, private_key: Path, run_dir: Path) -> Any:
    project = run_dir / "project"
    project.mkdir(parents=True)
    (project / "patch.yml").write_text(PLAYBOOK)
    host_vars = pc.ansible_vars(private_key) | {
        "ansible_ssh_common_args": "-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no",
        "ansible_python_interpreter": "/usr/bin/python3",
    }
    return ansible_runner.run(
        private_data_dir=str(run_dir),
        playbook="patch.yml",
        inventory={"all": {"hosts": {pc.name: host_vars}}},
        envvars={"ANSIBLE_ROLES_PATH": str(ROOT / "roles"), "ANSIBLE_HOST_KEY_CHECKING": "False"},
        quiet=True,
        timeout=600,
    )


def _stats(result: Any) -> dict[str, Any]:
    for event in result.events:
        if event.get("event") == "playbook_on_stats":
            return dict(event["event_data"].get("artifact_data") or {})
    raise AssertionError("no playbook_on_stats event")
