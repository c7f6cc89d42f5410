"""Secrets of real jobs on the simulated demo school: killed jobs leave none behind; a PC whose sudo asks
for a password gets the one in the school's vault.

Every job here runs in check mode: it changes nothing on the PCs, so these tests do not depend on
the order the other job tests run in.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from schooltech_fleet.jobs import HostStatus, JobKind, JobRequest, run_job
from schooltech_fleet.jobs.scratch import PREFIX
from schooltech_fleet.journal import entries
from schooltech_fleet.sim import image, pcs, simulation
from schooltech_fleet.vault import VAULT_FILE

pytestmark = pytest.mark.sim

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CANARIES = {
    "DEMO_EXAM_BROWSER_KEY": "CANARY-exam-killed-4b1e",  # licence keys the job writes for Ansible
    "DEMO_DATALOGGER_KEY": "CANARY-datalog-killed-a90c",
    "ANSIBLE_BECOME_PASS": "CANARY-become-killed-3d7f",  # the become password the job writes for Ansible
    "ANSIBLE_SUDO_PASS": "CANARY-sudo-killed-e02b",
    "SCHOOLTECH_SWITCH_PASSWORD": "CANARY-switch-killed-6c15",  # secrets the job has no use for
    "GITLAB_API_TOKEN": "CANARY-token-killed-91fa",
    "BACKUP_SECRET": "CANARY-secret-killed-0d4e",
}


@pytest.fixture
def tmpdir() -> Iterator[Path]:
    """The temporary directory of the jobs these tests start (their scratch directories go there).

    A short path: Mitogen's socket inside a scratch directory inside it must fit a socket address.
    """
    path = Path(tempfile.mkdtemp(prefix="st-", dir="/tmp"))
    yield path
    shutil.rmtree(path)


def _start(school: simulation.Simulation, tmpdir: Path, *options: str) -> subprocess.Popen[str]:
    env = {**os.environ, **CANARIES, "PATH": f"{BIN}:{os.environ['PATH']}", "TMPDIR": str(tmpdir)}
    env.pop("XDG_RUNTIME_DIR", None)
    command = [str(BIN / "schooltech"), "license", "-i", school.inventory, "--school", "DEMO", "--check", *options]
    return subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _runs(state_dir: Path) -> set[Path]:
    return set((state_dir / "runs").glob("license-DEMO-*"))


def _wait_mid_run(job: subprocess.Popen[str], state_dir: Path, before: set[Path]) -> Path:
    """Wait until Ansible has finished a task on a PC (the job is mid-run); return the run's directory."""
    for _ in range(1200):  # a guard against a hang, not a measure
        assert job.poll() is None, job.communicate()
        for run in _runs(state_dir) - before:
            if any('"runner_on_ok"' in event.read_text() for event in run.glob("artifacts/*/job_events/*.json")):
                return run
        time.sleep(0.1)
    raise AssertionError("the job never got under way")


def _scratch_of(pid: int, tmpdir: Path) -> list[Path]:
    return list(tmpdir.glob(f"{PREFIX}{pid}-*"))


def _leaks(roots: list[Path], values: list[str]) -> list[str]:
    found = []
    for root in roots:
        for path in root.rglob("*") if root.is_dir() else []:
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                found += [f"{path}: {value}" for value in values if value.encode() in data]
    return found


