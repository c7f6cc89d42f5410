"""``schooltech sim up --imaging``: the demo school's library room with its imaging lab, imaged from
another process through the simulation's boot server, handed over to its container, then taken down.

One simulation for the module (LIB, one PC: one VM), started and stopped with the CLI in a private
copy of the demo inventory and a private state directory; the tests run in file order and the last
one takes it down.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from host_prerequisites import required

from schooltech_fleet.imaging.answers.render import AnswerFormat, RenderedAnswer
from schooltech_fleet.imaging.ipxe import LOCAL_BOOT_SCRIPT, local_boot_script
from schooltech_fleet.imaging.run import retry_targets
from schooltech_fleet.inventory.files import SIM_OVERRIDE_NAME
from schooltech_fleet.journal import entries as simulation_journal
from schooltech_fleet.journal import verify as verify_journal
from schooltech_fleet.sim import simulation
from schooltech_fleet.sim.imaging import network
from schooltech_fleet.sim.imaging.boot_server import SimBootServer, boot_server_for
from schooltech_fleet.sim.imaging.disk_marker import read_marker
from schooltech_fleet.sim.imaging.school_lab import LabRecord, lab_status
from schooltech_fleet.sim.imaging.vm import VmState, VmStatus
from schooltech_fleet.sim.prereqs import check_host_prerequisites, check_imaging_prerequisites

pytestmark = [pytest.mark.imaging, pytest.mark.sim]

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "inventories" / "demo"
SCHOOLTECH = Path(sys.executable).parent / "schooltech"
PC = "DEMO-LIB-PC01"
MAC = "52:54:00:90:20:8d"  # the inventory's
OTHER_PC, OTHER_MAC = "DEMO-LIB-PC02", "52:54:00:90:20:8e"  # the room's other PC
CALLBACK_TIMEOUT = 300.0

#: run in a process of its own, as the ``image`` job is: open the PC's entry with the script an
#: image plan gives Debian's installer (the stand-in installer is served as Debian's netboot kernel
#: and initrd), then wake it.
OPEN_AND_WAKE = r"""
import json, sys
from schooltech_fleet.imaging.answers.render import AnswerFormat, RenderedAnswer
from schooltech_fleet.imaging.ipxe import install_script
from schooltech_fleet.inventory.model import OperatingSystem
from schooltech_fleet.sim import simulation
from schooltech_fleet.sim.imaging.boot_server import boot_server_for

mac, token = sys.argv[1], sys.argv[2]
server = boot_server_for(simulation.current(), "DEMO")
script = install_script(server.url, OperatingSystem.DEBIAN12, "bios", token, "DEMO-LIB-PC01")
answer = RenderedAnswer("DEMO-LIB-PC01", AnswerFormat.PRESEED, "DEMO-LIB-PC01.preseed.cfg",
                        "d-i debian-installer/locale string en_GB.UTF-8\n")
server.open(mac, script, answer, token)
server.wake(mac)
print(json.dumps({"url": server.url, "asked_before_boot": server.asked(mac)}))
"""


@dataclass
class Imaged:
    """The module's simulation: a private inventory copy and state directory."""

    inventory: Path
    state: Path

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
        return env | {"SCHOOLTECH_STATE_DIR": str(self.state), "COLUMNS": "200"}

    def run(self, *argv: Any, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(a) for a in argv], cwd=REPO, env=self.env(), capture_output=True, text=True,
                              timeout=timeout, check=False)  # fmt: skip

    def schooltech(self, *args: Any) -> subprocess.CompletedProcess[str]:
        return self.run(SCHOOLTECH, *args)

    def up(self) -> subprocess.CompletedProcess[str]:
        return self.schooltech("sim", "up", "-i", self.inventory, "--imaging", "--room", "LIB")

    @contextlib.contextmanager
    def library(self) -> Iterator[None]:
        """Library calls inside see this simulation's state directory."""
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SCHOOLTECH_STATE_DIR", str(self.state))
            yield

    def current(self) -> simulation.Simulation:
        with self.library():
            recorded = simulation.current()
        assert recorded is not None
        return recorded

    def boot_server(self) -> SimBootServer:
        server = boot_server_for(self.current(), "DEMO")
        assert server is not None
        return server


