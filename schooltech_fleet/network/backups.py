"""The switch backup store: a git repository with one file per switch, one commit per real change.

Like Oxidized, but in the same tool: ``<school>/<switch>.cfg`` holds the running
config with volatile lines (timestamps, counters) removed, so a commit appears only
when the configuration really changed, with a message naming the job and the user.
A revision is a commit id (or any name git understands, such as ``HEAD~2``).
"""

from __future__ import annotations

import getpass
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import FleetError, UsageError
from ..paths import state_dir

_LOCK = threading.Lock()  # one git operation at a time (pushes back up from a worker pool)
_IDENTITY = ["-c", "user.name=schooltech-fleet", "-c", "user.email=schooltech-fleet@localhost"]


class BackupError(FleetError):
    """The backup store could not be read or written."""


@dataclass(frozen=True)
class Saved:
    path: str
    revision: str
    changed: bool  # False: the config was identical to the last backup, nothing committed


def store() -> Path:
    path = state_dir() / "backups"
    if not (path / ".git").is_dir():
        path.mkdir(parents=True, exist_ok=True)
        _git(path, "init", "-q", "-b", "main")
    return path


def _git(repo: Path, *args: str, check: bool = True) -> str:
    try:
        result = subprocess.run(["git", *_IDENTITY, *args], cwd=repo, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError("git is not installed", "sudo apt-get install git (scripts/setup-host.sh does)") from exc
    if check and result.returncode != 0:
        raise BackupError(f"git {args[0]} failed in {repo}: {result.stderr.strip()}")
    return result.stdout


def relative_path(school: str, switch: str) -> str:
    return f"{school}/{switch}.cfg"


def save(school: str, switch: str, config: str, reason: str) -> Saved:
    """Store *config* (already normalised) and commit it if it differs from the last backup."""
    path = relative_path(school, switch)
    with _LOCK:
        repo = store()
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(config, encoding="utf-8")
        _git(repo, "add", "--", path)
        if _git(repo, "status", "--porcelain", "--", path).strip():
            _git(repo, "commit", "-q", "-m", f"{switch}: {reason} (by {getpass.getuser()})", "--", path)
            changed = True
        else:
            changed = False
        revision = _git(repo, "log", "-1", "--format=%h", "--", path).strip()
    return Saved(path, revision, changed)


def read(school: str, switch: str, revision: str = "HEAD") -> str:
    """The backed-up config of *switch* at *revision*."""
    path = relative_path(school, switch)
    with _LOCK:
        repo = store()
        if not _git(repo, "rev-parse", "--verify", "-q", f"{revision}^{{commit}}", check=False).strip():
            raise UsageError(f"no backup revision {revision!r}", f"see 'schooltech net history --switch {switch}'")
        result = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=repo, capture_output=True, text=True,
                                check=False)  # fmt: skip
    if result.returncode != 0:
        raise UsageError(
            f"revision {revision} has no backup of {switch}", f"see 'schooltech net history --switch {switch}'"
        )
    return result.stdout


def history(school: str, switch: str, limit: int = 20) -> list[tuple[str, str, str]]:
    """(revision, date, message) of the backups of *switch*, newest first."""
    with _LOCK:
        out = _git(store(), "log", f"-{limit}", "--format=%h%x09%cI%x09%s", "--", relative_path(school, switch))
    return [tuple(line.split("\t", 2)) for line in out.splitlines() if line]  # type: ignore[misc]
