"""The Snipe-IT export: the importer's documented headers, one row per asset, exact values, no formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from schooltech_fleet.assets.discovery import DiscoveredPc, Discovery
from schooltech_fleet.assets.exports import export_snipeit
from schooltech_fleet.assets.exports.snipeit import warranty_months
from schooltech_fleet.errors import UsageError
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.fleet import Fleet

from .conftest import TODAY, demo_audit

# Snipe-IT's importer field names (https://snipe-it.readme.io/docs/importing-assets, app/Importer/import_mappings.md)
# and one custom field; written out here so a change to the exporter's list has to be a deliberate one.
DOCUMENTED = [
    "Asset Tag", "Item Name", "Serial Number", "Model Name", "Model Number", "Category", "Manufacturer",
    "Status", "Location", "Purchase Date", "Warranty Months", "MAC Address", "Notes",
]  # fmt: skip


def rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        assert reader.fieldnames == DOCUMENTED
        return {row["Item Name"]: row for row in reader}


def test_demo_school_is_one_row_per_device_and_switch_with_the_declared_values(examples: Fleet, tmp_path: Path) -> None:
    result = export_snipeit(examples, tmp_path / "demo.csv", school="DEMO")
    table = rows(tmp_path / "demo.csv")
    assert result.assets == len(table) == 11 and result.audited == 0
    pc = table["DEMO-LAB1-PC01"]
    assert pc["MAC Address"] == "52:54:00:90:20:65"
    assert (pc["Purchase Date"], pc["Warranty Months"]) == ("2025-08-01", "60")
    assert (pc["Model Name"], pc["Category"], pc["Status"]) == ("Dell OptiPlex 7010 SFF", "Desktop", "Ready to Deploy")
    assert pc["Location"] == "Demo Academy, main, LAB1"
    assert (pc["Asset Tag"], pc["Serial Number"]) == ("4XK7PW3", "4XK7PW3")  # the declared serial is the tag
    switch = table["DEMO-SW-CORE"]
    assert (switch["Category"], switch["Model Name"]) == ("Network Switch", "Catalyst 9300-24T")
    assert switch["Notes"] == "schooltech: switch; IP 10.90.99.11; platform cisco_ios"
    assert switch["Asset Tag"] == "DEMO-SW-CORE"  # no serial declared: the name stands in
    assert pc["Notes"] == "schooltech: lab pc; IP 10.90.20.101; OS debian12"


def test_every_example_school_exports_every_host(examples: Fleet, tmp_path: Path) -> None:
    export_snipeit(examples, tmp_path / "all.csv")
    assert set(rows(tmp_path / "all.csv")) == set(examples.hosts)


def test_generated_school_pattern_devices_keep_their_own_serial_and_mac(generated: Fleet, tmp_path: Path) -> None:
    export_snipeit(generated, tmp_path / "d000.csv", school="D000")
    table = rows(tmp_path / "d000.csv")
    assert len(table) == 610
    pc = table["D000-R03-PC06"]  # the sixth asset record of room R03's pattern
    assert (pc["Serial Number"], pc["Asset Tag"], pc["MAC Address"]) == (
        "SN00003005",
        "SN00003005",
        "02:5c:00:03:00:05",
    )
    assert (pc["Purchase Date"], pc["Warranty Months"]) == ("2024-08-01", "60")


def test_what_the_audit_found_wins_and_the_declared_value_is_noted(examples: Fleet, tmp_path: Path) -> None:
    result = export_snipeit(examples, tmp_path / "demo.csv", school="DEMO", discovery=demo_audit())
    assert result.audited == 2
    table = rows(tmp_path / "demo.csv")
    pc01, pc02 = table["DEMO-LAB1-PC01"], table["DEMO-LAB1-PC02"]
    assert (pc01["Serial Number"], pc01["Asset Tag"]) == ("CZC4051XYZ", "CZC4051XYZ")
    assert (pc01["Manufacturer"], pc01["Model Number"]) == ("Dell Inc.", "OptiPlex 7010")
    assert pc01["MAC Address"] == "52:54:00:90:20:65"  # the declared MAC is among those found: it stays
    assert pc02["MAC Address"] == "52:54:00:aa:bb:cc"
    assert "inventory MAC 52:54:00:90:20:66" in pc02["Notes"]
    assert table["DEMO-LAB1-PC03"]["Serial Number"] == "C8RTZV3"  # not reached: the inventory alone


@pytest.mark.parametrize(
    ("purchased", "warranty_end", "months"),
    [
        ("2025-08-01", "2030-07-31", 60),
        ("2025-08-01", "2030-07-30", 59),  # a day short of five years: Snipe-IT must not show more
        ("2024-01-31", "2027-01-30", 36),
        ("2024-02-29", "2025-02-28", 12),
        ("2024-01-15", "2024-01-15", 0),
        ("2025-01-01", "2024-12-31", None),
    ],
)
def test_warranty_months_are_whole_months_rounded_down(purchased: str, warranty_end: str, months: int | None) -> None:
    assert warranty_months(dt.date.fromisoformat(purchased), dt.date.fromisoformat(warranty_end)) == months
    assert warranty_months(None, dt.date.fromisoformat(warranty_end)) is None


HOSTILE = """\
schooltech: 1
school: {name: '=HYPERLINK("http://evil.example/")&A1', code: HOS, type: secondary}
vlans:
  students: {subnet: 10.9.16.0/24, gateway: 10.9.16.1}
  management: {subnet: 10.9.99.0/24, gateway: 10.9.99.1}
