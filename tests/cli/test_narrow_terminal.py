"""Every table the CLI prints, at 80 columns: each name and run id whole, no line wider than 80.

The commands read records and inventories without a simulation: run records are written to a
private state directory, the rest render typed results built here as a command would get them.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from assets.test_audit_command import STRANGER, planted, save
from inventory.helpers import EXAMPLE
from report.sample import report
from rich.console import Console

from schooltech_fleet.cli import image, main, net, plan, sim
from schooltech_fleet.cli.tables import print_table
from schooltech_fleet.imaging.run import ImagingResult, PcResult
from schooltech_fleet.imaging.waves import PcOutcome
from schooltech_fleet.inventory import fleet_summary, load_fleet
from schooltech_fleet.inventory.licences import SeatUsage
from schooltech_fleet.jobs import HostResult, HostStatus, JobKind, JobResult
from schooltech_fleet.jobs import runs as run_records
from schooltech_fleet.network.hostkeys import HostKey
from schooltech_fleet.network.operations import PushResult, SwitchPlan
from schooltech_fleet.network.push import Outcome, SwitchOutcome
from schooltech_fleet.network.trust import KeyState, SwitchKey
from schooltech_fleet.report.data import DriftSection, DriftState, SwitchDrift
from schooltech_fleet.review.school_plan import HostPlan, SchoolPlan
from schooltech_fleet.sim.imaging.school_lab import LabPcRecord, LabRecord, LabStatus
from schooltech_fleet.sim.imaging.vm import VmState, VmStatus
from schooltech_fleet.sim.plant import Planted
from schooltech_fleet.sim.switches.mac_table import Station

from .screen import rows, squash

SCHOOL = "RIVERSIDE"
RUN_IDS = (f"configure-{SCHOOL}-20260901T173000Z", f"patch-{SCHOOL}-20260902T061500Z-2")
HOSTS = (f"{SCHOOL}-DESIGN-TECHNOLOGY-STUDIO-PC01", f"{SCHOOL}-COMPUTING-1-PC02", f"{SCHOOL}-LIBRARY-PC03")
FAILURE = ("schooltech.baseline : Install the baseline packages: Failed to update apt cache: W:Some index "
           "files failed to download. They have been ignored, or old ones used instead.")  # fmt: skip
SWITCHES = (f"{SCHOOL}-DESIGN-TECHNOLOGY-ACCESS-SW01", f"{SCHOOL}-CORE-SW01")
DEMO = Path(__file__).resolve().parents[2] / "inventories" / "demo"
DEMO_DAY = "2026-11-25T18:30:00Z"  # the day the demo school's warranty dates are written for


def fits(text: str, width: int = 80, prose: tuple[str, ...] = ()) -> None:
    """No line of *text* is wider than *width*, except the sentences that begin with one of *prose*.

    The commands print sentences that hold a command to copy soft-wrapped (one line, wrapped by the
    terminal, never broken inside the command); tables and lists are wrapped to the width.
    """
    assert text.strip()
    too_wide = [line for line in text.splitlines() if len(line) > width and not line.startswith(prose)]
    assert not too_wide, "\n".join(too_wide)


def console(width: int = 80) -> tuple[Console, io.StringIO]:
    """A console like the command's own (see cli.main), writing to a string."""
    out = io.StringIO()
    return Console(file=out, width=width, highlight=False, soft_wrap=True, emoji=False), out


def command(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str, code: int = 0,
            width: int = 80) -> str:  # fmt: skip
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(list(argv)) == code
    return capsys.readouterr().out


@pytest.fixture
def recorded_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    for n, run_id in enumerate(RUN_IDS):
        kind = JobKind(run_id.split("-", 1)[0])
        hosts = (HostResult(HOSTS[0], HostStatus.CHANGED, ok=41, changed=3),
                 HostResult(HOSTS[1], HostStatus.FAILED, ok=12, failed_task=FAILURE.split(": ", 1)[0],
                            message=FAILURE.split(": ", 1)[1]),
                 HostResult(HOSTS[2], HostStatus.UNREACHABLE, message="ssh: connect to host 10.9.16.13 port 22: "
                                                                      "No route to host"))  # fmt: skip
        run_records.new_run_dir(run_id)
        run_records.save(JobResult(run_id=run_id, kind=kind, school=SCHOOL, check=n == 1,
                                   started=f"2026-09-0{n + 1}T17:30:00Z", finished=f"2026-09-0{n + 1}T17:34:00Z",
                                   duration=240.0, hosts=hosts, halted=n == 0))  # fmt: skip


