"""``schooltech assets audit`` end to end on the simulated demo school: planted findings found, then gone.

Real SSH to every simulated PC (the asset_facts job: each PC reports its own hardware), real
Netmiko to every emulated switch;
the findings are planted the way ``schooltech sim plant`` plants them and undone afterwards, so
the later tests of the session see the demo school as declared. The fleet report written
after the audit carries its findings and is opened in headless Chromium, as the demo's is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from headless_chromium import binary, visit
from host_prerequisites import required
from PIL import Image

from schooltech_fleet.cli import main
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.jobs.locks import school_lock
from schooltech_fleet.sim import simulation
from schooltech_fleet.sim.hardware import plant_serial
from schooltech_fleet.sim.plant import plant_move, plant_stranger, unplant

pytestmark = [pytest.mark.sim, pytest.mark.chromium]

STRANGER = "02:00:5e:10:00:02"
STRANGER_AT = ("DEMO-SW-LAB", 10)  # a port of room LAB2, where DEMO-LAB2-PC02 is plugged in too
MOVED, MOVED_HOME, MOVED_TO = "DEMO-LAB1-PC04", ("DEMO-SW-LAB", 4), ("DEMO-SW-LIB", 2)  # LAB1 -> a library port
REBOARDED, OLD_SERIAL, NEW_SERIAL = "DEMO-LIB-PC01", "PF3KX9ZA", "PF9ZZ002"  # as declared in demo.school.yml
PLANTED_CLASSES = {"unknown", "moved", "mismatch"}


def audit(inventory: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    """Exit code and record (discovery and result) of ``schooltech assets audit --school DEMO --format json``."""
    code = main(["assets", "audit", "-i", str(inventory), "--school", "DEMO", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def planted(simulated_school: simulation.Simulation) -> Iterator[ExitStack]:
    """The three findings planted in the running simulation; ``.close()`` undoes them (at the latest after the test).

    Each undo is registered as soon as its plant succeeded, so a failure half-way still undoes the rest.
    """
    with ExitStack() as undo:
        plant_stranger(*STRANGER_AT, STRANGER)
        undo.callback(unplant, STRANGER_AT[0], STRANGER)
        plant_move(MOVED, *MOVED_TO)
        undo.callback(plant_move, MOVED, *MOVED_HOME)
        plant_serial(REBOARDED, NEW_SERIAL)
        undo.callback(plant_serial, REBOARDED, OLD_SERIAL)
        yield undo


def test_an_audit_finds_a_stranger_a_moved_pc_and_a_new_serial_and_nothing_once_they_are_undone(
    simulated_school: simulation.Simulation, planted: ExitStack, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    required(binary)
    inventory = Path(simulated_school.inventory)
    fleet = load_fleet(inventory)
    declared = {pc.name: fleet.host_vars(pc.name) for pc in simulated_school.pcs}
    code, record = audit(inventory, capsys)

    assert code == 1
    # each PC reported its own hardware over SSH: its serial (the planted one too) and MAC, not this machine's
    assert record["discovery"]["unreachable_pcs"] == []
    reported = {pc["host"]: pc for pc in record["discovery"]["pcs"]}
    assert sorted(reported) == sorted(declared)
    for name, values in declared.items():
        pc = reported[name]
        serial = NEW_SERIAL if name == REBOARDED else values["serial_number"]
        assert (pc["serial"], pc["macs"]) == (serial, [values["mac"]]), name
        assert pc["hostname"] == name.lower() and pc["os"] == "Debian 12" and pc["ram_mb"] and pc["bios"]
    assert (reported["DEMO-LAB1-PC01"]["vendor"], reported["DEMO-LAB1-PC01"]["model"]) == (
        "Dell Inc.", "OptiPlex 7010 SFF")  # fmt: skip
    assert (reported[REBOARDED]["vendor"], reported[REBOARDED]["model"]) == ("LENOVO", "ThinkCentre M70q (11DT003QUK)")
    findings = record["result"]["findings"]
    by_class = {kind: [f for f in findings if f["kind"] == kind] for kind in PLANTED_CLASSES}
    assert [(f["device"], f["room"], f["switch"], f["port"]) for f in by_class["unknown"]] == [
        (STRANGER, "LAB2", *STRANGER_AT)
    ]
    assert [(f["device"], f["room"], f["switch"], f["port"]) for f in by_class["moved"]] == [
        (MOVED, "LAB1", *MOVED_TO)  # the record's room, and where the switches see it now
    ]
    assert "a port of room LIB" in by_class["moved"][0]["found"]
    assert [(f["device"], f["field"], f["expected"], f["found"]) for f in by_class["mismatch"]] == [
        (REBOARDED, "serial", f"serial {OLD_SERIAL}", f"serial {NEW_SERIAL}")
    ]
    assert [f for f in findings if f["kind"] not in PLANTED_CLASSES] == []  # nothing missing, nothing renamed

    page, data = tmp_path / "report.html", tmp_path / "report.json"
    assert main(["report", "-i", str(inventory), "--school", "DEMO", "-o", str(page), "--json", str(data)]) == 0
    capsys.readouterr()
    section = json.loads(data.read_text(encoding="utf-8"))["audit"]
    assert {kind: n for kind, n in section["counts"].items() if n} == {"unknown": 1, "moved": 1, "mismatch": 1}
    assert {(f["finding"], f["subject"]) for f in section["findings"]} == {
        ("unknown", STRANGER),
        ("moved", MOVED),
        ("mismatch", REBOARDED),
    }
    assert all(name in page.read_text(encoding="utf-8") for name in (STRANGER, MOVED, REBOARDED, NEW_SERIAL))
    seen = visit(page, tmp_path)
    assert [url for url in seen.urls if not url.startswith("file:")] == []  # self-contained: nothing fetched
    with Image.open(seen.screenshot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    drawn = sum(n for n, rgb in colours if rgb != (255, 255, 255))
    assert drawn > 50_000  # tables and charts, not a blank page

    planted.close()  # the stranger unplugged, the PC back on its port, the old serial reported again
    with school_lock("DEMO", "a patch job"):  # read-only: it runs while another job holds the school's lock
        code, record = audit(inventory, capsys)
    assert (code, record["result"]["findings"]) == (0, [])
