"""``schooltech assets audit --from``: exit codes, the three formats, the round trip, damaged files, records."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from pydantic import ValidationError

from schooltech_fleet.assets import records
from schooltech_fleet.assets.audit import compare
from schooltech_fleet.assets.declared import declared_school
from schooltech_fleet.assets.discovery import DiscoveredPc, Discovery, Disk, MacSighting
from schooltech_fleet.cli import main
from schooltech_fleet.inventory.model import PcModel

DEMO = Path(__file__).resolve().parents[2] / "inventories" / "demo"
STRANGER = "02:00:5e:10:00:01"
# name -> (MAC, switch, port): where the demo's school file says each PC is plugged in
PCS = {
    "DEMO-LAB1-PC01": ("52:54:00:90:20:65", "DEMO-SW-LAB", 1),
    "DEMO-LAB1-PC02": ("52:54:00:90:20:66", "DEMO-SW-LAB", 2),
    "DEMO-LAB1-PC03": ("52:54:00:90:20:67", "DEMO-SW-LAB", 3),
    "DEMO-LAB1-PC04": ("52:54:00:90:20:68", "DEMO-SW-LAB", 4),
    "DEMO-LAB2-PC01": ("52:54:00:90:20:79", "DEMO-SW-LAB", 9),
    "DEMO-LAB2-PC02": ("52:54:00:90:20:7a", "DEMO-SW-LAB", 10),
    "DEMO-LIB-PC01": ("52:54:00:90:20:8d", "DEMO-SW-LIB", 1),
    "DEMO-LIB-PC02": ("52:54:00:90:20:8e", "DEMO-SW-LIB", 2),
}
VENDOR_MODEL = {"LAB1": ("Dell Inc.", "OptiPlex 7010 SFF"), "LAB2": ("Dell Inc.", "OptiPlex 3000 Micro"),
                "LIB": ("LENOVO", "11DT0032UK ThinkCentre M70q")}  # fmt: skip


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    """The demo school, its lab PCs' model declaring 8 GB of RAM and a 256 GB disk."""
    target = tmp_path / "demo"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    school = target / "demo.school.yml"
    text = school.read_text(encoding="utf-8")
    declared = "Dell OptiPlex 7010 SFF: {firmware: uefi, secure_boot: true}"
    assert declared in text
    school.write_text(text.replace(declared, declared[:-1] + ", ram_gb: 8, disk_gb: 256}"), encoding="utf-8")
    return target


def discovered(name: str) -> DiscoveredPc:
    vendor, model = VENDOR_MODEL[name.split("-")[1]]
    return DiscoveredPc(host=name, hostname=name.lower(), serial=None, vendor=vendor, model=model,
                        macs=(PCS[name][0],), ram_mb=7900, disks=(Disk("sda", 256),), os="Debian 12",
                        bios="Dell Inc. 1.2.3 01/01/2025")  # fmt: skip


def sighting(mac: str, switch: str, port: int) -> MacSighting:
    return MacSighting(switch, f"GigabitEthernet1/0/{port}", port, 20, mac, uplink=False)


def as_found() -> Discovery:
    """What the demo school looks like when everything is as declared (the core switch sees them on its uplinks)."""
    sightings = [sighting(mac, switch, port) for mac, switch, port in PCS.values()]
    sightings += [replace(sighting(mac, "DEMO-SW-CORE", 25 if switch == "DEMO-SW-LAB" else 26), uplink=True)
                  for mac, switch, _ in PCS.values()]  # fmt: skip
    return Discovery("DEMO", tuple(discovered(name) for name in PCS), (), tuple(sightings), (), "2026-12-01T00:30:00Z")


def planted() -> Discovery:
    """One of each class: PC03 gone, a stranger on LAB1's port 4, LIB-PC02 plugged into LAB2, PC01's RAM halved,
    LAB2-PC01 calling itself by an old name."""
    found = as_found()
    lib2_mac = PCS["DEMO-LIB-PC02"][0]
    pcs = [p for p in found.pcs if p.host != "DEMO-LAB1-PC03"]
    pcs = [replace(p, ram_mb=3900) if p.host == "DEMO-LAB1-PC01" else p for p in pcs]
    pcs = [replace(p, hostname="lab2-old01") if p.host == "DEMO-LAB2-PC01" else p for p in pcs]
    sightings = [s for s in found.sightings
                 if s.mac != PCS["DEMO-LAB1-PC03"][0] and (s.mac != lib2_mac or s.uplink)]  # fmt: skip
    sightings += [sighting(STRANGER, "DEMO-SW-LAB", 4), sighting(lib2_mac, "DEMO-SW-LAB", 10)]
    return replace(found, pcs=tuple(pcs), unreachable_pcs=("DEMO-LAB1-PC03",), sightings=tuple(sightings))


