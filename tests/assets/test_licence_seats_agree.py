"""One count of seats used: ``check``, ``assets licences`` and ``report`` give the same figure for every licence.

The over-allocated school is the case the three used to count apart: its licence names one
room, and a second room installs the licence's software set.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from inventory.helpers import write_school

from schooltech_fleet.assets.audit import compare
from schooltech_fleet.assets.declared import declared_school
from schooltech_fleet.assets.discovery import DiscoveredPc, Discovery
from schooltech_fleet.assets.records import AuditRecord, save
from schooltech_fleet.cli import main

from .licence_school import C1, L1, SOFTWARE, T1, cad_licence

REPO = Path(__file__).resolve().parents[2]
SEATS = re.compile(r"licence (\S+) has (\d+) seats but (\d+) managed devices are assigned")

ROOMS = C1 + T1 + L1
LICENCES = (
    cad_licence(seats=3)
    + """- id: office
  product: Office
  type: site
  rooms: [C1, L1]
  expires: 2029-08-31
"""
)


@pytest.fixture(autouse=True)
def _state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SCHOOLTECH_NOW", "2026-11-25T18:30:00Z")


def demo(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(REPO / "inventories" / "demo", target, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    return target


def over_allocated(tmp_path: Path) -> Path:
    path, _ = write_school(tmp_path / "tst", rooms=ROOMS, software_sets=SOFTWARE,
                           licences=LICENCES)  # fmt: skip
    return path.parent


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().out


def checked(capsys: pytest.CaptureFixture[str], inventory: Path) -> dict[str, int]:
    """Seats used of each over-allocated licence, as ``schooltech check`` words it."""
    _, out = run(capsys, "check", inventory, "--format", "json", "--as-of", "2026-11-25")
    found = [SEATS.match(f["message"]) for f in json.loads(out)["findings"] if f["code"] == "licence-seats"]
    return {m[1]: int(m[3]) for m in found if m is not None}


def assets(capsys: pytest.CaptureFixture[str], inventory: Path, *options: str) -> dict[str, tuple[int, bool]]:
    _, out = run(capsys, "assets", "licences", "-i", inventory, "--json", *options)
    return {c["licence"]: (c["used"], c["over_allocated"]) for r in json.loads(out) for c in r["licences"]}


def reported(capsys: pytest.CaptureFixture[str], inventory: Path, tmp_path: Path) -> dict[str, tuple[int, bool]]:
    assert run(capsys, "report", "-i", inventory, "--no-drift", "--json", tmp_path / "r.json")[0] == 0
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    return {lic["licence"]: (lic["used"], lic["over_allocated"]) for lic in data["licences"]["licences"]}


@pytest.mark.parametrize(("make", "over"), [(demo, {}), (over_allocated, {"cad": 4})])
def test_check_assets_licences_and_the_report_count_the_same_seats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, over: dict[str, int]
) -> None:
    assert callable(make)
    inventory = make(tmp_path)
    counted = assets(capsys, inventory)
    assert reported(capsys, inventory, tmp_path) == counted
    assert checked(capsys, inventory) == over == {k: used for k, (used, bad) in counted.items() if bad}
    assert counted  # the comparison is about something: the demo school has two licences


def test_with_an_audit_assets_licences_and_the_report_count_what_it_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = over_allocated(tmp_path)
    pc = DiscoveredPc("TST-L1-PC01", "tst-l1-pc01", None, None, None, (), None, (), "Debian 12", None, ("freecad",))
    discovery = Discovery("TST", (pc,), (), (), (), "2026-11-24T09:00:00Z")
    save(AuditRecord(discovery, compare(declared_school(inventory, "TST"), discovery)))
    counted = assets(capsys, inventory)
    assert counted["cad"] == (5, True)
    assert reported(capsys, inventory, tmp_path) == counted
    # the inventory check judges what is declared; --no-audit counts the same
    assert checked(capsys, inventory) == {"cad": 4}
    assert assets(capsys, inventory, "--no-audit")["cad"] == (4, True)
