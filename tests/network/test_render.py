"""Rendering paths the example inventories do not reach: a guest port, a fractional storm-control level,
an unknown platform in a school file (through the CLI: exit code 2, the supported platforms named)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from schooltech_fleet.network.operations import Selection, intended

from .conftest import copy_example

SCHOOLTECH = str(Path(sys.executable).parent / "schooltech")


def edited_secondary(tmp_path: Path, edit: Any) -> Path:
    """A copy of the secondary example with *edit* applied to its parsed school file."""
    inventory = copy_example("secondary", tmp_path)
    path = inventory / "rvs.school.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return inventory


def switch(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in document["switches"] if s["name"] == name)
    return found


def section(config: str, header: str) -> list[str]:
    """The lines under *header* (up to the next line in column 0)."""
    lines = config.splitlines()
    start = lines.index(header) + 1
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith(" "))
    return lines[start:end]


def test_a_guest_port_gets_the_isolation_acl_on_both_platforms(tmp_path: Path) -> None:
    def add_guest_ports(document: dict[str, Any]) -> None:
        switch(document, "RVS-SW-A1")["ports"].append({"ports": 48, "vlan": "guest", "description": "Visitor desk"})
        switch(document, "RVS-SW-T1")["ports"].append({"ports": 24, "vlan": "guest"})

    configs = {r.switch: r.config for r in intended(Selection(edited_secondary(tmp_path, add_guest_ports)))}

    assert section(configs["RVS-SW-A1"], "interface GigabitEthernet1/0/48") == [
        " description Visitor desk",
        " switchport access vlan 30",
        " switchport mode access",
        " switchport port-security maximum 2",
        " switchport port-security violation restrict",
        " switchport port-security",
        " ip access-group GUEST-ISOLATION in",
        " storm-control broadcast level 5.00",
        " spanning-tree portfast",
    ]
    assert configs["RVS-SW-A1"].count("ip access-group") == 1  # staff and student ports stay unfiltered
    assert section(configs["RVS-SW-T1"], "interface 24") == [
        '   name "guest VLAN"', '   ip access-group "GUEST-ISOLATION" in', "   broadcast-limit 5", "   exit",
    ]  # fmt: skip
    guest_vlan = ['   name "GUEST"', "   untagged 24", "   tagged 23,25", "   exit"]
    assert section(configs["RVS-SW-T1"], "vlan 30") == guest_vlan
    assert "   untagged 26-28\n   no untagged 1-25\n" in configs["RVS-SW-T1"]
    assert "port-security 1-22,24 learn-mode static" in configs["RVS-SW-T1"]


def test_a_fractional_storm_control_level_never_turns_into_zero(tmp_path: Path) -> None:
    def half_percent(document: dict[str, Any]) -> None:
        document["settings"]["switch"] = {"storm_control": {"broadcast_level": 0.5}}

    configs = {r.switch: r.config for r in intended(Selection(edited_secondary(tmp_path, half_percent)))}

    assert " storm-control broadcast level 0.50" in section(configs["RVS-SW-A1"], "interface GigabitEthernet1/0/1")
    assert "   broadcast-limit 1" in section(configs["RVS-SW-T1"], "interface 1")  # whole percent only: round up


def test_an_unknown_platform_is_refused_naming_the_supported_ones(tmp_path: Path) -> None:
    def junos(document: dict[str, Any]) -> None:
        switch(document, "RVS-SW-T1")["platform"] = "juniper_junos"

    inventory = edited_secondary(tmp_path, junos)
    done = subprocess.run([SCHOOLTECH, "net", "render", "-i", str(inventory), "--output", str(tmp_path / "out")],
                          capture_output=True, text=True, check=False)  # fmt: skip

    assert done.returncode == 2, done.stdout + done.stderr
    output = " ".join((done.stdout + done.stderr).split())
    assert "juniper_junos" in output
    assert "cisco_ios, hp_procurve" in output
    assert not (tmp_path / "out").exists()
