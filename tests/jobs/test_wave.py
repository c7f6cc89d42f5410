"""District waves, as scheduling: which school starts when, and what the district summary says.

The schools here are scripted: each records when it starts and ends, and ends when the test
releases it (or at once), with the outcome its script says. The real single-school job is
tested in test_district.py and tests/jobs/test_remote.py; here only the order matters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from schooltech_fleet.errors import UsageError
from schooltech_fleet.interrupts import StopRequest
from schooltech_fleet.jobs import HostResult, HostStatus, JobKind, JobResult
from schooltech_fleet.jobs.locks import school_lock
from schooltech_fleet.jobs.wave import SchoolStatus, WavePlan, WaveProgress, WaveResult, run_wave

HANG_GUARD = 30  # seconds a test waits for a school to start before it gives up (never an assertion on time)


class ScriptedSchools:
    """``run_school`` for the wave: records ``("start", school)`` and ``("end", school)``.

    *script* says how a school ends: ``ok``, ``failed``, ``halted`` (its rollout halted),
    ``busy`` (raises as a busy school does). With *hold*, a school ends only when released;
    a stop request (*stop*) makes a released school end interrupted, as a real job does.
    """

    def __init__(self, script: dict[str, str] | None = None, *, hold: bool = False,
                 stop: Callable[[], str | None] = lambda: None) -> None:  # fmt: skip
        self.script = script or {}
        self.hold = hold
        self.stop = stop
        self.events: list[tuple[str, str]] = []
        self._released: set[str] = set()
        self._changed = threading.Condition()

    def __call__(self, school: str) -> JobResult:
        with self._changed:
            self.events.append(("start", school))
            self._changed.notify_all()
            assert self._changed.wait_for(lambda: not self.hold or school in self._released, HANG_GUARD)
        try:
            return self._result(school, self.script.get(school, "ok"))
        finally:
            with self._changed:
                self.events.append(("end", school))
                self._changed.notify_all()

    def _result(self, school: str, how: str) -> JobResult:
        if how == "busy":
            with school_lock(school, "a technician's patch"), school_lock(school, "this wave"):
                pass  # the second taker is refused: Busy, a FleetError
        interrupted = self.stop()
        status = {"ok": HostStatus.CHANGED, "failed": HostStatus.FAILED, "halted": HostStatus.NOT_RUN}[how]
        hosts = (HostResult(f"{school}-PC01", HostStatus.CHANGED if interrupted else status),
                 HostResult(f"{school}-PC02", HostStatus.NOT_RUN if interrupted else status))  # fmt: skip
        return JobResult(run_id=f"patch-{school}-20261201T180000Z", kind=JobKind.PATCH, school=school, check=False,
                         started="2026-12-01T18:00:00+00:00", finished="2026-12-01T18:05:00+00:00", duration=300.0,
                         hosts=hosts, halted=how == "halted", interrupted=interrupted)  # fmt: skip

    def running(self) -> list[str]:
        with self._changed:
            return _running(self.events)

    def started(self) -> list[str]:
        with self._changed:
            return [school for what, school in self.events if what == "start"]

    def wait_until(self, condition: Callable[[], bool]) -> None:
        with self._changed:
            assert self._changed.wait_for(condition, HANG_GUARD), f"the wave got stuck: {self.events}"

    def settled(self) -> bool:
        """Every school released so far has ended."""
        with self._changed:
            return not self._released & set(_running(self.events))

    def release(self, *schools: str) -> None:
        with self._changed:
            self._released.update(schools)
            self._changed.notify_all()


def _running(events: list[tuple[str, str]]) -> list[str]:
    now: list[str] = []
    for what, school in events:
        if what == "start":
            now.append(school)
        else:
            now.remove(school)
    return now


def _most_at_once(events: list[tuple[str, str]]) -> int:
    return max(len(_running(events[: n + 1])) for n in range(len(events)))


def _in_background(
    plan: WavePlan, schools: ScriptedSchools, **options: object
) -> tuple[threading.Thread, list[WaveResult]]:
    results: list[WaveResult] = []
    thread = threading.Thread(target=lambda: results.append(run_wave(plan, schools, **options)))  # type: ignore[arg-type]
    thread.start()
    return thread, results


def _statuses(result: WaveResult) -> dict[str, str]:
    return {o.school: str(o.status) for o in result.outcomes}


DISTRICT = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG")


@pytest.mark.parametrize("at_once", [1, 2, 3])
def test_never_more_schools_run_at_once_than_the_limit_and_the_limit_is_used(at_once: int) -> None:
    schools = ScriptedSchools(hold=True)
    thread, results = _in_background(WavePlan(DISTRICT, at_once=at_once, max_failed=0), schools)
    for _ in DISTRICT:  # each time the wave has filled its slots (or run out of schools), the oldest ends
        schools.wait_until(
            lambda: schools.settled() and len(_running(schools.events)) == min(at_once, len(DISTRICT) - _ended(schools))
        )
        assert len(schools.running()) <= at_once
        schools.release(schools.running()[0])
    thread.join(HANG_GUARD)

    assert _most_at_once(schools.events) == at_once
    assert _statuses(results[0]) == dict.fromkeys(DISTRICT, "ok")
    assert results[0].succeeded and results[0].stopped is None


def _ended(schools: ScriptedSchools) -> int:
    return sum(1 for what, _ in schools.events if what == "end")


def test_canary_schools_finish_before_any_other_school_starts() -> None:
    schools = ScriptedSchools()
    result = run_wave(WavePlan(DISTRICT, canaries=("DDD", "BBB"), at_once=3), schools)

    first_other = schools.events.index(
        next(e for e in schools.events if e[0] == "start" and e[1] not in ("DDD", "BBB"))
    )
    assert {e for e in schools.events[:first_other]} == {("start", "DDD"), ("end", "DDD"), ("start", "BBB"),
                                                         ("end", "BBB")}  # fmt: skip
    assert [o.school for o in result.outcomes] == ["DDD", "BBB", "AAA", "CCC", "EEE", "FFF", "GGG"]
    assert [o.school for o in result.outcomes if o.canary] == ["DDD", "BBB"]
    assert result.succeeded


def test_a_failing_canary_stops_the_wave_and_the_other_canary_running_finishes() -> None:
    schools = ScriptedSchools({"AAA": "failed"})
    result = run_wave(WavePlan(DISTRICT, canaries=("AAA", "BBB"), at_once=2, max_failed=5), schools)

    assert _statuses(result) == {"AAA": "failed", "BBB": "ok", **dict.fromkeys(DISTRICT[2:], "not run")}
    assert schools.started() == ["AAA", "BBB"] or schools.started() == ["BBB", "AAA"]
    assert result.stopped == "canary school AAA failed (its row says why)"
    assert all(o.detail == result.stopped for o in result.outcomes if o.status is SchoolStatus.NOT_RUN)
    assert not result.succeeded


def test_a_canary_outside_its_window_stops_the_wave_without_running_anything() -> None:
    schools = ScriptedSchools()
    closed = {"AAA": "outside its patch window (mon-fri 16:30-22:00)"}
    result = run_wave(WavePlan(DISTRICT[:3], canaries=("AAA",)), schools, closed=closed.get)

    assert _statuses(result) == {"AAA": "skipped-window", "BBB": "not run", "CCC": "not run"}
    assert schools.started() == []
    assert result.stopped == "canary school AAA is outside its window (its row says why)"


def test_a_school_outside_its_window_is_skipped_and_reported_not_failed() -> None:
    schools = ScriptedSchools()
    closed = {"CCC": "exam freeze: Year 11 mocks", "EEE": "outside its patch window (mon-fri 16:30-22:00)"}
    result = run_wave(WavePlan(DISTRICT, canaries=("AAA",), at_once=2, max_failed=0), schools, closed=closed.get)

    assert _statuses(result) == {**dict.fromkeys(DISTRICT, "ok"), "CCC": "skipped-window", "EEE": "skipped-window"}
    assert "CCC" not in schools.started() and "EEE" not in schools.started()
    assert next(o for o in result.outcomes if o.school == "CCC").detail == "exam freeze: Year 11 mocks"
    assert result.succeeded and result.stopped is None
    assert result.counts()[SchoolStatus.SKIPPED_WINDOW] == 2


@pytest.mark.parametrize(("budget", "ran", "not_run"), [(0, ["AAA", "BBB"], 5), (1, ["AAA", "BBB", "CCC"], 4),
                                                        (2, list(DISTRICT), 0)])  # fmt: skip
def test_the_district_failure_budget_stops_the_wave_once_more_schools_fail_than_it_allows(
    budget: int, ran: list[str], not_run: int
) -> None:
    schools = ScriptedSchools({"BBB": "failed", "CCC": "halted"})  # a rollout that halted is a failed school
    result = run_wave(WavePlan(DISTRICT, canaries=("AAA",), at_once=1, max_failed=budget), schools)

    assert schools.started() == ran
    assert result.counts()[SchoolStatus.NOT_RUN] == not_run
    assert result.counts()[SchoolStatus.FAILED] == min(len(ran) - 1, 2)
    if not_run:
        assert result.stopped is not None and f"more than --max-failed-schools {budget}" in result.stopped
    else:
        assert result.stopped is None


def test_a_busy_school_is_failed_with_its_message_and_the_wave_goes_on() -> None:
    schools = ScriptedSchools({"BBB": "busy"})
    result = run_wave(WavePlan(DISTRICT[:3], at_once=1, max_failed=1), schools)

    assert _statuses(result) == {"AAA": "ok", "BBB": "failed", "CCC": "ok"}
    busy = result.outcomes[1]
    assert busy.result is None and busy.detail.startswith("school BBB is busy: a technician's patch by ")


def test_a_stop_request_starts_no_more_schools_and_the_running_ones_stop_part_way() -> None:
    stop = StopRequest()
    schools = ScriptedSchools(hold=True, stop=stop)
    thread, results = _in_background(WavePlan(DISTRICT, at_once=2), schools, stop=stop)
    schools.wait_until(lambda: len(_running(schools.events)) == 2)

    stop.request("SIGINT received")
    schools.release("AAA", "BBB")
    thread.join(HANG_GUARD)

    result = results[0]
    assert schools.started() == ["AAA", "BBB"]
    assert _statuses(result) == {"AAA": "halted", "BBB": "halted", **dict.fromkeys(DISTRICT[2:], "not run")}
    assert result.interrupted == "SIGINT received"
    assert result.stopped == "stopped: SIGINT received"
    assert result.outcomes[0].result is not None and result.outcomes[0].result.interrupted == "SIGINT received"


def test_progress_names_the_schools_running_and_those_finished() -> None:
    seen: list[WaveProgress] = []
    run_wave(WavePlan(DISTRICT[:3], canaries=("BBB",), at_once=1), ScriptedSchools(), on_progress=seen.append)

    assert [p.running for p in seen if p.running] == [("BBB",), ("AAA",), ("CCC",)]
    assert [p.canaries for p in seen if p.running] == [True, False, False]
    assert [o.school for o in seen[-1].finished] == ["BBB", "AAA", "CCC"] and seen[-1].total == 3


@pytest.mark.parametrize(("plan", "message"), [
    (WavePlan(("AAA",), at_once=0), "--schools-at-once 0: at least one school must run"),
    (WavePlan(("AAA",), max_failed=-1), "--max-failed-schools -1 is negative"),
    (WavePlan(("AAA", "AAA")), "a school is named twice in the wave"),
    (WavePlan(("AAA",), canaries=("ZZZ",)), "canary school ZZZ is not in the wave"),
])  # fmt: skip
def test_a_plan_that_cannot_run_is_refused_before_any_school_starts(plan: WavePlan, message: str) -> None:
    schools = ScriptedSchools()
    with pytest.raises(UsageError, match=message):
        run_wave(plan, schools)
    assert schools.events == []
