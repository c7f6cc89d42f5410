"""The imaging lab as one object: start the segment, the router, the boot server and the power strip.

::

    lab = ImagingLab(workdir, LabConfig(pcs=(LabPc("lab1-pc01", "52:54:00:77:00:01"),)))
    with lab:                                    # start() ... stop(), also on errors
        token = lab.prepare_install("52:54:00:77:00:01", answer="d-i debian-installer/locale string en_GB\\n")
        lab.wake("52:54:00:77:00:01")            # a real magic packet, sent from the boot server
        lab.wait_for_callback(token, timeout=180)
        lab.wait_for_state("52:54:00:77:00:01", VmState.OFF, timeout=60)
        lab.installed("52:54:00:77:00:01")       # InstallMarker(token=..., answer_sha256=...)

What runs where (see :mod:`network` for the namespaces):

* router namespace: dnsmasq, plain DHCP from the pool and DNS for the segment (``logs/router.log``);
* boot namespace: dnsmasq proxy-DHCP + TFTP (``logs/boot-dnsmasq.log``) serving ``tftp/``
  (iPXE; shim, GRUB, ``grub/grub.cfg`` and the entries of Secure Boot PCs; ``files`` links to
  ``served/files``, so GRUB loads the same kernels over TFTP) and the HTTP server
  (:mod:`schooltech_fleet.imaging.pxe_service`, requests in ``logs/http.jsonl``) serving ``served/``
  (and any :class:`~schooltech_fleet.imaging.pxe_service.ServedMedia` in place under ``files/``);
* lan namespace: the power controller (:mod:`power`, events in ``logs/power.jsonl``),
  which starts the VMs (serial output in ``logs/<pc>.serial.log``).

``start()`` first removes the namespaces of crashed earlier runs; ``stop()`` ends every
process it started (process groups, then anything left in its namespaces) and deletes the
namespaces. Nothing runs on, or is reachable from, the host's own interfaces.
"""

from __future__ import annotations

import functools
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from schooltech_fleet.errors import SimulationError, UsageError
from schooltech_fleet.imaging import grub
from schooltech_fleet.imaging.pxe_service import Callback, ServedMedia, ServedTree, new_token, normal_mac
from schooltech_fleet.sim.imaging import dnsmasq, installer, network
from schooltech_fleet.sim.imaging.dhcp_probe import Offer
from schooltech_fleet.sim.imaging.disk_marker import InstallMarker, read_marker
from schooltech_fleet.sim.imaging.power import PowerConfig
from schooltech_fleet.sim.imaging.vm import (
    Firmware,
    VmSpec,
    VmState,
    VmStatus,
    create_disk,
    create_uefi_vars,
    kill_group,
    memory_mb,
    read_status,
)
from schooltech_fleet.sim.prereqs import check_imaging_prerequisites, run_host_command

_T = TypeVar("_T")
READY_TIMEOUT = 20.0
STOP_GRACE = 8.0
#: where the stand-in installer's kernel and initrd are served, under files/
STANDIN_DIR = "standin"


@dataclass(frozen=True)
class LabPc:
    """A simulated PC of the lab: its name (for files and logs), its MAC, how it boots and its memory."""

    name: str
    mac: str
    firmware: Firmware = Firmware.BIOS
    memory_mb: int | None = None  # None: what its firmware needs (vm.memory_mb)

    def __post_init__(self) -> None:
        normal_mac(self.mac)
        if not self.name.replace("-", "").isalnum():
            raise UsageError(f"lab PC name {self.name!r}: use letters, digits and '-'")


@dataclass(frozen=True)
class LabConfig:
    """What a lab holds and how it runs."""

    pcs: tuple[LabPc, ...]
    addressing: network.Addressing = field(default_factory=network.Addressing)
    http_port: int = 8080
    max_running: int = 2  # VMs at once (this host has 2 cores)
    max_runtime: float = 600.0  # seconds one boot of a VM may last before it is cut off
    #: directories served as files/<prefix>/ in place of the tree's own (e.g. the real Debian installer)
    media: tuple[ServedMedia, ...] = ()

    def __post_init__(self) -> None:
        macs = [normal_mac(pc.mac) for pc in self.pcs]
        names = [pc.name for pc in self.pcs]
        if len(set(macs)) != len(macs) or len(set(names)) != len(names):
            raise UsageError("lab PCs need distinct names and MACs")
        if self.max_running < 1:
            raise UsageError("max_running must be at least 1")


@dataclass(frozen=True)
class HttpRequest:
    """One request the boot server's HTTP server answered."""

    time: float
    client: str
    method: str
    path: str
    status: int
    bytes: int


@dataclass
class _Service:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


