"""Lab-PC containers: real podman, real sshd on 127.0.0.1, real ssh and Ansible."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from schooltech_fleet.errors import SimulationError, UsageError
from schooltech_fleet.sim import aptrepo, pcs
from schooltech_fleet.sim.prereqs import containers_conf_problems

pytestmark = pytest.mark.sim

SshRun = Callable[..., subprocess.CompletedProcess[str]]
AnsibleRun = Callable[..., subprocess.CompletedProcess[str]]
PcFactory = Callable[..., list[pcs.PcHandle]]


def _listen_addresses(port: int) -> set[str]:
    """Local addresses with a TCP listener on ``port`` (from /proc/net/tcp{,6})."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


def _podman_names(label: str) -> list[str]:
    result = subprocess.run(
        ["podman", "ps", "-a", "--filter", f"label={label}", "--format", "{{.Names}}"],
        capture_output=True, text=True, check=True,
    )
    return result.stdout.split()


def test_three_pcs_run_with_labels(lab_pcs: list[pcs.PcHandle], sim_id: str) -> None:
    statuses = {s.name: s for s in pcs.status(sim_id)}
    for handle in lab_pcs:
        assert statuses[handle.name].running
        assert statuses[handle.name].port == handle.port
        assert statuses[handle.name].container == pcs.container_name(sim_id, handle.name)
    assert len({h.port for h in lab_pcs}) == 3


def test_sshd_listens_on_loopback_only(lab_pcs: list[pcs.PcHandle]) -> None:
    for handle in lab_pcs:
        assert _listen_addresses(handle.port) == {"0100007F"}  # 127.0.0.1, nothing else


def test_ssh_key_login_and_passwordless_sudo(lab_pcs: list[pcs.PcHandle], ssh_run: SshRun) -> None:
    result = ssh_run(lab_pcs[0], "sudo -n true && hostname && id -un")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [lab_pcs[0].name, "fleetadmin"]


