"""A live boot server, for real: the pxe_server role applied over SSH to a Debian host, driven by LiveBootServer.

The host is one container of the lab-PC image in its own network namespace (podman's bridge),
its sshd and nginx published on 127.0.0.1 only; its Debian packages come from the offline
repository the pxe_server scenario uses. The served VLAN is 127.77.0.0/24, so the wake
packet goes to 127.77.0.255, inside the host itself, where a UDP listener receives it.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from roles.molecule_env import subprocess_env

from schooltech_fleet.errors import ImagingError
from schooltech_fleet.imaging.answers.render import AnswerFormat, RenderedAnswer
from schooltech_fleet.imaging.live_server import PROGRAM, LiveBootServer, SshTarget
from schooltech_fleet.imaging.pxe_service import LOCAL_BOOT_ENTRY, LOCAL_BOOT_SCRIPT, hexhyp, new_token
from schooltech_fleet.imaging.run import ImagingRequest, image_school
from schooltech_fleet.imaging.waves import WaveSettings
from schooltech_fleet.sim.image import ADMIN_USER, AUTHORIZED_KEYS_DIR
from schooltech_fleet.sim.imaging.magic_packet import woken_macs
from schooltech_fleet.sim.pcs import LABEL_PID, LABEL_ROLE, LABEL_SIM, release_ports, reserve_ports, wait_for_ssh
from sim_imaging import http_client

pytestmark = pytest.mark.imaging

MAC = "52:54:00:77:10:01"
OTHER_MAC = "52:54:00:77:10:02"
SCRIPT = "#!ipxe\necho schooltech: installing Debian 12 on lab1-pc01\nkernel http://127.0.0.1/files/linux\nboot\n"
ANSWER = RenderedAnswer(
    "lab1-pc01", AnswerFormat.PRESEED, "lab1-pc01.preseed", "d-i debian-installer/locale string en_GB.UTF-8\n"
)
WAKE_PORT = 40009
LISTENER = """import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
open("/tmp/listening", "w").close()
data, _ = s.recvfrom(4096)
open("/tmp/woken.part", "wb").write(data)
__import__("os").rename("/tmp/woken.part", "/tmp/woken")
"""


@dataclass
class BootHost:
    container: str
    server: LiveBootServer
    url: str

    def get(self, path: str) -> tuple[int, bytes]:
        return http_client.get(self.url + path)

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        return http_client.post(self.url + path, body)

    def exec(self, *argv: str, detach: bool = False) -> subprocess.CompletedProcess[str]:
        command = ["podman", "exec", *(["-d"] if detach else []), self.container, *argv]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _run(argv: list[str], *, timeout: float, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run *argv*; its stdout, or a failed assertion with its output."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd, check=False)
    assert done.returncode == 0, f"{argv[0]} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def boot_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BootHost]:
    env = subprocess_env()
    work = tmp_path_factory.mktemp("live-boot-server")
    ssh_port, http_port = ports = reserve_ports(2)
    sim_id = f"pytest-live-pxe-{os.getpid()}"
    container = f"schooltech-{sim_id}"
    try:
        _run([
            "podman", "run", "-d", "--replace", "--pull=never", "--name", container, "--hostname", "bootsrv",
            "--label", f"{LABEL_SIM}={sim_id}", "--label", f"{LABEL_ROLE}=boot-server",
            "--label", f"{LABEL_PID}={os.getpid()}", "--no-hosts",
            "--publish", f"127.0.0.1:{ssh_port}:22", "--publish", f"127.0.0.1:{http_port}:8080",
            # dnsmasq: NET_ADMIN, NET_RAW for DHCP in the container's own namespace; SYS_PTRACE for its status
            "--cap-add=NET_ADMIN,NET_RAW,SYS_PTRACE",
            "--volume", f"{env['SCHOOLTECH_MOLECULE_PUBKEY']}:{AUTHORIZED_KEYS_DIR}/{ADMIN_USER}:ro",
            "--volume", f"{env['SCHOOLTECH_DEBIAN_LOCAL_DIR']}:/srv/debian-local:ro",
            env["SCHOOLTECH_LABPC_IMAGE"], "/bin/sh", "-c", "mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e",
        ], timeout=120)  # fmt: skip
        release_ports(ports)
        assert wait_for_ssh(ssh_port, timeout=60), "the boot server's sshd did not answer"
        known_hosts = work / "known_hosts"
        known_hosts.write_text(_run(["ssh-keyscan", "-p", str(ssh_port), "127.0.0.1"], timeout=30))
        key = Path(env["SCHOOLTECH_MOLECULE_KEY"])
        _apply_role(work, env, ssh_port, key, known_hosts)
        ssh = SshTarget("127.0.0.1", port=ssh_port, user=ADMIN_USER, identity=key, known_hosts=known_hosts)
        server = LiveBootServer("bootsrv", f"http://127.0.0.1:{http_port}", ssh)
        yield BootHost(container, server, server.url)
        server.disconnect()
        assert not server.connected()
    finally:
        release_ports(ports)
        subprocess.run(["podman", "rm", "-f", "-t", "0", "--ignore", container], capture_output=True, check=False)


def _apply_role(work: Path, env: dict[str, str], ssh_port: int, key: Path, known_hosts: Path) -> None:
    """Point APT at the offline repository, then apply pxe_server as a school's playbook would."""
    inventory = {"all": {"hosts": {"bootsrv": {
        "ansible_host": "127.0.0.1", "ansible_port": ssh_port, "ansible_user": ADMIN_USER,
        "ansible_ssh_private_key_file": str(key), "ansible_python_interpreter": "/usr/bin/python3",
        "ansible_ssh_common_args": f"-o UserKnownHostsFile={known_hosts} -o StrictHostKeyChecking=yes",
    }}}}  # fmt: skip
    playbook = [{
        "name": "A school's boot server", "hosts": "bootsrv", "become": True, "gather_facts": False,
        "vars": {"pxe_server_address": "127.0.0.1", "pxe_server_subnets": ["127.77.0.0/24"],
                 "pxe_server_interfaces": ["lo"], "pxe_server_wake_port": WAKE_PORT},
        "pre_tasks": [{"name": "Use the school's local Debian mirror", "ansible.builtin.copy": {
            "content": "deb [trusted=yes] file:/srv/debian-local ./\n",
            "dest": "/etc/apt/sources.list.d/debian-local.list", "mode": "0644"}}],
        "roles": [{"role": "pxe_server"}],
    }]  # fmt: skip
    (work / "inventory.yml").write_text(yaml.safe_dump(inventory))
    (work / "site.yml").write_text(yaml.safe_dump(playbook, sort_keys=False))
    _run(["ansible-playbook", "-i", str(work / "inventory.yml"), str(work / "site.yml")],
         env=env, cwd=work, timeout=600)  # fmt: skip


