"""The stand-in installer: Debian's kernel and an initrd built from busybox-static, built once and cached.

What it does when a PC boots it (``/init``, :data:`INIT_SCRIPT`): load the NIC and disk
drivers, take a DHCP lease (udhcpc), read ``schooltech.server`` and ``schooltech.token``
from the kernel command line (or, when an installer's own iPXE script started it in place of
that installer, the answer URL it names: Debian's ``url=``, Ubuntu's ``ds=nocloud-net;s=``),
fetch ``<server>/answer/<token>``, write the install marker (:mod:`disk_marker`) to sector 0
of ``/dev/vda``, POST ``<server>/callback/<token>`` and power off. The callback says whether
the firmware enforced Secure Boot (``secure-boot=on``, ``off``, or ``no-uefi`` on BIOS), read
from the EFI variable ``SecureBoot`` on efivarfs (its last byte is 1 when enforced). Any
failure is printed on the serial console and powers off without calling back: the boot
server then never hears from that PC, as with a real installer that died.

The kernel and its modules come from the ``linux-image-amd64`` package of this host's
Debian release (``apt-get download``, unpacked with ``dpkg-deb``; nothing is installed on
the host); busybox is the host's ``/bin/busybox`` from ``busybox-static``. The cache key is
a hash of the recipe (kernel package and version, busybox binary, scripts, module list),
as :mod:`schooltech_fleet.sim.image` does for the lab-PC image.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from schooltech_fleet.errors import PrerequisiteError, SimulationError
from schooltech_fleet.paths import cache_dir
from schooltech_fleet.sim.imaging import cpio
from schooltech_fleet.sim.imaging.disk_marker import BOOT_CODE, MAGIC, TEXT_OFFSET
from schooltech_fleet.sim.prereqs import run_host_command

KERNEL_METAPACKAGE = "linux-image-amd64"
BUSYBOX = Path("/bin/busybox")
BUSYBOX_PACKAGE = "busybox-static"
#: the drivers of the lab's VMs: e1000 (BIOS) or virtio-net (UEFI) NIC, virtio-blk disk on
#: virtio-pci (dependencies are added)
MODULES: tuple[str, ...] = ("e1000", "virtio_pci", "virtio_net", "virtio_blk")
#: loaded only on UEFI firmware: efivarfs, to read the SecureBoot variable
UEFI_MODULES: tuple[str, ...] = ("efivarfs",)
SECURE_BOOT_VARIABLE = "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"  # EFI_GLOBAL_VARIABLE's GUID
KERNEL_NAME = "vmlinuz"
INITRD_NAME = "initrd.gz"

INIT_SCRIPT = f"""#!/bin/busybox sh
# schooltech stand-in installer: answer file by token, install marker on the disk, callback, power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say() {{ echo "schooltech-installer: $*"; }}
finish() {{ sync; say "powering off"; poweroff -f; sleep 30; }}
fail() {{ say "FAILED: $*"; finish; }}
arg() {{ for word in $(cat /proc/cmdline); do case "$word" in "$1="*) echo "${{word#*=}}" ;; esac; done; }}
grep -q console=ttyS0 /proc/cmdline || exec >/dev/ttyS0 2>&1  # a real installer's command line names no console
token=$(arg schooltech.token)
server=$(arg schooltech.server)
if [ -z "$token" ]; then  # started by an installer's own script: Debian's url= or Ubuntu's ds=nocloud-net;s=
    answer=$(arg url)
    case "$answer" in */answer/*) ;; *) answer=$(arg ds); answer=${{answer#nocloud-net;s=}} ;; esac
    case "$answer" in
        */answer/*) server=${{answer%%/answer/*}}; token=${{answer#*/answer/}}; token=${{token%%/*}} ;;
    esac
fi
[ -n "$token" ] && [ -n "$server" ] || fail "schooltech.token or schooltech.server missing from the kernel command line"
for module in $(cat /lib/schooltech/modules); do
    insmod "/lib/modules/$module.ko" || fail "cannot load the kernel module $module"
done
ip link set lo up
for _ in $(seq 100); do
    [ -e /sys/class/net/eth0 ] && [ -b /dev/vda ] && break
    sleep 0.1
done
[ -b /dev/vda ] || fail "no disk /dev/vda"
secure_boot=no-uefi
if [ -d /sys/firmware/efi ]; then
    for module in $(cat /lib/schooltech/uefi-modules); do
        insmod "/lib/modules/$module.ko" || fail "cannot load the kernel module $module"
    done
    mount -t efivarfs efivarfs /sys/firmware/efi/efivars || fail "cannot mount efivarfs"
    # 4 bytes of attributes, then the value: 1 when the firmware enforces Secure Boot
    state=$(echo $(od -An -tu1 /sys/firmware/efi/efivars/{SECURE_BOOT_VARIABLE} 2>&1))
    case "$state" in *" 1") secure_boot=on ;; *) secure_boot=off ;; esac
    say "UEFI firmware, SecureBoot variable: $state; Secure Boot $secure_boot"
fi
udhcpc -i eth0 -s /lib/schooltech/udhcpc.script -n -q -t 10 -T 1 >/dev/null || fail "no DHCP lease"
say "network up; fetching the answer file for token $token"
wget -q -O /tmp/answer "$server/answer/$token" || fail "no answer file for token $token"
sum=$(sha256sum /tmp/answer)
sum=${{sum%% *}}
say "answer file sha256 $sum; writing the disk"
cat /lib/schooltech/bootcode > /tmp/sector
printf '{MAGIC} token=%s answer-sha256=%s\\r\\n' "$token" "$sum" >> /tmp/sector
truncate -s 510 /tmp/sector
printf '\\125\\252' >> /tmp/sector
dd if=/tmp/sector of=/dev/vda bs=512 count=1 conv=fsync 2>/dev/null || fail "cannot write the disk"
wget -q -O /tmp/reply --post-data "token=$token&answer-sha256=$sum&secure-boot=$secure_boot" \\
    "$server/callback/$token" \\
    || fail "the boot server refused the callback"
say "callback accepted: $(cat /tmp/reply)"
finish
"""

UDHCPC_SCRIPT = """#!/bin/sh
# udhcpc events: configure eth0 from the lease
case "$1" in
    deconfig)
        ip addr flush dev "$interface"
        ip link set "$interface" up
        ;;
    bound|renew)
        ip addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        [ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
        ;;
esac
exit 0
"""


@dataclass(frozen=True)
class Recipe:
    """Everything that determines the installer's content."""

    kernel_package: str
    kernel_version: str
    busybox_sha256: str
    modules: tuple[str, ...] = MODULES
    uefi_modules: tuple[str, ...] = UEFI_MODULES
    init_script: str = INIT_SCRIPT
    udhcpc_script: str = UDHCPC_SCRIPT
    boot_code: bytes = BOOT_CODE

    @property
    def tag(self) -> str:
        data = {
            "kernel": [self.kernel_package, self.kernel_version],
            "busybox": self.busybox_sha256,
            "modules": self.modules,
            "uefi_modules": self.uefi_modules,
            "init": self.init_script,
            "udhcpc": self.udhcpc_script,
            "boot_code": self.boot_code.hex(),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Installer:
    """A built installer: kernel and initrd files, and the recipe tag they came from."""

    kernel: Path
    initrd: Path
    tag: str


def kernel_cmdline(server_url: str, token: str) -> str:
    """The kernel command line that makes the installer use *token* against *server_url*."""
    return f"console=ttyS0 quiet panic=-1 schooltech.server={server_url} schooltech.token={token}"


def current_recipe() -> Recipe:
    """The recipe for this host: the kernel ``linux-image-amd64`` points to now, the host's busybox."""
    depends = run_host_command(
        ["apt-cache", "depends", "--important", KERNEL_METAPACKAGE],
        what=f"look up {KERNEL_METAPACKAGE}",
        check=False,
    )
    packages = [
        line.split(":", 1)[1].strip()
        for line in depends.stdout.splitlines()
        if line.strip().startswith("Depends:") and line.split(":", 1)[1].strip().startswith("linux-image-")
    ]
    if depends.returncode != 0 or not packages:
        raise PrerequisiteError(
            f"cannot find the kernel package that {KERNEL_METAPACKAGE} points to",
            hint="run: sudo apt-get update (the stand-in installer downloads Debian's kernel package)",
        )
    package = packages[0]
    show = run_host_command(["apt-cache", "show", "--no-all-versions", package], what=f"look up {package}")
    versions = [line.split(":", 1)[1].strip() for line in show.stdout.splitlines() if line.startswith("Version:")]
    if not versions:
        raise PrerequisiteError(f"apt knows no version of {package}", hint="run: sudo apt-get update")
    return Recipe(kernel_package=package, kernel_version=versions[0], busybox_sha256=_busybox_sha256())


def ensure_installer(recipe: Recipe | None = None) -> Installer:
    """The cached installer of *recipe* (default: :func:`current_recipe`), built first if missing."""
    recipe = recipe or current_recipe()
    target = cache_dir() / "imaging-installer" / recipe.tag
    installer = Installer(kernel=target / KERNEL_NAME, initrd=target / INITRD_NAME, tag=recipe.tag)
    if installer.kernel.is_file() and installer.initrd.is_file():
        return installer
    with _build_lock():
        if not (installer.kernel.is_file() and installer.initrd.is_file()):
            _build(recipe, target)
    return installer


@contextmanager
def _build_lock() -> Iterator[None]:
    with (cache_dir() / "imaging-installer.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build(recipe: Recipe, target: Path) -> None:
    """Download and unpack the kernel package, build the initrd, then move both into *target*."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="installer-build-", dir=target.parent))
    try:
        run_host_command(
            ["apt-get", "download", f"{recipe.kernel_package}={recipe.kernel_version}"],
            what=f"download {recipe.kernel_package} {recipe.kernel_version}",
            cwd=work,
            timeout=900,
        )
        (deb,) = work.glob("*.deb")
        unpacked = work / "unpacked"
        run_host_command(["dpkg-deb", "-x", str(deb), str(unpacked)], what=f"unpack {deb.name}", timeout=300)
        output = work / "output"
        output.mkdir()
        (kernel,) = (unpacked / "boot").glob("vmlinuz-*")
        shutil.copyfile(kernel, output / KERNEL_NAME)
        modules = _module_load_order(unpacked, recipe.modules)
        uefi_modules = _module_load_order(unpacked, recipe.uefi_modules)
        archive = _initrd_archive(recipe, modules, uefi_modules)
        (output / INITRD_NAME).write_bytes(gzip.compress(archive, mtime=0))
        if target.exists():
            shutil.rmtree(target)
        os.replace(output, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _initrd_archive(recipe: Recipe, modules: list[tuple[str, Path]], uefi_modules: list[tuple[str, Path]]) -> bytes:
    busybox = BUSYBOX.read_bytes()
    if hashlib.sha256(busybox).hexdigest() != recipe.busybox_sha256:
        raise SimulationError(f"{BUSYBOX} changed while the installer was being built", hint="build it again")
    archive = cpio.Archive()
    for directory in ("bin", "dev", "proc", "sys", "tmp", "lib", "lib/modules", "lib/schooltech"):
        archive.directory(directory)
    archive.device("dev/console", major=5, minor=1)
    archive.file("bin/busybox", busybox, mode=0o755)
    archive.file("init", recipe.init_script.encode(), mode=0o755)
    archive.file("lib/schooltech/udhcpc.script", recipe.udhcpc_script.encode(), mode=0o755)
    archive.file("lib/schooltech/bootcode", recipe.boot_code.ljust(TEXT_OFFSET, b"\0"))
    archive.file("lib/schooltech/modules", "".join(f"{name}\n" for name, _ in modules).encode())
    archive.file("lib/schooltech/uefi-modules", "".join(f"{name}\n" for name, _ in uefi_modules).encode())
    for name, path in modules + uefi_modules:
        archive.file(f"lib/modules/{name}.ko", path.read_bytes())
    return archive.close()


def _module_load_order(unpacked: Path, wanted: tuple[str, ...]) -> list[tuple[str, Path]]:
    """*wanted* and every module they depend on, each after its dependencies."""
    index = {path.stem.replace("-", "_"): path for path in (unpacked / "lib" / "modules").glob("*/kernel/**/*.ko")}
    order: list[tuple[str, Path]] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        if name not in index:
            raise SimulationError(f"the kernel package has no module {name}", hint=f"check {KERNEL_METAPACKAGE}")
        for dependency in module_depends(index[name]):
            visit(dependency)
        order.append((name, index[name]))

    for name in wanted:
        visit(name)
    return order


def module_depends(path: Path) -> list[str]:
    """The ``depends=`` entry of a kernel module's ``.modinfo`` section (ELF64, little-endian)."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SimulationError(f"{path.name} is not a 64-bit little-endian ELF kernel module")

    def number(offset: int, size: int) -> int:
        return int.from_bytes(data[offset : offset + size], "little")

    section_table, entry_size, count, names_index = number(0x28, 8), number(0x3A, 2), number(0x3C, 2), number(0x3E, 2)
    headers = [section_table + i * entry_size for i in range(count)]
    names_at = number(headers[names_index] + 0x18, 8)
    for header in headers:
        name_at = names_at + number(header, 4)
        if data[name_at : data.index(b"\0", name_at)] == b".modinfo":
            start, size = number(header + 0x18, 8), number(header + 0x20, 8)
            for entry in data[start : start + size].split(b"\0"):
                if entry.startswith(b"depends="):
                    return [name for name in entry[len(b"depends=") :].decode().split(",") if name]
            return []
    raise SimulationError(f"{path.name} has no .modinfo section")


def _busybox_sha256() -> str:
    owner = run_host_command(["dpkg-query", "-S", str(BUSYBOX)], what=f"find the package of {BUSYBOX}", check=False)
    if owner.returncode != 0 or not owner.stdout.startswith(f"{BUSYBOX_PACKAGE}:"):
        raise PrerequisiteError(
            f"{BUSYBOX} is not from {BUSYBOX_PACKAGE} (the installer needs a statically linked busybox)",
            hint=f"run: sudo apt-get install {BUSYBOX_PACKAGE}",
        )
    return hashlib.sha256(BUSYBOX.read_bytes()).hexdigest()
