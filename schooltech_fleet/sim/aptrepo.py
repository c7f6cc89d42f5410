"""The school's own APT repository: small real .deb packages in an offline, flat repository.

Lab PCs see the repository through a read-only mount at ``REPO_MOUNT`` and use it with the
line in ``SOURCES_LINE`` (which the lab roles write to ``SOURCES_FILE``). ``published`` says
which version of each package the repository offers now, so a test can publish
``schooltech-demo-app`` 1.0, provision PCs, publish 1.1 and watch a real upgrade.

Builds are deterministic: the same ``published`` mapping gives byte-identical files.
"""

from __future__ import annotations

import gzip
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from schooltech_fleet.errors import UsageError
from schooltech_fleet.sim.prereqs import run_host_command

REPO_MOUNT = "/srv/schooltech-repo"
#: the apt source the lab roles must write (flat repository, no signature: ``trusted=yes``)
SOURCES_LINE = f"deb [trusted=yes] file:{REPO_MOUNT} ./"
SOURCES_FILE = "/etc/apt/sources.list.d/schooltech.list"

SOURCE_DATE_EPOCH = 1_700_000_000
MAINTAINER = "School IT <it@school.example>"
_DEB_RE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9+.-]+)_(?P<version>[^_]+)_all\.deb$")


@dataclass(frozen=True)
class PackageRecipe:
    """One version of one school package: its description and the files it installs."""

    name: str
    version: str
    description: str
    files: Mapping[str, tuple[int, str]] = field(default_factory=dict)  # path -> (mode, content)
    conffiles: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        """The .deb file name in the repository."""
        return f"{self.name}_{self.version}_all.deb"


def _script(name: str, version: str, extra: str = "") -> str:
    return f'#!/bin/sh\n# {name} (schooltech simulation package)\necho "{name} {version}"\n{extra}'


def _demo_app(version: str) -> PackageRecipe:
    name = "schooltech-demo-app"
    return PackageRecipe(
        name,
        version,
        "demo application the school rolls out and patches",
        {
            f"/opt/{name}/VERSION": (0o644, f"{version}\n"),
            f"/usr/bin/{name}": (0o755, _script(name, version)),
        },
    )


def _exam_browser(version: str) -> PackageRecipe:
    name = "schooltech-exam-browser"
    return PackageRecipe(
        name,
        version,
        "locked-down browser for exams",
        {
            f"/usr/bin/{name}": (0o755, _script(name, version)),
            "/etc/schooltech/exam-browser.conf": (0o644, "start_url=https://exam.school.example/\nkiosk=true\n"),
        },
        conffiles=("/etc/schooltech/exam-browser.conf",),
    )


_SHOW_KEY = "cat /etc/schooltech/licence.key 2>/dev/null\n"


def _licence_agent(version: str) -> PackageRecipe:
    name = "schooltech-licence-agent"
    return PackageRecipe(
        name,
        version,
        "reports installed licensed software to the school's licence server",
        {
            f"/usr/bin/{name}": (0o755, _script(name, version, _SHOW_KEY)),
            f"/usr/share/doc/{name}/README": (0o644, "Put the site key into /etc/schooltech/licence.key.\n"),
        },
    )


#: every package version the simulation can publish: name -> version -> recipe
CATALOG: dict[str, dict[str, PackageRecipe]] = {
    "schooltech-demo-app": {v: _demo_app(v) for v in ("1.0", "1.1")},
    "schooltech-exam-browser": {v: _exam_browser(v) for v in ("2.0", "2.1")},
    "schooltech-licence-agent": {v: _licence_agent(v) for v in ("1.0",)},
}


def build_repo(repo_dir: Path, published: Mapping[str, str]) -> dict[str, str]:
    """Make ``repo_dir`` a flat APT repository offering exactly ``published`` (name -> version).

    Returns the published mapping. Unknown packages or versions raise UsageError.
    """
    recipes = [_recipe(name, version) for name, version in sorted(published.items())]
    repo_dir.mkdir(parents=True, exist_ok=True)
    repo_dir.chmod(0o755)  # apt reads it as the unprivileged _apt user
    wanted = {recipe.filename for recipe in recipes}
    for stale in repo_dir.glob("*.deb"):
        if stale.name not in wanted:
            stale.unlink()
    for recipe in recipes:
        if not (repo_dir / recipe.filename).exists():
            build_deb(recipe, repo_dir)
    _write_indexes(repo_dir)
    return dict(sorted(published.items()))


