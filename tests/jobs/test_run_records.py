"""Run records: written whole or not at all; a damaged one is reported and skipped, never fatal to ``runs list``."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from inventory.helpers import schooltech

from schooltech_fleet.jobs import runs
from schooltech_fleet.jobs.model import HostResult, HostStatus, JobKind, JobResult


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def saved(run_id: str, started: str) -> JobResult:
    run_id, _ = runs.new_run_dir(run_id)
    host = HostResult("RVS-C101-PC01", HostStatus.FAILED, failed_task="upgrade", message="no space")
    result = JobResult(run_id, JobKind.PATCH, "RVS", False, started, started, 1.5, (host,))
    runs.save(result)
    return result


def test_a_saved_result_reads_back_the_same_and_leaves_no_temporary_file(state: Path) -> None:
    result = saved("patch-RVS-20261128T180000Z", "2026-11-28T18:00:00+00:00")

    assert runs.load(result.run_id) == result
    assert [p.name for p in (state / "runs" / result.run_id).iterdir()] == ["result.json"]
    assert stat.S_IMODE((state / "runs" / result.run_id / "result.json").stat().st_mode) == 0o600


def test_two_runs_started_in_the_same_second_get_their_own_directories(state: Path) -> None:
    first = saved("patch-RVS-20261128T180000Z", "2026-11-28T18:00:00+00:00")
    second = saved("patch-RVS-20261128T180000Z", "2026-11-28T18:00:00+00:00")
    assert (first.run_id, second.run_id) == ("patch-RVS-20261128T180000Z", "patch-RVS-20261128T180000Z-2")


@pytest.mark.parametrize("damage", ["{\"run_id\": \"patch-RVS-2", "[]", "{\"kind\": \"patch\"}", "\xff\xfe"])
def test_a_damaged_record_is_reported_and_skipped_by_runs_list(state: Path, damage: str) -> None:
    older = saved("patch-RVS-20261127T180000Z", "2026-11-27T18:00:00+00:00")
    newer = saved("patch-RVS-20261128T180000Z", "2026-11-28T18:00:00+00:00")
    broken = state / "runs" / "patch-RVS-20261126T180000Z"
    broken.mkdir()
    (broken / "result.json").write_bytes(damage.encode("latin-1"))  # a truncated write, a hand edit, a bad disk

    found = runs.listing()

    assert [r.run_id for r in found.results] == [newer.run_id, older.run_id]
    assert [d.message.split(" (")[0] for d in found.damaged] == [
        "the record of run patch-RVS-20261126T180000Z is damaged"]  # fmt: skip
    listed = schooltech("runs", "list")
    assert listed.returncode == 0, listed.stderr
    text = " ".join(listed.stdout.split())
    assert newer.run_id in text and older.run_id in text
    assert "skipped: the record of run patch-RVS-20261126T180000Z is damaged" in text
    assert f"hint: its files are in {broken}; remove that directory to forget the run" in text


def test_showing_a_damaged_run_says_what_is_wrong_and_where(state: Path) -> None:
    saved("patch-RVS-20261126T180000Z", "2026-11-26T18:00:00+00:00")
    record = state / "runs" / "patch-RVS-20261126T180000Z" / "result.json"
    record.write_text(record.read_text()[:40])

    shown = schooltech("runs", "show", "patch-RVS-20261126T180000Z")

    assert shown.returncode == 2
    assert "error: the record of run patch-RVS-20261126T180000Z is damaged (JSONDecodeError" in shown.stderr
    assert "Traceback" not in shown.stderr


def test_runs_list_with_an_unusable_state_directory_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", "/dev/null/state")
    done = schooltech("runs", "list")
    assert done.returncode == 2
    assert "cannot use /dev/null/state as a directory" in " ".join(done.stderr.split())
