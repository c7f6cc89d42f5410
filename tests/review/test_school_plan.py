"""``schooltech plan`` on the simulated school: PCs, switches and licences in one report; nothing changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from schooltech_fleet.network.operations import Selection, push
from schooltech_fleet.sim import pcs, simulation

KEYS = {"DEMO_EXAM_BROWSER_KEY": "plan-exam-key", "DEMO_DATALOGGER_KEY": "plan-datalogger-key"}
SCHOOLTECH = str(Path(sys.executable).parent / "schooltech")


def on(school: simulation.Simulation, pc: str, command: str) -> str:
    return pcs.exec_in(school.container(pc), ["sh", "-c", command]).stdout.strip()


def test_plan_reports_pcs_switches_and_licences_and_changes_nothing(simulated_school: simulation.Simulation) -> None:
    school, inventory = simulated_school, Path(simulated_school.inventory)
    assert push(Selection(inventory, ("DEMO",))).succeeded  # every switch at its intended config ...
    school.control().configure("DEMO-SW-LIB", "ntp server 10.90.99.250")  # ... but one changed out of band
    on(school, "DEMO-LIB-PC01", "rm -f /etc/motd")  # and one PC lost its message of the day

    done = subprocess.run([SCHOOLTECH, "plan", "-i", str(inventory), "--school", "DEMO", "--format", "json"],
                          env={**os.environ, **KEYS}, capture_output=True, text=True, check=False)  # fmt: skip

    assert done.returncode == 1, done.stderr  # changes pending
    report = json.loads(done.stdout)
    assert report["complete"] and report["pending"]
    hosts = {host["name"]: host for host in report["hosts"]}
    assert set(hosts) == {pc.name for pc in school.pcs}
    motd = "rebuild: Write the acceptable-use banner and the message of the day"
    assert motd in hosts["DEMO-LIB-PC01"]["would_change"]
    assert on(school, "DEMO-LIB-PC01", "test -e /etc/motd && echo present || echo absent") == "absent"
    commands = {switch["switch"]: switch["commands"] for switch in report["switches"]}
    assert commands["DEMO-SW-CORE"] == [] and commands["DEMO-SW-LAB"] == []
    assert sorted(commands["DEMO-SW-LIB"]) == ["no ntp server 10.90.99.250"]
    assert "ntp server 10.90.99.250" in school.control().running_config("DEMO-SW-LIB")  # still there
    licences = {licence["licence"]: licence for licence in report["licences"]}
    assert (licences["datalogger"]["type"], licences["datalogger"]["seats"], licences["datalogger"]["used"]) == (
        "per_seat", 4, 2)  # fmt: skip
    assert licences["exam-browser"]["rooms"] == ["LAB1", "LIB"]
    assert len(report["runs"]) == 2  # the two check runs are on record
