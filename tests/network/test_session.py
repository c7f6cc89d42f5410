"""Without a network: the session refuses command lines that could inject commands or that hold a secret's
placeholder, before sending anything; session logs are private, whole lines, without password or secret;
credentials come from the documented places in order and never show in a repr."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from schooltech_fleet.errors import UsageError
from schooltech_fleet.network import redact
from schooltech_fleet.network.credentials import Credentials, credentials_for
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.session import CommandRejected, SwitchSession
from schooltech_fleet.network.session_log import session_log
from schooltech_fleet.network.show import show
from schooltech_fleet.network.targets import SwitchTarget

CANARY = "CANARY-switch-pw-5e1f0c"
UNSAFE = [
    "description lab\nno vlan 20",
    "description lab\rno vlan 20",
    "description lab\r\nreload",
    "description \x1b[2J",
    "hostname SW\x00",
    "description tab\there",
    "description del\x7f",
    "description next\u2028line",
    "description {{ lookup('env', 'HOME') }}",
]


def target(password: str = CANARY) -> SwitchTarget:
    return SwitchTarget("DEMO-SW-LIB", "DEMO", platform("cisco_ios"), "127.0.0.1", 22, Credentials("admin", password),
                        None, Path("/nonexistent/known_hosts"))  # fmt: skip


@pytest.mark.parametrize("line", UNSAFE)
def test_configure_refuses_an_unsafe_line_and_sends_nothing(line: str) -> None:
    # a connection with no methods at all: any attempt to send would raise AttributeError instead
    session = SwitchSession(target(), connection=object())

    with pytest.raises(CommandRejected) as refused:
        session.configure(["interface GigabitEthernet1/0/1", f" {line}", " shutdown"])

    assert refused.value.message.startswith("DEMO-SW-LIB: refused to send ")
    assert "inject a command" in refused.value.message or "template delimiter" in refused.value.message


@pytest.mark.parametrize("line", [" key 7 <secret:0a1b2c3d>", "snmp-server community <secret:0a1b2c3d> RO",
                                  'password manager user-name "admin" sha1 "<secret:0a1b2c3d>"'])  # fmt: skip
def test_configure_refuses_a_secrets_placeholder_and_sends_nothing(line: str) -> None:
    session = SwitchSession(target(), connection=object())  # sending anything would raise AttributeError

    with pytest.raises(CommandRejected) as refused:
        session.configure(["tacacs server TAC1", line])

    assert "holds a secret's placeholder, not the secret" in refused.value.message
    assert "never changes a line holding a secret" in (refused.value.hint or "")


def test_a_session_log_is_private_whole_lines_without_password_or_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SCHOOLTECH_SESSION_LOG_DIR", str(tmp_path / "logs"))
    log = session_log(target())
    assert log is not None
    log.open()
    # what a session reads, in the pieces a channel delivers: a secret split across reads, the password typed
    for piece in ["SW#show running-config\r\nsnmp-server community CAN", "ARY-ro RO 10\r\n line vty 0 4\r\n",
                  f" password 7 0822455D0A16\r\nSW#show {CANARY}\r\n", "SW(config-line)#key CANARY-tac"]:
        log.write(piece)
    log.close()

    [path] = (tmp_path / "logs").iterdir()
    written = path.read_bytes().decode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "CANARY" not in written and "0822455D0A16" not in written
    ios = redact.Redactor(platform("cisco_ios"))
    assert written == (f"SW#show running-config\r\nsnmp-server community {ios.placeholder('CANARY-ro')} RO 10\r\n"
                       f" line vty 0 4\r\n password 7 {ios.placeholder('0822455D0A16')}\r\nSW#show ********\r\n"
                       f"SW(config-line)#key {ios.placeholder('CANARY-tac')}")  # fmt: skip


@pytest.mark.parametrize("command", ["show version\nreload", "show run | redirect tftp://x", "show clock; reload",
                                     "show version\r", "configure terminal"])  # fmt: skip
def test_net_show_refuses_anything_but_one_show_command(command: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a single show command"):
        show(tmp_path / "no-inventory-needed", command)


def test_a_show_session_refuses_a_configuration_command() -> None:
    with pytest.raises(ValueError, match="not a show command"):
        SwitchSession(target(), connection=object()).show("reload")


def test_credentials_come_from_the_simulation_then_the_school_then_every_school(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password_file = tmp_path / "switch-password"
    password_file.write_text(f"{CANARY}-sim\n")
    for name in ("USERNAME_RVS", "PASSWORD_RVS"):
        monkeypatch.delenv(f"SCHOOLTECH_SWITCH_{name}", raising=False)
    monkeypatch.setenv("SCHOOLTECH_SWITCH_USERNAME", "everyone")
    monkeypatch.setenv("SCHOOLTECH_SWITCH_PASSWORD", f"{CANARY}-all")
    monkeypatch.setenv("SCHOOLTECH_SWITCH_USERNAME_DEMO", "demo-admin")
    monkeypatch.setenv("SCHOOLTECH_SWITCH_PASSWORD_DEMO", f"{CANARY}-demo")
    simulated = {"switch_password_file": str(password_file), "ansible_user": "schooltech"}

    assert credentials_for("SW", "DEMO", simulated, tmp_path) == Credentials("schooltech", f"{CANARY}-sim")
    assert credentials_for("SW", "DEMO", {}, tmp_path) == Credentials("demo-admin", f"{CANARY}-demo")
    assert credentials_for("SW", "RVS", {}, tmp_path) == Credentials("everyone", f"{CANARY}-all")
    monkeypatch.delenv("SCHOOLTECH_SWITCH_PASSWORD")  # a username alone is not enough
    with pytest.raises(UsageError, match="no switch credentials for SW") as missing:
        credentials_for("SW", "RVS", {}, tmp_path)
    assert "SCHOOLTECH_SWITCH_PASSWORD_RVS" in (missing.value.hint or "")


def test_a_target_never_shows_its_password() -> None:
    assert CANARY not in repr(target())
    assert CANARY not in str(target().credentials)