rooms:
  - name: C1
    kind: ict_suite
    devices:
      - {name: HOS-C1-PC01, role: lab_pc, os: debian12, ip: 10.9.16.11, model: "+cmd|' /C calc'!A0",
         serial: "@SUM(1+1)*cmd|' /C calc'!A0", purchased: 2025-08-01, warranty_end: 2028-07-31}
      - {name: HOS-C1-PC02, role: lab_pc, os: debian12, ip: 10.9.16.12, model: "-2+3+cmd|' /C calc'!A0"}
switches:
  - {name: HOS-SW1, platform: cisco_ios, mgmt_ip: 10.9.99.11, model: "=1+1", ports: [{ports: 1-2, room: C1}],
     uplinks: [{port: 49, description: router}]}
"""


def test_cells_that_start_like_a_formula_are_neutralised(tmp_path: Path, state_dir: Path) -> None:
    school = tmp_path / "hos.school.yml"
    school.write_text(HOSTILE, encoding="utf-8")
    fleet = load_fleet(school, today=TODAY)  # the inventory accepts these values: the export must defuse them
    # what a PC reports is no safer than what a person typed
    found = DiscoveredPc(host="HOS-C1-PC02", hostname="=2+2", serial=None, vendor="=WEBSERVICE(\"http://x/\")",
                         model=None, macs=(), ram_mb=None, disks=(), os=None, bios=None)  # fmt: skip
    audit = Discovery("HOS", (found,), (), (), (), "2026-12-01T01:00:00Z")
    export_snipeit(fleet, tmp_path / "hos.csv", discovery=audit)
    table = rows(tmp_path / "hos.csv")
    pc01, pc02, switch = table["HOS-C1-PC01"], table["HOS-C1-PC02"], table["HOS-SW1"]
    assert pc01["Model Name"] == "'+cmd|' /C calc'!A0"
    assert pc01["Serial Number"] == pc01["Asset Tag"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert pc02["Model Name"] == "'-2+3+cmd|' /C calc'!A0"
    assert switch["Model Name"] == "'=1+1"
    assert pc02["Manufacturer"] == '\'=WEBSERVICE("http://x/")'
    assert pc01["Location"].startswith("'=HYPERLINK(")
    text = (tmp_path / "hos.csv").read_text(encoding="utf-8")
    for cell in csv.reader(io.StringIO(text)):
        assert not any(value[:1] in "=+-@\t\r" and value for value in cell), cell
    # every cell quoted (RFC 4180), so a comma or quote inside a value cannot open another cell
    assert all(line.startswith('"') and line.endswith('"') for line in text.splitlines())


def test_an_audit_of_another_school_is_refused(examples: Fleet, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="audit is of school DEMO, not RVS"):
        export_snipeit(examples, tmp_path / "x.csv", school="RVS", discovery=demo_audit())
    assert not (tmp_path / "x.csv").exists()
