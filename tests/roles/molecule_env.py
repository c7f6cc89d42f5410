"""The environment the molecule scenarios (``molecule/<role>/``) need, built once and cached.

- ``SCHOOLTECH_LABPC_IMAGE``: the lab-PC image (``ensure_image()``; never pulled);
- ``SCHOOLTECH_REPO_DIR``: the school repository as it is now (demo app 1.1, exam browser 2.1);
- ``SCHOOLTECH_REPO_PREVIOUS_DIR``: the repository before that release (demo app 1.0, exam
  browser 2.0), from which the scenarios' prepare steps install, so that a converge sees a
  real upgrade;
- ``SCHOOLTECH_DEBIAN_LOCAL_DIR``: an offline flat repository of the Debian packages the
  ``pxe_server`` role installs (:func:`ensure_debian_mirror`, downloaded once);
- ``ANSIBLE_ROLES_PATH``: the project's ``roles/``;
- ``SCHOOLTECH_MOLECULE_KEY`` / ``SCHOOLTECH_MOLECULE_PUBKEY``: the SSH key pair of the admin
  user ``fleetadmin``. The scenarios reach their lab PCs as the fleet jobs do: real SSH to
  sshd on 127.0.0.1 (host network, a fixed port per scenario and PC, 32110-32151, outside the
  simulation's port range), key login, sudo, pipelining. The podman connection would need
  several ``podman exec``/``podman cp`` calls per task, about three times slower;
- ``ANSIBLE_STRATEGY`` and ``ANSIBLE_STRATEGY_PLUGINS``: Mitogen's linear strategy when Mitogen
  is installed, as the fleet jobs run (``schooltech_fleet.jobs.tuning``); about twice as
  fast again. (The scenarios create and destroy their containers with their own playbooks,
  ``molecule/_shared/``: the podman driver's async ones do not work under Mitogen.)

Run it to use molecule by hand::

    eval "$(.venv/bin/python tests/roles/molecule_env.py)"
    .venv/bin/molecule test -s patching
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import tempfile
from pathlib import Path

from schooltech_fleet import locks
from schooltech_fleet.paths import cache_dir
from schooltech_fleet.sim.aptrepo import build_repo
from schooltech_fleet.sim.image import MIRROR, SUITE, ensure_image
from schooltech_fleet.sim.pcs import ensure_ssh_keypair
from schooltech_fleet.sim.prereqs import run_host_command

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("lab_baseline", "lab_software", "patching", "licensing")
#: roles for a site's servers (Debian only), with a scenario each
SERVER_ROLES = ("pxe_server",)
#: roles that only read a lab PC (Linux only, no OS dispatch), with a scenario each
READ_ONLY_ROLES = ("asset_facts",)
CURRENT = {
    "schooltech-demo-app": "1.1",
    "schooltech-exam-browser": "2.1",
    "schooltech-licence-agent": "1.0",
}
PREVIOUS = {
    "schooltech-demo-app": "1.0",
    "schooltech-exam-browser": "2.0",
    "schooltech-licence-agent": "1.0",
}


def molecule_env(base: Path | None = None) -> dict[str, str]:
    """Build (or reuse) the image and both repositories; return the variables molecule needs."""
    repos = (base or cache_dir()) / "molecule"
    current, previous = repos / "school-repo", repos / "school-repo-previous"
    repos.mkdir(parents=True, exist_ok=True)
    # one preparer at a time: scripts/test runs the scenarios beside other tests, and other
    # checkouts on this machine share the cache (the image build takes a lock of its own)
    with locks.hold(repos / "prepare.lock", "preparing the molecule scenarios' repositories and keys", wait=True):
        build_repo(current, CURRENT)
        build_repo(previous, PREVIOUS)
        image = ensure_image()
        env = {
            "SCHOOLTECH_LABPC_IMAGE": image,
            "SCHOOLTECH_DEBIAN_LOCAL_DIR": str(ensure_debian_mirror(repos, image)),
            "SCHOOLTECH_REPO_DIR": str(current),
            "SCHOOLTECH_REPO_PREVIOUS_DIR": str(previous),
            "ANSIBLE_ROLES_PATH": str(ROOT / "roles"),
        }
        private, public = ensure_ssh_keypair(repos / "keys")
    env |= {"SCHOOLTECH_MOLECULE_KEY": str(private), "SCHOOLTECH_MOLECULE_PUBKEY": str(public)}
    strategies = _mitogen_strategies()
    if strategies is not None:
        env |= {"ANSIBLE_STRATEGY": "mitogen_linear", "ANSIBLE_STRATEGY_PLUGINS": str(strategies)}
    return env


#: what the role installs (with a Secure Boot MAC listed) and what verify uses (tftp-hpa's client)
DEBIAN_PACKAGES = ("dnsmasq", "ipxe", "nginx-light", "shim-signed", "grub-efi-amd64-signed", "tftp-hpa")

_DOWNLOAD = """set -eu
printf 'deb %(mirror)s %(suite)s main\\ndeb %(mirror)s %(suite)s-updates main\\n' > /etc/apt/sources.list
apt-get update -qq
apt-get install -qq -y --download-only --no-install-recommends %(packages)s
cp /var/cache/apt/archives/*.deb /out/
cd /out
apt-ftparchive packages . > Packages
"""


def ensure_debian_mirror(base: Path, image: str, packages: tuple[str, ...] = DEBIAN_PACKAGES) -> Path:
    """The flat repository of *packages* for *image* under *base*, downloading it the first time.

    The ``pxe_server`` role installs Debian's own packages (dnsmasq, ipxe, nginx-light, shim-signed,
    grub-efi-amd64-signed). Tests talk to 127.0.0.0/8 only, so the scenario does not reach a Debian
    mirror: once per package list, a throwaway container of the lab-PC image downloads the
    packages and everything they need that the image lacks (``apt-get install --download-only``),
    and ``apt-ftparchive`` turns the directory into a flat repository. The scenario mounts it
    read-only at ``/srv/debian-local`` and its prepare step points APT at it, as a school's
    local mirror would be. The directory name carries a hash of the package list and the lab-PC
    image, so a changed list builds a new repository and an unchanged one is reused.
    """
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


def _mitogen_strategies() -> Path | None:
    try:
        import ansible_mitogen  # noqa: PLC0415 - optional, as in schooltech_fleet.jobs.tuning
    except ImportError:
        return None
    return Path(ansible_mitogen.__file__).parent / "plugins" / "strategy"


def subprocess_env(base: Path | None = None) -> dict[str, str]:
    """``os.environ`` plus :func:`molecule_env` and the venv's bin first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_"))}
    env |= molecule_env(base)
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


if __name__ == "__main__":
    for key, value in molecule_env().items():
        print(f"export {key}={shlex.quote(value)}")
