"""``schooltech assets warranty | refresh | licences``: exit codes 0 / 1 findings / 2 usage, and their JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inventory.helpers import write_school

from schooltech_fleet.cli import main

ROOMS = """
- name: C1
  kind: ict_suite
  software_sets: [base, design]
  devices:
    - count: 2
      role: lab_pc
      os: debian12
      ip_start: 10.9.16.11
      purchased: 2020-09-01
      warranty_end: 2026-12-01
"""

LICENCE = """
- id: cad
  product: CAD Suite
  type: per_seat
  seats: {seats}
  rooms: [C1]
  expires: 2029-08-31
"""


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_NOW", "2026-11-25T18:30:00Z")


def inventory(tmp_path: Path, seats: int = 2) -> Path:
    path, _ = write_school(tmp_path, rooms=ROOMS, licences=LICENCE.format(seats=seats))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().out


def test_warranty_exits_1_when_one_ends_within_the_window(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "assets", "warranty", "-i", inventory(tmp_path), "--within", "30", "--json")
    assert code == 1
    report = json.loads(out)
    assert [d["name"] for d in report["expiring"]] == ["TST-C1-PC01", "TST-C1-PC02"]
    assert report["expiring"][0]["end_of_life"] == "2026-09-01" and report["findings"] is True


def test_warranty_exits_0_when_nothing_ends_in_the_window(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "assets", "warranty", "-i", inventory(tmp_path), "--within", "5")
    assert code == 0
    assert "0 ending within 5 days, 0 ended" in out


@pytest.mark.parametrize("within", ["0", "-30", "soon"])
def test_warranty_window_must_be_a_positive_number(tmp_path: Path, within: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["assets", "warranty", "-i", str(inventory(tmp_path)), "--within", within])
    assert exit_.value.code == 2


def test_an_unknown_school_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "assets", "refresh", "-i", inventory(tmp_path), "--school", "XYZ")[0] == 2


def test_refresh_json_has_each_year_with_its_cost(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "assets", "refresh", "-i", inventory(tmp_path), "--years", "2", "--json")
    assert code == 0
    (plan,) = json.loads(out)
    assert plan["currency"] == "GBP"
    assert [(y["label"], len(y["devices"]), y["classes"]) for y in plan["years"]] == [
        ("2026/27", 2, [{"model_class": "desktop", "devices": 2, "cost": 1300.0}]),
        ("2027/28", 0, []),
    ]


def test_licences_exit_1_when_over_allocated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "assets", "licences", "-i", inventory(tmp_path, seats=1), "--json")
    assert code == 1
    (report,) = json.loads(out)
    assert report["findings"] == ["cad"]
    code, out = run(capsys, "assets", "licences", "-i", inventory(tmp_path, seats=2))
    assert code == 0 and "cad" in out


def test_each_action_documents_its_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    for action in ("warranty", "refresh", "licences"):
        with pytest.raises(SystemExit):
            main(["assets", action, "--help"])
        assert "exit codes: 0" in capsys.readouterr().out
