"""Lab PCs of the simulated school: podman containers reachable by real SSH on 127.0.0.1:PORT.

Each container shares the host network (``--network host``) but runs sshd bound to 127.0.0.1
only, keeps its own UTS namespace (so ``ansible.builtin.hostname`` can rename it), mounts the
simulation's admin public key read-only and, if given, the school's APT repository read-only at
``REPO_MOUNT``. A reboot inside a PC (the image's ``shutdown -r`` or ``reboot``) ends the
container's PID 1 and the ``always`` restart policy starts it again, sshd on the same port;
``podman stop`` (:func:`stop_pc`) is not undone by the policy. Every container carries
``schooltech.sim=<sim_id>`` and ``schooltech.role=pc`` labels, which are the only handle used
for status and cleanup. A school's simulated execution node is the same image with
``schooltech.role=node``: never listed or counted as a lab PC, removed with them.
"""

from __future__ import annotations

import errno
import json
import os
import random
import re
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from schooltech_fleet.errors import FleetError, SimulationError, UsageError
from schooltech_fleet.sim.aptrepo import REPO_MOUNT
from schooltech_fleet.sim.image import ADMIN_USER, AUTHORIZED_KEYS_DIR, INIT_PATH
from schooltech_fleet.sim.prereqs import run_host_command

LOOPBACK = "127.0.0.1"
LABEL_SIM = "schooltech.sim"
LABEL_ROLE = "schooltech.role"
LABEL_PC = "schooltech.pc"
LABEL_PORT = "schooltech.port"
LABEL_PID = "schooltech.pid"
CONTAINER_PREFIX = "schooltech"
#: the apt.conf.d file that ``break_package_manager`` drops in
BROKEN_APT_CONF = "/etc/apt/apt.conf.d/00schooltech-sim-broken"
ROLES = ("pc", "node")
#: SSH ports are picked from this range (below Linux's ephemeral range 32768-60999)
PORT_RANGE = (20000, 32000)

_NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$")
_RESERVATION_DIR = Path(tempfile.gettempdir()) / "schooltech-sim-ports"
_RESERVATION_TTL = 300.0


@dataclass(frozen=True)
class PcSpec:
    """A lab PC to start: its hostname, optionally a fixed SSH port (else one is picked) and read-only mounts."""

    name: str
    port: int | None = None
    volumes: tuple[tuple[Path, str], ...] = ()  # read-only mounts (host directory, container path)
    role: str = "pc"  # or "node": a school's execution node, from the same image

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise UsageError(f"invalid container role {self.role!r}", hint=f"one of {', '.join(ROLES)}")
        if not _NAME_RE.match(self.name):
            raise UsageError(
                f"invalid lab PC name {self.name!r}",
                hint="use lowercase letters, digits and '-', at most 42 characters",
            )
        if self.port is not None and not 1024 <= self.port <= 65535:
            raise UsageError(f"invalid SSH port {self.port} for {self.name}", hint="use a port 1024-65535")


@dataclass(frozen=True)
class PcHandle:
    """A started lab PC: where Ansible reaches it."""

    name: str
    container: str
    port: int
    host: str = LOOPBACK
    user: str = ADMIN_USER

    def ansible_vars(self, private_key: Path) -> dict[str, str | int]:
        """Host variables that make Ansible reach this PC over SSH."""
        return {
            "ansible_host": self.host,
            "ansible_port": self.port,
            "ansible_user": self.user,
            "ansible_ssh_private_key_file": str(private_key),
        }


@dataclass(frozen=True)
class PcStatus:
    """What podman reports about one lab-PC container."""

    name: str
    container: str
    port: int
    sim_id: str
    state: str  # podman's state: running, exited, created, ...

    @property
    def running(self) -> bool:
        """Whether the container is running (sshd may still be starting)."""
        return self.state == "running"


PcRef = PcHandle | PcStatus | str


# ---------------------------------------------------------------- keys


