"""A lab job on several schools: which schools, which canary, which calendar window, and the real job per school.

The scheduling itself is test_wave.py's. Here the wave runs the real single-school job
(``run_job``) on the repository's schools, whose PCs have 10.x addresses: the session's
network guard (127.0.0.0/8, tests/conftest.py) refuses each of them before anything is
contacted, which is a real failure of a real school. Running the real playbooks on several
schools at once needs the simulation (issue 15, item 7).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from inventory.helpers import REPO

from schooltech_fleet import journal
from schooltech_fleet.errors import UsageError
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.fleet import Fleet, Host, UnknownSchool
from schooltech_fleet.jobs import JobKind
from schooltech_fleet.jobs.district import (
    DistrictRequest,
    default_canaries,
    run_district_job,
    school_closed,
    wave_schools,
)
from schooltech_fleet.jobs.runs import runs_dir
from schooltech_fleet.jobs.wave import SchoolStatus, WaveProgress

INVENTORIES = REPO / "inventories"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
MOCKS = {"name": "Year 11 mocks", "start": "2026-12-01", "end": "2026-12-12"}


@pytest.fixture(autouse=True)
def _private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))


def _fleet(**schools: list[dict[str, Any]]) -> Fleet:
    """A fleet whose schools have these managed PCs (their resolved variables)."""
    fleet = Fleet()
    for code, pcs in schools.items():
        fleet.schools[code] = f"/district/{code.lower()}.school.yml"
        fleet.group(f"school_{code.lower()}")
        fleet.group("managed")
        for n, values in enumerate(pcs, 1):
            name = f"{code}-PC{n:02}"
            fleet.hosts[name] = Host(name, code, "device", (f"school_{code.lower()}", "managed"), (), values)
    return fleet


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_a_school_wholly_in_an_exam_freeze_is_outside_its_window_for_rebuild_and_patch_not_for_licences() -> None:
    fleet = _fleet(AAA=[{"exam_freezes": [MOCKS]}, {"exam_freezes": [MOCKS]}], BBB=[{"exam_freezes": [MOCKS]}, {}])
    during = _at("2026-12-02T12:00:00+00:00")

    assert school_closed(fleet, "AAA", JobKind.REBUILD, during) == "exam freeze: Year 11 mocks"
    assert school_closed(fleet, "AAA", JobKind.PATCH, during) == "exam freeze: Year 11 mocks"
    assert school_closed(fleet, "AAA", JobKind.LICENSE, during) is None
    assert school_closed(fleet, "BBB", JobKind.REBUILD, during) is None  # partly frozen: its job refuses those rooms
    assert school_closed(fleet, "AAA", JobKind.REBUILD, _at("2026-12-13T12:00:00+00:00")) is None


def test_a_school_is_outside_its_patch_window_at_its_own_local_time() -> None:
    window = {"days": WEEKDAYS, "start": "16:30", "end": "22:00"}
    fleet = _fleet(TKY=[{"timezone": "Asia/Tokyo", "patch": {"window": window}}],
                   LDN=[{"timezone": "Europe/London", "patch": {"window": window}}])  # fmt: skip
    monday_0800_utc = _at("2026-11-16T08:00:00+00:00")  # 17:00 in Tokyo, 08:00 in London

    assert school_closed(fleet, "TKY", JobKind.PATCH, monday_0800_utc) is None
    assert school_closed(fleet, "LDN", JobKind.PATCH, monday_0800_utc) == (
        "outside its patch window (mon, tue, wed, thu, fri 16:30-22:00)")  # fmt: skip
    assert school_closed(fleet, "LDN", JobKind.REBUILD, monday_0800_utc) is None  # a patch window is patching's
    saturday_evening = _at("2026-11-21T17:00:00+00:00")
    assert school_closed(fleet, "LDN", JobKind.PATCH, saturday_evening) is not None


def test_a_school_with_one_pc_whose_patch_window_is_open_or_unset_is_inside_its_window() -> None:
    shut = {"days": ["sat"], "start": "01:00", "end": "02:00"}
    fleet = _fleet(AAA=[{"patch": {"window": shut}}, {"patch": {"window": {"days": WEEKDAYS}}}],
                   BBB=[{"patch": {"window": shut}}, {}])  # fmt: skip
    monday = _at("2026-11-16T08:00:00+00:00")

    assert school_closed(fleet, "AAA", JobKind.PATCH, monday) is None
    assert school_closed(fleet, "BBB", JobKind.PATCH, monday) is None


def test_every_school_of_the_inventory_with_managed_pcs_in_code_order_and_the_first_is_the_canary() -> None:
    fleet = load_fleet(INVENTORIES)

    assert wave_schools(fleet, ()) == ("DEMO", "HZP", "OAK", "RVS")
    assert wave_schools(fleet, ("RVS", "HZP")) == ("HZP", "RVS")
    assert default_canaries(wave_schools(fleet, ())) == ("DEMO",)
    assert default_canaries(("RVS",)) == ()  # a district of one school has no canary school
    with pytest.raises(UnknownSchool, match="no school with code 'NOPE'"):
        wave_schools(fleet, ("RVS", "NOPE"))


def test_the_real_job_of_the_canary_school_fails_and_the_other_schools_are_not_run() -> None:
    result = run_district_job(DistrictRequest(JobKind.LICENSE, INVENTORIES))

    statuses = {o.school: o.status for o in result.wave.outcomes}
    assert statuses == {"DEMO": SchoolStatus.FAILED, "HZP": SchoolStatus.NOT_RUN, "OAK": SchoolStatus.NOT_RUN,
                        "RVS": SchoolStatus.NOT_RUN}  # fmt: skip
    canary = result.wave.outcomes[0]
    assert canary.canary and canary.detail.startswith("SCHOOLTECH_ALLOWED_NETWORKS allows only 127.0.0.0/8")
    assert result.wave.stopped is not None and result.wave.stopped == "canary school DEMO failed (its row says why)"
    assert not result.succeeded and result.kind is JobKind.LICENSE


def test_every_school_runs_its_own_real_job_when_the_budget_allows_and_windows_are_asked_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCHOOLTECH_NOW", "2026-11-16T17:30:00Z")  # Monday 17:30 in London: patch windows open
    request = DistrictRequest(JobKind.PATCH, INVENTORIES, canaries=(), max_failed=9, at_once=3)

    result = run_district_job(request)

    assert [o.status for o in result.wave.outcomes] == [SchoolStatus.FAILED] * 4
    assert [o.detail.split("refusing to contact ")[1][:4] for o in result.wave.outcomes] == [
        "DEMO", "HZP-", "OAK-", "RVS-"]  # fmt: skip
    start, end = [e for e in journal.entries() if e["event"] == "district-wave"]
    assert (start["phase"], start["schools"], start["canaries"], start["at_once"]) == (
        "start", ["DEMO", "HZP", "OAK", "RVS"], [], 3)  # fmt: skip
    assert end["phase"] == "end" and end["schools"] == dict.fromkeys(["DEMO", "HZP", "OAK", "RVS"], "failed")


def test_schools_outside_their_patch_window_are_skipped_and_nothing_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_NOW", "2026-11-16T12:00:00Z")  # Monday noon: lessons, every patch window shut

    result = run_district_job(DistrictRequest(JobKind.PATCH, INVENTORIES, schools=("HZP", "RVS"), canaries=()))

    assert [(o.school, o.status) for o in result.wave.outcomes] == [("HZP", SchoolStatus.SKIPPED_WINDOW),
                                                                     ("RVS", SchoolStatus.SKIPPED_WINDOW)]  # fmt: skip
    assert result.wave.outcomes[0].detail == "outside its patch window (mon, tue, wed, thu, fri 17:00-21:00)"
    assert result.succeeded
    assert list(runs_dir().iterdir()) == []  # no school started: no run


def test_an_exam_freeze_written_during_the_wave_keeps_the_schools_not_yet_started_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_NOW", "2026-11-16T17:30:00Z")  # Monday 17:30 in London: patch windows open
    inventory = tmp_path / "inventories"
    shutil.copytree(INVENTORIES, inventory, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    rvs = inventory / "secondary" / "rvs.school.yml"

    def freeze_rvs_once_hzp_is_done(progress: WaveProgress) -> None:
        if [o.school for o in progress.finished] == ["HZP"] and "Unplanned resits" not in rvs.read_text():
            resits = "    - {name: Unplanned resits, start: 2026-11-16, end: 2026-11-17}\n"
            rvs.write_text(rvs.read_text().replace("  exam_freezes:\n", f"  exam_freezes:\n{resits}"))

    result = run_district_job(DistrictRequest(JobKind.PATCH, inventory, schools=("HZP", "RVS"), canaries=(),
                                              at_once=1, max_failed=9), on_progress=freeze_rvs_once_hzp_is_done)

    assert [(o.school, o.status) for o in result.wave.outcomes] == [("HZP", SchoolStatus.FAILED),
                                                                     ("RVS", SchoolStatus.SKIPPED_WINDOW)]  # fmt: skip
    assert result.wave.outcomes[1].detail == "exam freeze: Unplanned resits"


@pytest.mark.parametrize(("request_", "message"), [
    (DistrictRequest(JobKind.PATCH, INVENTORIES, force_window=True), "--force-window needs --reason"),
    (DistrictRequest(JobKind.PATCH, INVENTORIES, at_once=0), "--schools-at-once 0"),
    (DistrictRequest(JobKind.PATCH, INVENTORIES, schools=("RVS",), canaries=("HZP",)), "canary school HZP is not in"),
    (DistrictRequest(JobKind.ASSET_FACTS, INVENTORIES), "asset_facts runs one school at a time"),
])  # fmt: skip
def test_options_that_cannot_run_are_refused_before_any_school_starts(request_: DistrictRequest, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        run_district_job(request_)
