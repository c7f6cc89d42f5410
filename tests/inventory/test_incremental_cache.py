"""The fleet cache after an edit: ``check`` fills it, one changed school file is validated and
resolved again on its own, and the rules across schools still refuse what they refused.

The spies wrap the real parser and resolver and only count what they were given."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import schooltech_fleet.inventory.resolve as resolving
import schooltech_fleet.inventory.validate as validating
from schooltech_fleet.errors import InventoryError
from schooltech_fleet.inventory import Fleet, check, load_fleet

from .helpers import DEFAULT_ROOMS, REPO, TODAY, located, pos, school_text, write, write_simulation_layer

ROOMS = DEFAULT_ROOMS + "    - {name: {code}-C1-TCH01, role: teacher_pc, os: debian12, vlan: staff, mac: {mac}}\n"


def _school(code: str, mac: str) -> str:
    return school_text(code, rooms=ROOMS.replace("{code}", code).replace("{mac}", mac))


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("SCHOOLTECH_CACHE_DIR", str(cache))
    monkeypatch.delenv("SCHOOLTECH_NO_CACHE", raising=False)
    return cache


@pytest.fixture
def district(tmp_path: Path, private_cache: Path) -> Path:
    """Three valid schools in one directory, loaded once (so every entry is in the cache)."""
    schools = tmp_path / "district"
    for n, code in enumerate(("AAA", "BBB", "CCC")):
        write(schools, _school(code, f"3c:52:82:1a:20:0{n}"), f"{code.lower()}.school.yml")
    load_fleet(schools, TODAY)
    return schools


class Spy:
    """Which school files the real parser read and which schools the real resolver resolved."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed: list[str] = []
        self.resolved: list[str] = []
        real_parse, real_resolve = validating.parse, resolving.resolve_school
        monkeypatch.setattr(validating, "parse", self._counting(real_parse, self.parsed, lambda p: Path(p).name))
        counted = self._counting(real_resolve, self.resolved, lambda school: school.code)
        monkeypatch.setattr(validating, "resolve_school", counted)
        monkeypatch.setattr(resolving, "resolve_school", counted)

    @staticmethod
    def _counting(real: Callable[..., Any], calls: list[str], name: Callable[[Any], str]) -> Callable[..., Any]:
        def spied(first: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(name(first))
            return real(first, *args, **kwargs)

        return spied


def _from_scratch(path: Path, monkeypatch: pytest.MonkeyPatch) -> Fleet:
    with monkeypatch.context() as patch:
        patch.setenv("SCHOOLTECH_NO_CACHE", "1")
        return load_fleet(path, TODAY)


def test_editing_one_school_file_validates_and_resolves_only_that_school(
    district: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = district / "bbb.school.yml"
    edited.write_text(edited.read_text().replace("title: Computing 1", "title: Computing One"))
    spy = Spy(monkeypatch)

    fleet = load_fleet(district, TODAY)

    assert spy.parsed == ["bbb.school.yml"]
    assert spy.resolved == ["BBB"]
    assert fleet.groups["room_bbb_c1"].vars["room_title"] == "Computing One"
    scratch = _from_scratch(district, monkeypatch)
    assert fleet == scratch and list(fleet.groups) == list(scratch.groups) and list(fleet.hosts) == list(scratch.hosts)
    assert spy.resolved == ["BBB", "AAA", "BBB", "CCC"]  # the load from scratch resolves them all
    assert load_fleet(district, TODAY) == fleet and len(spy.resolved) == 4


def test_an_unchanged_district_is_read_back_without_parsing_anything(
    district: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    fleet = load_fleet(district, TODAY)
    one = load_fleet(district / "ccc.school.yml", TODAY)  # as the Ansible plugin loads it

    assert spy.parsed == [] and spy.resolved == []
    assert fleet == _from_scratch(district, monkeypatch)
    assert one.schools == {"CCC": str(district / "ccc.school.yml")} and one.hosts.keys() < fleet.hosts.keys()


def test_a_jobs_load_of_one_school_reads_only_its_hosts_and_still_checks_the_whole_district(
    district: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = load_fleet(district, TODAY)
    spy = Spy(monkeypatch)

    one = load_fleet(district, TODAY, school="BBB")

    assert spy.parsed == [] and spy.resolved == []
    assert set(one.hosts) == {h for h in whole.hosts if h.startswith("BBB-")}
    assert all(one.host_vars(host) == whole.host_vars(host) for host in one.hosts)
    assert one.select("school_bbb:&managed") == whole.select("school_bbb:&managed")
    assert one.schools == whole.schools  # every school is known: a wrong code lists them all
    edited = district / "ccc.school.yml"  # a clash between two other schools still refuses BBB's job
    edited.write_text(edited.read_text().replace("{name: CCC-C1-TCH01", "{name: AAA-C1-TCH01"))
    with pytest.raises(InventoryError):
        load_fleet(district, TODAY, school="BBB")


@pytest.mark.parametrize(
    ("written", "clash", "at"),
    [
        ("{name: CCC-C1-TCH01", "{name: BBB-C1-TCH01", "BBB"),  # a host name of school BBB
        ("mac: 3c:52:82:1a:20:02", "mac: 3c:52:82:1a:20:01", "3c"),  # BBB's teacher PC's MAC
        ("code: CCC", "code: AAA", "AAA"),
    ],
)
def test_an_edit_clashing_with_an_unchanged_school_is_refused_with_file_and_line(
    district: Path, written: str, clash: str, at: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = district / "ccc.school.yml"
    text = edited.read_text().replace(written, clash)
    edited.write_text(text)

    with pytest.raises(InventoryError) as raised:
        load_fleet(district, TODAY)

    assert (str(edited), *pos(text, clash, at=at), "duplicate") in {located(f) for f in raised.value.findings}
    with pytest.raises(InventoryError) as scratch:
        _from_scratch(district, monkeypatch)
    assert raised.value.findings == scratch.value.findings


def test_check_leaves_the_entries_load_fleet_and_the_plugin_read(
    tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inventories = tmp_path / "inventories"
    shutil.copytree(REPO / "inventories", inventories)
    monkeypatch.setenv("SCHOOLTECH_NOW", f"{TODAY.isoformat()}T12:00:00+00:00")

    result = check(inventories)
    assert not result.errors and result.schools == 4

    spy = Spy(monkeypatch)
    fleet = load_fleet(inventories)
    for school in inventories.rglob("*.school.yml"):
        assert load_fleet(school).hosts.keys() < fleet.hosts.keys()
    assert spy.parsed == [] and spy.resolved == []
    assert _imported_by_a_new_load(inventories / "demo" / "demo.school.yml") == {"pydantic": False}
    assert fleet == _from_scratch(inventories, monkeypatch)


def _imported_by_a_new_load(path: Path) -> dict[str, bool]:
    """What loading *path* in a new process (as the Ansible plugin does) imports: pydantic only to validate."""
    script = (
        "import json, sys\nfrom pathlib import Path\nfrom schooltech_fleet.inventory import load_fleet\n"
        f"load_fleet(Path({str(path)!r}))\nprint(json.dumps({{'pydantic': 'pydantic' in sys.modules}}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=os.environ, capture_output=True, text=True, check=True)
    imported: dict[str, bool] = json.loads(done.stdout)
    return imported


def test_a_changed_ca_certificate_is_checked_again(district: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    certificate = REPO / "inventories" / "demo" / "files" / "demo-filter-ca.pem"
    write(district, certificate.read_text(), "files/ca.pem")
    school = district / "aaa.school.yml"
    text = school.read_text() + "settings:\n  web_filter: {ca_cert: files/ca.pem}\n"
    school.write_text(text)
    load_fleet(district, TODAY)
    write(district, certificate.read_text() + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
          "files/ca.pem")  # fmt: skip

    with pytest.raises(InventoryError) as raised:
        load_fleet(district, TODAY)
    with pytest.raises(InventoryError):
        load_fleet(school, TODAY)
    assert [f.code for f in raised.value.findings] == ["file"]
    assert "holds more than certificates" in raised.value.findings[0].message


def test_a_simulation_layer_written_beside_cached_schools_applies_at_once(
    district: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_simulation_layer(district, None, code="BBB")

    fleet = load_fleet(district, TODAY)

    assert set(fleet.simulated) == {"BBB"} and fleet.hosts["BBB-C1-PC01"].vars["ansible_port"] == 22001
    assert "BBB-C1-PC02" not in fleet.hosts and "AAA-C1-PC02" in fleet.hosts
    assert fleet == _from_scratch(district, monkeypatch)
