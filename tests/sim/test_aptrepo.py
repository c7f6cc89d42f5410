"""The school's offline APT repository: real .deb files, real apt inside a lab PC."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from schooltech_fleet.errors import UsageError
from schooltech_fleet.sim import aptrepo, pcs

pytestmark = pytest.mark.sim

AnsibleRun = Callable[..., subprocess.CompletedProcess[str]]
PcFactory = Callable[..., list[pcs.PcHandle]]
DEMO = "schooltech-demo-app"


def _digests(repo: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(repo.iterdir())}


def _candidate(pc: pcs.PcHandle, package: str) -> str:
    policy = pcs.exec_in(pc, ["apt-cache", "policy", package], check=True).stdout
    return next(line.split()[1] for line in policy.splitlines() if "Candidate:" in line)


def _apt(pc: pcs.PcHandle, *args: str) -> subprocess.CompletedProcess[str]:
    return pcs.exec_in(pc, ["apt-get", "-q", "-y", *args])


def test_every_publish_moves_the_index_times_on_by_whole_seconds(tmp_path: Path) -> None:
    # apt's file: method sees an index rewritten within the second it last read as unchanged
    aptrepo.build_repo(tmp_path, {DEMO: "1.0"})
    stamps = [int((tmp_path / "Release").stat().st_mtime)]
    for version in ("1.1", "1.0", "1.1"):  # much faster than one a second
        aptrepo.publish(tmp_path, DEMO, version)
        stamps.append(int((tmp_path / "Release").stat().st_mtime))
        assert int((tmp_path / "Packages").stat().st_mtime) == stamps[-1]
    assert stamps == sorted(set(stamps))


def test_builds_are_deterministic(tmp_path: Path) -> None:
    wanted = {DEMO: "1.0", "schooltech-exam-browser": "2.0"}
    aptrepo.build_repo(tmp_path / "a", wanted)
    aptrepo.build_repo(tmp_path / "b", wanted)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert {"Packages", "Packages.gz", "Release"} <= set(_digests(tmp_path / "a"))


def test_publish_offers_exactly_one_version(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    aptrepo.build_repo(repo, {DEMO: "1.0"})
    assert aptrepo.publish(repo, DEMO, "1.1") == {DEMO: "1.1"}
    assert aptrepo.publish(repo, "schooltech-licence-agent", "1.0") == {
        DEMO: "1.1",
        "schooltech-licence-agent": "1.0",
    }
    assert aptrepo.published_versions(repo) == {DEMO: "1.1", "schooltech-licence-agent": "1.0"}
    index = (repo / "Packages").read_text()
    assert "Version: 1.1" in index
    assert "Version: 1.0\n" in index  # the licence agent, not the old demo app
    assert index.count(f"Package: {DEMO}\n") == 1
    assert aptrepo.withdraw(repo, "schooltech-licence-agent") == {DEMO: "1.1"}


def test_unknown_packages_and_versions_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown school package"):
        aptrepo.build_repo(tmp_path, {"firefox": "1"})
    with pytest.raises(UsageError, match="no version"):
        aptrepo.publish(tmp_path, DEMO, "9.9")


def test_pc_installs_then_upgrades_offline(tmp_path: Path, pc_factory: PcFactory) -> None:
    repo = tmp_path / "repo"
    aptrepo.build_repo(repo, {DEMO: "1.0"})
    (pc,) = pc_factory(["apt-pc"], repo_dir=repo)
    pcs.exec_in(pc, ["sh", "-c", f"echo '{aptrepo.SOURCES_LINE}' > {aptrepo.SOURCES_FILE}"], check=True)

    assert _apt(pc, "update").returncode == 0
    assert _candidate(pc, DEMO) == "1.0"
    installed = _apt(pc, "install", DEMO)
    assert installed.returncode == 0, installed.stderr
    assert pcs.exec_in(pc, [DEMO]).stdout.strip() == f"{DEMO} 1.0"

    aptrepo.publish(repo, DEMO, "1.1")
    assert _apt(pc, "update").returncode == 0
    assert _candidate(pc, DEMO) == "1.1"
    assert _apt(pc, "install", "--only-upgrade", DEMO).returncode == 0
    assert pcs.exec_in(pc, ["cat", f"/opt/{DEMO}/VERSION"]).stdout.strip() == "1.1"
    assert pcs.exec_in(pc, [DEMO]).stdout.strip() == f"{DEMO} 1.1"


def test_repository_is_read_only_inside_the_pc(lab_pcs: list[pcs.PcHandle]) -> None:
    result = pcs.exec_in(lab_pcs[0], ["touch", f"{aptrepo.REPO_MOUNT}/intruder"])
    assert result.returncode != 0
    assert "Read-only file system" in result.stderr


def test_ansible_apt_module_installs_from_the_school_repo(
    lab_pcs: list[pcs.PcHandle], ansible_run: AnsibleRun
) -> None:
    pc = lab_pcs[0]
    content = f"dest={aptrepo.SOURCES_FILE} content='{aptrepo.SOURCES_LINE}\n'"
    source = ansible_run(pc, "ansible.builtin.copy", content, become=True)
    assert source.returncode == 0, source.stdout + source.stderr
    installed = ansible_run(
        pc, "ansible.builtin.apt", "name=schooltech-exam-browser update_cache=true", become=True
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "CHANGED" in installed.stdout
    facts = ansible_run(pc, "ansible.builtin.package_facts", become=True)
    assert facts.returncode == 0, facts.stdout + facts.stderr
    assert '"schooltech-exam-browser": [' in facts.stdout