def test_root_and_unknown_keys_are_refused(lab_pcs: list[pcs.PcHandle], tmp_path: Path) -> None:
    stranger, _ = pcs.ensure_ssh_keypair(tmp_path / "stranger")
    for user, key in (("fleetadmin", stranger), ("root", stranger)):
        result = subprocess.run(
            ["ssh", "-i", str(key), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-p", str(lab_pcs[0].port), f"{user}@127.0.0.1", "true"],
            capture_output=True, text=True, timeout=30, check=False,
        )
        assert result.returncode == 255
        assert "Permission denied (publickey)" in result.stderr


def test_ansible_ping(lab_pcs: list[pcs.PcHandle], ansible_run: AnsibleRun) -> None:
    result = ansible_run(lab_pcs[1], "ansible.builtin.ping")
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"ping": "pong"' in result.stdout


def test_ansible_hostname_module_works_without_use(pc_factory: PcFactory, ansible_run: AnsibleRun) -> None:
    """On a container (no systemd) the module writes /etc/hostname; ``use: debian`` needs hostnamectl."""
    (pc,) = pc_factory(["hostname-pc"])
    changed = ansible_run(pc, "ansible.builtin.hostname", "name=r101-pc07", become=True)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert pcs.exec_in(pc, ["cat", "/etc/hostname"]).stdout.strip() == "r101-pc07"
    again = ansible_run(pc, "ansible.builtin.hostname", "name=r101-pc07", become=True)
    assert '"changed": false' in again.stdout
    systemd_way = ansible_run(pc, "ansible.builtin.hostname", "name=r101-pc07 use=debian", become=True)
    assert systemd_way.returncode != 0
    assert "hostnamectl" in systemd_way.stdout + systemd_way.stderr


def test_stopped_pc_refuses_ssh_and_starts_again(pc_factory: PcFactory, ssh_run: SshRun, sim_id: str) -> None:
    (pc,) = pc_factory(["stop-pc"])
    pcs.stop_pc(pc)
    assert {s.name: s.state for s in pcs.status(sim_id)}["stop-pc"] != "running"
    assert not pcs.wait_for_ssh(pc.port, timeout=1)
    refused = ssh_run(pc, "true")
    assert refused.returncode == 255
    assert "Connection refused" in refused.stderr
    pcs.start_pc(pc)
    assert ssh_run(pc, "sudo -n true").returncode == 0


def test_broken_package_manager_fails_installs_until_repaired(lab_pcs: list[pcs.PcHandle]) -> None:
    pc = lab_pcs[2]
    setup = f"echo '{aptrepo.SOURCES_LINE}' > {aptrepo.SOURCES_FILE} && apt-get update -q"
    assert pcs.exec_in(pc, ["sh", "-c", setup]).returncode == 0
    pcs.break_package_manager(pc)
    broken = pcs.exec_in(pc, ["apt-get", "install", "-y", "schooltech-licence-agent"])
    assert broken.returncode != 0
    assert "broken on purpose" in broken.stderr + broken.stdout
    pcs.repair_package_manager(pc)
    fixed = pcs.exec_in(pc, ["apt-get", "install", "-y", "schooltech-licence-agent"])
    assert fixed.returncode == 0, fixed.stderr
    assert pcs.exec_in(pc, ["schooltech-licence-agent"]).stdout.startswith("schooltech-licence-agent 1.0")


def test_exec_in_reports_failures_without_raising(lab_pcs: list[pcs.PcHandle]) -> None:
    assert pcs.exec_in(lab_pcs[0], ["sh", "-c", "exit 3"]).returncode == 3
    with pytest.raises(SimulationError, match="exited with 3"):
        pcs.exec_in(lab_pcs[0], ["sh", "-c", "exit 3"], check=True)


def test_failed_start_raises_simulation_error_and_leaves_nothing(
    sim_id: str, sim_keys: tuple[Path, Path]
) -> None:
    with pytest.raises(SimulationError) as caught:
        pcs.start_pcs([pcs.PcSpec("ghost")], sim_id=sim_id, image="localhost/no-such-image:x",
                      authorized_key=sim_keys[1])
    assert "ghost" in caught.value.message
    assert "no-such-image" in caught.value.message  # podman's own stderr is part of the message
    assert pcs.container_name(sim_id, "ghost") not in _podman_names(f"schooltech.sim={sim_id}")


def test_invalid_specs_are_usage_errors(sim_id: str, labpc_image: str, sim_keys: tuple[Path, Path]) -> None:
    with pytest.raises(UsageError):
        pcs.PcSpec("Bad_Name")
    with pytest.raises(UsageError):
        pcs.PcSpec("pc", port=80)
    with pytest.raises(UsageError, match="duplicate"):
        pcs.start_pcs([pcs.PcSpec("a"), pcs.PcSpec("a")], sim_id=sim_id, image=labpc_image,
                      authorized_key=sim_keys[1])
    with pytest.raises(UsageError, match=r"127\.0\.0\.0/8"):
        pcs.wait_for_ssh(22, timeout=1, host="10.0.0.1")


def test_stop_pcs_removes_every_container_of_a_simulation(
    labpc_image: str, sim_keys: tuple[Path, Path], sim_id: str
) -> None:
    other = f"{sim_id}-teardown"
    pcs.start_pcs([pcs.PcSpec("t1"), pcs.PcSpec("t2")], sim_id=other, image=labpc_image,
                  authorized_key=sim_keys[1])
    assert len(_podman_names(f"schooltech.sim={other}")) == 2
    assert pcs.stop_pcs(other) == 2
    assert _podman_names(f"schooltech.sim={other}") == []
    assert pcs.remove_all(other) == 0


def test_port_reservations_are_unique_across_threads() -> None:
    results: list[list[int]] = []
    lock = threading.Lock()

    def grab() -> None:
        ports = pcs.reserve_ports(5)
        with lock:
            results.append(ports)

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flat = [port for ports in results for port in ports]
    try:
        assert len(flat) == 40
        assert len(set(flat)) == 40
        assert all(pcs.PORT_RANGE[0] <= port < pcs.PORT_RANGE[1] for port in flat)
    finally:
        pcs.release_ports(flat)


def test_ssh_keypair_is_reused_and_private(tmp_path: Path) -> None:
    private, public = pcs.ensure_ssh_keypair(tmp_path / "k")
    assert private.stat().st_mode & 0o777 == 0o600
    assert public.read_text().startswith("ssh-ed25519 ")
    assert pcs.ensure_ssh_keypair(tmp_path / "k") == (private, public)
    assert pcs.ensure_ssh_keypair(tmp_path / "k")[1].read_text() == public.read_text()


def test_containers_conf_findings_name_the_missing_settings(tmp_path: Path) -> None:
    conf = tmp_path / "containers.conf"
    assert "is missing" in containers_conf_problems(conf)[0]
    conf.write_text('[engine]\nruntime = "crun"\n')
    problems = " ".join(containers_conf_problems(conf))
    assert 'runtime = "runc"' in problems
    assert "nofile, nproc" in problems
    conf.write_text(
        '[engine]\nruntime = "runc"\n'
        '[containers]\ndefault_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]\n'
    )
    assert containers_conf_problems(conf) == []
