"""The switch backup store: a git repository with one file per switch, one commit per real change.

Like Oxidized, but in the same tool: ``<school>/<switch>.cfg`` holds the running
config with volatile lines (timestamps, counters) removed, so a commit appears only
when the configuration really changed, with a message naming the job and the user.
A revision is a commit id (or any name git understands, such as ``HEAD~2``).

The store holds no secret: what is saved, and what is read back (a revision written
before secrets were removed, too), has every secret replaced by its placeholder
(:mod:`.redact`). The same secret gives the same placeholder, so an unchanged switch
makes no commit, and a restore compares placeholders with placeholders. It is private
all the same: directories ``0700``, files ``0600`` (git's read-only objects ``0400``),
git run with umask ``077``; a store made looser (by an older version) is tightened. In
a state directory shared with a group (:mod:`schooltech_fleet.private`) it is the group's
repository: git's ``core.sharedRepository=group``, umask ``007``, directories ``2770``,
files ``0660``, and git trusts it whichever member of the group made it.
"""

from __future__ import annotations

import contextlib
import getpass
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import locks, private
from ..errors import FleetError, UsageError
from ..paths import state_dir
from . import redact
from .platforms import Platform

_IDENTITY = ["-c", "user.name=schooltech-fleet", "-c", "user.email=schooltech-fleet@localhost"]
_FOUND = re.compile(rb"[0-9a-f]{40,64} (?P<type>[a-z]+) (?P<size>[0-9]+)")  # git cat-file --batch
_settled: set[Path] = set()  # stores whose existing files were put right by this process


class BackupError(FleetError):
    """The backup store could not be read or written."""


@dataclass(frozen=True)
class Saved:
    path: str
    revision: str
    changed: bool  # False: the config was identical to the last backup, nothing committed


def store() -> Path:
    """The store's directory, made (private or the group's, no git hooks) on first use, put right once per process."""
    path = private.directory(state_dir() / "backups")
    team = private.shared(path)
    if not (path / ".git").is_dir():
        _git(path, "init", "-q", "-b", "main", "--template=", *(["--shared=group"] if team else []))
    if path not in _settled:
        if team:  # a store made private before its state directory was shared
            _git(path, "config", "core.sharedRepository", "group")
        private.conform_tree(path)
        _settled.add(path)
    return path


@contextlib.contextmanager
def _locked() -> Iterator[Path]:
    """The store, to one thread of one process at a time (a nightly backup may overlap a push's worker pool)."""
    with locks.hold(locks.path("backups"), "a backup store operation", wait=True):
        yield store()


def _run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        # umask: what git writes is this user's only, or the group's too in a shared store; safe.directory: a
        # shared store belongs to whichever member made it, and git refuses a repository of another owner
        return subprocess.run(["git", *_IDENTITY, "-c", f"safe.directory={repo}", *args], cwd=repo,
                              capture_output=True, text=True, check=False,
                              umask=0o007 if private.shared(repo) else 0o077)  # fmt: skip
    except FileNotFoundError as exc:
        raise BackupError("git is not installed", "sudo apt-get install git (scripts/setup-host.sh does)") from exc


