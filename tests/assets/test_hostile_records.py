"""Hostile or damaged files the asset commands read: a ``--from`` discovery and the audit records in the state dir.

Each is refused with the file, what is wrong and the fix, exit 2 and no traceback, and nothing
is written: no audit record, no export. The report, which shows every section it can, names
the damaged record in its audit section instead.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from schooltech_fleet.assets.records import MAX_BYTES
from schooltech_fleet.cli import main

DEMO = Path(__file__).resolve().parents[2] / "inventories" / "demo"
WHEN = "2026-11-24T09:00:00Z"


def pc(**fields: Any) -> dict[str, Any]:
    return {"host": "DEMO-LAB1-PC01", "hostname": "demo-lab1-pc01", "serial": "SER1", "vendor": "Dell Inc.",
            "model": "OptiPlex 7010", "macs": ["52:54:00:90:20:65"], "ram_mb": 8192,
            "disks": [{"name": "sda", "size_gb": 256}], "os": "Debian 12", "bios": "Dell 1.0", "packages": [],
            **fields}  # fmt: skip


def discovery(**fields: Any) -> dict[str, Any]:
    return {"school": "DEMO", "pcs": [pc()], "unreachable_pcs": [], "unreachable_switches": [], "collected": WHEN,
            "sightings": [{"switch": "DEMO-SW-LAB", "interface": "Gi1/0/1", "port": 1, "vlan": 20,
                           "mac": "52:54:00:90:20:65", "uplink": False}], **fields}  # fmt: skip


def record(found: dict[str, Any]) -> str:
    result = {"school": "DEMO", "rooms": ["LAB1"], "all_rooms": True, "collected": WHEN, "declared": 8, "seen": 1,
              "findings": [], "not_checked": []}  # fmt: skip
    return json.dumps({"format": 1, "discovery": found, "result": result})


def fifty_megabytes(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:  # one line: what a reader that reads it whole would hold
        out.write('{"school": "DEMO", "pcs": [], "padding": "')
        out.write("x" * (50 * 2**20))
        out.write('"}')


Writer = Callable[[Path], None]


def text(content: str | bytes) -> Writer:
    return lambda path: path.write_bytes(content if isinstance(content, bytes) else content.encode())


CASES: dict[str, tuple[Writer, str]] = {
    "empty": (text(""), "not JSON (Expecting value at line 1, column 1)"),
    "truncated": (text(record(discovery())[:-70]), "not JSON"),
    "not-json": (text("school: DEMO\n"), "not JSON"),
    "not-utf8": (text(b'{"school": "DEMO\xff"}'), "not text (byte 16 is not UTF-8)"),
    "a-list": (text("[]"), "the top level"),
    "pcs-not-a-list": (text(record(discovery(pcs="many"))), "pcs: Input should be a valid"),
    "ram-as-words": (text(record(discovery(pcs=[pc(ram_mb="eight gigabytes")]))), "pcs.0.ram_mb"),
    "mac-not-a-mac": (
        text(record(discovery(pcs=[pc(macs=["zz:zz:zz:zz:zz:zz"])]))),
        "pcs.0.macs.0: 'zz:zz:zz:zz:zz:zz' is not a MAC address",
    ),
    "sighting-mac-injection": (
        text(
            record(
                discovery(
                    sightings=[
                        {
                            "switch": "DEMO-SW-LAB",
                            "interface": "Gi1/0/1",
                            "port": 1,
                            "vlan": 20,
                            "uplink": False,
                            "mac": "52:54:00:90:20:65\nreload",
                        }
                    ]
                )
            )
        ),
        "sightings.0.mac: '52:54:00:90:20:65\\nreload' is not a MAC address",
    ),
    "collected-not-a-time": (text(record(discovery(collected="yesterday"))), "collected: 'yesterday' is not a time"),
    "nested-deep": (text("[" * 100_000 + "]" * 100_000), "not JSON a record can hold"),
    "number-of-5000-digits": (text('{"school": ' + "9" * 5000 + "}"), "not JSON a record can hold"),
    "fifty-megabytes": (fifty_megabytes, f"larger than {MAX_BYTES:,} bytes"),
}


@pytest.fixture
def inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SCHOOLTECH_NOW", "2026-11-25T18:30:00Z")
    target = tmp_path / "demo"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    return target


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def refused(err: str, path: Path, what: str, fix: str) -> bool:
    said = " ".join(err.split())
    return f"{path}: " in said and what in said and fix in said and "Traceback" not in err


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_from_file_is_refused_and_nothing_is_recorded(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    write, what = CASES[case]
    source = tmp_path / "discovery.json"
    write(source)
    code, out, err = run(capsys, "assets", "audit", "--school", "DEMO", "-i", inventory, "--from", source)
    assert code == 2, out + err
    assert refused(err, source, what, "give --from a file written by 'schooltech assets audit --format json'"), err
    assert files(tmp_path / "state") == []


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_latest_audit_record_stops_the_commands_that_count_it(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    write, what = CASES[case]
    audits = tmp_path / "state" / "audits" / "DEMO"
    audits.mkdir(parents=True)
    path = audits / "20261124T090000Z.json"
    write(path)
    before = files(tmp_path / "state")
    fix = "run the audit again ('schooltech assets audit --school DEMO')"
    code, out, err = run(capsys, "assets", "licences", "-i", inventory, "--school", "DEMO")
    assert (code, out) == (2, "") and refused(err, path, what, fix), err
    export = tmp_path / "export.csv"
    code, out, err = run(capsys, "assets", "export", "--format", "snipeit", "-i", inventory, "--school", "DEMO",
                         "--with-audit", "-o", export)  # fmt: skip
    assert code == 2 and refused(err, path, what, fix), err
    assert not export.exists()
    code, out, err = run(capsys, "report", "-i", inventory, "--no-drift", "--json", tmp_path / "r.json")
    assert code == 0, err
    note = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["audit"]["note"]
    assert f"damaged audit records: DEMO: {path}: " in note and what in note
    assert files(tmp_path / "state") == before