def save(path: Path, discovery: Discovery) -> Path:
    path.write_text(json.dumps(asdict(discovery)), encoding="utf-8")
    return path


def audit(inventory: Path, *args: str) -> int:
    return main(["assets", "audit", "-i", str(inventory), "--school", "DEMO", *args])


def test_a_school_as_declared_exits_0(inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit(inventory, "--from", str(save(tmp_path / "d.json", as_found()))) == 0
    out = capsys.readouterr().out
    assert "Asset audit of DEMO (all rooms)" in out
    assert "8 devices declared, 8 seen; no findings" in out


def test_every_planted_class_is_reported_and_exits_1(inventory: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert audit(inventory, "--from", str(save(tmp_path / "d.json", planted()))) == 1
    out = capsys.readouterr().out
    assert "5 findings: 1 missing, 1 unknown, 1 moved, 1 mismatch, 1 renamed" in " ".join(out.split())
    for line in ("MISSING  DEMO-LAB1-PC03 · room LAB1", f"UNKNOWN  {STRANGER} · room LAB1",
                 "MOVED    DEMO-LIB-PC02 · room LIB", "MISMATCH DEMO-LAB1-PC01 · room LAB1",
                 "RENAMED  DEMO-LAB2-PC01 · room LAB2"):  # fmt: skip
        assert line in out
    assert "8 GB RAM" in out and "3.8 GB RAM" in out


def test_text_written_to_a_file_stays_within_80_columns(inventory: Path, tmp_path: Path) -> None:
    report = tmp_path / "audit.txt"
    assert audit(inventory, "--from", str(save(tmp_path / "d.json", planted())), "--output", str(report)) == 1
    lines = report.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 20
    assert max(map(len, lines)) <= 80


def test_json_output_is_the_record_and_audits_again_identically(inventory: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert audit(inventory, "--from", str(save(tmp_path / "d.json", planted())), "--format", "json",
                 "--output", str(first)) == 1  # fmt: skip
    record = json.loads(first.read_text(encoding="utf-8"))
    assert record["format"] == 1
    assert set(record) == {"format", "discovery", "result"}
    assert record["discovery"]["school"] == "DEMO"
    assert sorted(f["kind"] for f in record["result"]["findings"]) == [
        "mismatch", "missing", "moved", "renamed", "unknown"]  # fmt: skip
    moved = next(f for f in record["result"]["findings"] if f["kind"] == "moved")
    assert (moved["switch"], moved["port"], moved["room"]) == ("DEMO-SW-LAB", 10, "LIB")
    assert audit(inventory, "--from", str(first), "--format", "json", "--output", str(second)) == 1
    assert json.loads(second.read_text(encoding="utf-8")) == record


def test_markdown_is_a_table_with_one_row_per_finding(inventory: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert audit(inventory, "--from", str(save(tmp_path / "d.json", planted())), "--format", "markdown") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "### Asset audit of DEMO (all rooms)"
    header = lines.index("| Class | Device | Room | Expected | Found | Hint |")
    assert lines[header + 1] == "|---|---|---|---|---|---|"
    rows = [line for line in lines[header + 2 :] if line.startswith("| ")]
    assert len(rows) == 5
    assert all(row.count(" | ") == 5 for row in rows)
    assert rows[0].startswith("| missing | `DEMO-LAB1-PC03` | LAB1 |")


def test_a_room_audit_counts_only_that_rooms_devices(inventory: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert audit(inventory, "--room", "LIB", "--from", str(save(tmp_path / "d.json", planted()))) == 1
    out = capsys.readouterr().out
    assert "(room LIB)" in out
    assert "2 devices declared, 2 seen; 1 finding: 1 moved" in out


@pytest.mark.parametrize(("content", "expected"), [
    ("{not json", "not JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
    ('{"school": "DEMO"}', "not a saved discovery (pcs: Field required; 4 more)"),
    ('{"discovery": {"school": "DEMO", "pcs": [{"host": 5}], "unreachable_pcs": [], "sightings": [], '
     '"unreachable_switches": [], "collected": "x"}}', "not a saved discovery (pcs.0.host: Input should be"),
    ("[1, 2]", "not a saved discovery"),
])  # fmt: skip
def test_a_damaged_from_file_exits_2_naming_the_file_the_fault_and_the_fix(
    inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    damaged = tmp_path / "damaged.json"
    damaged.write_text(content, encoding="utf-8")
    assert audit(inventory, "--from", str(damaged)) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{damaged}: {expected}" in err
    assert "hint: give --from a file written by 'schooltech assets audit --format json'" in err
    assert "Traceback" not in err


def test_a_missing_from_file_exits_2(inventory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit(inventory, "--from", str(tmp_path / "nowhere.json")) == 2
    assert "nowhere.json: cannot be read (No such file or directory)" in capsys.readouterr().err


def test_another_schools_discovery_and_an_unknown_room_exit_2(inventory: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    other = save(tmp_path / "d.json", replace(as_found(), school="OTHER"))
    assert audit(inventory, "--from", str(other)) == 2
    assert "holds a discovery of school OTHER, not DEMO" in capsys.readouterr().err
    assert audit(inventory, "--room", "LIBRARY", "--from", str(other)) == 2
    assert "school DEMO has no room 'LIBRARY'" in capsys.readouterr().err


def test_an_audit_record_is_saved_atomically_and_the_latest_is_read_back(
    inventory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    assert records.latest_audit("DEMO") is None
    declared = declared_school(inventory, "DEMO")
    older = records.AuditRecord(as_found(), compare(declared, as_found()))
    newer_discovery = replace(planted(), collected="2026-12-01T01:00:00Z")
    newer = records.AuditRecord(newer_discovery, compare(declared, newer_discovery))
    paths = [records.save(newer), records.save(older), records.save(newer)]
    assert [p.name for p in paths] == ["20261201T010000Z.json", "20261201T003000Z.json", "20261201T010000Z-2.json"]
    assert not list(paths[0].parent.glob(".*"))  # no temporary file left behind
    assert records.latest_audit("DEMO") == newer
    paths[2].write_text("{}", encoding="utf-8")
    with pytest.raises(records.DamagedRecord, match=re.escape("20261201T010000Z-2.json: not an audit record")):
        records.latest_audit("DEMO")


def test_the_declared_side_of_the_demo_school(inventory: Path) -> None:
    declared = declared_school(inventory, "DEMO")
    pc01 = next(d for d in declared.devices if d.name == "DEMO-LAB1-PC01")
    assert (pc01.room, pc01.mac, pc01.model, pc01.ram_gb, pc01.disk_gb) == (
        "LAB1", "52:54:00:90:20:65", "Dell OptiPlex 7010 SFF", 8, 256)  # fmt: skip
    assert declared.port("DEMO-SW-LAB", 9) is not None and declared.port("DEMO-SW-LAB", 9).room == "LAB2"  # type: ignore[union-attr]
    assert declared.port("DEMO-SW-CORE", 25).behind  # type: ignore[union-attr]  # an uplink
    assert declared.port("DEMO-SW-CORE", 20).behind  # type: ignore[union-attr]  # the corridor access points
    assert declared.port("DEMO-SW-LAB", 5) is None


@pytest.mark.parametrize("value", ["8", 0, -4, 8.0, True])
def test_a_models_ram_and_disk_are_whole_numbers_above_0(value: object) -> None:
    assert PcModel(ram_gb=8, disk_gb=256).ram_gb == 8
    with pytest.raises(ValidationError):
        PcModel(ram_gb=value)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        PcModel(disk_gb=value)  # type: ignore[arg-type]


def test_an_output_file_that_cannot_be_written_exits_2(inventory: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    target = tmp_path / "no-such-directory" / "audit.md"
    assert audit(inventory, "--from", str(save(tmp_path / "d.json", as_found())), "--output", str(target)) == 2
    assert f"{target}: cannot be written (No such file or directory)" in " ".join(capsys.readouterr().err.split())
