"""Over real SSH: a secret a switch holds never leaves the session, and its placeholder is never sent back.

SW-B (an emulated switch of this run) holds an SNMPv2c trap community, ``SWITCH_CANARY``.
"""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

import pytest

from schooltech_fleet.network import backups, redact
from schooltech_fleet.network.management import ManagementContext
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.push import ApplyRequest, Outcome, Wanted, apply
from schooltech_fleet.network.session import open_session
from schooltech_fleet.sim.switches import SwitchFarm

from .conftest import PASSWORD, SWITCH_CANARY, record_key, switch_target

IOS = platform("cisco_ios")
TRAP_HOST = re.compile(r"^snmp-server host 10\.0\.0\.5 version 2c (<secret:[0-9a-f]{8}>)$", re.MULTILINE)


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def known_hosts(switches: SwitchFarm, tmp_path: Path) -> Path:
    path = tmp_path / "known_hosts"
    record_key(switches, "SW-B", path)
    return path


def test_the_running_config_read_over_ssh_holds_the_placeholder_not_the_secret(
    switches: SwitchFarm, known_hosts: Path
) -> None:
    assert SWITCH_CANARY in switches.control.running_config("SW-B")  # the switch has it

    with open_session(switch_target(switches, "SW-B", known_hosts)) as session:
        running = session.running_config()
        shown = session.show("show running-config | include snmp-server")

    [placeholder] = TRAP_HOST.findall(running)
    assert placeholder == redact.Redactor(IOS).placeholder(SWITCH_CANARY)
    assert SWITCH_CANARY not in running + shown and placeholder in shown


def test_a_session_log_over_ssh_holds_neither_the_password_nor_the_secret(
    switches: SwitchFarm, known_hosts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_SESSION_LOG_DIR", str(tmp_path / "logs"))

    with open_session(switch_target(switches, "SW-B", known_hosts)) as session:
        session.running_config()

    [log] = (tmp_path / "logs").iterdir()
    written = log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert "show running-config" in written and TRAP_HOST.search(written.replace("\r", ""))
    assert SWITCH_CANARY not in written and PASSWORD not in written


def test_a_line_holding_a_secret_is_never_removed_and_no_secret_is_kept(
    switches: SwitchFarm, known_hosts: Path, state: Path
) -> None:
    target = switch_target(switches, "SW-B", known_hosts)
    # an intended config without the trap host: the line is outside the owned scope, so it stays
    wanted = {"SW-B": Wanted("hostname SW-B\n!\nend\n", ManagementContext(None, None))}
    logged = len(switches.control.command_log("SW-B"))

    [checked] = apply(ApplyRequest([target], wanted, "test-check", "test --check", check=True))
    [pushed] = apply(ApplyRequest([target], wanted, "test", "test"))

    assert (checked.outcome, pushed.outcome) == (Outcome.IN_SYNC, Outcome.IN_SYNC)
    assert checked.commands == () and checked.kept == pushed.kept > 0
    assert "configure terminal" not in switches.control.command_log("SW-B")[logged:]  # nothing was sent
    assert SWITCH_CANARY in switches.control.running_config("SW-B")  # the switch keeps its own
    for outcome in (checked, pushed):
        assert SWITCH_CANARY not in outcome.message + outcome.diff + "\n".join(outcome.commands)
    history = subprocess.run(["git", "log", "-p", "--all"], cwd=state / "backups", capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
    assert "snmp-server host 10.0.0.5 version 2c <secret:" in history and SWITCH_CANARY not in history
    assert TRAP_HOST.search(backups.read("TST", "SW-B", platform=IOS))
