"""Without a network: the session refuses command lines that could inject commands, before sending
anything; credentials come from the documented places in order and never show in a repr."""

from __future__ import annotations

from pathlib import Path

import pytest

from schooltech_fleet.errors import UsageError
from schooltech_fleet.network.credentials import Credentials, credentials_for
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.session import CommandRejected, SwitchSession
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
                        None)  # fmt: skip


@pytest.mark.parametrize("line", UNSAFE)
def test_configure_refuses_an_unsafe_line_and_sends_nothing(line: str) -> None:
    # a connection with no methods at all: any attempt to send would raise AttributeError instead
    session = SwitchSession(target(), connection=object())

    with pytest.raises(CommandRejected) as refused:
        session.configure(["interface GigabitEthernet1/0/1", f" {line}", " shutdown"])

    assert refused.value.message.startswith("DEMO-SW-LIB: refused to send ")
    assert "inject a command" in refused.value.message or "template delimiter" in refused.value.message


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
