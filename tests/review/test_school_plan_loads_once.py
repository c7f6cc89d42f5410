"""``schooltech plan`` reads and resolves the school files once, for both check runs and the switch plans.

The demo school is simulated with its switches only, and they never answer: each check run is
refused (no PCs to run on) after selecting its hosts, and each switch plan goes through selection,
the network guard and intent before the switch fails to answer. Nothing needs the simulation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inventory_loads import DEMO_SWITCHES, count_loads, silent_demo

from schooltech_fleet.review.school_plan import plan_school

demo = silent_demo


def test_plan_reads_and_resolves_the_school_file_once(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads = count_loads(monkeypatch)
    report = plan_school(demo, "DEMO")
    assert report.notes == tuple(f"{kind}: no managed PCs match that selection" for kind in ("rebuild", "patch"))
    assert [s.switch for s in report.switches] == list(DEMO_SWITCHES)
    assert all("no answer at 127.0.0.1" in (s.error or "") for s in report.switches)  # reached, did not answer
    assert {u.licence for u in report.licences} == {"exam-browser", "datalogger"}
    assert loads.reads["demo.school.yml"] == 1
    assert loads.resolutions == {"DEMO": 1}