def _processes_naming(text: str) -> list[int]:
    """Processes whose command line holds *text* (an ansible-playbook reading files of a scratch directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _scan_roots(tmpdir: Path, state_dir: Path) -> list[Path]:
    return [tmpdir, state_dir, Path.home() / ".ansible" / "tmp"]


def test_a_job_killed_with_sigterm_stops_ansible_records_it_and_leaves_no_secret(
    simulated_school: simulation.Simulation, state_dir: Path, tmpdir: Path
) -> None:
    before = _runs(state_dir)
    job = _start(simulated_school, tmpdir)
    run = _wait_mid_run(job, state_dir, before)
    [scratch] = _scratch_of(job.pid, tmpdir)
    assert CANARIES["DEMO_EXAM_BROWSER_KEY"] in (scratch / "licence-keys.json").read_text()
    assert (scratch / "become-password").read_text() == CANARIES["ANSIBLE_BECOME_PASS"]

    job.send_signal(signal.SIGTERM)
    output, errors = job.communicate(timeout=300)

    assert job.returncode == 130, output + errors
    assert "interrupted (SIGTERM received)" in output
    assert not scratch.exists() and list(tmpdir.iterdir()) == []
    assert _processes_naming(scratch.name) == []  # ansible-playbook was stopped with the job
    assert _leaks([*_scan_roots(tmpdir, state_dir), run], list(CANARIES.values())) == []
    assert not any(value in output + errors for value in CANARIES.values())
    [end] = [e for e in entries() if e.get("run_id") == run.name and e.get("phase") == "end"]
    assert end["interrupted"] == "SIGTERM received"
    result = json.loads((run / "result.json").read_text())
    assert result["interrupted"] == "SIGTERM received" and not result["halted"]


def test_a_job_killed_outright_after_sigterm_leaves_at_most_its_named_directory_and_the_next_job_sweeps_it(
    simulated_school: simulation.Simulation, state_dir: Path, tmpdir: Path
) -> None:
    before = _runs(state_dir)
    job = _start(simulated_school, tmpdir)
    _wait_mid_run(job, state_dir, before)
    [scratch] = _scratch_of(job.pid, tmpdir)

    job.send_signal(signal.SIGTERM)
    job.kill()  # a supervisor that did not wait
    job.communicate(timeout=300)
    assert job.returncode == -signal.SIGKILL
    # whatever was left names the dead job; an ansible-playbook it started may outlive it: end that too
    assert [p.name for p in tmpdir.iterdir()] in ([], [scratch.name])
    for pid in _processes_naming(scratch.name):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    following = _start(simulated_school, tmpdir, "--room", "LIB")  # the next job
    output, errors = following.communicate(timeout=600)

    assert following.returncode == 0, output + errors
    assert list(tmpdir.iterdir()) == []
    assert _leaks(_scan_roots(tmpdir, state_dir), list(CANARIES.values())) == []


@pytest.fixture
def pc_asking_for_a_sudo_password(simulated_school: simulation.Simulation) -> Iterator[tuple[str, str]]:
    """DEMO-LIB-PC01 with an admin account whose sudo asks for its password; put back afterwards."""
    pc, password = "DEMO-LIB-PC01", "CANARY-sudo-6f2d"
    container, admin = simulated_school.container(pc), image.ADMIN_USER
    original = pcs.exec_in(container, ["getent", "shadow", admin], check=True).stdout.split(":")[1]
    sudoers = f"/etc/sudoers.d/{admin}"
    pcs.exec_in(container, ["chpasswd"], input_text=f"{admin}:{password}\n", check=True)
    pcs.exec_in(container, ["sh", "-c", f"echo '{admin} ALL=(ALL:ALL) ALL' > {sudoers}"], check=True)
    try:
        yield pc, password
    finally:
        pcs.exec_in(container, ["sh", "-c", f"echo '{admin} ALL=(ALL:ALL) NOPASSWD: ALL' > {sudoers}"], check=True)
        pcs.exec_in(container, ["usermod", "-p", original, admin], check=True)


def test_a_pc_whose_sudo_asks_for_a_password_gets_the_one_in_the_schools_vault(
    simulated_school: simulation.Simulation, pc_asking_for_a_sudo_password: tuple[str, str], state_dir: Path,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    pc, password = pc_asking_for_a_sudo_password
    for name in ("ANSIBLE_BECOME_PASS", "ANSIBLE_SUDO_PASS"):
        monkeypatch.delenv(name, raising=False)
    request = JobRequest(kind=JobKind.CONFIGURE, inventory=Path(simulated_school.inventory), school="DEMO",
                         limit=pc, check=True)  # fmt: skip

    without = run_job(request)
    [refused] = without.hosts
    assert refused.status is HostStatus.FAILED and "sudo password is required" in (refused.message or ""), refused

    # the vault beside the school file, its password given by a script (as a password manager would)
    script, runs = tmp_path / "vault-password-script", tmp_path / "script-runs"
    script.write_text(f"#!/bin/sh\necho run >> {runs}\necho 'vault password of the demo school'\n")
    script.chmod(0o700)
    vault = Path(simulated_school.inventory) / VAULT_FILE
    vault.write_text(f"become_password: {password}\n")
    subprocess.run([str(BIN / "ansible-vault"), "encrypt", "--vault-password-file", str(script), str(vault)],
                   check=True, capture_output=True)  # fmt: skip
    runs.unlink()
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", str(script))
    try:
        with_vault = run_job(request)
    finally:
        vault.unlink()

    assert with_vault.succeeded, with_vault.hosts
    assert runs.read_text() == "run\n"  # by schooltech, once; ansible-playbook never had the vault's password file
    assert _leaks([state_dir, Path.home() / ".ansible" / "tmp"], [password]) == []
