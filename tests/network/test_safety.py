"""The safety nets of a push, proven on the simulated demo school's realistic switches over real SSH.

- a change to the management path is refused by check, plan and push; allowed, and cutting the
  path, it ends with the switch restoring itself by its own revert timer;
- SIGTERM at each stage of a push leaves the switch at its backup or at its intended config,
  never in between, with the audit log and the in-flight journal saying which;
- a push killed outright leaves a record that ``net status`` and the next push verify; a
  half-applied switch is refused until ``net rollback`` or ``--accept-running`` resolves it;
- an atomic run holds every switch's lock until it ends;
- one run never mixes simulated and real switches.

A push is caught at an exact stage by the emulator holding the answer to one line (the
session then waits, as on a slow switch) until the test releases it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schooltech_fleet.network import inflight
from schooltech_fleet.network.operations import Rendered, Selection, intended
from schooltech_fleet.sim.simulation import Simulation
from schooltech_fleet.sim.switches import SwitchControl

from .conftest import DEMO_SWITCHES
from .live import DESK_MOVED, SCHOOLTECH, audit_events, configured, demo, net, problems, running, saved, unchanged

pytestmark = pytest.mark.sim

CORE, LAB, LIB = SWITCHES = DEMO_SWITCHES


@pytest.fixture
def school_file(school: Simulation) -> Iterator[Path]:
    """The simulated demo school's file, put back as it was after the test."""
    path = Path(school.inventory) / "demo.school.yml"
    before = path.read_text(encoding="utf-8")
    yield path
    path.write_text(before, encoding="utf-8")


def wanted(school: Simulation, switch: str) -> Rendered:
    return next(r for r in intended(Selection(Path(school.inventory), switches=(switch,))))


def started(school: Simulation, *args: str) -> subprocess.Popen[str]:
    """``schooltech net push ARGS`` running in the background."""
    return subprocess.Popen([SCHOOLTECH, "net", "push", "-i", school.inventory, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "250"})  # fmt: skip


