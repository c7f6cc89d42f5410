"""The environment the molecule scenarios (``molecule/<role>/``) need, built once and cached.

- ``SCHOOLTECH_LABPC_IMAGE``: the lab-PC image (``ensure_image()``; never pulled);
- ``SCHOOLTECH_REPO_DIR``: the school repository as it is now (demo app 1.1, exam browser 2.1);
- ``SCHOOLTECH_REPO_PREVIOUS_DIR``: the repository before that release (demo app 1.0, exam
  browser 2.0), from which the scenarios' prepare steps install, so that a converge sees a
  real upgrade;
- ``ANSIBLE_ROLES_PATH``: the project's ``roles/``;
- ``SCHOOLTECH_MOLECULE_KEY`` / ``SCHOOLTECH_MOLECULE_PUBKEY``: the SSH key pair of the admin
  user ``fleetadmin``. The scenarios reach their lab PCs as the fleet jobs do: real SSH to
  sshd on 127.0.0.1 (host network, a fixed port per scenario and PC, 32110-32142, outside the
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

import os
import shlex
from pathlib import Path

from schooltech_fleet.paths import cache_dir
from schooltech_fleet.sim.aptrepo import build_repo
from schooltech_fleet.sim.image import ensure_image
from schooltech_fleet.sim.pcs import ensure_ssh_keypair

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("lab_baseline", "lab_software", "patching", "licensing")
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
    build_repo(current, CURRENT)
    build_repo(previous, PREVIOUS)
    env = {
        "SCHOOLTECH_LABPC_IMAGE": ensure_image(),
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
