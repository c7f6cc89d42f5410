"""A state directory a team shares: technicians and CI runners of one group take the same locks and
see one history, and nothing schooltech keeps there is ever open to anyone outside the group.

Two OS users cannot be simulated here (the suite runs as root, for whom permissions do not
apply), so these tests prove the modes a second member needs, and the locking and the one
history across processes with different user names.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from inventory.helpers import schooltech

from schooltech_fleet import journal, locks
from schooltech_fleet.jobs import runs
from schooltech_fleet.jobs.locks import school_lock
from schooltech_fleet.jobs.model import HostResult, HostStatus, JobKind, JobResult
from schooltech_fleet.network import backups, redact
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.push import switch_lock

MEMBER = """
import sys
from schooltech_fleet import journal
from schooltech_fleet.jobs.locks import school_lock
with school_lock("RVS", "patch (" + sys.argv[1] + ")"):
    journal.record({"event": "lab-job", "phase": "start", "school": "RVS", "run_id": sys.argv[1]})
    print("held", flush=True)
    sys.stdin.readline()
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state directory as an administrator makes it for a team: ``install -d -m 2770 -g GROUP``."""
    path = tmp_path / "schooltech"
    path.mkdir()
    path.chmod(0o2770)
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(path))
    return path


@pytest.fixture
def tight_umask() -> Iterator[None]:
    """A member whose umask would keep the group out, were modes left to it."""
    previous = os.umask(0o077)
    yield
    os.umask(previous)


def a_result(run_id: str) -> JobResult:
    return JobResult(run_id, JobKind.PATCH, "RVS", False, "2026-11-28T18:00:00+00:00", "2026-11-28T18:01:00+00:00",
                     60.0, (HostResult("RVS-C101-PC01", HostStatus.CHANGED, ok=3, changed=1),))  # fmt: skip


def use_every_part_of_the_state() -> None:
    with switch_lock("RVS-SW-A1", "push (a test)"), school_lock("RVS", "patch (a test)"):
        pass
    journal.record({"event": "test"})
    run_id, run_dir = runs.new_run_dir("patch-RVS-20261128T180000Z")
    (run_dir / "artifacts").mkdir(mode=0o755)  # as ansible-runner leaves them, with the umask 022 of a login
    (run_dir / "artifacts" / "stdout").write_text("...")
    (run_dir / "artifacts" / "stdout").chmod(0o644)
    runs.save(a_result(run_id))
    redact.text(platform("cisco_ios"), "enable secret 0 x\n")
    backups.save("RVS", "RVS-SW-A1", "hostname RVS-SW-A1\n", "a test", platform=platform("cisco_ios"))


@pytest.mark.usefixtures("tight_umask")
def test_what_is_made_in_a_shared_state_directory_is_the_groups_and_nobody_elses(team: Path) -> None:
    use_every_part_of_the_state()

    assert mode(team) == 0o2770  # kept as the administrator made it
    for directory in ("locks", "runs", "runs/patch-RVS-20261128T180000Z", "backups", "backups/RVS"):
        assert mode(team / directory) == 0o2770, directory
    for file in ("locks/RVS.lock", "locks/switch-RVS-SW-A1.lock", "locks/journal.lock", "audit.jsonl",
                 "runs/patch-RVS-20261128T180000Z/result.json", "runs/patch-RVS-20261128T180000Z/artifacts/stdout",
                 "fingerprint.key", "backups/RVS/RVS-SW-A1.cfg"):  # fmt: skip
        assert mode(team / file) == 0o660, file
    store = team / "backups"
    shared = subprocess.run(["git", "-c", f"safe.directory={store}", "config", "core.sharedRepository"], cwd=store,
                            capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    assert shared in {"1", "group"}
    objects = [p for p in (team / "backups" / ".git" / "objects").rglob("*") if p.is_file()]
    assert objects and {mode(p) for p in objects} == {0o440}  # git's read-only objects, readable by the group
    assert [str(p) for p in [team, *team.rglob("*")] if not p.is_symlink() and mode(p) & 0o007] == []


def test_what_an_older_version_left_private_in_a_shared_directory_gets_the_groups_access(team: Path) -> None:
    (team / "locks").mkdir(mode=0o700)
    (team / "locks" / "RVS.lock").touch(mode=0o600)
    (team / "audit.jsonl").touch(mode=0o644)

    with school_lock("RVS", "patch (a test)"):
        pass
    journal.record({"event": "test"})

    assert [mode(team / "locks"), mode(team / "locks" / "RVS.lock"), mode(team / "audit.jsonl")] == [
        0o2770, 0o660, 0o660]  # fmt: skip


@pytest.mark.parametrize("made", [0o700, 0o755, 0o2750])
def test_a_state_directory_not_shared_with_a_group_stays_or_becomes_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made: int
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    state.chmod(made)  # 2750: setgid, but the group may not write: not a team's directory
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(state))

    use_every_part_of_the_state()

    assert mode(state) & 0o077 == 0
    assert [str(p) for p in state.rglob("*") if not p.is_symlink() and mode(p) & 0o077] == []


def test_two_members_of_a_team_exclude_each_other_and_share_one_history(team: Path) -> None:
    alice = subprocess.Popen([sys.executable, "-c", MEMBER, "patch-RVS-alice"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "LOGNAME": "alice"})  # fmt: skip
    assert alice.stdout is not None and alice.stdout.readline() == "held\n"
    ci = subprocess.run([sys.executable, "-c", MEMBER, "patch-RVS-ci"], capture_output=True, text=True, check=False,
                        env={**os.environ, "LOGNAME": "ci-runner"})  # fmt: skip
    alice.communicate("\n", timeout=60)
    after = subprocess.run([sys.executable, "-c", MEMBER, "patch-RVS-ci"], input="\n", capture_output=True,
                           text=True, check=False, env={**os.environ, "LOGNAME": "ci-runner"})  # fmt: skip

    assert ci.returncode != 0
    assert f"school RVS is busy: patch (patch-RVS-alice) by alice on {os.uname().nodename} (pid {alice.pid})" in (
        ci.stderr)  # fmt: skip
    assert after.returncode == 0, after.stderr
    assert [(e["user"], e["run_id"]) for e in journal.entries()] == [("alice", "patch-RVS-alice"),
                                                                     ("ci-runner", "patch-RVS-ci")]  # fmt: skip
    assert journal.verify().intact
    shown = schooltech("audit", "show")
    assert "alice@" in shown.stdout and "ci-runner@" in shown.stdout


def test_a_lock_taken_in_a_shared_directory_names_its_holder_to_the_next_member(team: Path) -> None:
    with school_lock("RVS", "rebuild (a test)"), pytest.raises(locks.Busy) as busy, school_lock("RVS", "patch"):
        pass
    assert busy.value.holder is not None and busy.value.holder.what == "rebuild (a test)"
    assert json.loads(locks.path("RVS").read_text() or "{}") == {}  # released: nobody described
