"""The network engine on the simulated demo school: real SSH (Netmiko) to three emulated switches configured
the way a school's switches are, after years in service.

Each switch boots from a realistic config the simulation generates from the inventory: local
users, an enable secret, AAA with TACACS+ and local fallback, vty lines with an access class,
SNMP communities and a v3 user, a banner, an archive, PoE and BPDU guard settings on ports,
and a little drift from the intended config. Each test starts with every switch at that boot
config, no injected faults and a state directory of its own (backups, audit log, locks, the
in-flight journal), so the tests do not depend on their order. Some tests go through the real
CLI (exit codes 0, 1, 2), the others through the library.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from schooltech_fleet.network import backups
from schooltech_fleet.network.operations import PushOptions, Rendered, Selection, intended, push, rollback
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.push import Outcome
from schooltech_fleet.sim.simulation import Simulation
from schooltech_fleet.sim.switches import SwitchControl

from .conftest import DEMO_SWITCHES
from .live import (
    DESK_MOVED,
    audit_events,
    by_switch,
    configured,
    demo,
    kept,
    leaked,
    problems,
    running,
    saved,
    secrets_stored,
    shown,
    unchanged,
)

pytestmark = pytest.mark.sim

IOS = platform("cisco_ios")
CORE, LAB, LIB = SWITCHES = DEMO_SWITCHES


@pytest.fixture(scope="module")
def wanted(school: Simulation) -> dict[str, Rendered]:
    return {r.switch: r for r in intended(Selection(Path(school.inventory)))}


def test_plan_shows_only_owned_lines_counts_the_kept_ones_and_changes_nothing(
    school: Simulation, control: SwitchControl
) -> None:
    control.configure(LAB, DESK_MOVED)
    before, log = control.running_config(LAB), len(control.command_log(LAB))

    done = demo(school, "plan", "--switch", LAB)

    assert done.returncode == 1, done.stdout + done.stderr
    commands = done.stdout.split("commands would be sent:\n", 1)[1]
    assert "no ntp server 10.90.99.250\n" in commands
    assert "interface GigabitEthernet1/0/3\n  description room LAB1\n  no shutdown\n" in commands
    for untouchable in ("username", "aaa", "line vty", "enable", "tacacs", "snmp-server community", "banner"):
        assert untouchable not in commands
    assert "lines outside the owned scope kept (" in done.stdout
    assert control.running_config(LAB) == before
    assert configured(control, LAB, log) == []


def test_push_keeps_every_unmanaged_and_protected_line_byte_for_byte_and_a_second_push_sends_nothing(
    school: Simulation, control: SwitchControl, wanted: dict[str, Rendered]
) -> None:
    control.configure(LAB, DESK_MOVED)
    before = {name: running(control, name) for name in SWITCHES}
    logs = {name: len(control.command_log(name)) for name in SWITCHES}

    first = demo(school, "push", "--school", "DEMO")

    assert first.returncode == 0, first.stdout + first.stderr
    for name in SWITCHES:
        after = running(control, name)
        assert unchanged(before[name], after, wanted[name]), name
        assert kept(before[name], wanted[name]), f"{name}: the boot config holds no unmanaged lines?"
        assert problems(after, wanted[name]) is None, name
        sent = control.command_log(name)[logs[name]:]
        assert sent.index("configure terminal revert timer 5") < sent.index("configure confirm") < \
               sent.index("write mem")  # fmt: skip
        assert sent.count("show running-config") == 2  # the backup, then the fresh session's verification
        assert saved(control, name) == after
    ends = [e for e in audit_events("net-push") if e["phase"] == "end"]
    assert {name: s["outcome"] for name, s in ends[0]["switches"].items()} == dict.fromkeys(SWITCHES, "applied")
    logs = {name: len(control.command_log(name)) for name in SWITCHES}
    second = demo(school, "push", "--school", "DEMO")
    assert second.returncode == 0, second.stdout + second.stderr
    assert all(configured(control, name, logs[name]) == [] for name in SWITCHES)
    assert len(backups.history("DEMO", LAB)) == 2  # before and after the first push; the second changed nothing


def test_a_rejected_command_reverts_the_switch_at_once_and_the_others_are_applied(
    school: Simulation, control: SwitchControl, wanted: dict[str, Rendered]
) -> None:
    control.configure(LAB, "interface GigabitEthernet1/0/1\n description moved desk\n"
                           " no storm-control broadcast level 5.00\n")  # fmt: skip
    control.reject(LAB, r"^storm-control")
    before, saved = running(control, LAB), control.saved_config(LAB)

    result = push(Selection(Path(school.inventory), ("DEMO",)))

    outcomes = by_switch(result.switches)
    assert {name: o.outcome for name, o in outcomes.items()} == {
        CORE: Outcome.APPLIED, LAB: Outcome.ROLLED_BACK, LIB: Outcome.APPLIED}  # fmt: skip
    lab = outcomes[LAB]
    assert "storm-control broadcast level 5.00" in lab.message
    assert f"reverted with 'configure revert now' and verified at backup {lab.backup}" in lab.message
    assert "configure revert now" in control.command_log(LAB)
    assert running(control, LAB) == before  # the whole config, every line: the switch's own archive
    assert control.saved_config(LAB) == saved  # never written to memory
    assert problems(running(control, CORE), wanted[CORE]) is None
    [end] = [e for e in audit_events("net-push") if e["phase"] == "end"]
    assert end["switches"][LAB]["outcome"] == "rolled back" and end["switches"][LAB]["backup"] == lab.backup


def test_a_push_that_does_not_converge_fails_verification_and_is_reverted(
    school: Simulation, control: SwitchControl
) -> None:
    # IOS shows "eq 80" as "eq www": the switch accepts the line, but never shows the text asked for
    text = running(control, LIB).replace(" permit ip any any\n", " permit tcp any any eq 80\n permit ip any any\n")
    assert "eq 80" in text
    target = backups.save("DEMO", LIB, text, "hand-made revision", platform=IOS)
    before = running(control, LIB)

    result = rollback(Selection(Path(school.inventory), switches=(LIB,)), target.revision)

    [lib] = result.switches
    assert lib.outcome is Outcome.ROLLED_BACK
    assert "verification failed" in lib.message and "eq 80" in lib.message
    assert running(control, LIB) == before


def test_a_connection_dropped_mid_push_is_reverted_over_a_fresh_session(
    school: Simulation, control: SwitchControl
) -> None:
    control.configure(LIB, "interface GigabitEthernet1/0/1\n description moved desk\n no spanning-tree portfast\n"
                           "ntp server 10.90.99.250\n")  # fmt: skip
    control.drop_after(LIB, 2)  # the third configuration line resets the connection
    before, saved, log = running(control, LIB), control.saved_config(LIB), len(control.command_log(LIB))

    done = demo(school, "push", "--switch", LIB)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "no ntp server 10.90.99.250" in control.command_log(LIB)[log:]  # applied before the drop
    [end] = [e for e in audit_events("net-push") if e["phase"] == "end"]
    assert end["switches"][LIB]["outcome"] == "rolled back", end
    assert running(control, LIB) == before
    assert control.saved_config(LIB) == saved


def test_an_atomic_push_confirms_no_switch_when_one_fails_and_every_one_is_back_at_its_backup(
    school: Simulation, control: SwitchControl
) -> None:
    for name in SWITCHES:
        control.configure(name, "ntp server 10.90.99.250\nlogging host 10.90.99.251\n")
    control.reject(LIB, r"^no logging host")
    before = {name: running(control, name) for name in SWITCHES}
    saved = {name: control.saved_config(name) for name in SWITCHES}

    done = demo(school, "push", "--school", "DEMO", "--atomic")

    assert done.returncode == 1, done.stdout + done.stderr
    [end] = [e for e in audit_events("net-push") if e["phase"] == "end"]
    assert {name: s["outcome"] for name, s in end["switches"].items()} == {
        CORE: "undone", LAB: "undone", LIB: "rolled back"}  # fmt: skip
    for name in SWITCHES:
        assert running(control, name) == before[name]
        assert backups.read("DEMO", name, end["switches"][name]["backup"], platform=IOS) == shown(control, name)
        assert control.saved_config(name) == saved[name]  # none was ever confirmed or saved
        assert "configure confirm" not in control.command_log(name)


def test_drift_exits_1_after_an_out_of_band_change_and_0_in_sync(school: Simulation, control: SwitchControl) -> None:
    assert demo(school, "push", "--school", "DEMO").returncode == 0
    clean = demo(school, "drift", "--school", "DEMO")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.count("in sync") == 3

    control.configure(CORE, "interface GigabitEthernet1/0/20\n no switchport trunk native vlan 99\n")
    control.configure(LIB, "username intern privilege 15 secret 0 not-ours\n")  # not schooltech's: no drift
    drifted = demo(school, "drift", "--school", "DEMO")

    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    rows = {line.split()[1]: line for line in drifted.stdout.splitlines() if "DEMO-SW-" in line}
    assert "drifted" in rows[CORE] and "in sync" in rows[LAB] and "in sync" in rows[LIB]


def test_backup_commits_only_when_the_config_changed(school: Simulation, control: SwitchControl) -> None:
    first, second = demo(school, "backup"), demo(school, "backup")
    control.configure(LIB, "ntp server 10.90.99.250\n")
    third = demo(school, "backup")

    assert (first.returncode, second.returncode, third.returncode) == (0, 0, 0), first.stderr + second.stderr
    revisions = {name: backups.history("DEMO", name)[-1][0] for name in SWITCHES}
    assert all(f"{name}: new revision {revisions[name]}" in first.stdout for name in SWITCHES)
    assert all(f"{name}: unchanged {revisions[name]}" in second.stdout for name in SWITCHES)
    assert f"{LIB}: new revision" in third.stdout and f"{CORE}: unchanged" in third.stdout
    assert [len(backups.history("DEMO", name)) for name in SWITCHES] == [1, 1, 2]
    assert "ntp server 10.90.99.250\n" in backups.read("DEMO", LIB, platform=IOS)


def test_a_backup_whose_journal_record_cannot_be_written_still_shows_every_switch_and_exits_1(
    school: Simulation, control: SwitchControl
) -> None:
    journal = Path(os.environ["SCHOOLTECH_STATE_DIR"]) / "audit.jsonl"
    journal.mkdir(parents=True)  # nothing can be appended to it: as on a full disk

    done = demo(school, "backup")

    assert done.returncode == 1, done.stdout + done.stderr
    assert all(f"{name}: new revision" in done.stdout for name in SWITCHES)
    assert "the journal record could not be written (Is a directory)" in done.stdout
    assert [len(backups.history("DEMO", name)) for name in SWITCHES] == [1, 1, 1]


def test_a_push_whose_end_record_cannot_be_written_still_returns_every_outcome(
    school: Simulation, control: SwitchControl, wanted: dict[str, Rendered]
) -> None:
    journal = Path(os.environ["SCHOOLTECH_STATE_DIR"]) / "audit.jsonl"
    control.configure(LAB, DESK_MOVED)

    def disk_trouble(_outcome: object) -> None:  # once a switch is done, the journal can no longer be appended to
        if journal.is_file():
            journal.unlink()
            journal.mkdir()

    result = push(Selection(Path(school.inventory), schools=("DEMO",)), on_done=disk_trouble)

    assert result.record_failed == "the journal record could not be written (Is a directory)"
    assert [o.switch for o in result.switches if o.outcome.ok] == [CORE, LAB, LIB]
    assert by_switch(result.switches)[LAB].outcome is Outcome.APPLIED
    assert problems(running(control, LAB), wanted[LAB]) is None


def test_rollback_restores_the_owned_lines_of_a_revision_and_refuses_an_unknown_one(
    school: Simulation, control: SwitchControl, wanted: dict[str, Rendered]
) -> None:
    clean = backups.save("DEMO", LAB, running(control, LAB), "test: as booted", platform=IOS).revision
    control.configure(LAB, DESK_MOVED)
    moved = backups.save("DEMO", LAB, running(control, LAB), "test: desk moved", platform=IOS).revision
    control.reset(LAB)
    booted = running(control, LAB)

    back = demo(school, "rollback", "--switch", LAB, "--to", moved)
    assert back.returncode == 0, back.stdout + back.stderr
    assert shown(control, LAB) == backups.read("DEMO", LAB, moved, platform=IOS)
    forward = demo(school, "rollback", "--switch", LAB, "--to", clean)
    assert forward.returncode == 0, forward.stdout + forward.stderr
    assert running(control, LAB) == booted
    assert saved(control, LAB) == booted  # verified, confirmed, then saved

    unknown = demo(school, "rollback", "--switch", LAB, "--to", "0123abc")
    assert unknown.returncode == 2
    assert "no backup revision '0123abc'" in unknown.stdout + unknown.stderr
    history = demo(school, "history", "--switch", LAB)
    assert history.returncode == 0
    assert moved in history.stdout and clean in history.stdout and "test: desk moved" in history.stdout
    ends = [e for e in audit_events("net-rollback") if e["phase"] == "end"]
    assert [e["switches"][LAB]["outcome"] for e in ends] == ["applied", "applied"]


def test_no_secret_of_a_switch_and_not_the_login_password_ever_leaves_the_session(
    school: Simulation, control: SwitchControl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = school.switch_password_file.read_text().strip()
    canaries = list(school.canary_secrets.values())
    stored = [value for name in SWITCHES for value in secrets_stored(control.running_config(name))]
    assert canaries and stored  # the switches hold secrets: plaintext canaries, and their stored forms
    logs = tmp_path / "session-logs"
    monkeypatch.setenv("SCHOOLTECH_SESSION_LOG_DIR", str(logs))
    control.configure(LIB, DESK_MOVED)
    state = Path(os.environ["SCHOOLTECH_STATE_DIR"])

    runs = [demo(school, "plan"), demo(school, "push", "--check"), demo(school, "backup"), demo(school, "drift"),
            demo(school, "show")]  # fmt: skip
    revision = backups.history("DEMO", LIB)[0][0]
    runs += [demo(school, "push"), demo(school, "rollback", "--switch", LIB, "--to", revision),
             demo(school, "history", "--switch", LIB), demo(school, "status")]  # fmt: skip

    assert [r.returncode for r in runs] == [1, 0, 0, 1, 0, 0, 0, 0, 0], [r.stdout + r.stderr for r in runs]
    secrets = [password, *canaries, *stored]
    assert [leak for r in runs for leak in leaked(r.stdout + r.stderr, secrets)] == []
    history = subprocess.run(["git", "log", "-p", "--all"], cwd=state / "backups", capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
    assert "<secret:" in history and leaked(history, secrets) == []
    files = [path for path in state.rglob("*") if path.is_file() and ".git" not in path.parts]
    assert state / "audit.jsonl" in files
    assert [(path.name, leak) for path in files for leak in leaked(path.read_text(errors="replace"), secrets)] == []
    sessions = sorted(logs.iterdir())
    assert len(sessions) >= 10
    assert {stat.S_IMODE(path.stat().st_mode) for path in sessions} == {0o600}
    assert [(path.name, leak) for path in sessions for leak in leaked(path.read_text(), secrets)] == []


def test_net_trust_refuses_simulated_switches(school: Simulation, control: SwitchControl) -> None:
    done = demo(school, "trust", "--school", "DEMO", "--yes")

    assert done.returncode == 2, done.stdout + done.stderr
    assert "host keys of simulated switches are recorded by the simulation" in " ".join(done.stderr.split())


def test_check_mode_shows_every_command_of_both_sessions_and_sends_nothing(
    school: Simulation, control: SwitchControl
) -> None:
    control.configure(LAB, DESK_MOVED)
    log = len(control.command_log(LAB))

    result = push(Selection(Path(school.inventory), switches=(LAB,)), PushOptions(check=True))

    [lab] = result.switches
    assert lab.outcome is Outcome.WOULD_CHANGE
    assert lab.script[:2] == ("! session 1: read the running config and back it up", "show running-config")
    assert "configure terminal revert timer 5" in lab.script and lab.script[-2:] == ("configure confirm",
                                                                                   "write memory")  # fmt: skip
    assert configured(control, LAB, log) == []
    assert "configure terminal revert timer 5" not in control.command_log(LAB)[log:]


def test_an_unexpected_error_inside_a_worker_still_reverts_what_was_sent(
    school: Simulation, control: SwitchControl, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schooltech_fleet.network import push as engine  # noqa: PLC0415 - the module whose step breaks

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the verification")

    control.configure(LAB, DESK_MOVED)
    before = running(control, LAB)
    monkeypatch.setattr(engine, "verify", broken)  # a bug after the commands were sent, before the confirm

    [lab] = push(Selection(Path(school.inventory), switches=(LAB,))).switches

    assert lab.outcome is Outcome.ROLLED_BACK, lab.message
    assert "internal error RuntimeError: a bug in the verification" in lab.message
    assert running(control, LAB) == before
    assert "configure confirm" not in control.command_log(LAB)
