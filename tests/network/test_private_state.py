"""What schooltech keeps for switches in the state directory is this user's only, also where it was looser."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from schooltech_fleet import journal
from schooltech_fleet.jobs.locks import school_lock
from schooltech_fleet.network import hostkeys, redact
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.push import switch_lock


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def test_what_schooltech_makes_for_switches_is_private_from_the_start(state: Path) -> None:
    with switch_lock("RLS-SW-ACC", "test"), school_lock("RLS", "test"):
        pass
    journal.record({"event": "test"})
    redact.text(platform("cisco_ios"), "enable secret 0 x\n")

    assert mode(state) == 0o700
    assert mode(state / "locks") == 0o700
    assert {p.name: mode(p) for p in (state / "locks").iterdir()} == {
        "switch-RLS-SW-ACC.lock": 0o600, "RLS.lock": 0o600, "journal.lock": 0o600}  # fmt: skip
    assert mode(state / "audit.jsonl") == 0o600
    assert mode(state / "fingerprint.key") == 0o600


def test_a_state_directory_left_looser_is_tightened(state: Path) -> None:
    # as an older schooltech (or a umask of 022) left it
    (state / "locks").mkdir(parents=True)
    for path, loose in ((state, 0o755), (state / "locks", 0o775)):
        path.chmod(loose)
    for name in ("switch-RLS-SW-ACC.lock", "RLS.lock"):
        (state / "locks" / name).touch(mode=0o644)
    (state / "audit.jsonl").write_text("")
    (state / "audit.jsonl").chmod(0o640)
    (state / "fingerprint.key").write_text("ab" * 32 + "\n")
    (state / "fingerprint.key").chmod(0o644)
    (state / "switch_known_hosts").write_text("")
    (state / "switch_known_hosts").chmod(0o644)

    with switch_lock("RLS-SW-ACC", "test"), school_lock("RLS", "test"):
        pass
    journal.record({"event": "test"})
    redact.text(platform("cisco_ios"), "enable secret 0 x\n")
    hostkeys.recorded(hostkeys.default_file(), "10.0.0.2", 22)

    assert [mode(p) for p in (state, state / "locks")] == [0o700, 0o700]
    assert {mode(p) for p in (state / "locks").iterdir()} == {0o600}
    assert {name: mode(state / name) for name in ("audit.jsonl", "fingerprint.key", "switch_known_hosts")} == {
        "audit.jsonl": 0o600, "fingerprint.key": 0o600, "switch_known_hosts": 0o600}  # fmt: skip
