"""Fixtures for the simulated school's lab PCs: real podman containers, real SSH, real Ansible.

One simulation id per test session; leftovers of crashed earlier sessions are removed at the
start, this session's containers at the end.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from host_prerequisites import required

from schooltech_fleet.sim import aptrepo, pcs
from schooltech_fleet.sim.image import ensure_image
from schooltech_fleet.sim.prereqs import check_host_prerequisites

ANSIBLE = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "ansible"
SESSION_PACKAGES = {
    "schooltech-demo-app": "1.0",
    "schooltech-exam-browser": "2.0",
    "schooltech-licence-agent": "1.0",
}

SshRun = Callable[..., subprocess.CompletedProcess[str]]
AnsibleRun = Callable[..., subprocess.CompletedProcess[str]]
PcFactory = Callable[..., list[pcs.PcHandle]]


@pytest.fixture(scope="session")
def sim_id() -> Iterator[str]:
    """This session's simulation id; its containers are removed at the end."""
    required(check_host_prerequisites)
    pcs.remove_orphans("pytest-")
    session = f"pytest-{os.getpid()}-{secrets.token_hex(2)}"
    yield session
    pcs.remove_all(session)


@pytest.fixture(scope="session")
def labpc_image(sim_id: str) -> str:
    """The cached lab-PC image (built on first use, about a minute)."""
    return ensure_image()


@pytest.fixture(scope="session")
def sim_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(private, public) SSH key of this session's admin user."""
    return pcs.ensure_ssh_keypair(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def school_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's school repository (not changed by tests; they build their own to publish)."""
    repo = tmp_path_factory.mktemp("school-repo")
    aptrepo.build_repo(repo, SESSION_PACKAGES)
    return repo


@pytest.fixture(scope="session")
def lab_pcs(
    sim_id: str, labpc_image: str, sim_keys: tuple[Path, Path], school_repo: Path
) -> list[pcs.PcHandle]:
    """Three running lab PCs sharing the session repository."""
    specs = [pcs.PcSpec(f"lab1-pc{n:02d}") for n in (1, 2, 3)]
    return pcs.start_pcs(
        specs, sim_id=sim_id, image=labpc_image, authorized_key=sim_keys[1], repo_dir=school_repo
    )


@pytest.fixture
def pc_factory(sim_id: str, labpc_image: str, sim_keys: tuple[Path, Path]) -> Iterator[PcFactory]:
    """Start extra PCs for one test (``factory(names, repo_dir=None)``); they are removed afterwards."""
    started: list[pcs.PcHandle] = []

    def factory(names: list[str], repo_dir: Path | None = None) -> list[pcs.PcHandle]:
        handles = pcs.start_pcs(
            [pcs.PcSpec(name) for name in names],
            sim_id=sim_id,
            image=labpc_image,
            authorized_key=sim_keys[1],
            repo_dir=repo_dir,
        )
        started.extend(handles)
        return handles

    yield factory
    for handle in started:
        subprocess.run(["podman", "rm", "-f", "-t", "0", handle.container], capture_output=True, check=False)


@pytest.fixture
def ssh_run(sim_keys: tuple[Path, Path]) -> SshRun:
    """Run a command on a PC with the real ssh client: ``ssh_run(handle, "sudo -n true")``."""

    def run(handle: pcs.PcHandle, command: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        argv = [
            "ssh", "-i", str(sim_keys[0]), "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-p", str(handle.port), f"{handle.user}@{handle.host}", command,
        ]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)

    return run


@pytest.fixture
def ansible_run(sim_keys: tuple[Path, Path], tmp_path: Path) -> AnsibleRun:
    """Run an ad-hoc Ansible module against one PC: ``ansible_run(handle, "ping")``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env |= {
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_PYTHON_INTERPRETER": "/usr/bin/python3",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"),
    }

    def run(
        handle: pcs.PcHandle, module: str, args: str = "", become: bool = False
    ) -> subprocess.CompletedProcess[str]:
        argv = [str(ANSIBLE), "-i", f"{handle.host},", "all", "-m", module, "-o"]
        argv += ["-a", args] if args else []
        argv += ["-b"] if become else []
        for key, value in handle.ansible_vars(sim_keys[0]).items():
            argv += ["-e", f"{key}={value}"]
        argv += ["-e", "ansible_ssh_extra_args='-o UserKnownHostsFile=/dev/null'"]
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path, env=env
        )

    return run
