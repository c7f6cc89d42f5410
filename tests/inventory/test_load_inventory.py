"""``load_inventory``: the schools and the fleet of one command, from one read of the school files.

The fleet is resolved from the schools just parsed, never taken from the cache: an edit shows in the
next load, in the fleet and the schools alike, even one saved while the command reads the files.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from inventory_loads import count_loads

from schooltech_fleet.inventory import load_fleet, load_inventory, loader

from .helpers import REPO

OLD, NEW = "mgmt_ip: 10.90.99.12", "mgmt_ip: 10.90.99.42"  # DEMO-SW-LAB's management address


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(REPO / "inventories" / "demo", target, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    return target


def lab_switch(demo: Path) -> tuple[str, str]:
    """DEMO-SW-LAB's address as the fleet resolves it and as the school declares it, from one load."""
    loaded = load_inventory(demo)
    declared = next(s for s in loaded.school("DEMO").model.switches if s.name == "DEMO-SW-LAB")
    return str(loaded.fleet.host_vars("DEMO-SW-LAB")["ansible_host"]), str(declared.mgmt_ip)


def test_each_file_is_read_and_resolved_once_even_with_a_warm_cache(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_fleet(demo)  # the cache warmed
    loads = count_loads(monkeypatch, cache=True)
    loaded = load_inventory(demo)
    assert loads.reads["demo.school.yml"] == 1 and sum(loads.resolutions.values()) == 1
    assert loaded.fleet.hosts == load_fleet(demo).hosts
    assert [s.code for s in loaded.schools] == ["DEMO"]


def test_an_edit_shows_in_the_next_load_in_the_fleet_and_the_schools_alike(demo: Path) -> None:
    assert lab_switch(demo) == ("10.90.99.12", "10.90.99.12")
    school_file = demo / "demo.school.yml"
    school_file.write_text(school_file.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    assert lab_switch(demo) == ("10.90.99.42", "10.90.99.42")


def test_a_file_edited_as_the_command_reads_it_gives_one_consistent_load_and_leaves_the_cache_alone(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    school_file = demo / "demo.school.yml"
    before = school_file.read_text(encoding="utf-8")
    read_file = loader.read_file

    def edited_then_read(path: Path) -> Any:
        if path == school_file:  # saved after the command took the files' fingerprint, before it read them
            path.write_text(before.replace(OLD, NEW), encoding="utf-8")
        return read_file(path)

    load_fleet(demo)  # the cache holds the fleet of the file before the edit
    monkeypatch.setattr(loader, "read_file", edited_then_read)
    assert lab_switch(demo) == ("10.90.99.42", "10.90.99.42")  # what was read, in both: not the cached fleet
    monkeypatch.undo()
    school_file.write_text(before, encoding="utf-8")  # the edit taken back
    assert load_fleet(demo).host_vars("DEMO-SW-LAB")["ansible_host"] == "10.90.99.12"  # no fleet cached under it