@pytest.mark.usefixtures("recorded_runs")
def test_runs_list_keeps_every_run_id_whole(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    text = command(capsys, monkeypatch, "runs", "list")
    fits(text)
    found = rows(text)
    assert [row["run"] for row in found] == [RUN_IDS[1], RUN_IDS[0]]
    assert [row["started"] for row in found] == ["2026-09-02 17:30", "2026-09-01 17:30"]
    assert [(row["hosts"], row["failed"]) for row in found] == [("3", "2"), ("3", "2")]


@pytest.mark.usefixtures("recorded_runs")
def test_runs_list_at_120_columns_shows_every_column(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["runs", "list"]) == 0
    text = capsys.readouterr().out
    fits(text, 120)
    assert rows(text)[1] == {"run": RUN_IDS[0], "job": "configure", "school": SCHOOL, "started": "2026-09-01 17:30",
                             "hosts": "3", "failed": "2", "halted": "yes", "check": ""}  # fmt: skip


@pytest.mark.usefixtures("recorded_runs")
def test_runs_show_keeps_hostnames_whole_and_the_failure_readable(capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    text = command(capsys, monkeypatch, "runs", "show", RUN_IDS[0])
    fits(text, prose=("rollout halted: ",))
    assert f"configure {SCHOOL}: run {RUN_IDS[0]}" in text
    found = rows(text)
    assert [row["host"] for row in found] == list(HOSTS)
    assert [row["result"] for row in found] == ["changed", "failed", "unreachable"]
    assert squash(found[1]["detail"]) == squash(FAILURE)


def test_inventory_list_keeps_every_room_name_whole(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    text = command(capsys, monkeypatch, "inventory", "list", "-i", str(EXAMPLE.parent))
    fits(text)
    schools = fleet_summary(load_fleet(EXAMPLE.parent))
    found = rows(text)
    assert [row["room"] for row in found] == [room.name for school in schools for room in school.rooms]
    assert [squash(row["software sets"]) for row in found] == [
        squash(", ".join(room.software_sets) or "-") for school in schools for room in school.rooms
    ]


def printed(render: Callable[[Console], object], width: int = 80) -> str:
    shown, out = console(width)
    render(shown)
    return out.getvalue()


def test_net_push_table_keeps_switch_names_run_id_and_outcomes_whole() -> None:
    result = PushResult(run_id=f"net-push-{SCHOOL}-20260901T173000Z", check=False, atomic=True, duration=42.0,
                        switches=(SwitchOutcome(SWITCHES[0], SCHOOL, Outcome.ROLLED_BACK, commands=("vlan 30",) * 12,
                                                backup="3f9c2a1b7d4e", kept=211,
                                                message="verify failed: 'interface Gi1/0/7' shows 'switchport access "
                                                        "vlan 20', intended 'switchport access vlan 30'"),
                                  SwitchOutcome(SWITCHES[1], SCHOOL, Outcome.NEEDS_ATTENTION, kept=480,
                                                message="the session dropped before confirm")))  # fmt: skip
    text = printed(lambda shown: net._print_push(shown, result))
    fits(text)
    assert f"run {result.run_id} (atomic)" in text
    found = rows(text)
    assert [(row["switch"], row["outcome"]) for row in found] == [(SWITCHES[0], "rolled back"),
                                                                  (SWITCHES[1], "needs attention")]  # fmt: skip
    assert squash(found[0]["detail"]) == squash(result.switches[0].message)


def test_net_drift_table_keeps_switch_names_whole() -> None:
    plans = [SwitchPlan(SWITCHES[0], SCHOOL, None, error="TCP connection to 10.9.99.12:22 timed out after 20 s"),
             SwitchPlan(SWITCHES[1], SCHOOL, None, error="authentication failed")]  # fmt: skip
    text = printed(lambda shown: net._print_drift(shown, plans))
    fits(text)
    found = rows(text)
    assert [row["switch"] for row in found] == list(SWITCHES)
    assert squash(found[0]["state"]) == squash(f"failed: {plans[0].error}")


def test_net_trust_keeps_every_fingerprint_whole() -> None:
    offered = HostKey("ssh-ed25519", base64.b64encode(b"offered key " * 3).decode())
    before = HostKey("ssh-ed25519", base64.b64encode(b"the key recorded " * 2).decode())
    keys = [SwitchKey(SWITCHES[0], SCHOOL, "10.9.99.12", 22, Path("known_hosts"), KeyState.CHANGED, offered,
                      (before,)),
            SwitchKey(SWITCHES[1], SCHOOL, "10.9.99.2", 22, Path("known_hosts"), KeyState.NEW, before)]  # fmt: skip
    text = printed(lambda shown: net._print_keys(shown, "host keys to record", keys))
    fits(text)
    found = rows(text)
    assert [(row["switch"], row["address"], row["fingerprint"]) for row in found] == [
        (SWITCHES[0], "10.9.99.12:22", offered.fingerprint), (SWITCHES[1], "10.9.99.2:22", before.fingerprint)]
    assert found[0]["recorded before"] == before.fingerprint


def test_image_result_table_keeps_pc_names_and_run_id_whole() -> None:
    result = ImagingResult(run_id=f"image-{SCHOOL}-20260901T173000Z", school=SCHOOL, started="", finished="",
                           duration=1500.0,
                           pcs=(PcResult(HOSTS[0], "DESIGN-TECHNOLOGY-STUDIO", "52:54:00:12:34:56", PcOutcome.INSTALLED,
                                         1, 812.0),
                                PcResult(HOSTS[2], "LIBRARY", "52:54:00:12:34:58", PcOutcome.NO_CALLBACK, 3, None)))
    text = printed(lambda shown: image._print_result(shown, result))  # fmt: skip
    fits(text, prose=("image them again with: ",))
    assert f"image {SCHOOL}: run {result.run_id}" in text
    found = rows(text)
    assert [(row["PC"], row["result"]) for row in found] == [(HOSTS[0], "installed"), (HOSTS[2], "no callback")]


def test_school_plan_tables_keep_pc_names_and_licences_whole() -> None:
    upgrades = ("firefox-esr 115.14.0esr-1~deb12u1 -> 128.3.1esr-1~deb12u1",
                "openssl 3.0.14-1~deb12u1 -> 3.0.14-1~deb12u2")
    result = SchoolPlan(
        school=SCHOOL, switches=(), runs=(RUN_IDS[1],),
        hosts=(HostPlan(HOSTS[0], ("patch: Upgrade packages",) * 2, upgrades),
               HostPlan(HOSTS[2], problem="unreachable: ssh: connect to host 10.9.16.13 port 22: No route to host")),
        licences=(SeatUsage(SCHOOL, "adobe-creative-cloud-education", "Adobe Creative Cloud for Education",
                            "per_seat", 30, 34, ("DESIGN-TECHNOLOGY-STUDIO", "COMPUTING-1"), None),),
    )  # fmt: skip
    text = printed(lambda shown: plan._print(shown, result))
    fits(text, prose=("incomplete: ",))
    found = rows(text)
    assert [row["PC"] for row in found if "PC" in row] == [HOSTS[0], HOSTS[2]]
    assert squash(found[0]["upgrades pending"]) == squash(", ".join(upgrades))
    assert "adobe-creative-cloud-education" in text


@pytest.mark.parametrize("width", [60, 120])
@pytest.mark.usefixtures("recorded_runs")
def test_runs_show_at_other_widths(width: int, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(["runs", "show", RUN_IDS[1]]) == 0
    text = capsys.readouterr().out
    fits(text, width)
    assert [row["host"] for row in rows(text)] == list(HOSTS)


@pytest.mark.parametrize("width", [80, 40])
def test_assets_warranty_keeps_device_names_and_dates_whole(width: int, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("SCHOOLTECH_NOW", DEMO_DAY)
    text = command(capsys, monkeypatch, "assets", "warranty", "-i", str(DEMO), "--within", "180", code=1, width=width)
    fits(text, width)
    found = rows(text)
    assert [(row["device"], row["warranty end"]) for row in found] == [
        ("DEMO-LAB2-PC01", "2026-12-18"), ("DEMO-LAB2-PC02", "2026-12-18"), ("DEMO-SW-LAB", "2027-01-31"),
        ("DEMO-LIB-PC01", "2025-08-31"), ("DEMO-LIB-PC02", "2025-08-31")]  # fmt: skip
    assert squash(found[3]["reason"]) == squash("no renewal, replaced in the 2026/27 refresh")
    assert squash("3 ending within 180 days, 0 ended, 2 acknowledged") in squash(text)


def test_assets_refresh_keeps_each_year_and_its_cost(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("SCHOOLTECH_NOW", DEMO_DAY)
    text = command(capsys, monkeypatch, "assets", "refresh", "-i", str(DEMO), "--years", "2")
    fits(text)
    assert "DEMO: refresh plan (years from 04-01)" in text
    assert rows(text) == [
        {"year": "2026/27", "devices": "3", "by class": "2 desktop, 1 switch", "cost GBP": "2,500"},
        {"year": "2027/28", "devices": "2", "by class": "2 desktop", "cost GBP": "1,300"},
    ]


@pytest.mark.parametrize("width", [80, 40])
def test_assets_licences_keeps_licence_ids_whole(width: int, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("SCHOOLTECH_NOW", DEMO_DAY)
    text = command(capsys, monkeypatch, "assets", "licences", "-i", str(DEMO), width=width)
    fits(text, width)
    found = rows(text)
    assert [(row["licence"], row["seats"], row["used"], row["status"]) for row in found] == [
        ("exam-browser", "site", "6", "ok"), ("datalogger", "4", "2", "ok")]  # fmt: skip
    if width == 80:
        assert [row["type"] for row in found] == ["site", "per_seat"]


def test_assets_audit_text_is_one_block_per_finding_within_80_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = save(tmp_path / "discovery.json", planted())
    text = command(capsys, monkeypatch, "assets", "audit", "-i", str(DEMO), "--school", "DEMO", "--from", str(saved),
                   code=1)  # fmt: skip
    fits(text)
    for heading in ("MISSING  DEMO-LAB1-PC03 · room LAB1", f"UNKNOWN  {STRANGER} · room LAB1",
                    "MOVED    DEMO-LIB-PC02 · room LIB", "RENAMED  DEMO-LAB2-PC01 · room LAB2"):  # fmt: skip
        assert heading in text.splitlines()


def _drift(*changes: int) -> DriftSection:
    return DriftSection(switches=[SwitchDrift(school=SCHOOL, switch=name, state=DriftState.DRIFTED, changes=n)
                                  for name, n in zip(SWITCHES, changes, strict=True)])  # fmt: skip


@pytest.mark.parametrize("width", [80, 50])
def test_report_diff_keeps_switch_names_whole(width: int, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    old, new = tmp_path / "november.json", tmp_path / "december.json"
    old.write_text(report(drift=_drift(0, 2)).to_json(), encoding="utf-8")
    new.write_text(report(drift=_drift(4, 2)).to_json(), encoding="utf-8")
    text = command(capsys, monkeypatch, "report", "diff", str(old), str(new), code=1, width=width)
    fits(text.split("\n", 1)[1], width)  # the first line names the two files, as given
    assert "drift" in text.splitlines()
    assert {"change": "worse", "subject": f"{SCHOOL} {SWITCHES[0]}", "measure": "changes", "was": "0",
            "now": "4"} in rows(text)  # fmt: skip
    assert text.splitlines()[-1].endswith("worse, 0 changed")


def test_sim_plant_says_where_the_device_is_within_80_columns() -> None:
    station = Station("52:54:00:90:20:65", "GigabitEthernet1/0/24", label=HOSTS[0])
    text = printed(lambda shown: sim._print_planted(Planted(station, SWITCHES[0], 24, port_up=False), shown))
    fits(text)
    said = f"{HOSTS[0]} (5254.0090.2065) is now on {SWITCHES[0]} port 24 (GigabitEthernet1/0/24)"
    assert squash(said) in squash(text)
    assert "port 24 is shut down" in text


def test_sim_status_keeps_a_hosts_state_and_a_vms_firmware_whole() -> None:
    pc, switch, school = "DEMO-LAB1-PC01", "DEMO-SW-CORE", "RIVERSIDE-ACADEMY"  # a table just too wide for 80
    hosts = [(pc, "pc", school, "LAB1", "127.0.0.1:22001", "[red]not installed[/red]"),
             (switch, "switch", school, "-", "127.0.0.1:22011", "[green]running[/green]")]  # fmt: skip
    text = printed(lambda shown: print_table(shown, "simulation", sim._HOST_COLUMNS, hosts))
    fits(text)
    assert [(row["host"], row["state"]) for row in rows(text)] == [(pc, "not installed"), (switch, "running")]
    assert "not installed" in text  # on one line: what tests/sim_imaging looks for in 'sim status'
    mac = "52:54:00:90:20:65"
    record = LabRecord(school="DEMO", boot_server="DEMO-PXE1", url="http://10.90.20.5:8080", subnet="10.90.20.0/24",
                       broadcast="10.90.20.255", run_id="image-DEMO-20260901T173000Z", owner_pid=1, namespaces=(),
                       workdir="/var/lib/schooltech/sim/imaging/labs/image-DEMO-20260901T173000Z", served_root="/srv",
                       services={}, max_running=2,
                       pcs=(LabPcRecord(pc, mac, "LAB1", "uefi-secure-boot", True),))  # fmt: skip
    lab = LabStatus(record, {"boot server HTTP": True}, (VmStatus(pc.lower(), mac, VmState.RUNNING, boots=2),))
    for width in (80, 100):
        text = printed(lambda shown: sim._print_lab(lab, shown), width)
        fits(text, width, prose=("imaging lab of ",))
        (vm,) = rows(text)
        assert (vm["PC VM"], vm["MAC"], vm["firmware"], vm["power"]) == (pc, mac, "uefi-secure-boot", "running")
        assert squash(vm["serial log"]) == squash(str(record.serial_log(record.pcs[0])))
