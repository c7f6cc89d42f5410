"""``schooltech assets licences`` counts what the school's latest audit found installed, unless --no-audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inventory.helpers import write_school

from schooltech_fleet.cli import main

from .licence_school import C1, L1, SOFTWARE, cad_licence

ROOMS = C1 + L1
LICENCE = cad_licence(seats=2)


def discovery(collected: str, *packages: str) -> dict[str, object]:
    pc = {
        "host": "TST-L1-PC01",
        "hostname": "tst-l1-pc01",
        "serial": None,
        "vendor": None,
        "model": None,
        "macs": [],
        "ram_mb": None,
        "disks": [],
        "os": "Debian 12",
        "bios": None,
        "packages": list(packages),
    }
    return {"school": "TST", "pcs": [pc], "unreachable_pcs": [], "sightings": [], "unreachable_switches": [],
            "collected": collected}  # fmt: skip


def record(collected: str, *packages: str) -> dict[str, object]:
    result = {"school": "TST", "rooms": ["C1", "L1"], "all_rooms": True, "collected": collected, "declared": 3,
              "seen": 1, "findings": [], "not_checked": []}  # fmt: skip
    return {"format": 1, "discovery": discovery(collected, *packages), "result": result}


@pytest.fixture
def audits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The school's audit records directory, in a state directory of this test's own."""
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SCHOOLTECH_NOW", "2026-11-25T18:30:00Z")
    directory = tmp_path / "state" / "audits" / "TST"
    directory.mkdir(parents=True)
    return directory


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path, _ = write_school(tmp_path / "inv", rooms=ROOMS, software_sets=SOFTWARE,
                           licences=LICENCE)  # fmt: skip
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_latest_audit_adds_the_pcs_it_found_the_product_on(
    inventory: Path, audits: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(audits / "20261101T090000Z.json", record("2026-11-01T09:00:00Z"))
    write(audits / "20261124T090000Z.json", record("2026-11-24T09:00:00Z", "freecad"))
    code, out, _ = run(capsys, "assets", "licences", "-i", inventory, "--json")
    (report,) = json.loads(out)
    (cad,) = report["licences"]
    assert (code, report["audit"], cad["installed_unassigned"], cad["used"]) == (
        1, "2026-11-24T09:00:00Z", ["TST-L1-PC01"], 3)  # fmt: skip
    assert report["findings"] == ["cad"]
    code, out, _ = run(capsys, "assets", "licences", "-i", inventory)
    assert code == 1
    assert "seats used include the audit of 2026-11-24T09:00:00Z: 1 found installed" in " ".join(out.split())


def test_no_audit_counts_the_inventory_alone(inventory: Path, audits: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(audits / "20261124T090000Z.json", record("2026-11-24T09:00:00Z", "freecad"))
    code, out, _ = run(capsys, "assets", "licences", "-i", inventory, "--json", "--no-audit")
    (report,) = json.loads(out)
    assert (code, report["audit"], report["licences"][0]["used"], report["findings"]) == (0, None, 2, [])
    code, out, _ = run(capsys, "assets", "licences", "-i", inventory)
    assert code == 1 and "OVER-ALLOCATED" in out
    code, out, _ = run(capsys, "assets", "licences", "-i", inventory, "--no-audit")
    assert code == 0 and "audit" not in out


def test_a_school_never_audited_counts_the_inventory(
    inventory: Path, audits: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "assets", "licences", "-i", inventory, "--json")
    (report,) = json.loads(out)
    assert (code, report["audit"], report["licences"][0]["used"]) == (0, None, 2)


DAMAGED = {
    "not-json": ('{"format": 1, "discovery": {', "not JSON"),
    "truncated": (json.dumps(record("2026-11-24T09:00:00Z"))[:-40], "not JSON"),
    "wrong-type": (
        json.dumps(record("2026-11-24T09:00:00Z") | {"discovery": {**discovery("x"), "pcs": "many"}}),
        "not an audit record (discovery.pcs",
    ),
    "not-utf8": (b"\xff\xfe{}".decode("latin-1"), "not"),
    "list": ("[]", "not an audit record"),
}


@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_latest_record_is_an_error_naming_the_file_and_the_fix(
    inventory: Path, audits: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    text, what = DAMAGED[case]
    path = audits / "20261124T090000Z.json"
    path.write_bytes(text.encode("latin-1") if case == "not-utf8" else text.encode())
    code, out, err = run(capsys, "assets", "licences", "-i", inventory)
    assert code == 2 and out == ""
    assert f"{path}: {what}" in err
    assert "run the audit again ('schooltech assets audit --school TST')" in " ".join(err.split())
    assert "--no-audit" in err and "Traceback" not in err
    assert run(capsys, "assets", "licences", "-i", inventory, "--no-audit")[0] == 0
