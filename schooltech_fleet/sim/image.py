"""The lab-PC base image: Debian 12 minbase with sshd and an admin user, built once and cached.

The image tag is a hash of the build recipe (suite, packages, baked files, setup script), so a
changed recipe builds a new image and an unchanged one is a no-op (``podman image exists``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from schooltech_fleet import locks
from schooltech_fleet.errors import SimulationError
from schooltech_fleet.paths import cache_dir
from schooltech_fleet.sim.prereqs import check_host_prerequisites, run_host_command

Progress = Callable[[str], None]

IMAGE_REPOSITORY = "localhost/schooltech-labpc"
ADMIN_USER = "fleetadmin"
#: where pcs.py mounts the admin's public key (sshd reads /etc/ssh/authorized_keys.d/%u)
AUTHORIZED_KEYS_DIR = "/etc/ssh/authorized_keys.d"
#: the container command; takes the SSH port as its only argument
INIT_PATH = "/usr/local/sbin/schooltech-labpc-init"
SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
MIRROR = os.environ.get("SCHOOLTECH_DEBIAN_MIRROR", DEFAULT_MIRROR)

PACKAGES: tuple[str, ...] = (
    "openssh-server",
    "python3",
    "python3-apt",  # Ansible's apt module and package_facts
    "apt-utils",  # no "debconf: delaying package configuration" warnings
    "sudo",
    "tzdata",  # timezone roles
    "ca-certificates",  # CA roles: update-ca-certificates
    "iproute2",  # network facts
    "kmod",  # modprobe, for module blacklist roles
    "procps",
    "less",
)

_INIT_SCRIPT = """#!/bin/sh
# Lab-PC container init: sshd on 127.0.0.1:PORT only (also after a role restarts it).
set -eu
port="$1"
# a boot starts with an empty /run (a tmpfs on a real PC): no stale pid files or reboot flag
rm -f /run/sshd.pid /run/reboot-required /run/reboot-required.pkgs /run/schooltech-shutdown.pid
mkdir -p /run/sshd
# every sshd in this container, also one a role restarts, binds only 127.0.0.1:PORT
printf 'Port %s\\nListenAddress 127.0.0.1\\n' "$port" > /etc/ssh/sshd_config.d/00-schooltech-sim.conf
# the container's own /etc/hosts (podman --no-hosts) names this host, as Debian's installer does
name=$(hostname)
if grep -q '^127\\.0\\.1\\.1[[:space:]]' /etc/hosts; then
    sed -i "s/^127\\.0\\.1\\.1[[:space:]].*/127.0.1.1\\t$name/" /etc/hosts
else
    printf '127.0.1.1\\t%s\\n' "$name" >> /etc/hosts
fi
child=
stop() {
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
    exit 0
}
trap stop TERM INT
while :; do
    # an sshd started by 'service ssh restart' owns the port: wait for it instead
    if pid=$(cat /run/sshd.pid 2>/dev/null) && [ "$pid" != "$child" ] && kill -0 "$pid" 2>/dev/null; then
        sleep 1 & child=$!; wait "$child" || true; continue
    fi
    /usr/sbin/sshd -D -e -p "$port" & child=$!
    wait "$child" || true
    sleep 0.5 & child=$!; wait "$child" || true
done
"""

#: where the image's shutdown command lives (in the search path of ``ansible.builtin.reboot``)
SHUTDOWN_PATH = "/usr/local/sbin/shutdown"

_SHUTDOWN_SCRIPT = """#!/bin/sh
# shutdown/reboot for a simulated lab PC. A container cannot reboot like a PC: a reboot here
# ends PID 1 (the init, which stops sshd and exits) and podman's restart policy
# (podman run --restart=always) starts the container again: new PID 1, empty /run,
# sshd back on the same 127.0.0.1 port. Power-off is refused (stop the container instead).
# Forms: shutdown -r [now|+MIN|MIN] [MESSAGE], shutdown -c, reboot
set -eu
mode=halt
[ "$(basename "$0")" = reboot ] && mode=reboot
delay=0
when_seen=
for arg in "$@"; do
    case "$arg" in
        -r|--reboot) mode=reboot ;;
        -h|-H|-P|--halt|--poweroff) mode=halt ;;
        -c) mode=cancel ;;
        -*) ;;
        *)
            if [ -z "$when_seen" ]; then
                when_seen=1
                case "$arg" in
                    now) delay=0 ;;
                    +*) delay=$(( ${arg#+} * 60 )) ;;
                    *[!0-9]*) echo "shutdown: time '$arg' is not supported here (use now or +MIN)" >&2; exit 1 ;;
                    *) delay=$(( arg * 60 )) ;;
                esac
            fi
            ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "shutdown: must be root" >&2; exit 1; }
