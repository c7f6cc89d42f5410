"""The network engine on the simulated demo school: real SSH sessions (Netmiko) to its three emulated switches.

Each test starts with every switch at its intended config, no injected faults and a state
directory of its own (backups, audit log, locks, the switches' host keys as the test found
them), so the tests do not depend on their order.
Out-of-band changes and failures are made through the emulator's control channel. Some
tests go through the real CLI (exit codes 0, 1, 2), the others through the library.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from schooltech_fleet.network.plan import delta, normalise

from schooltech_fleet.jobs import audit
from schooltech_fleet.network import backups
from schooltech_fleet.network.operations import Selection, intended, push, rollback
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.push import Outcome, SwitchOutcome
from schooltech_fleet.sim.simulation import Simulation
from schooltech_fleet.sim.switches import SwitchControl

pytestmark = pytest.mark.sim

SCHOOLTECH = str(Path(sys.executable).parent / "schooltech")
CORE, LAB, LIB = "DEMO-SW-CORE", "DEMO-SW-LAB", "DEMO-SW-LIB"
SWITCHES = (CORE, LAB, LIB)
IOS = platform("cisco_ios")
DESK_MOVED = "interface GigabitEthernet1/0/3\n description moved desk\n shutdown\nntp server 10.90.99.250\n"


@pytest.fixture(scope="module")
def school(simulated_school: Simulation) -> Iterator[Simulation]:
    """The session's simulated school; its switches go back to their boot state after this module."""
    yield simulated_school
    for name in SWITCHES:
        simulated_school.control().reset(name)


@pytest.fixture(scope="module")
def wanted(school: Simulation) -> dict[str, str]:
    return {r.switch: r.config for r in intended(Selection(Path(school.inventory)))}


@pytest.fixture
def control(school: Simulation, wanted: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            switch_host_keys: Callable[[Simulation], None]) -> SwitchControl:  # fmt: skip
    """Every switch running its intended config with no faults; backups and audit log of this test only."""
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    switches = school.control()
    for name in SWITCHES:
        switches.clear_faults(name)
        switches.set_running_config(name, wanted[name])
    switch_host_keys(school)  # where sessions check them: the simulation's file, or this test's state directory
    return switches