@pytest.fixture(scope="module")
def imaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imaged]:
    required(check_host_prerequisites)
    required(check_imaging_prerequisites)
    root = tmp_path_factory.mktemp("sim-imaging")
    mine = Imaged(root / "demo", root / "state")
    shutil.copytree(DEMO, mine.inventory, ignore=shutil.ignore_patterns(SIM_OVERRIDE_NAME))
    try:
        started = mine.up()
        assert started.returncode == 0, started.stdout + started.stderr
        yield mine
    finally:  # also after a failed start or test: nothing of it outlives the module
        done = mine.schooltech("sim", "down", "-i", mine.inventory)
        assert done.returncode == 0, done.stdout + done.stderr


def _processes() -> list[tuple[int, str]]:
    """Every process's pid and command line."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found.append((int(proc.name), argv))
    return found


def _lab_processes(workdir: str) -> list[str]:
    """Command lines of the processes that name the lab's directory (qemu, dnsmasq, the services)."""
    return [argv for _, argv in _processes() if workdir in argv]


def _vm(lab: LabRecord, mac: str) -> VmStatus:
    return next(vm for vm in lab_status(lab).vms if vm.mac == mac)


def _running(pid: int) -> bool:
    """Whether *pid* runs (a zombie waiting for its parent to reap it does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_sim_up_imaging_starts_the_lab_at_the_inventory_addresses_inside_namespaces(imaged: Imaged) -> None:
    sim = imaged.current()
    (lab,) = sim.labs
    assert (lab.school, lab.boot_server, lab.url, lab.subnet) == ("DEMO", "DEMO-PXE1", "http://10.90.20.5:8080",
                                                                  "10.90.20.0/24")  # fmt: skip
    assert [(pc.name, pc.mac, pc.firmware) for pc in lab.pcs] == [(PC, MAC, "bios"), (OTHER_PC, OTHER_MAC, "bios")]
    boot = imaged.run("ip", "-n", lab.boot_namespace, "-4", "-o", "addr", "show", "dev", "eth0")
    assert "10.90.20.5/24" in boot.stdout, boot.stdout + boot.stderr
    host = imaged.run("ip", "-4", "-o", "addr", "show")
    assert "10.90.20." not in host.stdout  # never on the host's own interfaces
    assert set(lab.namespaces) <= set(network.list_namespaces())

    status = imaged.schooltech("sim", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"imaging lab of DEMO (run {lab.run_id}): boot server DEMO-PXE1 at http://10.90.20.5:8080" in status.stdout
    for service in ("router dnsmasq", "boot server dnsmasq", "boot server HTTP", "power controller"):
        assert f"{service} running" in status.stdout, status.stdout
    assert "not installed" in status.stdout  # the PC's container waits for its imaging
    assert PC in status.stdout and MAC in status.stdout


def test_sim_up_imaging_again_keeps_the_running_lab(imaged: Imaged) -> None:
    before = imaged.current()
    again = imaged.up()
    assert again.returncode == 0, again.stdout + again.stderr
    after = imaged.current()
    assert (after.sim_id, after.labs[0].run_id) == (before.sim_id, before.labs[0].run_id)


def test_a_pc_woken_from_another_process_installs_calls_back_and_boots_its_disk_from_then_on(
    imaged: Imaged,
) -> None:
    token = "sim-up-imaging-" + os.urandom(8).hex()
    opened = imaged.run(sys.executable, "-c", OPEN_AND_WAKE, MAC, token, timeout=120)
    assert opened.returncode == 0, opened.stdout + opened.stderr
    assert json.loads(opened.stdout) == {"url": "http://10.90.20.5:8080", "asked_before_boot": False}

    server = imaged.boot_server()  # this process's own view of the same lab
    deadline = time.monotonic() + CALLBACK_TIMEOUT
    while not server.called_back(token) and time.monotonic() < deadline:
        time.sleep(1)
    lab = server.record
    serial = lab.serial_log(lab.pc(MAC))
    assert server.called_back(token), serial.read_text(errors="replace") if serial.exists() else "(no serial log)"
    assert server.asked(MAC)
    assert server.tree.script_path(MAC).read_text() == LOCAL_BOOT_SCRIPT  # flipped: no second install
    assert server.tree.token_record(token) is None
    assert "schooltech-installer: callback accepted" in serial.read_text(errors="replace")

    deadline = time.monotonic() + 60
    while _vm(lab, MAC).state is not VmState.OFF and time.monotonic() < deadline:
        time.sleep(1)
    vm = _vm(lab, MAC)
    assert (vm.state, vm.boots) == (VmState.OFF, 1)
    marker = read_marker(Path(lab.workdir) / "disks" / f"{PC.lower()}.img")
    assert marker is not None and marker.token == token


def test_closing_an_entry_the_pc_never_used_closes_its_token_and_serves_local_boot(imaged: Imaged) -> None:
    server = imaged.boot_server()
    token = "never-used-" + os.urandom(8).hex()
    answer = RenderedAnswer(PC, AnswerFormat.PRESEED, f"{PC}.preseed.cfg", "d-i debian-installer/locale string C\n")
    server.open(MAC, "#!ipxe\necho waiting\n", answer, token)
    assert server.tree.answer_for(token) == answer.text.encode()
    assert not server.asked(MAC)  # nothing fetched since this entry opened

    server.close(MAC)
    assert server.tree.token_record(token) is None and server.tree.answer_for(token) is None
    assert server.tree.script_path(MAC).read_text() == local_boot_script("bios")
    assert not server.called_back(token)


def test_the_installed_pc_comes_up_as_its_container(imaged: Imaged) -> None:
    sim = imaged.current()
    with imaged.library():
        simulation.installed_pc_ready(sim, PC)
        states = {host.name: host.state for host in simulation.status().hosts}
    assert states[PC] == "running"
    ping = imaged.run(Path(sys.executable).parent / "ansible", "-i", imaged.inventory, PC, "-m", "ping", timeout=180)
    assert ping.returncode == 0, ping.stdout + ping.stderr


#: the demo's calendar: a term-time evening (no lessons, no freeze) and a Wednesday lesson
EVENING, LESSON = "2026-11-25T18:30:00Z", "2026-11-25T10:00:00Z"
JOB_ENV = {"SCHOOLTECH_ALLOWED_NETWORKS": "127.0.0.0/8", "DEMO_EXAM_BROWSER_KEY": "DEMO-EXAM-0000-0000",
           "DEMO_DATALOGGER_KEY": "DEMO-DLOG-0000-0000"}  # fmt: skip


def _image(imaged: Imaged, now: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = imaged.env() | JOB_ENV | {"SCHOOLTECH_NOW": now}
    argv = [str(SCHOOLTECH), "image", "-i", str(imaged.inventory), "--school", "DEMO", "--room", "LIB", *args]
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False)


def _power_events(imaging_lab: Imaged) -> list[dict[str, Any]]:
    log = imaging_lab.current().labs[0].logs / "power.jsonl"
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_image_in_lesson_time_is_refused_and_wakes_nothing(imaged: Imaged) -> None:
    before = _power_events(imaged)
    refused = _image(imaged, LESSON)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "lesson time" in refused.stderr and "--force-window" in refused.stderr
    time.sleep(2)
    assert _power_events(imaged) == before
    assert not list((imaged.boot_server().tree.root / "tokens").glob("*.json"))  # no entry was opened


def test_image_installs_the_room_one_by_one_reports_the_pc_that_never_calls_back_and_hands_over(
    imaged: Imaged,
) -> None:
    server = imaged.boot_server()
    lab = server.record
    callbacks_before = len(server.tree.callbacks())
    env = imaged.env() | JOB_ENV | {"SCHOOLTECH_NOW": EVENING}
    argv = [str(SCHOOLTECH), "image", "-i", str(imaged.inventory), "--school", "DEMO", "--room", "LIB",
            "--parallel", "1", "--stagger", "1", "--install-timeout", "45"]  # fmt: skip
    with subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as run:
        # the room's second PC loses its power once its installer has started: it never calls back
        deadline = time.monotonic() + CALLBACK_TIMEOUT
        while not server.asked(OTHER_MAC) and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert server.asked(OTHER_MAC), "the second PC never asked for its script"
        (qemu,) = [pid for pid, argv in _qemu_processes(lab.workdir) if f"{OTHER_PC.lower()}.img" in argv]
        os.kill(qemu, signal.SIGKILL)
        out, err = run.communicate(timeout=600)
    assert run.returncode == 1, out + err  # one PC was not installed
    assert "1 of 2 PCs installed" in out and "--retry-failed image-DEMO-" in out

    (record_path,) = (imaged.state / "runs").glob("image-DEMO-*/imaging.json")
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert {pc["name"]: (pc["outcome"], pc["wakes"]) for pc in record["pcs"]} == {
        PC: ("installed", 1), OTHER_PC: ("no callback", 1)}  # fmt: skip
    assert [(h["name"], h["status"]) for h in record["rebuild"]["hosts"]] == [(PC, "changed")]
    assert record["hand_over_error"] is None

    # one at a time: the second PC was first woken after the first one called back
    (callback,) = server.tree.callbacks()[callbacks_before:]
    wakes = [e["time"] for e in _power_events(imaging_lab=imaged) if e["mac"] == OTHER_MAC and e["event"] == "wake"]
    assert wakes and min(wakes) > callback.received_at

    # the entries existed only while the run ran: every script boots the local disk, no token is open
    assert not list((server.tree.root / "tokens").glob("*.json"))
    assert server.tree.script_path(MAC).read_text() == local_boot_script("bios")
    assert server.tree.script_path(OTHER_MAC).read_text() == local_boot_script("bios")

    with imaged.library():
        journal = [e for e in simulation_journal() if e.get("event") == "imaging"]
        assert [e["phase"] for e in journal[-2:]] == ["start", "end"]
        assert journal[-1]["pcs"] == {PC: "installed", OTHER_PC: "no callback"}
        assert verify_journal().intact
        assert retry_targets(record["run_id"]) == [OTHER_PC]


def _qemu_processes(workdir: str) -> list[tuple[int, str]]:
    return [(pid, argv) for pid, argv in _processes() if "qemu-system" in argv and workdir in argv]


def test_an_installed_pc_woken_again_boots_its_disk_and_never_installs_twice(imaged: Imaged) -> None:
    server = imaged.boot_server()
    lab = server.record
    deadline = time.monotonic() + 60
    while _vm(lab, MAC).state is not VmState.OFF and time.monotonic() < deadline:
        time.sleep(1)
    vm = _vm(lab, MAC)
    callbacks, answers = len(server.tree.callbacks()), _answer_requests(lab.logs)
    server.wake(MAC)
    deadline = time.monotonic() + 60
    while _vm(lab, MAC).boots == vm.boots and time.monotonic() < deadline:
        time.sleep(1)
    while _vm(lab, MAC).state is not VmState.OFF and time.monotonic() < deadline:
        time.sleep(1)  # the disk's boot code runs and powers the VM off
    assert _vm(lab, MAC).boots == vm.boots + 1
    assert len(server.tree.callbacks()) == callbacks and _answer_requests(lab.logs) == answers


def _answer_requests(logs: Path) -> int:
    lines = (logs / "http.jsonl").read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines if line.strip() and json.loads(line)["path"].startswith("/answer/"))


def test_sim_down_leaves_no_namespace_vm_or_dnsmasq_and_can_run_twice(imaged: Imaged) -> None:
    sim = imaged.current()
    (lab,) = sim.labs
    assert _lab_processes(lab.workdir)  # there was something to stop

    done = imaged.schooltech("sim", "down", "-i", imaged.inventory)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 imaging lab(s) stopped" in done.stdout
    assert not [name for name in network.list_namespaces() if name.startswith(f"{network.PREFIX}{lab.run_id}-")]
    assert _lab_processes(lab.workdir) == []
    assert not [pid for pid in (lab.owner_pid, *lab.services.values()) if _running(pid)]

    twice = imaged.schooltech("sim", "down", "-i", imaged.inventory)
    assert twice.returncode == 0, twice.stdout + twice.stderr
    assert "no simulation was running" in twice.stdout