def test_an_installer_fetches_its_answer_once_calls_back_and_the_pc_then_boots_its_disk(boot_host: BootHost) -> None:
    server, token = boot_host.server, new_token()
    server.open(MAC, SCRIPT, ANSWER, token)
    assert server.connected()  # one SSH connection, which every command reuses
    assert not server.asked(MAC)
    assert boot_host.get(f"/boot/{hexhyp(MAC)}.ipxe") == (200, SCRIPT.encode())
    assert server.asked(MAC)
    assert boot_host.get(f"/answer/{token}") == (200, ANSWER.text.encode())
    assert boot_host.get(f"/answer/{token}/user-data") == (200, ANSWER.text.encode())
    assert not server.called_back(token)
    assert boot_host.post(f"/callback/{token}", b"lab1-pc01 installed")[0] == 200
    assert server.called_back(token)
    assert boot_host.get(f"/boot/{hexhyp(MAC)}.ipxe") == (200, LOCAL_BOOT_SCRIPT.encode())
    assert boot_host.get(f"/answer/{token}")[0] == 410
    assert boot_host.post(f"/callback/{token}", b"again")[0] == 410
    assert server.status()["open"] == {}
    server.close(MAC)
    assert boot_host.get(f"/boot/{hexhyp(MAC)}.ipxe") == (200, LOCAL_BOOT_SCRIPT.encode())


