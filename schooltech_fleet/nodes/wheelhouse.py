"""The wheels an execution node installs: exactly the controller's ansible-core and ansible-runner.

Nodes need no internet: the controller downloads the wheels (``pip download``, from PyPI or the
index pip is configured with) for the node's Python, C library and machine, once, into a cache
directory named after those versions, and carries them to the node. pip's own wheel travels too:
the node runs pip from it, so its Python needs no pip of its own.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import locks
from ..errors import NodeSetupError
from ..paths import cache_dir

PACKAGES = ("ansible-core", "ansible-runner")
"""What a node runs jobs with; installed at the controller's versions."""

DIRECTORY_ENV = "SCHOOLTECH_NODE_WHEELS"
"""Where the wheelhouses are kept, if not under the cache directory (``node-wheels/``)."""

COMPLETE = "COMPLETE"
"""Written last into a wheelhouse: a directory without it is a download that did not finish."""

DOWNLOAD_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class NodePython:
    """What decides which wheels a node can install: its Python, C library and machine."""

    python: str  # "3.11"
    glibc: str  # "2.36"
    machine: str  # "x86_64"

    @property
    def tag(self) -> str:
        return f"cp{self.python.replace('.', '')}-{self.machine}-glibc{self.glibc}"

    def platforms(self) -> list[str]:
        """Every manylinux platform tag this node's C library runs (``manylinux_2_17_x86_64`` up to its own)."""
        major, minor = (int(part) for part in self.glibc.split(".")[:2])
        tags = [f"manylinux_{major}_{m}_{self.machine}" for m in range(17, minor + 1)] if major == 2 else []
        return [*tags, f"manylinux2014_{self.machine}"] if tags else [f"linux_{self.machine}"]


DEBIAN_12 = NodePython("3.11", "2.36", platform.machine())
"""A Debian 12 node of this machine's kind, as the simulated one: ``scripts/bootstrap.sh`` fetches its wheels."""


def wheels_dir() -> Path:
    """``SCHOOLTECH_NODE_WHEELS``, else ``node-wheels/`` in the cache directory."""
    explicit = os.environ.get(DIRECTORY_ENV)
    return Path(explicit) if explicit else cache_dir() / "node-wheels"


def controller_versions() -> dict[str, str]:
    """The versions of ansible-core and ansible-runner (and pip, which installs them) on this controller."""
    return {name: importlib.metadata.version(name) for name in (*PACKAGES, "pip")}


def requirements(versions: dict[str, str]) -> list[str]:
    return [f"{name}=={version}" for name, version in versions.items()]


def wheelhouse_name(node: NodePython, versions: dict[str, str]) -> str:
    """The wheelhouse's directory name: the versions it holds and the node it is for."""
    return "-".join(f"{package}-{version}" for package, version in sorted(versions.items())) + f"-{node.tag}"


def wheelhouse(node: NodePython, versions: dict[str, str]) -> Path:
    """The directory of wheels for *node* at *versions*, downloaded once and then reused."""
    name = wheelhouse_name(node, versions)
    target = wheels_dir() / name
    if (target / COMPLETE).is_file():
        return target
    with locks.hold(locks.path(f"node-wheels-{name}"), "download the wheels for an execution node", wait=True):
        if (target / COMPLETE).is_file():  # another process finished it while this one waited
            return target
        partial = target.with_name(f"{target.name}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        _download(node, versions, partial)
        (partial / COMPLETE).write_text("\n".join(requirements(versions)) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
    return target


def _download(node: NodePython, versions: dict[str, str], into: Path) -> None:
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "--only-binary=:all:", "--implementation", "cp", "--python-version", node.python,
               *(word for abi in (f"cp{node.python.replace('.', '')}", "abi3", "none") for word in ("--abi", abi)),
               *(word for platform in node.platforms() for word in ("--platform", platform)),
               "--dest", str(into), *requirements(versions)]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        took = f"pip download of {', '.join(requirements(versions))} took over {DOWNLOAD_TIMEOUT_SECONDS} s"
        raise NodeSetupError(took, "check this machine's access to PyPI") from exc
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise NodeSetupError(
            f"cannot download the wheels for the node (Python {node.python}, {node.machine}, glibc {node.glibc}): "
            f"{said[-1] if said else f'pip exit {done.returncode}'}",
            "this machine downloads them from PyPI (or pip's configured index): check its network or pip.conf",
        )  # fmt: skip
