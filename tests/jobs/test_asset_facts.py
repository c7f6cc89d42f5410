"""The asset_facts role's set_stats report, read as a DiscoveredPc (pure: no PCs needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from schooltech_fleet.assets.discovery import DiscoveredPc, Disk
from schooltech_fleet.jobs.asset_facts import MalformedFacts, discovered_pc
from schooltech_fleet.jobs.job import rollout
from schooltech_fleet.jobs.model import JobKind, JobRequest

LENOVO: dict[str, Any] = {
    "hostname": "demo-lib-pc01",
    "dmi": {"product_serial": "PF3KX9ZA", "sys_vendor": "LENOVO", "product_name": "11DT003QUK",
            "product_version": "ThinkCentre M70q", "bios_vendor": "LENOVO", "bios_version": "M3AKT4EA",
            "bios_date": "11/05/2024"},
    "interfaces": {"eth0": "3C:52:82:1A:2B:3C", "wlan0": "8c:c6:81:aa:bb:cc"},
    "ram_mb": 15872,
    "disks": {"nvme0n1": 512, "sda": "256"},
    "os": "Debian 12",
    "packages": ["schooltech-exam-browser"],
}  # fmt: skip


def test_a_report_becomes_the_pcs_own_account_of_itself() -> None:
    assert discovered_pc("DEMO-LIB-PC01", LENOVO) == DiscoveredPc(
        host="DEMO-LIB-PC01", hostname="demo-lib-pc01", serial="PF3KX9ZA", vendor="LENOVO",
        model="ThinkCentre M70q (11DT003QUK)", macs=("3c:52:82:1a:2b:3c", "8c:c6:81:aa:bb:cc"), ram_mb=15872,
        disks=(Disk("nvme0n1", 512), Disk("sda", 256)), os="Debian 12", bios="LENOVO M3AKT4EA (11/05/2024)",
        packages=("schooltech-exam-browser",),
    )  # fmt: skip


def test_a_model_in_the_product_name_alone_is_the_model() -> None:
    dmi = {"sys_vendor": "Dell Inc.", "product_name": "OptiPlex 7010 SFF", "product_version": ""}
    pc = discovered_pc("PC", {**LENOVO, "dmi": dmi})
    assert (pc.vendor, pc.model, pc.serial, pc.bios) == ("Dell Inc.", "OptiPlex 7010 SFF", None, None)


@pytest.mark.parametrize("placeholder", ["To Be Filled By O.E.M.", "Default string", "Not Specified", " "])
def test_firmware_placeholders_are_no_value(placeholder: str) -> None:
    dmi = {"product_serial": placeholder, "sys_vendor": placeholder, "product_name": placeholder}
    pc = discovered_pc("PC", {**LENOVO, "dmi": dmi})
    assert (pc.serial, pc.vendor, pc.model) == (None, None, None)


def test_a_pc_without_firmware_tables_reports_what_it_can() -> None:
    pc = discovered_pc("PC", {"hostname": "pc", "interfaces": {}, "ram_mb": "2048", "disks": {}, "os": "Debian 12",
                              "packages": []})  # fmt: skip
    assert (pc.serial, pc.macs, pc.ram_mb, pc.disks, pc.bios) == (None, (), 2048, (), None)


@pytest.mark.parametrize(("change", "message"), [
    ({"interfaces": {"eth0": "not-a-mac"}}, "PC: interface eth0 reports 'not-a-mac', not a MAC address"),
    ({"interfaces": ["3c:52:82:1a:2b:3c"]}, "PC: interfaces is list, not a mapping"),
    ({"ram_mb": "lots"}, "PC: ram_mb is 'lots', not a whole number"),
    ({"ram_mb": -1}, "PC: ram_mb is -1, not a whole number"),
    ({"ram_mb": True}, "PC: ram_mb is True, not a whole number"),
    ({"disks": {"sda": 1.5}}, "PC: disk sda is 1.5, not a whole number"),
    ({"dmi": {"product_serial": 12345}}, "PC: dmi product_serial is 12345, not text"),
    ({"packages": "sudo"}, "PC: packages is str, not a list"),
    ({"packages": [""]}, "PC: packages has an empty entry"),
])  # fmt: skip
def test_a_malformed_report_is_refused_by_name_and_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedFacts) as refused:
        discovered_pc("PC", {**LENOVO, **change})
    assert refused.value.message == message
    assert refused.value.hint is not None and "asset_facts" in refused.value.hint


def test_a_report_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(MalformedFacts, match="PC: the report is str, not a mapping"):
        discovered_pc("PC", "oops")


def test_collecting_facts_is_read_only_every_pc_at_once_and_ignores_exam_freezes() -> None:
    kind = JobKind.ASSET_FACTS
    assert kind.read_only and not kind.respects_exam_freezes and kind.playbook == "asset_facts.yml"
    assert not any(k.read_only for k in JobKind if k is not kind)
    assert rollout(JobRequest(kind, Path("inventory"), "DEMO"), None, ["A", "B"]) == ["100%"]  # type: ignore[arg-type]