def held(control: SwitchControl, switch: str, process: subprocess.Popen[str], timeout: float = 60.0) -> str:
    """Wait until the push reaches the held line; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = control.held(switch)
        if line is not None:
            return line
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError(f"{switch} never received the line to hold")


def killed_mid_send(school: Simulation, control: SwitchControl, *, confirmed_at_the_console: bool = False) -> str:
    """A push to LAB (after an out-of-band change) killed (SIGKILL) while its commands arrive; returns
    LAB's config before it. With *confirmed_at_the_console*, someone then keeps what had arrived
    (``configure confirm`` at the console): neither the backup nor the intended config."""
    control.configure(LAB, DESK_MOVED)
    before = running(control, LAB)
    control.hold(LAB, r"^description room LAB1$")
    push = started(school, "--switch", LAB)
    held(control, LAB, push)
    push.kill()
    push.communicate()
    control.release(LAB)  # the line runs; nobody is there to confirm
    if confirmed_at_the_console:
        control.confirm_revert(LAB)
    return before


def last_outcome(switch: str) -> dict[str, Any]:
    """What the last push recorded for *switch* in the audit log."""
    outcome: dict[str, Any] = [e for e in audit_events("net-push") if e["phase"] == "end"][-1]["switches"][switch]
    return outcome


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=180)
    return process.returncode, out + err


# --- the management path --------------------------------------------------------------------


def test_an_uplink_that_prunes_the_management_vlan_is_refused_by_check_and_plan(
    school: Simulation, control: SwitchControl, school_file: Path
) -> None:
    text = school_file.read_text(encoding="utf-8")
    school_file.write_text(text.replace("- {port: 25, to: DEMO-SW-CORE}", "- {port: 25, to: DEMO-SW-CORE, "
                                        "vlans: [students, staff]}"), encoding="utf-8")  # fmt: skip
    log = len(control.command_log(LAB))

    checked = subprocess.run([SCHOOLTECH, "check", school.inventory], capture_output=True, text=True, check=False)
    planned = demo(school, "plan", "--switch", LAB)

    assert checked.returncode == 1, checked.stdout
    assert "demo.school.yml:" in checked.stdout and "error[lockout]" in checked.stdout
    assert "would cut schooltech's session to DEMO-SW-LAB" in " ".join(checked.stdout.split())
    assert planned.returncode == 2 and "lockout" in planned.stderr
    assert control.command_log(LAB)[log:] == []  # not even a login


def test_a_change_to_the_management_interface_is_refused_and_nothing_is_sent(
    school: Simulation, control: SwitchControl, school_file: Path
) -> None:
    school_file.write_text(school_file.read_text().replace("mgmt_ip: 10.90.99.12", "mgmt_ip: 10.90.99.42"))
    log = len(control.command_log(LAB))

    planned = demo(school, "plan", "--switch", LAB)
    pushed = demo(school, "push", "--switch", LAB)
    no_reason = demo(school, "push", "--switch", LAB, "--allow-management-change")

    assert planned.returncode == 1
    assert "refused: the change would touch the management path" in planned.stdout
    assert "'ip address 10.90.99.42 255.255.255.0' under 'interface Vlan99' changes the management interface" \
           in planned.stdout  # fmt: skip
    assert pushed.returncode == 1 and "blocked" in pushed.stdout
    assert configured(control, LAB, log) == []
    assert no_reason.returncode == 2 and "--allow-management-change needs --reason" in no_reason.stderr
    [end] = [e for e in audit_events("net-push") if e["phase"] == "end"]
    assert end["switches"][LAB]["outcome"] == "blocked"


def test_an_allowed_change_that_cuts_the_path_is_undone_by_the_switch_itself(
    school: Simulation, control: SwitchControl, school_file: Path
) -> None:
    before = running(control, LAB)
    school_file.write_text(school_file.read_text().replace("mgmt_ip: 10.90.99.12", "mgmt_ip: 10.90.99.42"))

    done = demo(school, "push", "--switch", LAB, "--allow-management-change", "--reason", "renumbering test",
                "--revert-minutes", "1")  # fmt: skip

    assert done.returncode == 1, done.stdout + done.stderr
    assert "reverted by the switch" in done.stdout
    assert running(control, LAB) == before  # every line, as the switch's own archive held it
    assert control.management_path(LAB).intact
    assert control.pending_revert(LAB) is None
    [start] = [e for e in audit_events("net-push") if e["phase"] == "start"]
    assert start["allow_management_change"] == "renumbering test"
    [end] = [e for e in audit_events("net-push") if e["phase"] == "end"]
    assert end["switches"][LAB]["outcome"] == "reverted by the switch"
    assert "the switch restored its previous config by itself (revert timer" in end["switches"][LAB]["message"]
    assert inflight.all_entries() == []


# --- signals at each stage ------------------------------------------------------------------

STAGES = {  # stage -> (line to hold, matching lines to let through first, where the switch ends)
    "after the backup": (r"^configure terminal revert timer", 0, "backup"),
    "mid-send": (r"^description room LAB1$", 0, "backup"),
    "after the verification": (r"^show running-config$", 1, "backup"),
    "before the save": (r"^write mem", 0, "intended"),
}


@pytest.mark.parametrize("stage", STAGES)
def test_sigterm_leaves_the_switch_at_its_backup_or_at_its_intended_config(
    stage: str, school: Simulation, control: SwitchControl
) -> None:
    pattern, skip, ends_at = STAGES[stage]
    control.configure(LAB, DESK_MOVED)
    before, saved_before = running(control, LAB), saved(control, LAB)
    control.hold(LAB, pattern, skip)
    push = started(school, "--switch", LAB)

    held(control, LAB, push)
    push.send_signal(signal.SIGTERM)
    time.sleep(0.5)  # the handler runs at once; the push is still waiting for the switch's answer
    control.release(LAB)
    code, output = finished(push)

    assert code == 130, output
    assert "interrupted (SIGTERM received)" in output
    [end] = [e for e in audit_events("net-push") if e["phase"] == "end"]
    assert end["interrupted"] == "SIGTERM received"
    outcome = end["switches"][LAB]
    assert inflight.all_entries() == []  # settled either way: nothing left half-done
    after = running(control, LAB)
    if ends_at == "backup":
        assert outcome["outcome"] == "rolled back", outcome
        assert "SIGTERM received" in outcome["message"]
        assert after == before and saved(control, LAB) == saved_before
    else:
        assert outcome["outcome"] == "applied", outcome
        assert problems(after, wanted(school, LAB)) is None and saved(control, LAB) == after
        assert unchanged(before, after, wanted(school, LAB))


# --- a push that dies -----------------------------------------------------------------------


def test_a_killed_push_is_undone_by_the_revert_timer_and_status_verifies_it(
    school: Simulation, control: SwitchControl
) -> None:
    before = killed_mid_send(school, control)
    [entry] = inflight.all_entries()
    assert (entry.switch, entry.phase) == (LAB, "sending")

    pending = demo(school, "status")
    assert pending.returncode == 1, pending.stdout + pending.stderr
    assert "its revert timer is still running" in " ".join(pending.stdout.split())
    assert control.pending_revert(LAB) is not None  # status changed nothing
    deadline = time.monotonic() + 60
    while control.pending_revert(LAB) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    settled = demo(school, "status")

    assert settled.returncode == 0, settled.stdout + settled.stderr
    assert f"settled: {LAB}: run {entry.run_id} left it sending" in settled.stdout
    assert "it is back at that backup (verified)" in settled.stdout
    assert running(control, LAB) == before
    assert inflight.all_entries() == []
    assert demo(school, "push", "--switch", LAB).returncode == 0


def test_a_half_applied_switch_is_refused_until_resolved(school: Simulation, control: SwitchControl) -> None:
    killed_mid_send(school, control, confirmed_at_the_console=True)
    [entry] = inflight.all_entries()
    half = running(control, LAB)

    refused = demo(school, "push", "--switch", LAB)
    status = demo(school, "status")
    no_reason = demo(school, "push", "--switch", LAB, "--accept-running")

    assert refused.returncode == 1, refused.stdout + refused.stderr
    message = last_outcome(LAB)["message"]
    assert "its config is neither that backup nor the intended one" in message
    assert f"schooltech net rollback --switch {LAB} --to {entry.backup}" in message
    assert running(control, LAB) == half  # nothing was sent
    assert status.returncode == 1 and "unresolved" in status.stdout
    assert no_reason.returncode == 2
    rolled = demo(school, "rollback", "--switch", LAB, "--to", entry.backup)
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert inflight.all_entries() == []
    assert "ntp server 10.90.99.250" in running(control, LAB)  # the backup's owned lines are back


def test_accept_running_takes_a_half_applied_switch_as_it_is_with_a_reason(
    school: Simulation, control: SwitchControl
) -> None:
    killed_mid_send(school, control, confirmed_at_the_console=True)

    accepted = demo(school, "push", "--switch", LAB, "--accept-running", "--reason", "checked on site")

    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "accepted as it runs (checked on site)" in last_outcome(LAB)["message"]
    assert problems(running(control, LAB), wanted(school, LAB)) is None
    assert inflight.all_entries() == []
    starts = [e for e in audit_events("net-push") if e["phase"] == "start"]
    assert [e["accept_running"] for e in starts] == [None, "checked on site"]  # the killed push, then this one


# --- atomic runs and one world --------------------------------------------------------------


def test_an_atomic_run_holds_every_switch_until_it_ends(school: Simulation, control: SwitchControl) -> None:
    for name in SWITCHES:
        control.configure(name, "ntp server 10.90.99.250\n")
    control.hold(LIB, r"^configure terminal revert timer")
    atomic = started(school, "--school", "DEMO", "--atomic")
    held(control, LIB, atomic)

    other = demo(school, "push", "--switch", CORE)
    control.release(LIB)
    code, output = finished(atomic)

    assert other.returncode == 1 and f"{CORE} is busy" in other.stdout
    assert code == 0, output
    for name in SWITCHES:
        assert problems(running(control, name), wanted(school, name)) is None


def test_one_run_never_mixes_simulated_and_real_switches_and_a_recorded_simulation_allows_loopback_only(
    school: Simulation, control: SwitchControl, tmp_path: Path, state_dir: Path
) -> None:
    mixed = tmp_path / "mixed"
    shutil.copytree(school.inventory, mixed)  # the demo school and its simulation layer
    shutil.copytree(Path(__file__).parents[2] / "inventories" / "specialist", mixed, dirs_exist_ok=True)
    recorded = {key: value for key, value in os.environ.items() if key != "SCHOOLTECH_ALLOWED_NETWORKS"}
    recorded["SCHOOLTECH_STATE_DIR"] = str(state_dir)  # where this test session's simulation is recorded

    both = net(mixed, "push")
    real = net(mixed, "plan", "--school", "OAK", env={**recorded, "COLUMNS": "250"})

    assert both.returncode == 2, both.stdout + both.stderr
    assert "would reach simulated switches (DEMO-SW-CORE" in " ".join(both.stderr.split())
    assert "and real ones (OAK-SW-01" in " ".join(both.stderr.split())
    assert real.returncode == 2, real.stdout + real.stderr
    assert "a simulation is running" in real.stderr and "refusing to contact OAK-SW-01 (10.44.99.11)" in " ".join(
        real.stderr.split())  # fmt: skip
    layer_gone = tmp_path / "layer-gone"  # the demo school whose simulation layer went missing
    shutil.copytree(school.inventory, layer_gone, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    gone = net(layer_gone, "plan", env={**recorded, "COLUMNS": "250"})
    assert gone.returncode == 2, gone.stdout + gone.stderr
    assert "a simulation is running" in gone.stderr and "DEMO-SW-CORE (10.90.99.11)" in " ".join(gone.stderr.split())