def test_a_secure_boot_pcs_grub_entry_is_dnsmasqs_to_serve_and_the_callback_ends_it(boot_host: BootHost) -> None:
    server, token = boot_host.server, new_token()
    entry = "linux (tftp,127.0.0.1)/files/debian12/linux url=x\nboot\nexit\n"
    server.open(MAC, SCRIPT, ANSWER, token, grub_entry=entry)
    path = f"/srv/schooltech-pxe/tftp/grub/{MAC}.cfg"  # the role's default TFTP root, GRUB's MAC spelling
    # tftp-secure: dnsmasq serves only files owned by its own user
    assert boot_host.exec("stat", "-c", "%U %a", path).stdout.split() == ["dnsmasq", "644"]
    assert boot_host.exec("cat", path).stdout == entry
    assert boot_host.post(f"/callback/{token}", b"installed")[0] == 200
    assert boot_host.exec("cat", path).stdout == LOCAL_BOOT_ENTRY
    assert boot_host.exec("stat", "-c", "%U", path).stdout.strip() == "dnsmasq"


def test_close_ends_an_entry_whose_installer_never_called_back(boot_host: BootHost) -> None:
    server, token = boot_host.server, new_token()
    server.open(OTHER_MAC, SCRIPT, ANSWER, token)
    assert server.status()["open"] == {OTHER_MAC: token}
    server.close(OTHER_MAC)
    assert boot_host.get(f"/boot/{hexhyp(OTHER_MAC)}.ipxe") == (200, LOCAL_BOOT_SCRIPT.encode())
    assert boot_host.get(f"/answer/{token}")[0] == 410
    assert not server.called_back(token)


def test_only_the_token_service_paths_reach_it_and_callbacks_are_size_limited(boot_host: BootHost) -> None:
    token = new_token()
    boot_host.server.open(OTHER_MAC, SCRIPT, ANSWER, token)
    assert boot_host.get(f"/callback/{token}")[0] == 403  # GET never closes a token
    assert boot_host.post(f"/callback/{token}", b"x" * (65 * 1024))[0] == 413
    assert boot_host.get("/tokens/")[0] == 404 and boot_host.get(f"/answers/{ANSWER.filename}")[0] == 404
    assert not boot_host.server.called_back(token)
    boot_host.server.close(OTHER_MAC)


def test_wake_sends_the_magic_packet_to_the_served_vlans_broadcast(boot_host: BootHost) -> None:
    settings = json.loads(boot_host.exec("cat", "/etc/schooltech-pxe.json").stdout)
    assert (settings["broadcasts"], settings["wake_port"]) == (["127.77.0.255"], WAKE_PORT)  # 127.77.0.0/24's
    boot_host.exec("rm", "-f", "/tmp/listening", "/tmp/woken")
    assert boot_host.exec("python3", "-c", LISTENER, str(WAKE_PORT), detach=True).returncode == 0
    _until(lambda: boot_host.exec("test", "-e", "/tmp/listening").returncode == 0, "the UDP listener to start")
    boot_host.server.wake(MAC)
    _until(lambda: boot_host.exec("test", "-e", "/tmp/woken").returncode == 0, "the magic packet to arrive")
    payload = subprocess.run(["podman", "exec", boot_host.container, "cat", "/tmp/woken"],
                             capture_output=True, timeout=30, check=True).stdout  # fmt: skip
    assert woken_macs(payload) == [MAC]


