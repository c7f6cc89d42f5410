"""The backup store holds no secret, commits only on real change, and is private to this user."""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

import pytest

from schooltech_fleet.network import backups
from schooltech_fleet.network.platforms import platform

DATA = Path(__file__).parent / "secrets"
IOS = platform("cisco_ios")


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def shown(name: str) -> str:
    """A whole running config with every kind of secret of its platform (see test_redact.py)."""
    return re.sub(r"⟦(.*?)⟧", r"\1", (DATA / f"{name}.cfg").read_text(encoding="utf-8"))


def secrets_of(name: str) -> list[str]:
    return re.findall(r"⟦(.*?)⟧", (DATA / f"{name}.cfg").read_text(encoding="utf-8"))


def everything_in(repository: Path) -> str:
    """Every byte git keeps: the work tree and every revision of every file, with the commit messages."""
    history = subprocess.run(["git", "log", "-p", "--all", "--format=%B"], cwd=repository, capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    files = "".join(p.read_text(errors="replace") for p in repository.rglob("*.cfg"))
    return history + files


@pytest.mark.parametrize("name", ["cisco_ios", "hp_procurve"])
def test_the_store_holds_no_secret_and_reads_back_placeholders(name: str, state: Path) -> None:
    saved = backups.save("RLS", "RLS-SW-ACC", shown(name), "test", platform=platform(name))
    stored = everything_in(state / "backups")

    assert saved.changed
    assert [secret for secret in secrets_of(name) if secret in stored] == []
    assert "CANARY" not in stored and "<secret:" in stored
    read = backups.read("RLS", "RLS-SW-ACC", platform=platform(name))
    assert "CANARY" not in read and read == (state / "backups" / "RLS" / "RLS-SW-ACC.cfg").read_text()


def test_the_same_secrets_commit_nothing_and_a_changed_secret_commits_once(state: Path) -> None:
    first = backups.save("RLS", "RLS-SW-ACC", shown("cisco_ios"), "first", platform=IOS)
    same = backups.save("RLS", "RLS-SW-ACC", shown("cisco_ios"), "same", platform=IOS)
    rotated = shown("cisco_ios").replace("CANARY-radius-Key", "CANARY-radius-Rotated")
    changed = backups.save("RLS", "RLS-SW-ACC", rotated, "rotated", platform=IOS)

    assert (first.changed, same.changed, changed.changed) == (True, False, True)
    diff = subprocess.run(["git", "diff", first.revision, changed.revision], cwd=state / "backups",
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    changed_lines = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changed_lines) == 2 and all(re.fullmatch(r"[-+] key <secret:[0-9a-f]{8}>", line)
                                           for line in changed_lines)  # fmt: skip
    assert len(backups.history("RLS", "RLS-SW-ACC")) == 2


def test_a_revision_saved_with_secrets_before_they_were_removed_reads_back_without_them(state: Path) -> None:
    # a store written by an older schooltech: the config committed as the switch showed it
    clean = backups.save("RLS", "RLS-SW-ACC", shown("cisco_ios"), "today", platform=IOS)
    repository = state / "backups"
    (repository / "RLS" / "RLS-SW-ACC.cfg").write_text(shown("cisco_ios"))
    subprocess.run(["git", "-c", "user.name=old", "-c", "user.email=old@localhost", "commit", "-qam", "old"],
                   cwd=repository, check=True)  # fmt: skip

    legacy = backups.read("RLS", "RLS-SW-ACC", "HEAD", platform=IOS)

    assert "CANARY" not in legacy
    assert legacy == backups.read("RLS", "RLS-SW-ACC", clean.revision, platform=IOS)  # the same placeholders


def test_the_store_and_everything_git_keeps_in_it_is_private(state: Path) -> None:
    backups.save("RLS", "RLS-SW-ACC", shown("cisco_ios"), "first", platform=IOS)
    backups.save("RLS", "RLS-SW-ACC", shown("cisco_ios") + "!\n", "second", platform=IOS)

    assert_private(state / "backups", exact=True)
    assert_private(state / "locks", exact=True)
    assert stat.S_IMODE(state.stat().st_mode) == 0o700


def test_a_store_made_with_loose_modes_is_tightened(state: Path) -> None:
    repository = state / "backups"
    repository.mkdir(parents=True, mode=0o755)
    state.chmod(0o755)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repository, check=True)  # umask modes: 0755 / 0644
    (repository / "RLS").mkdir(mode=0o755)
    (repository / "RLS" / "RLS-SW-ACC.cfg").write_text("hostname RLS-SW-ACC\n")
    (repository / "RLS" / "RLS-SW-ACC.cfg").chmod(0o644)
    subprocess.run(["git", "-c", "user.name=old", "-c", "user.email=old@localhost", "add", "."], cwd=repository,
                   check=True)  # fmt: skip
    subprocess.run(["git", "-c", "user.name=old", "-c", "user.email=old@localhost", "commit", "-qm", "old"],
                   cwd=repository, check=True)  # fmt: skip
    assert (repository / ".git" / "config").stat().st_mode & 0o044  # readable by others before

    backups.save("RLS", "RLS-SW-ACC", shown("cisco_ios"), "now", platform=IOS)

    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert_private(repository)


def assert_private(root: Path, exact: bool = False) -> None:
    """Nothing below *root* for group or others; *exact*: what schooltech made, directories 0700, files 0600
    (git's read-only objects 0400). A tightened store keeps its owner bits (git's executable sample hooks)."""
    found = [root, *root.rglob("*")]
    assert len(found) > 1

    def loose(mode: int, directory: bool) -> bool:
        if exact:
            return mode != 0o700 if directory else mode not in (0o600, 0o400)
        return bool(mode & 0o077) or (directory and mode != 0o700)

    modes = {str(p.relative_to(root.parent)): oct(stat.S_IMODE(p.lstat().st_mode)) for p in found}
    assert {name: mode for name, mode in modes.items() if loose(int(mode, 8), (root.parent / name).is_dir())} == {}
