"""Two tiny schools whose jobs run at the same time through the real ansible-runner, in the wave's threads.

Each school's "PCs" are this machine (``ansible_connection: local``) and its playbook only
leaves a mark and waits for the other school's: the wave passes only if both jobs really
ran side by side. The real playbooks on several schools at once need the simulation
(issue 15, item 7); this shows that two ansible-runner jobs in threads of one process keep
their events, results and artifacts apart and see no variable of this process named like a
secret.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from schooltech_fleet.jobs import JobKind, JobResult
from schooltech_fleet.jobs.payload import write_inventory
from schooltech_fleet.jobs.runner import EventTally, PlaybookRun, artifacts, run_playbook
from schooltech_fleet.jobs.wave import SchoolStatus, WavePlan, run_wave

PLAYBOOK = """
- name: A school's job
  hosts: all
  gather_facts: false
  tasks:
    - name: Leave a mark
      ansible.builtin.file:
        path: "{{ marks }}/{{ school }}-{{ inventory_hostname }}"
        state: touch
    - name: Wait for the other school's PCs to be at it too
      ansible.builtin.wait_for:
        path: "{{ marks }}/{{ other }}-{{ inventory_hostname | replace(school, other) }}"
        timeout: 120
    - name: See what reached Ansible
      ansible.builtin.debug:
        msg: "secret={{ lookup('ansible.builtin.env', 'SCHOOLTECH_TEST_SECRET_TOKEN') }}"
    - name: Fail where asked
      ansible.builtin.fail:
        msg: "{{ inventory_hostname }} refuses"
      when: inventory_hostname == fail_on
"""


def _school_job(tmp_path: Path, school: str, other: str, fail_on: str) -> PlaybookRun:
    hosts = [f"{school}-PC01", f"{school}-PC02"]
    project = tmp_path / school / "project"
    project.mkdir(parents=True)
    (project / "play.yml").write_text(PLAYBOOK)
    config = tmp_path / school / "ansible.cfg"
    config.write_text("[defaults]\n")
    inventory = write_inventory(tmp_path / school / "hosts.slice.json", {"all": {"hosts": {name: {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable} for name in hosts}}})  # fmt: skip
    run_dir = tmp_path / school / "run"
    run_dir.mkdir(mode=0o700)
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return PlaybookRun(run_id=f"patch-{school}-run", run_dir=run_dir, project_dir=project, playbook="play.yml",
                       inventory=inventory, limit=hosts, extravars={"school": school, "other": other,
                       "marks": str(tmp_path / "marks"), "fail_on": fail_on}, cmdline=[],
                       envvars={"PATH": path, "ANSIBLE_CONFIG": str(config)}, forks=2)  # fmt: skip


def test_two_schools_run_side_by_side_through_ansible_runner_and_keep_their_results_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_TEST_SECRET_TOKEN", "CANARY-wave-token-5e1f")
    (tmp_path / "marks").mkdir()
    jobs = {"AAA": _school_job(tmp_path, "AAA", "BBB", "none"), "BBB": _school_job(tmp_path, "BBB", "AAA", "BBB-PC02")}

    def run_school(school: str) -> JobResult:
        tally = EventTally(list(jobs[school].limit))
        ended = run_playbook(jobs[school], tally)
        return JobResult(run_id=jobs[school].run_id, kind=JobKind.PATCH, school=school, check=False, started="",
                         finished="", duration=0.0, hosts=tuple(tally.results()), ansible_rc=ended.rc)  # fmt: skip

    result = run_wave(WavePlan(("AAA", "BBB"), at_once=2, max_failed=1), run_school)

    assert [(o.school, o.status) for o in result.outcomes] == [("AAA", SchoolStatus.OK), ("BBB", SchoolStatus.FAILED)]
    assert result.outcomes[1].detail == "1 changed, 1 failed"
    assert [(h.name, str(h.status)) for h in result.outcomes[1].result.hosts] == [  # type: ignore[union-attr]
        ("BBB-PC01", "changed"), ("BBB-PC02", "failed")]  # fmt: skip
    for school, job in jobs.items():
        events = [json.loads(p.read_text()) for p in (artifacts(job) / "job_events").glob("*.json")]
        hosts = {e["event_data"]["host"] for e in events if e.get("event_data", {}).get("host")}
        assert hosts == set(job.limit), f"{school}'s events name another school's PCs: {hosts}"
        assert any("secret=" in json.dumps(e) for e in events)
        assert not any("CANARY-wave-token-5e1f" in json.dumps(e) for e in events)
        command = json.loads((artifacts(job) / "command").read_text())
        assert "SCHOOLTECH_TEST_SECRET_TOKEN" not in command["env"]
    assert os.environ["SCHOOLTECH_TEST_SECRET_TOKEN"] == "CANARY-wave-token-5e1f"