def published_versions(repo_dir: Path) -> dict[str, str]:
    """What ``repo_dir`` offers now: package name -> version."""
    found: dict[str, str] = {}
    for deb in sorted(repo_dir.glob("*.deb")):
        match = _DEB_RE.match(deb.name)
        if match:
            found[match["name"]] = match["version"]
    return found


def publish(repo_dir: Path, name: str, version: str) -> dict[str, str]:
    """Offer ``version`` of ``name`` (replacing any other version); return what is published."""
    current = published_versions(repo_dir)
    current[name] = version
    return build_repo(repo_dir, current)


def withdraw(repo_dir: Path, name: str) -> dict[str, str]:
    """Stop offering ``name``; return what is published."""
    current = published_versions(repo_dir)
    current.pop(name, None)
    return build_repo(repo_dir, current)


def _recipe(name: str, version: str) -> PackageRecipe:
    versions = CATALOG.get(name)
    if versions is None:
        raise UsageError(f"unknown school package {name!r}", hint=f"known: {', '.join(sorted(CATALOG))}")
    recipe = versions.get(version)
    if recipe is None:
        raise UsageError(
            f"no version {version!r} of {name}", hint=f"available: {', '.join(sorted(versions))}"
        )
    return recipe


def build_deb(recipe: PackageRecipe, out_dir: Path) -> Path:
    """Build ``recipe`` into ``out_dir`` with ``dpkg-deb --build``; return the .deb path."""
    with tempfile.TemporaryDirectory(prefix="schooltech-deb-") as tmp:
        staging = Path(tmp) / "root"
        _stage(recipe, staging)
        target = Path(tmp) / recipe.filename
        run_host_command(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(staging), str(target)],
            what=f"build {recipe.filename}",
            env={"SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH)},
        )
        final = out_dir / recipe.filename
        shutil.move(target, final)
        final.chmod(0o644)
    return final


def _stage(recipe: PackageRecipe, staging: Path) -> None:
    """Lay out the package tree (DEBIAN/ control files and payload) with fixed modes and times."""
    control = (
        f"Package: {recipe.name}\nVersion: {recipe.version}\nArchitecture: all\n"
        f"Maintainer: {MAINTAINER}\nSection: misc\nPriority: optional\n"
        f"Description: {recipe.description}\n"
    )
    entries: dict[str, tuple[int, str]] = {"/DEBIAN/control": (0o644, control), **recipe.files}
    if recipe.conffiles:
        entries["/DEBIAN/conffiles"] = (0o644, "".join(f"{path}\n" for path in recipe.conffiles))
    for path, (mode, content) in entries.items():
        target = staging / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        target.chmod(mode)
    for item in [staging, *staging.rglob("*")]:
        if item.is_dir():
            item.chmod(0o755)
        os.utime(item, (SOURCE_DATE_EPOCH, SOURCE_DATE_EPOCH))


def _write_indexes(repo_dir: Path) -> None:
    """Write Packages, Packages.gz and Release (fixed date) atomically."""
    release_path = repo_dir / "Release"
    previous = release_path.stat().st_mtime if release_path.exists() else 0.0
    packages = run_host_command(
        ["apt-ftparchive", "packages", "."], what="index the school repository", cwd=repo_dir
    ).stdout
    _atomic_write(repo_dir / "Packages", packages.encode())
    _atomic_write(repo_dir / "Packages.gz", gzip.compress(packages.encode(), mtime=0))
    date = datetime.fromtimestamp(SOURCE_DATE_EPOCH, tz=UTC).strftime("%a, %d %b %Y %H:%M:%S UTC")
    release = run_host_command(
        [
            "apt-ftparchive",
            "-o", f"APT::FTPArchive::Release::Date={date}",
            "-o", "APT::FTPArchive::Release::Origin=schooltech",
            "-o", "APT::FTPArchive::Release::Label=schooltech school packages",
            "-o", "APT::FTPArchive::Release::Architectures=all",
            "-o", "APT::FTPArchive::Release::Default-Patterns=false",
            "-o", "APT::FTPArchive::Release::Patterns::=Packages",
            "-o", "APT::FTPArchive::Release::Patterns::=Packages.gz",
            "release", ".",
        ],
        what="write the school repository's Release file",
        cwd=repo_dir,
    ).stdout
    _atomic_write(release_path, release.encode())
    # apt's file: method compares modification times in whole seconds (If-Modified-Since): an
    # index rewritten within the second a PC last read it would look unchanged to that PC
    stamp = max(time.time(), math.floor(previous) + 1)
    for name in ("Packages", "Packages.gz", "Release"):
        os.utime(repo_dir / name, (stamp, stamp))


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o644)
    os.replace(tmp, path)