pending=/run/schooltech-shutdown.pid
case "$mode" in
    cancel)
        if pid=$(cat "$pending" 2>/dev/null); then kill "$pid" 2>/dev/null || true; fi
        rm -f "$pending"
        ;;
    halt)
        echo "shutdown: a simulated lab PC cannot power off; stop its container instead" >&2
        exit 1
        ;;
    reboot)
        echo "shutdown: rebooting in ${delay}s" >&2
        # in the background, a moment later, so that the caller (an SSH session) returns first
        setsid sh -c "sleep $(( delay + 1 )); kill -TERM 1" </dev/null >/dev/null 2>&1 &
        echo "$!" > "$pending"
        ;;
esac
"""

_SSHD_CONFIG = f"""# schooltech lab PC: key authentication only, for the admin key mounted by the simulation
AuthorizedKeysFile .ssh/authorized_keys {AUTHORIZED_KEYS_DIR}/%u
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UseDNS no
"""

#: path -> (mode, content) written into the root filesystem before the setup script runs
BAKED_FILES: dict[str, tuple[int, str]] = {
    INIT_PATH: (0o755, _INIT_SCRIPT),
    SHUTDOWN_PATH: (0o755, _SHUTDOWN_SCRIPT),
    "/usr/local/sbin/reboot": (0o755, f'#!/bin/sh\nexec {SHUTDOWN_PATH} -r now "$@"\n'),
    "/etc/ssh/sshd_config.d/10-schooltech.conf": (0o644, _SSHD_CONFIG),
    f"/etc/sudoers.d/{ADMIN_USER}": (0o440, f"{ADMIN_USER} ALL=(ALL:ALL) NOPASSWD: ALL\n"),
    # no daemons started by package scripts inside containers
    "/usr/sbin/policy-rc.d": (0o755, "#!/bin/sh\nexit 101\n"),
    "/etc/apt/sources.list": (
        0o644,
        "# The simulated school is offline; lab roles add the school's repository:\n"
        "# deb [trusted=yes] file:/srv/schooltech-repo ./\n"
        f"# deb {DEFAULT_MIRROR} {SUITE} main\n",
    ),
    "/etc/hostname": (0o644, "labpc\n"),
    "/etc/hosts": (
        0o644,
        "127.0.0.1\tlocalhost\n127.0.1.1\tlabpc\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n",
    ),
}

_SETUP_SCRIPT = f"""set -eu
useradd --create-home --shell /bin/bash --comment 'schooltech fleet admin' {ADMIN_USER}
usermod -p '*' {ADMIN_USER}
mkdir -p {AUTHORIZED_KEYS_DIR} /run/sshd /srv/schooltech-repo
ssh-keygen -A
# pam_loginuid cannot write the audit login uid in a container
sed -i 's/^session\\s\\+required\\s\\+pam_loginuid.so/session optional pam_loginuid.so/' /etc/pam.d/sshd
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/*.log /var/log/apt/* /tmp/* /root/.bash_history
"""


@dataclass(frozen=True)
class Recipe:
    """Everything that determines the image's content."""

    suite: str = SUITE
    mirror: str = MIRROR
    packages: tuple[str, ...] = PACKAGES
    files: tuple[tuple[str, int, str], ...] = tuple((p, m, c) for p, (m, c) in sorted(BAKED_FILES.items()))
    setup_script: str = _SETUP_SCRIPT

    @property
    def tag(self) -> str:
        """A short hash of the recipe (the mirror does not change the content, so it is left out)."""
        data = {
            "suite": self.suite,
            "packages": self.packages,
            "files": self.files,
            "setup": self.setup_script,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]

    @property
    def image_ref(self) -> str:
        """The podman reference of the image built from this recipe."""
        return f"{IMAGE_REPOSITORY}:{self.tag}"


def image_exists(ref: str) -> bool:
    """Whether podman has the image ``ref``."""
    result = run_host_command(["podman", "image", "exists", ref], what="look up image", check=False)
    return result.returncode == 0


def ensure_image(progress: Progress | None = None, recipe: Recipe | None = None) -> str:
    """Return the lab-PC image reference, building it first if this recipe has no image yet.

    Building the default recipe also removes lab-PC images of older recipes that no container uses.
    """
    default = recipe is None
    recipe = recipe or Recipe()
    ref = recipe.image_ref
    if image_exists(ref):
        return ref
    check_host_prerequisites()
    report = progress or (lambda _message: None)
    with locks.hold(cache_dir() / "labpc-image.lock", f"building the lab PC image {ref}", wait=True):
        if image_exists(ref):  # built by a concurrent caller while we waited
            return ref
        build_image(recipe, report)
    if default:
        remove_stale_images(keep=ref)
    return ref



def build_image(recipe: Recipe, report: Progress) -> None:
    """Debootstrap a root filesystem, bake the recipe's files into it and import it into podman."""
    workdir = Path(tempfile.mkdtemp(prefix="labpc-build-", dir=cache_dir()))
    rootfs = workdir / "rootfs"
    try:
        report(f"debootstrap {recipe.suite} ({len(recipe.packages)} extra packages) ...")
        _debootstrap(recipe, rootfs)
        report("configuring the lab-PC root filesystem ...")
        _bake(recipe, rootfs)
        report(f"importing {recipe.image_ref} ...")
        _import(rootfs, recipe)
    finally:
        _remove_tree(workdir)


def _debootstrap(recipe: Recipe, rootfs: Path) -> None:
    run_host_command(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(recipe.packages)}",
            recipe.suite,
            str(rootfs),
            recipe.mirror,
        ],
        what=f"debootstrap the lab-PC image from {recipe.mirror}",
        timeout=1800,
    )


def _bake(recipe: Recipe, rootfs: Path) -> None:
    for path, mode, content in recipe.files:
        target = rootfs / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        target.chmod(mode)
    run_host_command(
        ["chroot", str(rootfs), "/bin/sh", "-c", recipe.setup_script],
        what="configure the lab-PC image",
        timeout=300,
    )


def _import(rootfs: Path, recipe: Recipe) -> None:
    """``tar -C ROOTFS -c . | podman import - REF`` with the recipe hash as a label."""
    with tempfile.TemporaryFile() as tar_errors:
        tar = subprocess.Popen(
            ["tar", "--numeric-owner", "-C", str(rootfs), "-c", "."],
            stdout=subprocess.PIPE,
            stderr=tar_errors,
        )
        try:
            result = subprocess.run(
                [
                    "podman", "import",
                    "--change", f"LABEL schooltech.recipe={recipe.tag}",
                    "--change", 'CMD ["/bin/bash"]',
                    "-", recipe.image_ref,
                ],
                stdin=tar.stdout,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            tar.kill()
            raise SimulationError(f"cannot import {recipe.image_ref}: {exc}") from exc
        finally:
            if tar.stdout is not None:
                tar.stdout.close()
            tar.wait()
        tar_errors.seek(0)
        tar_message = tar_errors.read().decode(errors="replace").strip()
    if tar.returncode != 0 or result.returncode != 0:
        raise SimulationError(
            f"cannot import {recipe.image_ref}: {result.stderr.strip() or tar_message}",
            hint="check free space in podman's storage (podman system df)",
        )


def _remove_tree(path: Path) -> None:
    """Delete a build directory, first unmounting anything debootstrap left mounted in it."""
    resolved = str(path.resolve())
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        points = [line.split()[1] for line in mounts if line.split()[1].startswith(resolved + "/")]
    for point in sorted(points, key=len, reverse=True):
        run_host_command(["umount", "-l", point], what=f"unmount {point}", check=False)
    shutil.rmtree(path, ignore_errors=True)


def remove_stale_images(keep: str) -> None:
    """Best effort: drop lab-PC images of older recipes that no container uses."""
    listing = run_host_command(
        ["podman", "images", "--format", "{{.Repository}}:{{.Tag}}", IMAGE_REPOSITORY],
        what="list lab-PC images",
        check=False,
    )
    for ref in listing.stdout.split():
        if ref != keep and ref.startswith(IMAGE_REPOSITORY + ":"):
            run_host_command(["podman", "rmi", ref], what=f"remove {ref}", check=False)
