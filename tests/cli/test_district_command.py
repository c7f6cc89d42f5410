"""``schooltech patch|rebuild|license --school all`` (or ``A,B,C``): a district wave, one summary, its exit code.

The repository's schools have 10.x addresses: the session's network guard (127.0.0.0/8)
refuses each school's real job before anything is contacted, and the clock is pinned
(``SCHOOLTECH_NOW``) to put the schools inside or outside their patch windows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inventory.helpers import REPO, schooltech

from .screen import rows

INVENTORIES = str(REPO / "inventories")
MONDAY_NOON = "2026-11-16T12:00:00Z"  # lessons: every school's patch window is shut
MONDAY_EVENING = "2026-11-16T17:30:00Z"  # every school's patch window is open


@pytest.fixture(autouse=True)
def _private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COLUMNS", "80")


def test_a_canary_school_outside_its_window_stops_the_wave_and_the_summary_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCHOOLTECH_NOW", MONDAY_NOON)

    done = schooltech("patch", "-i", INVENTORIES, "--school", "all")

    assert done.returncode == 1, done.stdout + done.stderr
    table = rows(done.stdout)
    assert [(r["school"], r["status"], r["canary"]) for r in table] == [("DEMO", "skipped-window", "yes"),
        ("HZP", "not run", ""), ("OAK", "not run", ""), ("RVS", "not run", "")]  # fmt: skip
    assert table[0]["detail"] == "outside its patch window (mon, tue, wed, thu, fri 16:30-22:00)"
    assert "1 skipped-window, 3 not run;" in done.stdout
    assert "wave stopped: canary school DEMO is outside its window (its row says why)" in done.stdout


def test_every_school_of_a_list_runs_its_own_job_and_a_failed_school_makes_exit_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCHOOLTECH_NOW", MONDAY_EVENING)

    done = schooltech("license", "-i", INVENTORIES, "--school", "RVS,HZP", "--canary-schools", "none",
                      "--max-failed-schools", "2", "--schools-at-once", "2")  # fmt: skip

    assert done.returncode == 1, done.stdout + done.stderr
    table = rows(done.stdout)
    assert [(r["school"], r["status"]) for r in table] == [("HZP", "failed"), ("RVS", "failed")]
    assert table[1]["detail"].startswith("SCHOOLTECH_ALLOWED_NETWORKS allows only 127.0.0.0/8; refusing to contact")
    assert "wave stopped" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80


def test_json_holds_the_typed_summary_alone_and_skipped_schools_exit_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_NOW", MONDAY_NOON)

    done = schooltech("patch", "-i", INVENTORIES, "--school", "HZP,RVS", "--canary-schools", "none", "--json")

    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(done.stdout)
    assert summary["kind"] == "patch" and summary["wave"]["stopped"] is None
    assert [(o["school"], o["status"], o["result"]) for o in summary["wave"]["outcomes"]] == [
        ("HZP", "skipped-window", None), ("RVS", "skipped-window", None)]  # fmt: skip
    assert "patch district: starting" in done.stderr  # the progress, out of the JSON's way


@pytest.mark.parametrize(("args", "message"), [
    (["--school", "all", "--room", "C101"], "--room names PCs of one school, not of a district wave"),
    (["--school", "all", "--retry-failed", "patch-RVS-20261116T173000Z"], "--retry-failed names PCs of one school"),
    (["--school", "RVS,,HZP"], "--school 'RVS,,HZP' names an empty school"),
    (["--school", "RVS,NOPE"], "no school with code 'NOPE'"),
    (["--school", "all", "--canary-schools", "NOPE"], "canary school NOPE is not in the wave"),
    (["--school", "all", "--max-failed-schools", "-1"], "argument --max-failed-schools: '-1' is not a number"),
    (["--school", "all", "--schools-at-once", "0"], "argument --schools-at-once: '0' is not a positive number"),
    (["--school", "all", "--force-window"], "--force-window needs --reason"),
])  # fmt: skip
def test_a_wave_that_cannot_run_exits_2_before_any_school_starts(
    args: list[str], message: str, tmp_path: Path
) -> None:
    done = schooltech("patch", "-i", INVENTORIES, *args)

    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "running" not in done.stdout
    assert not list((tmp_path / "state").glob("runs/*"))
