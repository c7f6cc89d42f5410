"""Host prerequisites of the simulated school, and the one way the simulation runs host commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from schooltech_fleet.errors import PrerequisiteError, SimulationError

SETUP_HINT = "run: sudo scripts/setup-host.sh"
APT_LINE = "sudo apt-get install podman runc debootstrap openssh-client uidmap dpkg-dev apt-utils"

#: binary -> Debian package that provides it
REQUIRED_BINARIES: dict[str, str] = {
    "podman": "podman",
    "runc": "runc",
    "debootstrap": "debootstrap",
    "ssh": "openssh-client",
    "ssh-keygen": "openssh-client",
    "dpkg-deb": "dpkg",
    "apt-ftparchive": "apt-utils",
    "tar": "tar",
}
#: the imaging lab (schooltech_fleet.sim.imaging): binary -> Debian package that provides it
IMAGING_BINARIES: dict[str, str] = {
    "ip": "iproute2",
    "qemu-system-x86_64": "qemu-system-x86",
    "dnsmasq": "dnsmasq-base",  # the binary only: the dnsmasq package would also start a host service
    "wakeonlan": "wakeonlan",
    "busybox": "busybox-static",
    "apt-get": "apt",
    "dpkg-deb": "dpkg",
}
#: the imaging lab's firmware files -> Debian package that provides them
IMAGING_FILES: dict[Path, str] = {
    Path("/usr/lib/ipxe/undionly.kpxe"): "ipxe",
    Path("/usr/lib/ipxe/ipxe.efi"): "ipxe",
    Path("/usr/lib/ipxe/qemu/efi-e1000.rom"): "ipxe-qemu",
    Path("/usr/share/seabios/bios-256k.bin"): "seabios",
    Path("/usr/share/OVMF/OVMF_CODE_4M.fd"): "ovmf",
    Path("/usr/share/OVMF/OVMF_VARS_4M.fd"): "ovmf",
    # Secure Boot PCs: OVMF enforcing Secure Boot with Microsoft's keys, Debian's signed shim and GRUB
    Path("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"): "ovmf",
    Path("/usr/share/OVMF/OVMF_VARS_4M.ms.fd"): "ovmf",
    Path("/usr/lib/shim/shimx64.efi.signed"): "shim-signed",
    Path("/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed"): "grub-efi-amd64-signed",
}
IMAGING_APT_LINE = "sudo apt-get install " + " ".join(
    sorted((set(IMAGING_BINARIES.values()) | set(IMAGING_FILES.values())) - {"apt", "dpkg"})
)
CONTAINERS_CONF = Path("/etc/containers/containers.conf")
REQUIRED_ULIMITS = ("nofile", "nproc")


def check_host_prerequisites() -> None:
    """Raise PrerequisiteError naming everything the host lacks for the simulation."""
    _refuse_unless_ready(
        "the simulated school", missing_binaries() + containers_conf_problems(),
        "debootstrap and rootful podman need root", f"{SETUP_HINT} (or: {APT_LINE}, then fix {CONTAINERS_CONF})",
    )  # fmt: skip


def check_imaging_prerequisites() -> None:
    """Raise PrerequisiteError naming everything the host lacks for the imaging lab."""
    missing_files = [
        f"{path} not found (Debian package {package})" for path, package in IMAGING_FILES.items() if not path.is_file()
    ]
    _refuse_unless_ready(
        "the imaging lab", missing_binaries(IMAGING_BINARIES) + missing_files,
        "network namespaces and taps need root", f"{SETUP_HINT} (or: {IMAGING_APT_LINE})",
    )  # fmt: skip


def _refuse_unless_ready(what: str, problems: list[str], why_root: str, hint: str) -> None:
    if os.geteuid() != 0:
        problems.insert(0, f"not running as root ({why_root})")
    if problems:
        raise PrerequisiteError(f"{what} cannot run on this host: " + "; ".join(problems), hint=hint)


def missing_binaries(required: Mapping[str, str] = REQUIRED_BINARIES) -> list[str]:
    """Describe each required binary that is not on PATH (nor in /usr/sbin, /sbin)."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return [
        f"'{binary}' not found (Debian package {package})"
        for binary, package in required.items()
        if shutil.which(binary, path=search) is None
    ]


def containers_conf_problems(path: Path = CONTAINERS_CONF) -> list[str]:
    """Describe what the podman configuration lacks: runtime runc and allowed default ulimits."""
    try:
        conf = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"{path} is missing (needs [engine] runtime = \"runc\" and [containers] default_ulimits)"]
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [f"{path} is unreadable: {exc}"]
    problems: list[str] = []
    engine = conf.get("engine", {})
    if not isinstance(engine, dict) or engine.get("runtime") != "runc":
        problems.append(f'{path} lacks [engine] runtime = "runc" (crun fails on this host)')
    containers = conf.get("containers", {})
    ulimits = containers.get("default_ulimits", []) if isinstance(containers, dict) else []
    names = {str(item).split("=", 1)[0] for item in ulimits} if isinstance(ulimits, list) else set()
    lacking = [name for name in REQUIRED_ULIMITS if name not in names]
    if lacking:
        problems.append(
            f"{path} lacks [containers] default_ulimits for {', '.join(lacking)} "
            '(e.g. ["nofile=4096:4096", "nproc=4096:4096"])'
        )
    return problems


def run_host_command(
    argv: Sequence[str],
    *,
    what: str,
    input_text: str | None = None,
    timeout: float = 120.0,
    check: bool = True,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a host command; turn a missing binary, timeout or failure into a FleetError.

    ``what`` names the operation for the error message ("start lab PC pc01"); ``env`` is
    added to the current environment.
    """
    try:
        result = subprocess.run(
            list(argv),
            input=input_text,
            cwd=cwd,
            env={**os.environ, **env} if env else None,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise PrerequisiteError(f"cannot {what}: '{argv[0]}' is not installed", hint=SETUP_HINT) from exc
    except subprocess.TimeoutExpired as exc:
        raise SimulationError(
            f"cannot {what}: '{' '.join(argv[:3])} ...' did not finish within {timeout:.0f} s"
        ) from exc
    if check and result.returncode != 0:
        raise SimulationError(
            f"cannot {what}: {argv[0]} exited with {result.returncode}: "
            + _tail(result.stderr or result.stdout),
            hint=_hint_for(result.stderr),
        )
    return result


def _tail(text: str, lines: int = 8) -> str:
    """The last few non-empty lines of a command's output."""
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept) if kept else "(no output)"


def _hint_for(stderr: str) -> str | None:
    """A fix for the podman failures this host is known for."""
    if "setrlimit" in stderr or "crun" in stderr:
        return SETUP_HINT + " (podman must use runc and allowed default_ulimits)"
    if "image not known" in stderr or "no such image" in stderr.lower():
        return "build the lab-PC image first (schooltech_fleet.sim.image.ensure_image)"
    if "address already in use" in stderr.lower():
        return "another process holds that port; stop it or let the simulation pick another port"
    return None
