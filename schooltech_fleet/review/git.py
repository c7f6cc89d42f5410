"""Files as they were at a git revision, read from the object store: the work tree is never touched."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import PrerequisiteError, UsageError

WORK_TREE = "work tree"


@dataclass(frozen=True)
class Revision:
    """A revision as the user named it, the commit it names (None: the work tree) and that commit's date."""

    name: str
    commit: str | None = None
    date: dt.date | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.commit[:7]})" if self.commit else self.name


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise PrerequisiteError("git is not installed", "install it: apt-get install git") from exc


def toplevel(path: Path) -> Path:
    """The top of the git work tree that holds *path* (which need not exist any more)."""
    start = path.resolve()
    while not start.is_dir():
        start = start.parent
    done = _git(start, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        problem = done.stderr.decode().strip().splitlines()[0] if done.stderr.strip() else ""
        if "not a git repository" not in problem:  # e.g. git's "dubious ownership" refusal
            raise UsageError(f"{path}: git cannot read its repository: {problem}")
        raise UsageError(f"{path}: not inside a git repository",
                         "run schooltech diff in a clone of the repository that holds the inventory")  # fmt: skip
    return Path(done.stdout.decode().strip()).resolve()


def resolve(repo: Path, name: str) -> Revision:
    """The commit *name* (a branch, tag, ``HEAD~2``, a hash) names in *repo*."""
    unknown = UsageError(f"unknown revision {name!r}",
                         "name a branch, tag or commit of this repository; in CI fetch it first "
                         "(git fetch origin main, or a full clone: actions/checkout with fetch-depth: 0)")  # fmt: skip
    if name.startswith("-"):
        raise unknown
    done = _git(repo, "show", "--no-patch", "--format=%H %cI", "--end-of-options", f"{name}^{{commit}}", "--")
    if done.returncode != 0:
        raise unknown
    commit, date = done.stdout.decode().split()
    return Revision(name, commit, dt.datetime.fromisoformat(date).date())


def export(repo: Path, commit: str, subtree: str, target: Path) -> int:
    """Write the files under *subtree* (relative to *repo*; ``.`` for all) at *commit* into *target*,
    at the same relative paths. Returns how many files there were (0: none at that revision)."""
    listing = _git(repo, "--literal-pathspecs", "ls-tree", "-r", "-z", commit, "--", subtree)
    if listing.returncode != 0:
        raise UsageError(f"cannot list {subtree} at {commit[:7]}: {listing.stderr.decode().strip()}")
    blobs: list[tuple[str, str]] = []  # (object, path)
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, obj = meta.decode().split()
        if kind == "blob" and mode != "120000":  # symbolic links are left out
            blobs.append((obj, os.fsdecode(name)))
    if not blobs:
        return 0
    contents = _git(repo, "cat-file", "--batch", stdin="".join(f"{obj}\n" for obj, _ in blobs).encode())
    if contents.returncode != 0:
        raise UsageError(f"cannot read {subtree} at {commit[:7]}: {contents.stderr.decode().strip()}")
    data, offset = contents.stdout, 0
    for _, path in blobs:
        header_end = data.index(b"\n", offset)
        size = int(data[offset:header_end].split()[2])
        start = header_end + 1
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data[start : start + size])
        offset = start + size + 1  # the content is followed by a newline
    return len(blobs)
