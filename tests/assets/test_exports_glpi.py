"""The GLPI export: one native inventory per device, every one valid against GLPI's own schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from schooltech_fleet.assets.discovery import Discovery
from schooltech_fleet.assets.exports import export_glpi
from schooltech_fleet.inventory.fleet import Fleet

from .conftest import demo_audit

SCHEMA = json.loads((Path(__file__).parent / "glpi" / "inventory.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft7Validator(SCHEMA, format_checker=FormatChecker())


def documents(directory: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.iterdir())}


def assert_valid(directory: Path) -> None:
    for name, document in documents(directory).items():
        problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]
        assert not problems, f"{name}.json: {problems}"


def test_the_schema_rejects_what_glpi_would_reject() -> None:
    # the validator is live: a document without a deviceid, or with an unknown itemtype, fails
    assert not VALIDATOR.is_valid({"content": {"versionclient": "x"}})
    assert not VALIDATOR.is_valid({"deviceid": "x", "itemtype": "Toaster", "content": {"versionclient": "x"}})
    bad_ip = {
        "deviceid": "x",
        "content": {"versionclient": "x", "networks": [{"description": "n", "ipaddress": "1.2"}]},
    }
    assert not VALIDATOR.is_valid(bad_ip)


@pytest.mark.parametrize("audit", [None, demo_audit()], ids=["inventory", "with-audit"])
def test_every_example_school_exports_one_valid_file_per_host(examples: Fleet, tmp_path: Path,
                                                              audit: Discovery | None) -> None:  # fmt: skip
    result = export_glpi(examples, tmp_path / "glpi", discovery=audit)
    found = documents(tmp_path / "glpi")
    assert set(found) == set(examples.hosts) and result.assets == len(found)
    assert_valid(tmp_path / "glpi")


def test_generated_school_files_are_valid_and_carry_the_declared_serial(generated: Fleet, tmp_path: Path) -> None:
    export_glpi(generated, tmp_path / "glpi")
    assert_valid(tmp_path / "glpi")
    pc = documents(tmp_path / "glpi")["D000-R03-PC06"]
    assert (pc["itemtype"], pc["tag"]) == ("Computer", "D000")
    assert pc["content"]["bios"]["ssn"] == "SN00003005"
    assert pc["content"]["networks"] == [{"description": "nic0", "mac": "02:5c:00:03:00:05", "type": "ethernet"}]


def test_a_pc_without_an_audit_is_described_from_the_inventory(examples: Fleet, tmp_path: Path) -> None:
    export_glpi(examples, tmp_path / "glpi", school="DEMO")
    content = documents(tmp_path / "glpi")["DEMO-LAB1-PC01"]["content"]
    assert content["hardware"]["name"] == "DEMO-LAB1-PC01"
    assert content["bios"] == {"smodel": "Dell OptiPlex 7010 SFF", "ssn": "4XK7PW3"}
    assert content["networks"] == [
        {"description": "nic0", "mac": "52:54:00:90:20:65", "type": "ethernet", "ipaddress": "10.90.20.101"}
    ]
    assert (content["operatingsystem"]["name"], content["operatingsystem"]["version"]) == ("Debian", "12")
    assert "storages" not in content and "memory" not in content["hardware"]


def test_what_the_audit_found_is_reported_as_the_agent_would(examples: Fleet, tmp_path: Path) -> None:
    export_glpi(examples, tmp_path / "glpi", school="DEMO", discovery=demo_audit())
    found = documents(tmp_path / "glpi")
    content = found["DEMO-LAB1-PC01"]["content"]
    assert content["hardware"]["name"] == "demo-lab1-pc01" and content["hardware"]["memory"] == 16384
    assert content["bios"] == {"ssn": "CZC4051XYZ", "smanufacturer": "Dell Inc.", "smodel": "OptiPlex 7010",
                               "bversion": "Dell Inc. 1.19.0 2024-03-12"}  # fmt: skip
    assert [(n["mac"], n.get("ipaddress")) for n in content["networks"]] == [
        ("52:54:00:90:20:65", "10.90.20.101"),  # the declared MAC keeps the declared address
        ("a4:c3:f0:11:22:33", None),
    ]
    assert content["storages"] == [{"name": "nvme0n1", "type": "disk", "disksize": 512 * 1024},
                                   {"name": "sda", "type": "disk", "disksize": 1000 * 1024}]  # fmt: skip
    assert content["operatingsystem"] == {"name": "Debian", "version": "12", "full_name": "Debian 12"}
    # PC02 answered with another network card: GLPI gets the card that is there
    assert [n["mac"] for n in found["DEMO-LAB1-PC02"]["content"]["networks"]] == ["52:54:00:aa:bb:cc"]


def test_a_switch_is_a_network_inventory_of_a_networking_device(examples: Fleet, tmp_path: Path) -> None:
    export_glpi(examples, tmp_path / "glpi", school="DEMO")
    switch = documents(tmp_path / "glpi")["DEMO-SW-CORE"]
    assert (switch["action"], switch["itemtype"], switch["deviceid"]) == (
        "netinventory", "NetworkEquipment", "schooltech-DEMO-SW-CORE")  # fmt: skip
    device = switch["content"]["network_device"]
    assert (device["type"], device["model"], device["ips"]) == ("Networking", "Catalyst 9300-24T", ["10.90.99.11"])
