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
from inventory.helpers import EXAMPLE
from rich.console import Console

from schooltech_fleet.cli import image, main, net, plan
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
from schooltech_fleet.review.school_plan import HostPlan, SchoolPlan

from .screen import rows, squash

SCHOOL = "RIVERSIDE"
RUN_IDS = (f"configure-{SCHOOL}-20260901T173000Z", f"patch-{SCHOOL}-20260902T061500Z-2")
HOSTS = (f"{SCHOOL}-DESIGN-TECHNOLOGY-STUDIO-PC01", f"{SCHOOL}-COMPUTING-1-PC02", f"{SCHOOL}-LIBRARY-PC03")
FAILURE = ("schooltech.baseline : Install the baseline packages: Failed to update apt cache: W:Some index "
           "files failed to download. They have been ignored, or old ones used instead.")  # fmt: skip
SWITCHES = (f"{SCHOOL}-DESIGN-TECHNOLOGY-ACCESS-SW01", f"{SCHOOL}-CORE-SW01")


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


def command(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(list(argv)) == 0
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