class ImagingLab:
    """One running imaging lab (see the module docstring)."""

    def __init__(self, workdir: Path, config: LabConfig, run_id: str | None = None) -> None:
        self.workdir = workdir
        self.config = config
        self.namespaces = network.Namespaces(run_id or network.new_run_id())
        self.tftp_root = workdir / "tftp"
        self.served = ServedTree(workdir / "served", self.tftp_root)
        self.logs = workdir / "logs"
        self.state_dir = workdir / "vms"
        self._services: list[_Service] = []
        self._started = False

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> ImagingLab:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Build what is missing, create the network and start every service; all or nothing."""
        if self._started:
            return
        check_imaging_prerequisites()
        network.remove_orphans()
        standin = installer.ensure_installer()
        self._prepare_files(standin)
        self._started = True
        try:
            network.create(self.namespaces, self.config.addressing, taps=len(self.config.pcs))
            self._start_services()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every process of the lab and delete its namespaces (safe to call twice)."""
        for service in reversed(self._services):
            _signal_group(service.process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for service in reversed(self._services):
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(service.process, signal.SIGKILL)
                service.process.wait()
        self._services.clear()
        network.remove(self.namespaces.run_id)
        self._started = False

    # ------------------------------------------------------------------ what callers use

    @property
    def run_id(self) -> str:
        return self.namespaces.run_id

    @property
    def service_pids(self) -> dict[str, int]:
        """Each running service's process id (each leads a process group of its own), by service name."""
        return {service.name: service.process.pid for service in self._services}

    @property
    def boot_server(self) -> IPv4Address:
        return self.config.addressing.boot_server

    @property
    def server_url(self) -> str:
        """The boot server's HTTP base URL, as PCs reach it."""
        return f"http://{self.boot_server}:{self.config.http_port}"

    def pc(self, mac: str) -> LabPc:
        wanted = normal_mac(mac)
        for pc in self.config.pcs:
            if normal_mac(pc.mac) == wanted:
                return pc
        raise UsageError(f"no lab PC has the MAC {wanted}")

    def prepare_install(self, mac: str, answer: str) -> str:
        """Open a one-shot token for *mac* with *answer* as its answer file and point its script (its
        GRUB entry, for a Secure Boot PC) at the stand-in installer; return the token."""
        pc = self.pc(mac)
        token = new_token()
        self.served.open_token(token, pc.mac, answer)
        if pc.firmware is Firmware.UEFI_SECURE_BOOT:
            files = f"files/{STANDIN_DIR}"
            self.served.write_grub_entry(pc.mac, grub.boot_entry(
                str(self.boot_server), f"installing {pc.name} with the stand-in installer",
                f"{files}/{installer.KERNEL_NAME}", (f"{files}/{installer.INITRD_NAME}",),
                installer.kernel_cmdline(self.server_url, token)))  # fmt: skip
            return token
        files = f"{self.server_url}/files/{STANDIN_DIR}"
        self.served.write_script(
            pc.mac,
            "#!ipxe\n"
            f"echo schooltech: installing {pc.name} with the stand-in installer\n"
            f"kernel {files}/{installer.KERNEL_NAME} initrd={installer.INITRD_NAME} "
            f"{installer.kernel_cmdline(self.server_url, token)}\n"
            f"initrd {files}/{installer.INITRD_NAME}\n"
            "boot\n",
        )
        return token

    def wake(self, mac: str) -> None:
        """Send a real magic packet for *mac* (``wakeonlan``) from the boot server to the segment's broadcast."""
        self.run_in(
            "boot",
            ["wakeonlan", "-i", str(self.config.addressing.broadcast), "-p", "9", normal_mac(mac)],
            what=f"send a Wake-on-LAN packet for {normal_mac(mac)}",
        )

    def vm(self, mac: str) -> VmStatus:
        """The PC's power status as the controller last recorded it."""
        pc = self.pc(mac)
        return read_status(self.state_dir, pc.mac) or VmStatus(name=pc.name, mac=normal_mac(pc.mac), state=VmState.OFF)

    def callbacks(self) -> list[Callback]:
        return self.served.callbacks()

    def installed(self, mac: str) -> InstallMarker | None:
        """The install marker on the PC's disk (read while the VM is off), or None."""
        return read_marker(self._disk(self.pc(mac)))

    def power_events(self) -> list[dict[str, Any]]:
        """The power controller's events (wake, unknown-mac, already-on, power-on, power-off)."""
        return _json_lines(self.logs / "power.jsonl")

    def http_requests(self) -> list[HttpRequest]:
        return [HttpRequest(**entry) for entry in _json_lines(self.logs / "http.jsonl")]

    def serial_log(self, mac: str) -> str:
        path = self._serial_log(self.pc(mac))
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def dnsmasq_log(self, role: str) -> str:
        """The router's (``router``) or the boot server's (``boot``) dnsmasq log."""
        path = self.logs / {"router": "router.log", "boot": "boot-dnsmasq.log"}[role]
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def run_in(
        self, role: str, argv: list[str], *, what: str, timeout: float = 60.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run *argv* inside one of the lab's namespaces (lan, router, boot or probe)."""
        return run_host_command(
            network.in_namespace(self.namespaces.name(role), argv), what=what, timeout=timeout, check=check
        )

    def dhcp_offers(self, arch: int = 0, user_class: str | None = None, wait: float = 3.0) -> list[Offer]:
        """The DHCP offers a PXE client of *arch* (or iPXE, ``user_class="iPXE"``) gets on the segment.

        Asked from the probe namespace with :mod:`dhcp_probe`: a discover only, no lease taken.
        """
        argv = [sys.executable, "-m", "schooltech_fleet.sim.imaging.dhcp_probe", "--arch", str(arch)]
        argv += ["--wait", str(wait)] + (["--user-class", user_class] if user_class else [])
        result = self.run_in("probe", argv, what="probe the segment's DHCP offers", timeout=wait + 30)
        return [Offer(**offer) for offer in json.loads(result.stdout)]

    def tftp_get(self, name: str) -> bytes:
        """The file *name* as the boot server's TFTP serves it (fetched from the probe namespace)."""
        target = self.workdir / "probe" / Path(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        self.run_in(
            "probe",
            ["busybox", "tftp", "-g", "-r", name, "-l", str(target), str(self.boot_server)],
            what=f"fetch {name} over TFTP",
        )
        return target.read_bytes()

    def wait_for_state(self, mac: str, state: VmState, timeout: float, boots: int | None = None) -> VmStatus:
        """Wait until the PC is in *state* (and, if given, has been powered on *boots* times)."""

        def reached() -> VmStatus | None:
            status = self.vm(mac)
            return status if status.state is state and (boots is None or status.boots >= boots) else None

        return self._wait(
            reached,
            timeout,
            f"{normal_mac(mac)} to be {state.value}" + (f" after {boots} boot(s)" if boots else ""),
        )

    def wait_for_request(self, method: str, path: str, timeout: float) -> HttpRequest:
        """Wait until the boot server has answered *method* *path* (first such request)."""
        return self._wait(
            lambda: next(
                (request for request in self.http_requests() if (request.method, request.path) == (method, path)),
                None,
            ),
            timeout,
            f"{method} {path}",
        )

    def power_off(self, mac: str, timeout: float = 30.0) -> VmStatus:
        """Cut the PC's power (its qemu ends) and wait until the controller records it off."""
        wanted = normal_mac(mac)
        if self.vm(wanted).state is VmState.RUNNING:
            pid = self._wait(
                lambda: next(
                    (e["pid"] for e in reversed(self.power_events()) if (e["event"], e["mac"]) == ("power-on", wanted)),
                    None,
                ),
                5.0,
                f"the power-on event of {wanted}",
            )
            kill_group(int(pid), signal.SIGTERM)
        return self.wait_for_state(wanted, VmState.OFF, timeout)

    def wait_for_callback(self, token: str, timeout: float) -> Callback:
        return self._wait(
            lambda: next((callback for callback in self.callbacks() if callback.token == token), None),
            timeout,
            f"the callback of token {token}",
        )

    # ------------------------------------------------------------------ internals

    def _wait(self, probe: Callable[[], _T | None], timeout: float, what: str) -> _T:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_services()
            if (result := probe()) is not None:
                return result
            time.sleep(0.2)
        raise SimulationError(
            f"timed out after {timeout:.0f} s waiting for {what}",
            hint=f"see the lab's logs in {self.logs}",
        )

    def _check_services(self) -> None:
        for service in self._services:
            if service.process.poll() is not None:
                raise SimulationError(
                    f"the lab's {service.name} exited with {service.process.returncode}: {_tail(service.log)}",
                    hint=f"see {service.log}",
                )

    def _disk(self, pc: LabPc) -> Path:
        return self.workdir / "disks" / f"{pc.name}.img"

    def _uefi_vars(self, pc: LabPc) -> Path:
        return self.workdir / "disks" / f"{pc.name}.uefi-vars.fd"

    def _serial_log(self, pc: LabPc) -> Path:
        return self.logs / f"{pc.name}.serial.log"

    def _prepare_files(self, standin: installer.Installer) -> None:
        for directory in (self.logs, self.state_dir, self.tftp_root, self.workdir / "config"):
            directory.mkdir(parents=True, exist_ok=True)
        self.served.create()
        files = self.served.root / "files" / STANDIN_DIR
        files.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(standin.kernel, files / installer.KERNEL_NAME)
        shutil.copyfile(standin.initrd, files / installer.INITRD_NAME)
        for loader in (dnsmasq.BIOS_LOADER, dnsmasq.UEFI_LOADER):
            shutil.copyfile(loader, self.tftp_root / loader.name)
        for name, loader in dnsmasq.SECURE_BOOT_LOADERS.items():
            shutil.copyfile(loader, self.tftp_root / name)
        (self.tftp_root / "grub").mkdir(exist_ok=True)
        (self.tftp_root / "grub" / "grub.cfg").write_text(
            dnsmasq.render_role_template({}, dnsmasq.GRUB_TEMPLATE), encoding="utf-8")  # fmt: skip
        link = self.tftp_root / "files"
        if not link.is_symlink():
            link.symlink_to(Path("..") / self.served.root.name / "files")
        for pc in self.config.pcs:
            create_disk(self._disk(pc))
            if pc.firmware is not Firmware.BIOS:
                create_uefi_vars(self._uefi_vars(pc), pc.firmware)

    def _start_services(self) -> None:
        config_dir = self.workdir / "config"
        addressing = self.config.addressing
        secure_boot = [normal_mac(pc.mac) for pc in self.config.pcs if pc.firmware is Firmware.UEFI_SECURE_BOOT]
        router_conf = config_dir / "router.conf"
        router_conf.write_text(
            dnsmasq.router_conf(addressing, self.workdir / "router.leases", self.logs / "router.log", secure_boot),
            encoding="utf-8",
        )
        boot_conf = config_dir / "boot-dnsmasq.conf"
        server = dnsmasq.BootServer(
            address=addressing.boot_server,
            http_port=self.config.http_port,
            tftp_root=self.tftp_root,
            log_file=self.logs / "boot-dnsmasq.log",
        )
        boot_conf.write_text(dnsmasq.boot_server_conf(addressing, server, secure_boot), encoding="utf-8")
        for conf in (router_conf, boot_conf):
            dnsmasq.check(conf)

        self._spawn("router", "router dnsmasq", dnsmasq.argv(router_conf, config_dir / "router.pid"))
        self._spawn("boot", "boot server dnsmasq", dnsmasq.argv(boot_conf, config_dir / "boot-dnsmasq.pid"))
        http_ready = self.workdir / "http.ready"
        http_config = config_dir / "schooltech-pxe.json"
        settings = {
            "root": str(self.served.root), "tftp_root": str(self.tftp_root), "bind": str(addressing.boot_server),
            "port": self.config.http_port, "log": str(self.logs / "http.jsonl"), "behind_proxy": False,
            "media": {media.prefix: str(media.directory) for media in self.config.media},
        }  # fmt: skip
        http_config.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
        self._spawn(
            "boot",
            "boot server HTTP",
            [sys.executable, "-m", "schooltech_fleet.imaging.pxe_service", "--config", str(http_config),
             "serve", "--ready", str(http_ready)],
        )  # fmt: skip
        power_config = config_dir / "power.json"
        power_ready = self.workdir / "power.ready"
        machines = tuple(
            VmSpec(
                name=pc.name,
                mac=normal_mac(pc.mac),
                tap=network.tap_name(index),
                disk=self._disk(pc),
                serial_log=self._serial_log(pc),
                qemu_log=self.logs / f"{pc.name}.qemu.log",
                firmware=pc.firmware,
                uefi_vars=self._uefi_vars(pc) if pc.firmware is not Firmware.BIOS else None,
                memory_mb=pc.memory_mb or memory_mb(pc.firmware),
            )
            for index, pc in enumerate(self.config.pcs)
        )
        power = PowerConfig(
            bridge=network.BRIDGE,
            machines=machines,
            max_running=self.config.max_running,
            max_runtime=self.config.max_runtime,
            state_dir=self.state_dir,
            events=self.logs / "power.jsonl",
            ready=power_ready,
        )
        power_config.write_text(json.dumps(power.to_json(), indent=2) + "\n", encoding="utf-8")
        power_argv = [sys.executable, "-m", "schooltech_fleet.sim.imaging.power", "--config", str(power_config)]
        self._spawn("lan", "power controller", power_argv)
        for path in (config_dir / "router.pid", config_dir / "boot-dnsmasq.pid", http_ready, power_ready):
            self._wait(functools.partial(_existing, path), READY_TIMEOUT, path.name)

    def _spawn(self, role: str, name: str, argv: list[str]) -> None:
        log = self.logs / f"{name.replace(' ', '-')}.out"
        with log.open("ab") as out:
            process = subprocess.Popen(
                network.in_namespace(self.namespaces.name(role), argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        self._services.append(_Service(name=name, process=process, log=log))


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    if process.poll() is None:
        kill_group(process.pid, sig)


def _existing(path: Path) -> Path | None:
    return path if path.exists() else None


def _json_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _tail(path: Path, lines: int = 5) -> str:
    if not path.exists():
        return "(no output)"
    kept = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "(no output)"