def ensure_ssh_keypair(directory: Path) -> tuple[Path, Path]:
    """Return (private, public) ed25519 key paths in ``directory``, generating them if absent."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    private = directory / "id_ed25519"
    public = directory / "id_ed25519.pub"
    if not (private.exists() and public.exists()):
        private.unlink(missing_ok=True)
        public.unlink(missing_ok=True)
        run_host_command(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "schooltech-sim", "-f", str(private)],
            what="generate the simulation's SSH key",
        )
    private.chmod(0o600)
    public.chmod(0o644)  # sshd reads it as the admin user
    return private, public


# ---------------------------------------------------------------- ports


def reserve_ports(count: int, fixed: Iterable[int] = ()) -> list[int]:
    """Reserve ``count`` free 127.0.0.1 TCP ports, safe against concurrent callers.

    A reservation is a file created with O_EXCL in a shared directory, so threads and other
    processes never get the same port; release with :func:`release_ports` once bound.
    Ports in ``fixed`` are reserved first and must be free.
    """
    reserved: list[int] = []
    try:
        for port in fixed:
            if not _try_reserve(port):
                raise SimulationError(f"port {LOOPBACK}:{port} is in use", hint="choose another port")
            reserved.append(port)
        low, high = PORT_RANGE
        start = random.randrange(low, high)
        for offset in range(high - low):
            if len(reserved) == count:
                break
            port = low + (start - low + offset) % (high - low)
            if _try_reserve(port):
                reserved.append(port)
        if len(reserved) < count:
            raise SimulationError(f"no free ports in {low}-{high} on {LOOPBACK}")
    except BaseException:
        release_ports(reserved)
        raise
    return reserved


def release_ports(ports: Iterable[int]) -> None:
    """Drop reservations made by :func:`reserve_ports`."""
    for port in ports:
        (_RESERVATION_DIR / str(port)).unlink(missing_ok=True)


def _try_reserve(port: int) -> bool:
    _RESERVATION_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    marker = _RESERVATION_DIR / str(port)
    try:
        if time.time() - marker.stat().st_mtime > _RESERVATION_TTL:
            marker.unlink(missing_ok=True)  # stale: its owner died before releasing it
    except FileNotFoundError:
        pass
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    if _port_is_free(port):
        return True
    marker.unlink(missing_ok=True)
    return False


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def wait_for_ssh(port: int, timeout: float = 30.0, host: str = LOOPBACK) -> bool:
    """Wait until ``host:port`` answers with an SSH-2.0 banner; False on timeout."""
    _require_loopback(host)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=2.0) as sock:
                sock.settimeout(2.0)
                if sock.recv(256).startswith(b"SSH-2.0"):
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def _require_loopback(host: str) -> None:
    if not host.startswith("127."):
        raise UsageError(f"refusing to target {host}: the simulation only uses 127.0.0.0/8")


# ---------------------------------------------------------------- lifecycle


def container_name(sim_id: str, pc_name: str) -> str:
    """The podman container name of lab PC ``pc_name`` in simulation ``sim_id``."""
    return f"{CONTAINER_PREFIX}-{sim_id}-{pc_name}"


def start_pcs(
    specs: Sequence[PcSpec],
    *,
    sim_id: str,
    image: str,
    authorized_key: Path,
    repo_dir: Path | None = None,
    max_workers: int = 8,
    ssh_timeout: float = 60.0,
) -> list[PcHandle]:
    """Start one container per spec concurrently; return once every sshd answers.

    A container of the same name (same ``sim_id`` and PC name) is replaced. On any failure the
    containers started by this call are removed and SimulationError (naming every PC that
    failed, with podman's message) is raised.
    """
    _check_start_args(specs, sim_id, authorized_key, repo_dir)
    repo = repo_dir.resolve() if repo_dir else None
    launch = _Launch(sim_id, image, authorized_key.resolve(), repo, ssh_timeout)
    fixed = [spec.port for spec in specs if spec.port is not None]
    ports = reserve_ports(len(specs), fixed=fixed)
    free = iter(ports[len(fixed) :])
    planned = [(spec, spec.port if spec.port is not None else next(free)) for spec in specs]
    try:
        with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
            outcomes = list(pool.map(lambda plan: _start_one_safely(launch, *plan), planned))
    finally:
        release_ports(ports)
    handles = [result for result in outcomes if isinstance(result, PcHandle)]
    errors = [result for result in outcomes if isinstance(result, FleetError)]
    if errors:
        _remove_containers([handle.container for handle in handles])
        raise SimulationError(
            f"{len(errors)} of {len(specs)} lab PCs failed to start: "
            + "; ".join(error.message for error in errors[:5]),
            hint=next((error.hint for error in errors if error.hint), None),
        )
    return handles


@dataclass(frozen=True)
class _Launch:
    """What every container of one :func:`start_pcs` call shares."""

    sim_id: str
    image: str
    key: Path
    repo_dir: Path | None
    ssh_timeout: float


def _check_start_args(specs: Sequence[PcSpec], sim_id: str, key: Path, repo_dir: Path | None) -> None:
    if not _NAME_RE.match(sim_id):
        raise UsageError(f"invalid simulation id {sim_id!r}", hint="lowercase letters, digits and '-'")
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise UsageError(f"duplicate lab PC names: {', '.join(duplicates)}")
    if not key.is_file():
        raise UsageError(f"authorized key {key} does not exist", hint="create it with ensure_ssh_keypair()")
    if repo_dir is not None and not repo_dir.is_dir():
        raise UsageError(f"APT repository {repo_dir} does not exist", hint="build it with build_repo()")


def _start_one_safely(launch: _Launch, spec: PcSpec, port: int) -> PcHandle | FleetError:
    """:func:`_start_one`, returning a FleetError instead of raising it (to aggregate failures)."""
    try:
        return _start_one(launch, spec, port)
    except FleetError as exc:
        return exc


def _start_one(launch: _Launch, spec: PcSpec, port: int) -> PcHandle:
    """Run one lab-PC container and wait for its sshd (removing it again if sshd never answers)."""
    name = spec.name
    container = container_name(launch.sim_id, name)
    argv = [
        "podman", "run", "-d", "--replace", "--pull", "never",
        "--name", container, "--hostname", name, "--network", "host", "--no-hosts",
        "--label", f"{LABEL_SIM}={launch.sim_id}", "--label", f"{LABEL_ROLE}={spec.role}",
        "--label", f"{LABEL_PC}={name}", "--label", f"{LABEL_PORT}={port}",
        "--label", f"{LABEL_PID}={os.getpid()}",
        "--stop-timeout", "5",
        # a reboot (the image's shutdown -r) ends PID 1; podman then starts the container again
        "--restart", "always",
        "-v", f"{launch.key}:{AUTHORIZED_KEYS_DIR}/{ADMIN_USER}:ro",
    ]
    if launch.repo_dir is not None:
        argv += ["-v", f"{launch.repo_dir}:{REPO_MOUNT}:ro"]
    for source, target in spec.volumes:
        argv += ["-v", f"{source.resolve()}:{target}:ro"]
    argv += [launch.image, INIT_PATH, str(port)]
    try:
        run_host_command(argv, what=f"start lab PC {name}", timeout=180)
    except SimulationError:
        _remove_containers([container])  # podman may have created it before failing to start it
        raise
    if not wait_for_ssh(port, timeout=launch.ssh_timeout):
        logs = _logs(container)
        _remove_containers([container])
        raise SimulationError(f"lab PC {name}: sshd on {LOOPBACK}:{port} did not answer: {logs}")
    return PcHandle(name=name, container=container, port=port)


def status(sim_id: str | None = None, role: str = "pc") -> list[PcStatus]:
    """All lab-PC containers (or execution-node ones: *role*) of ``sim_id`` (or of every simulation), by name."""
    label = f"{LABEL_SIM}={sim_id}" if sim_id else LABEL_SIM
    result = run_host_command(
        ["podman", "ps", "-a", "--filter", f"label={label}", "--filter", f"label={LABEL_ROLE}={role}",
         "--format", "json"],
        what="list lab PCs",
    )
    try:
        rows = json.loads(result.stdout or "[]")
    except json.JSONDecodeError as exc:
        raise SimulationError(f"cannot read podman's container list: {exc}") from exc
    return sorted((_status_from(row) for row in rows), key=lambda pc: pc.container)


def _status_from(row: dict[str, object]) -> PcStatus:
    labels = row.get("Labels") or {}
    names = row.get("Names") or [""]
    assert isinstance(labels, dict) and isinstance(names, list)
    return PcStatus(
        name=str(labels.get(LABEL_PC, "")),
        container=str(names[0]),
        port=int(labels.get(LABEL_PORT, 0)),
        sim_id=str(labels.get(LABEL_SIM, "")),
        state=str(row.get("State", "unknown")),
    )


def stop_pcs(sim_id: str) -> int:
    """Tear down simulation ``sim_id``: remove all its containers (lab PCs and execution nodes); return how many."""
    return remove_all(sim_id)


def remove_all(label_value: str | None = None) -> int:
    """Remove every container labelled ``schooltech.sim`` (=``label_value`` if given); return how many."""
    label = f"{LABEL_SIM}={label_value}" if label_value else LABEL_SIM
    result = run_host_command(
        ["podman", "ps", "-a", "-q", "--filter", f"label={label}"], what="list simulation containers"
    )
    return _remove_containers(result.stdout.split())


def remove_orphans(sim_prefix: str = "pytest-") -> int:
    """Remove containers of simulations named ``sim_prefix*`` whose starting process has exited."""
    result = run_host_command(
        ["podman", "ps", "-a", "--filter", f"label={LABEL_SIM}", "--format", "json"],
        what="list simulation containers",
    )
    orphans = []
    for row in json.loads(result.stdout or "[]"):
        labels = row.get("Labels") or {}
        pid = str(labels.get(LABEL_PID, ""))
        if str(labels.get(LABEL_SIM, "")).startswith(sim_prefix) and not _process_alive(pid):
            orphans.append(str(row["Id"]))
    return _remove_containers(orphans)


def _process_alive(pid: str) -> bool:
    return pid.isdigit() and Path(f"/proc/{pid}").exists()


def _remove_containers(containers: Sequence[str]) -> int:
    if not containers:
        return 0
    run_host_command(
        ["podman", "rm", "-f", "-t", "0", "--ignore", *containers],
        what=f"remove {len(containers)} simulation container(s)",
        timeout=300,
    )
    return len(containers)


# ---------------------------------------------------------------- failure injection


def stop_pc(pc: PcRef) -> None:
    """Stop one lab PC (it then refuses SSH) without removing it."""
    run_host_command(["podman", "stop", "-t", "5", _container(pc)], what=f"stop {_container(pc)}")


def start_pc(pc: PcRef, ssh_timeout: float = 30.0) -> None:
    """Start a stopped lab PC again and wait for its sshd."""
    container = _container(pc)
    run_host_command(["podman", "start", container], what=f"start {container}")
    port = _port_of(container)
    if not wait_for_ssh(port, timeout=ssh_timeout):
        raise SimulationError(f"{container}: sshd on {LOOPBACK}:{port} did not answer: {_logs(container)}")


def break_package_manager(pc: PcRef) -> None:
    """Make every dpkg run through apt fail on this PC (``apt-get install`` fails, ``update`` works)."""
    hook = 'DPkg::Pre-Invoke {"echo schooltech-sim: package manager broken on purpose >&2; exit 1";};\n'
    exec_in(pc, ["sh", "-c", f"cat > {BROKEN_APT_CONF}"], input_text=hook, check=True)


def repair_package_manager(pc: PcRef) -> None:
    """Undo :func:`break_package_manager`."""
    exec_in(pc, ["rm", "-f", BROKEN_APT_CONF], check=True)


def exec_in(
    pc: PcRef,
    argv: Sequence[str],
    *,
    user: str | None = None,
    input_text: str | None = None,
    check: bool = False,
    timeout: float = 300.0,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` inside a lab PC via ``podman exec`` (as root unless ``user``)."""
    container = _container(pc)
    command = ["podman", "exec", *(["-i"] if input_text is not None else [])]
    if user:
        command += ["--user", user]
    command += [container, *argv]
    return run_host_command(
        command, what=f"run {argv[0]} in {container}", input_text=input_text, check=check, timeout=timeout
    )


def install_file(pc: PcRef, path: str, text: str, owner: str, mode: str = "0600") -> None:
    """Write *text* to *path* inside the container (its directory created), owned by *owner*."""
    directory = path.rpartition("/")[0] or "/"
    script = ('mkdir -p "$1" && chown "$3" "$1" && umask 077 && cat > "$2" && chown "$3" "$2" && chmod "$4" "$2"')
    exec_in(pc, ["sh", "-c", script, "sh", directory, path, owner, mode], input_text=text, check=True)


def _container(pc: PcRef) -> str:
    return pc if isinstance(pc, str) else pc.container


def _port_of(container: str) -> int:
    result = run_host_command(
        ["podman", "inspect", "--format", f'{{{{index .Config.Labels "{LABEL_PORT}"}}}}', container],
        what=f"inspect {container}",
    )
    try:
        return int(result.stdout.strip())
    except ValueError as exc:
        raise SimulationError(f"{container} is not a lab PC of the simulation (no port label)") from exc


def _logs(container: str) -> str:
    result = run_host_command(
        ["podman", "logs", "--tail", "10", container], what=f"read logs of {container}", check=False
    )
    text = (result.stdout + result.stderr).strip()
    return " | ".join(text.splitlines()[-10:]) or "(no container output)"
