"""Each ``net`` command reads and resolves the school files once (issue 16: one inventory load per command).

The switches are simulated but never answer, so the commands that reach switches go all the way
through selection, the network guard, intent and rendering, and then report every switch unreachable.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inventory_loads import DEMO_SWITCHES, count_loads, silent_demo

from schooltech_fleet.inventory import load_inventory
from schooltech_fleet.network.mac_table import gather_mac_tables
from schooltech_fleet.network.operations import Selection, plan

demo = silent_demo


def test_net_plan_reads_and_resolves_the_school_file_once(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads = count_loads(monkeypatch)
    plans = plan(Selection(demo, ("DEMO",)))
    assert [(p.switch, p.remediation) for p in plans] == [(name, None) for name in DEMO_SWITCHES]
    assert all("no answer at 127.0.0.1" in (p.error or "") for p in plans)  # reached, did not answer
    assert loads.reads["demo.school.yml"] == 1
    assert loads.resolutions == {"DEMO": 1}


def test_net_plan_from_backups_reads_the_school_file_once_and_resolves_no_fleet(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = count_loads(monkeypatch)
    plans = plan(Selection(demo, ("DEMO",)), from_backups=True)
    assert [(p.switch, p.source) for p in plans] == [(name, "backup") for name in DEMO_SWITCHES]
    assert loads.reads["demo.school.yml"] == 1
    assert not loads.resolutions


def test_a_plan_handed_the_loaded_inventory_reads_nothing_again(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_inventory(demo)
    loads = count_loads(monkeypatch)
    assert len(plan(Selection(demo, ("DEMO",)), loaded=loaded)) == len(DEMO_SWITCHES)
    assert len(plan(Selection(demo, ("DEMO",)), from_backups=True, loaded=loaded)) == len(DEMO_SWITCHES)
    assert not loads.reads and not loads.resolutions


def test_the_mac_tables_read_and_resolve_the_school_file_once(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads = count_loads(monkeypatch)
    tables = gather_mac_tables(demo, "DEMO")
    assert (tables.sightings, sorted(tables.unreachable)) == ((), list(DEMO_SWITCHES))
    assert loads.reads["demo.school.yml"] == 1
    assert loads.resolutions == {"DEMO": 1}
