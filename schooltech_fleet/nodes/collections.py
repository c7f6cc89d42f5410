"""The collections a node's jobs call: the project's own and those it depends on, as this controller has them.

``schooltech.fleet`` is built as ``ansible-galaxy collection build`` builds it (``galaxy.yml``'s
``build_ignore`` keeps the rest of the checkout out); its dependencies (``galaxy.yml``'s
``dependencies``) are copied from where this controller's Ansible finds them. Together they are
one bundle (``ansible_collections/<namespace>/<name>/``), kept in the cache directory under a
key made of the built collection's file checksums and the dependencies' versions: the node
holds the key of the bundle it has, so an unchanged bundle is not sent again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import NodeSetupError
from ..jobs.tuning import project_root
from ..paths import cache_dir
from .wheelhouse import COMPLETE

BUILD_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Bundle:
    path: Path  # holds ansible_collections/
    key: str
    versions: dict[str, str]  # collection -> version


def bundle() -> Bundle:
    """The collections a node needs, built or found once per key."""
    root = project_root()
    galaxy = yaml.safe_load((root / "galaxy.yml").read_text(encoding="utf-8"))
    own = f"{galaxy['namespace']}.{galaxy['name']}"
    with tempfile.TemporaryDirectory(prefix="schooltech-collection-") as work:
        built = _build(root, Path(work))
        with tarfile.open(built) as archive:
            files = _member(archive, "FILES.json")
        dependencies = {name: _installed(name, root) for name in sorted(galaxy.get("dependencies") or {})}
        versions = {own: str(galaxy["version"]), **{name: _version(path) for name, path in dependencies.items()}}
        key = hashlib.sha256(files + json.dumps(versions, sort_keys=True).encode()).hexdigest()[:16]
        target = cache_dir() / "node-collections" / key
        if not (target / COMPLETE).is_file():
            shutil.rmtree(target, ignore_errors=True)
            with tarfile.open(built) as archive:
                archive.extractall(target / "ansible_collections" / own.replace(".", "/"), filter="data")
            for name, path in dependencies.items():
                shutil.copytree(path, target / "ansible_collections" / name.replace(".", "/"),
                                ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
            (target / COMPLETE).write_text(json.dumps(versions) + "\n")
    return Bundle(target, key, versions)


def _build(root: Path, work: Path) -> Path:
    galaxy = Path(sys.executable).parent / "ansible-galaxy"
    done = subprocess.run([str(galaxy), "collection", "build", str(root), "--output-path", str(work), "--force"],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT_SECONDS, check=False)  # fmt: skip
    built = sorted(work.glob("*.tar.gz"))
    if done.returncode != 0 or not built:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise NodeSetupError(f"cannot build the collection of {root}: {said[-1] if said else 'no output'}",
                             "run 'ansible-galaxy collection build' in the checkout to see why")  # fmt: skip
    return built[0]


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise NodeSetupError(f"the built collection has no {name}")
    return member.read()


def _installed(name: str, root: Path) -> Path:
    """Where this controller's Ansible has the collection *name* (``namespace.name``)."""
    relative = Path("ansible_collections", *name.split("."))
    places = [root / ".collections", Path.home() / ".ansible" / "collections", Path("/usr/share/ansible/collections"),
              *(Path(entry) for entry in sys.path if entry)]  # fmt: skip
    for place in places:
        if (place / relative / "MANIFEST.json").is_file():
            return place / relative
    raise NodeSetupError(f"the collection {name} (a dependency of the project's) is not installed here",
                         "install it: ansible-galaxy collection install -r collections/requirements.yml")  # fmt: skip


def _version(path: Path) -> str:
    manifest = json.loads((path / "MANIFEST.json").read_text(encoding="utf-8"))
    return str(manifest["collection_info"]["version"])
