"""A small offline Debian repository for the boot-server scenario (``molecule/pxe_server``).

The ``pxe_server`` role installs Debian's own packages (dnsmasq, ipxe, nginx-light, shim-signed,
grub-efi-amd64-signed). Tests talk to 127.0.0.0/8 only, so the scenario does not reach a Debian
mirror: once per package list, a throwaway container of the lab-PC image downloads the
packages and everything they need that the image lacks (``apt-get install --download-only``),
and ``apt-ftparchive`` turns the directory into a flat repository. The scenario mounts it
read-only at ``/srv/debian-local`` and its prepare step points APT at it, as a school's
local mirror would be. The directory name carries a hash of the package list and the lab-PC
image, so a changed list builds a new repository and an unchanged one is reused.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from schooltech_fleet.sim.image import MIRROR, SUITE
from schooltech_fleet.sim.prereqs import run_host_command

#: what the role installs (with a Secure Boot MAC listed) and what verify uses (tftp-hpa's client)
PACKAGES = ("dnsmasq", "ipxe", "nginx-light", "shim-signed", "grub-efi-amd64-signed", "tftp-hpa")

_DOWNLOAD = """set -eu
printf 'deb %(mirror)s %(suite)s main\\ndeb %(mirror)s %(suite)s-updates main\\n' > /etc/apt/sources.list
apt-get update -qq
apt-get install -qq -y --download-only --no-install-recommends %(packages)s
cp /var/cache/apt/archives/*.deb /out/
cd /out
apt-ftparchive packages . > Packages
"""


def ensure_debian_mirror(base: Path, image: str, packages: tuple[str, ...] = PACKAGES) -> Path:
    """The flat repository of *packages* for *image* under *base*, downloading it the first time."""
    key = hashlib.sha256(f"{image} {SUITE} {' '.join(packages)}".encode()).hexdigest()[:12]
    target = base / f"debian-local-{key}"
    if (target / "Packages").is_file():
        return target
    base.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=".debian-local-", dir=base))
    try:
        script = _DOWNLOAD % {"mirror": MIRROR, "suite": SUITE, "packages": " ".join(packages)}
        run_host_command(
            ["podman", "run", "--rm", "--pull=never", "--network=host", f"--volume={partial}:/out",
             image, "/bin/sh", "-c", script],
            what=f"download {', '.join(packages)} from {MIRROR} for the pxe_server scenario",
            timeout=900,
        )  # fmt: skip
        partial.rename(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    for stale in base.glob("debian-local-*"):
        if stale != target:
            shutil.rmtree(stale, ignore_errors=True)
    return target