def _git(repo: Path, *args: str, check: bool = True) -> str:
    result = _run(repo, *args)
    if check and result.returncode != 0:
        raise BackupError(f"git {args[0]} failed in {repo}: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def relative_path(school: str, switch: str) -> str:
    return f"{school}/{switch}.cfg"


def save(school: str, switch: str, config: str, reason: str, *, platform: Platform) -> Saved:
    """Store *config* (already normalised; secrets removed here) and commit it if it differs from the last backup."""
    config = redact.text(platform, config)
    path = relative_path(school, switch)
    with _locked() as repo:
        target = repo / path
        if target.is_file() and target.read_text(encoding="utf-8") == config and _committed(repo, path):
            changed = False
        else:
            private.directory(target.parent)
            private.write_text(target, config)
            _git(repo, "add", "--", path)
            changed = _commit(repo, path, f"{switch}: {reason} (by {getpass.getuser()})")
        revision = _git(repo, "log", "-1", "--format=%h", "--", path).strip()
    return Saved(path, revision, changed)


def _committed(repo: Path, path: str) -> bool:
    """Whether *path* is in the last commit exactly as it is on disk."""
    return not _git(repo, "status", "--porcelain", "--", path).strip()


def _commit(repo: Path, path: str, message: str) -> bool:
    """Commit the staged *path*; False when it equals its last commit (nothing to commit)."""
    result = _run(repo, "commit", "-q", "-m", message, "--", path)
    if result.returncode == 0:
        return True
    if _run(repo, "diff", "--cached", "--quiet", "--", path).returncode == 0:
        return False  # the file was rewritten with the text it already had in the store
    raise BackupError(f"git commit failed in {repo}: {result.stderr.strip() or result.stdout.strip()}")


def read(school: str, switch: str, revision: str = "HEAD", *, platform: Platform) -> str:
    """The backed-up config of *switch* at *revision*, without secrets (even in a revision saved with them)."""
    path = relative_path(school, switch)
    with _locked() as repo:
        if not _git(repo, "rev-parse", "--verify", "-q", f"{revision}^{{commit}}", check=False).strip():
            raise _no_revision(revision, switch)
        result = _run(repo, "show", f"{revision}:{path}")
    if result.returncode != 0:
        raise _no_backup(revision, switch)
    return redact.text(platform, result.stdout)


@dataclass(frozen=True)
class Wanted:
    """A switch whose backup :func:`read_each` reads."""

    school: str
    switch: str
    platform: Platform


def read_each(wanted: Sequence[Wanted], revision: str = "HEAD") -> list[str | UsageError]:
    """What :func:`read` gives (or raises) for each of *wanted*, in order, read by one git process.

    One ``git cat-file --batch`` answers every switch: for a district's 500 switches that is one
    process instead of a thousand. The first request is the revision itself, so a revision git
    does not know is told apart from a switch it holds no backup of, as :func:`read` does.
    """
    commit = f"{revision}^{{commit}}"
    requests = [commit, *(f"{commit}:{relative_path(w.school, w.switch)}" for w in wanted)]
    with _locked() as repo:
        answers = [None] if "\n" in revision else _batch(repo, requests)  # one request a line: no name holds one
    if answers[0] is None:
        return [_no_revision(revision, w.switch) for w in wanted]
    return [redact.text(w.platform, text) if text is not None else _no_backup(revision, w.switch)
            for w, text in zip(wanted, answers[1:], strict=True)]  # fmt: skip


def _batch(repo: Path, requests: Sequence[str]) -> list[str | None]:
    """The content of each object named in *requests* (None: git has no such object, or it is a tree)."""
    try:
        result = subprocess.run(["git", *_IDENTITY, "-c", f"safe.directory={repo}", "cat-file", "--batch"],
                                cwd=repo, input="".join(f"{r}\n" for r in requests).encode("utf-8"),
                                capture_output=True, check=False)  # fmt: skip
    except FileNotFoundError as exc:
        raise BackupError("git is not installed", "sudo apt-get install git (scripts/setup-host.sh does)") from exc
    if result.returncode != 0:
        raise BackupError(f"git cat-file failed in {repo}: {result.stderr.decode(errors='replace').strip()}")
    out, at = result.stdout, 0
    answers: list[str | None] = []
    for _ in requests:
        end = out.index(b"\n", at)
        found = _FOUND.fullmatch(out[at:end])  # else "<name> missing" (or "ambiguous"): nothing follows
        at = end + 1
        if found is None:
            answers.append(None)
            continue
        size = int(found["size"])
        content, at = out[at : at + size], at + size + 1  # a newline ends the content
        # the text read() gets from git show in text mode: UTF-8 (as save() writes it), universal newlines
        text = content.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n") if found["type"] == b"blob" else ""
        answers.append(text if found["type"] in (b"blob", b"commit") else None)
    return answers


def _no_revision(revision: str, switch: str) -> UsageError:
    return UsageError(f"no backup revision {revision!r}", f"see 'schooltech net history --switch {switch}'")


def _no_backup(revision: str, switch: str) -> UsageError:
    return UsageError(f"revision {revision} has no backup of {switch}",
                      f"see 'schooltech net history --switch {switch}'")  # fmt: skip


def history(school: str, switch: str, limit: int = 20) -> list[tuple[str, str, str]]:
    """(revision, date, message) of the backups of *switch*, newest first."""
    with _locked() as repo:
        out = _git(repo, "log", f"-{limit}", "--format=%h%x09%cI%x09%s", "--", relative_path(school, switch))
    return [tuple(line.split("\t", 2)) for line in out.splitlines() if line]  # type: ignore[misc]