def net(school: Simulation, action: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``schooltech net ACTION -i <the simulated demo school> ARGS...`` (a real process, this test's state)."""
    return subprocess.run([SCHOOLTECH, "net", action, "-i", school.inventory, *args], capture_output=True, text=True,
                          check=False, timeout=180, env={**os.environ, "COLUMNS": "250"})  # fmt: skip


def running(control: SwitchControl, name: str) -> str:
    return normalise(IOS, control.running_config(name))


def in_sync(control: SwitchControl, name: str, wanted: str) -> bool:
    return not delta(IOS, control.running_config(name), wanted).changes


def configured(control: SwitchControl, name: str, since: int) -> list[str]:
    """The configuration-mode sessions *name* received after command log entry *since*."""
    return [line for line in control.command_log(name)[since:] if line == "configure terminal"]


def by_switch(outcomes: tuple[SwitchOutcome, ...]) -> dict[str, SwitchOutcome]:
    return {o.switch: o for o in outcomes}


def audit_events(event: str) -> list[dict[str, Any]]:
    return [entry for entry in audit.entries() if entry["event"] == event]


def test_plan_shows_the_remediation_of_an_out_of_band_change_and_changes_nothing(
    school: Simulation, control: SwitchControl
) -> None:
    control.configure(LAB, DESK_MOVED)
    before, log = control.running_config(LAB), len(control.command_log(LAB))

    done = net(school, "plan", "--school", "DEMO")

    assert done.returncode == 1, done.stdout + done.stderr
    assert "4 commands would be sent:\nno ntp server 10.90.99.250\ninterface GigabitEthernet1/0/3\n" \
           "  description room LAB1\n  no shutdown\n" in done.stdout  # fmt: skip
    diff = set(done.stdout.splitlines())
    assert {"- description moved desk", "+ description room LAB1", "- shutdown", "-ntp server 10.90.99.250"} <= diff
    assert "3 switches: 1 with changes pending, 0 failed, 2 in sync" in done.stdout
    assert control.running_config(LAB) == before
    assert configured(control, LAB, log) == []
    in_sync_switch = net(school, "plan", "--switch", CORE)
    assert in_sync_switch.returncode == 0, in_sync_switch.stdout
    assert "in sync with its running" in in_sync_switch.stdout


def test_push_applies_verifies_and_saves_and_a_second_push_sends_nothing(
    school: Simulation, control: SwitchControl, wanted: dict[str, str]
) -> None:
    control.configure(LAB, DESK_MOVED)

    first = net(school, "push", "--school", "DEMO")

    assert first.returncode == 0, first.stdout + first.stderr
    assert in_sync(control, LAB, wanted[LAB])
    assert not delta(IOS, control.saved_config(LAB), wanted[LAB]).changes  # written to memory
    logs = {name: len(control.command_log(name)) for name in SWITCHES}
    second = net(school, "push", "--school", "DEMO")
    assert second.returncode == 0, second.stdout + second.stderr
    assert all(configured(control, name, logs[name]) == [] for name in SWITCHES)
    ends = [e for e in audit_events("net-push") if e["phase"] == "end"]
    assert [{name: s["outcome"] for name, s in e["switches"].items()} for e in ends] == [
        {CORE: "in sync", LAB: "applied", LIB: "in sync"},
        {CORE: "in sync", LAB: "in sync", LIB: "in sync"},
    ]
    assert ends[0]["switches"][LAB]["commands"] == 4
    assert backups.history("DEMO", LAB)[0][2].startswith(f"{LAB}: after push ")
    assert len(backups.history("DEMO", LAB)) == 2 and len(backups.history("DEMO", CORE)) == 1  # no change: no commit


def test_a_rejected_command_rolls_the_switch_back_to_its_backup_and_the_others_stay_applied(
    school: Simulation, control: SwitchControl, wanted: dict[str, str]
) -> None:
    control.configure(LAB, "interface GigabitEthernet1/0/1\n description moved desk\n"
                           " no storm-control broadcast level 5.00\n")  # fmt: skip
    control.configure(CORE, "ntp server 10.90.99.250\n")
    control.reject(LAB, r"^storm-control")
    before, saved, log = running(control, LAB), control.saved_config(LAB), len(control.command_log(LAB))

    result = push(Selection(Path(school.inventory), ("DEMO",)))

    outcomes = by_switch(result.switches)
    assert {name: o.outcome for name, o in outcomes.items()} == {
        CORE: Outcome.APPLIED, LAB: Outcome.ROLLED_BACK, LIB: Outcome.IN_SYNC}  # fmt: skip
    lab = outcomes[LAB]
    assert "storm-control broadcast level 5.00" in lab.message and "(while sending)" in lab.message
    assert f"restored to backup {lab.backup} and verified" in lab.message
    assert "description room LAB1" in control.command_log(LAB)[log:]  # sent before the rejected line ...
    restored = backups.read("DEMO", LAB, lab.backup or "", platform=IOS)
    assert running(control, LAB) == restored == before  # ... and undone
    assert control.saved_config(LAB) == saved  # never written to memory
    assert in_sync(control, CORE, wanted[CORE])
    [end] = [e for e in audit_events("net-push") if e["phase"] == "end"]
    assert end["switches"][LAB] == {"outcome": "rolled back", "commands": 3, "backup": lab.backup}


def test_a_push_that_does_not_converge_fails_verification_and_is_rolled_back(
    school: Simulation, control: SwitchControl
) -> None:
    # IOS shows "eq 80" as "eq www": the switch accepts the line, but never shows the text asked for
    text = running(control, LIB).replace(" permit ip any any\n", " permit tcp any any eq 80\n permit ip any any\n")
    target = backups.save("DEMO", LIB, text, "hand-made revision", platform=IOS)
    before = running(control, LIB)

    result = rollback(Selection(Path(school.inventory), switches=(LIB,)), target.revision)

    [lib] = result.switches
    assert lib.outcome is Outcome.ROLLED_BACK
    assert "lines still differ after the push" in lib.message and "eq www" in lib.message
    assert "(while verifying)" in lib.message
    assert running(control, LIB) == before


def test_a_connection_dropped_mid_push_is_restored_or_named_never_applied(
    school: Simulation, control: SwitchControl
) -> None:
    control.configure(LIB, "interface GigabitEthernet1/0/1\n description moved desk\n no spanning-tree portfast\n"
                           "ntp server 10.90.99.250\n")  # fmt: skip
    control.drop_after(LIB, 2)  # the third configuration line resets the connection
    before, saved, log = running(control, LIB), control.saved_config(LIB), len(control.command_log(LIB))

    done = net(school, "push", "--switch", LIB)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "no ntp server 10.90.99.250" in control.command_log(LIB)[log:]  # applied before the drop
    [end] = [e for e in audit_events("net-push") if e["phase"] == "end"]
    outcome, revision = end["switches"][LIB]["outcome"], end["switches"][LIB]["backup"]
    assert outcome in ("rolled back", "needs attention")
    assert backups.read("DEMO", LIB, revision, platform=IOS) == before
    if outcome == "rolled back":
        assert running(control, LIB) == before
    else:
        assert f"net rollback --switch {LIB} --to {revision}" in " ".join(done.stdout.split())
    assert control.saved_config(LIB) == saved


def test_a_switch_that_cannot_be_restored_needs_attention_and_the_named_rollback_restores_it(
    school: Simulation, control: SwitchControl
) -> None:
    control.configure(LIB, "interface GigabitEthernet1/0/1\n description moved desk\n"
                           " no storm-control broadcast level 5.00\n")  # fmt: skip
    control.reject(LIB, r"^storm-control")  # the push fails after changing the description ...
    control.reject(LIB, r"^description moved desk")  # ... and the restore cannot put it back
    before = running(control, LIB)

    [lib] = push(Selection(Path(school.inventory), switches=(LIB,))).switches

    assert lib.outcome is Outcome.NEEDS_ATTENTION
    assert f"'schooltech net rollback --switch {LIB} --to {lib.backup}'" in lib.message
    assert running(control, LIB) != before
    control.clear_faults(LIB)
    done = net(school, "rollback", "--switch", LIB, "--to", lib.backup or "")
    assert done.returncode == 0, done.stdout + done.stderr
    assert running(control, LIB) == before


def test_an_atomic_push_restores_every_switch_when_one_fails(school: Simulation, control: SwitchControl) -> None:
    for name in SWITCHES:
        control.configure(name, "ntp server 10.90.99.250\nlogging host 10.90.99.251\n")
    control.reject(LIB, r"^no logging host")
    before = {name: running(control, name) for name in SWITCHES}

    done = net(school, "push", "--school", "DEMO", "--atomic")

    assert done.returncode == 1, done.stdout + done.stderr
    [end] = [e for e in audit_events("net-push") if e["phase"] == "end"]
    assert {name: s["outcome"] for name, s in end["switches"].items()} == {
        CORE: "undone", LAB: "undone", LIB: "rolled back"}  # fmt: skip
    for name in SWITCHES:
        backup = backups.read("DEMO", name, end["switches"][name]["backup"], platform=IOS)
        assert running(control, name) == before[name] == backup
    for name in (CORE, LAB):  # applied and saved, then restored and saved again
        assert normalise(IOS, control.saved_config(name)) == before[name]


def test_drift_exits_1_after_an_out_of_band_change_and_0_in_sync(school: Simulation, control: SwitchControl) -> None:
    clean = net(school, "drift", "--school", "DEMO")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.count("in sync") == 3

    control.configure(CORE, "interface GigabitEthernet1/0/20\n no switchport trunk native vlan 99\n")
    drifted = net(school, "drift", "--school", "DEMO")

    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    rows = {line.split()[1]: line for line in drifted.stdout.splitlines() if "DEMO-SW-" in line}
    assert "drifted" in rows[CORE] and rows[CORE].split()[-2] == "2"  # interface GigabitEthernet1/0/20, the line
    assert "in sync" in rows[LAB] and "in sync" in rows[LIB]


def test_backup_commits_only_when_the_config_changed(school: Simulation, control: SwitchControl) -> None:
    first, second = net(school, "backup"), net(school, "backup")
    control.configure(LIB, "ntp server 10.90.99.250\n")
    third = net(school, "backup")

    assert (first.returncode, second.returncode, third.returncode) == (0, 0, 0), first.stderr + second.stderr
    revisions = {name: backups.history("DEMO", name)[-1][0] for name in SWITCHES}
    assert all(f"{name}: new revision {revisions[name]}" in first.stdout for name in SWITCHES)
    assert all(f"{name}: unchanged {revisions[name]}" in second.stdout for name in SWITCHES)
    assert f"{LIB}: new revision" in third.stdout and f"{CORE}: unchanged" in third.stdout
    assert [len(backups.history("DEMO", name)) for name in SWITCHES] == [1, 1, 2]
    assert "ntp server 10.90.99.250\n" in backups.read("DEMO", LIB, platform=IOS)
    records = audit_events("net-backup")
    assert [[s["changed"] for s in r["switches"].values()] for r in records] == [
        [True, True, True], [False, False, False], [False, False, True]]  # fmt: skip


def test_rollback_restores_a_revision_verified_and_refuses_an_unknown_one(
    school: Simulation, control: SwitchControl, wanted: dict[str, str]
) -> None:
    clean = backups.save("DEMO", LAB, running(control, LAB), "test: intended", platform=IOS).revision
    control.configure(LAB, DESK_MOVED)
    moved = backups.save("DEMO", LAB, running(control, LAB), "test: desk moved", platform=IOS).revision
    control.set_running_config(LAB, wanted[LAB])

    back = net(school, "rollback", "--switch", LAB, "--to", moved)
    assert back.returncode == 0, back.stdout + back.stderr
    assert running(control, LAB) == backups.read("DEMO", LAB, moved, platform=IOS)
    forward = net(school, "rollback", "--switch", LAB, "--to", clean)
    assert forward.returncode == 0, forward.stdout + forward.stderr
    assert running(control, LAB) == backups.read("DEMO", LAB, clean, platform=IOS)
    assert normalise(IOS, control.saved_config(LAB)) == backups.read("DEMO", LAB, clean, platform=IOS)  # then saved

    unknown = net(school, "rollback", "--switch", LAB, "--to", "0123abc")
    assert unknown.returncode == 2
    assert "no backup revision '0123abc'" in unknown.stdout + unknown.stderr
    history = net(school, "history", "--switch", LAB)
    assert history.returncode == 0
    assert moved in history.stdout and clean in history.stdout and "test: desk moved" in history.stdout
    ends = [e for e in audit_events("net-rollback") if e["phase"] == "end"]
    assert [e["switches"][LAB]["outcome"] for e in ends] == ["applied", "applied"]


def test_the_switch_password_never_leaks_and_session_logs_are_private_and_masked(
    school: Simulation, control: SwitchControl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = school.switch_password_file.read_text().strip()
    logs = tmp_path / "session-logs"
    monkeypatch.setenv("SCHOOLTECH_SESSION_LOG_DIR", str(logs))
    control.configure(LIB, DESK_MOVED)
    state = Path(os.environ["SCHOOLTECH_STATE_DIR"])

    runs = [net(school, "plan", "--switch", LIB), net(school, "push", "--switch", LIB, "--check"),
            net(school, "backup", "--switch", LIB), net(school, "drift", "--switch", LIB)]  # fmt: skip
    revision = backups.history("DEMO", LIB)[0][0]
    runs += [net(school, "push", "--switch", LIB), net(school, "rollback", "--switch", LIB, "--to", revision),
             net(school, "history", "--switch", LIB)]  # fmt: skip
    echoed = net(school, "show", "--switch", LIB, "--command", f"show {password}")  # the password typed at the CLI

    assert [r.returncode for r in runs] == [1, 0, 0, 1, 0, 0, 0], [r.stdout + r.stderr for r in runs]
    assert echoed.returncode == 0, echoed.stdout + echoed.stderr
    assert all(password not in r.stdout + r.stderr for r in runs)
    history = subprocess.run(["git", "log", "-p", "--all"], cwd=state / "backups", capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
    assert "description moved desk" in history and password not in history
    files = [path for path in state.rglob("*") if path.is_file() and ".git" not in path.parts]
    assert state / "audit.jsonl" in files
    assert [path for path in files if password.encode() in path.read_bytes()] == []
    assert [entry["event"] for entry in audit.entries()] == [  # plan, drift, history and show only read
        "net-push", "net-push", "net-backup", "net-push", "net-push", "net-rollback", "net-rollback"]  # fmt: skip
    sessions = sorted(logs.iterdir())
    assert len(sessions) == 7  # one per command that talks to the switch
    assert {stat.S_IMODE(path.stat().st_mode) for path in sessions} == {0o600}
    assert all(password not in path.read_text() for path in sessions)
    assert any("show ********" in path.read_text() for path in sessions)


def test_a_secret_the_switch_holds_never_leaves_it_and_is_never_sent_back(
    school: Simulation, control: SwitchControl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = "CANARY-community-90c1"
    logs = tmp_path / "session-logs"
    monkeypatch.setenv("SCHOOLTECH_SESSION_LOG_DIR", str(logs))
    control.configure(LIB, f"snmp-server host 10.90.99.9 version 2c {canary}\n")  # out of band, as a technician would
    state = Path(os.environ["SCHOOLTECH_STATE_DIR"])

    runs = {action: net(school, action, "--switch", LIB, *extra) for action, extra in (
        ("plan", ()), ("drift", ()), ("backup", ()), ("show", ()))}  # fmt: skip
    runs["push --check"] = net(school, "push", "--switch", LIB, "--check")
    runs["push"] = net(school, "push", "--switch", LIB)

    assert {action: r.returncode for action, r in runs.items()} == {
        "plan": 1, "drift": 1, "backup": 0, "show": 0, "push --check": 0, "push": 1}  # fmt: skip
    hidden = "snmp-server host 10.90.99.9 version 2c <secret:"
    assert f"no {hidden}" in runs["plan"].stdout and f"no {hidden}" in runs["push --check"].stdout
    assert hidden in runs["show"].stdout
    assert "holds a secret's placeholder" in " ".join(runs["push"].stdout.split())  # refused, nothing sent
    assert canary in control.running_config(LIB)  # the switch keeps its own
    assert [action for action, r in runs.items() if canary in r.stdout + r.stderr] == []
    history = subprocess.run(["git", "log", "-p", "--all"], cwd=state / "backups", capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
    assert hidden in history and canary not in history
    files = [path for path in state.rglob("*") if path.is_file() and ".git" not in path.parts]
    assert [path for path in files if canary.encode() in path.read_bytes()] == []
    assert [path.name for path in logs.iterdir() if canary in path.read_text()] == []


def test_net_trust_refuses_simulated_switches(school: Simulation, control: SwitchControl) -> None:
    done = net(school, "trust", "--school", "DEMO", "--yes")

    assert done.returncode == 2, done.stdout + done.stderr
    assert "host keys of simulated switches are recorded by the simulation" in " ".join(done.stderr.split())