def test_a_pc_whose_entry_is_not_open_asks_and_boots_its_disk(boot_host: BootHost) -> None:
    unknown = "52:54:00:77:10:99"
    assert boot_host.get(f"/boot/{hexhyp(unknown)}.ipxe") == (200, LOCAL_BOOT_SCRIPT.encode())
    assert not boot_host.server.asked(unknown)


#: stand-in PCs of the served VLAN, inside the boot server (where its wake packets go): each woken MAC
#: fetches its script from nginx, then the answer its script names, and calls back as an installer does
STANDIN_PCS = """import os, re, socket, sys, threading, urllib.request
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("0.0.0.0", int(sys.argv[1])))
open("/tmp/standin.pid", "w").write(str(os.getpid()))
def install(mac):
    base = "http://127.0.0.1:8080"
    script = urllib.request.urlopen(base + "/boot/" + mac.replace(":", "-") + ".ipxe", timeout=10).read().decode()
    found = re.search(r"url=\\S*?(/answer/[A-Za-z0-9_-]+)", script)
    if found:
        urllib.request.urlopen(base + found.group(1), timeout=10).read()
        callback = base + found.group(1).replace("/answer/", "/callback/")
        urllib.request.urlopen(urllib.request.Request(callback, data=b"installed", method="POST"), timeout=10)
while True:
    data, _ = sock.recvfrom(4096)
    start = data.find(b"\\xff" * 6) + 6
    threading.Thread(target=install, args=(":".join("%02x" % b for b in data[start:start + 6]),)).start()
"""


def test_image_school_installs_a_live_room_through_its_boot_server(
    boot_host: BootHost, demo_inventory: Path, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boot_host.exec("rm", "-f", "/tmp/standin.pid")
    assert boot_host.exec("python3", "-c", STANDIN_PCS, str(WAKE_PORT), detach=True).returncode == 0
    _until(lambda: boot_host.exec("test", "-s", "/tmp/standin.pid").returncode == 0, "the stand-in PCs to listen")
    monkeypatch.setenv("SCHOOLTECH_NOW", "2026-11-25T18:30:00Z")  # a term-time evening: no lessons
    waves = WaveSettings(parallel=2, stagger=0.5, wake_timeout=20, wake_retries=1, install_timeout=60)
    admin_key = Path(subprocess_env()["SCHOOLTECH_MOLECULE_PUBKEY"])
    request = ImagingRequest(demo_inventory, "DEMO", ("LIB",), waves, admin_key=admin_key, hand_over=False)
    try:
        result = image_school(request, lambda _fleet, _school: (boot_host.server, None))
    finally:
        pid = boot_host.exec("cat", "/tmp/standin.pid").stdout.strip()
        boot_host.exec("kill", pid)
    assert {pc.mac: (pc.outcome, pc.wakes) for pc in result.pcs} == {
        "52:54:00:90:20:8d": ("installed", 1), "52:54:00:90:20:8e": ("installed", 1)}  # fmt: skip
    for pc in result.pcs:  # no second install: each script is local boot, every token closed
        assert boot_host.get(f"/boot/{hexhyp(pc.mac)}.ipxe") == (200, LOCAL_BOOT_SCRIPT.encode())
    assert boot_host.server.status()["open"] == {}
    assert len(boot_host.server.status()["called_back"]) >= 2


def test_a_boot_server_without_the_token_service_says_to_apply_the_role(boot_host: BootHost) -> None:
    assert boot_host.exec("mv", PROGRAM, f"{PROGRAM}.away").returncode == 0
    try:
        with pytest.raises(ImagingError, match="has no token service") as refused:
            boot_host.server.status()
        assert refused.value.hint is not None and "pxe_server role" in refused.value.hint
    finally:
        assert boot_host.exec("mv", f"{PROGRAM}.away", PROGRAM).returncode == 0
    assert boot_host.server.status()["open"] == {}


def _until(condition: object, what: str, timeout: float = 20.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
