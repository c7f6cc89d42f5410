"""SSH logins as the running-config allows them, and each switch's own host key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import paramiko
import pytest
from netmiko.exceptions import NetmikoAuthenticationException

from schooltech_fleet.sim.switches import SwitchFarm
from schooltech_fleet.sim.switches.host_keys import generate_private_key
from schooltech_fleet.sim.switches.ios_passwords import hash_type9, md5_crypt, type7_encode

from .conftest import PASSWORD, USER

pytestmark = pytest.mark.sim

USERS = "\n".join(
    [
        f"username staff privilege 15 secret 5 {md5_crypt('CANARY-staff', 'Xy7q')}",
        f"username tech privilege 15 secret 9 {hash_type9('CANARY-tech', 'abcdefghijklmn')}",
        f"username helper privilege 15 password 7 {type7_encode('CANARY-helper')}",
        "username viewer secret CANARY-viewer",
        "enable secret CANARY-enable",
    ]
)
AAA_WITH_LOCAL = "aaa new-model\naaa authentication login default group tacacs+ local\n" \
                 "aaa authorization exec default group tacacs+ local\n"  # fmt: skip


def refused(connect: Callable[..., Any], switch: str, username: str, password: str) -> bool:
    try:
        connect(switch, username=username, password=password)
    except NetmikoAuthenticationException:
        return True
    return False


def test_running_users_replace_the_spec_login_with_each_stored_secret_type(
    connect: Callable[..., Any], farm: SwitchFarm
) -> None:
    farm.control.configure("sw-a", USERS)
    assert refused(connect, "sw-a", USER, PASSWORD)  # the factory login is gone once users exist
    for user in ("staff", "tech", "helper"):
        assert connect("sw-a", username=user, password=f"CANARY-{user}").find_prompt() == "sw-a#"
    assert refused(connect, "sw-a", "staff", "CANARY-tech")
    assert refused(connect, "sw-a", "nobody", "CANARY-staff")


def test_a_user_below_privilege_15_lands_in_user_exec_and_enables_with_the_running_secret(
    connect: Callable[..., Any], farm: SwitchFarm
) -> None:
    farm.control.configure("sw-a", USERS)
    connection = connect("sw-a", username="viewer", password="CANARY-viewer", secret="CANARY-enable")
    assert connection.find_prompt() == "sw-a>"
    connection.enable()
    assert connection.find_prompt() == "sw-a#"


def test_aaa_falls_through_unanswered_tacacs_to_local_users(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    farm.control.configure("sw-a", USERS + "\n" + AAA_WITH_LOCAL)
    assert connect("sw-a", username="staff", password="CANARY-staff").find_prompt() == "sw-a#"
    assert refused(connect, "sw-a", "staff", "wrong")


def test_aaa_without_local_refuses_everyone_while_tacacs_is_down(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    farm.control.configure("sw-a", USERS + "\naaa new-model\naaa authentication login default group tacacs+\n")
    assert refused(connect, "sw-a", "staff", "CANARY-staff")
    farm.control.configure("sw-a", "aaa authentication login VTY group tacacs+ local\nline vty 0 4\n"
                                   " login authentication VTY\n")  # fmt: skip
    assert connect("sw-a", username="staff", password="CANARY-staff", secret="CANARY-enable").find_prompt() == "sw-a>"


def test_login_local_without_aaa_gives_the_users_privilege(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    farm.control.configure("sw-a", USERS + "\nline vty 0 4\n login local\n transport input ssh\n")
    assert connect("sw-a", username="staff", password="CANARY-staff").find_prompt() == "sw-a#"


def test_deleting_a_user_keeps_its_open_session_and_refuses_its_next_login(
    connect: Callable[..., Any], farm: SwitchFarm
) -> None:
    farm.control.configure("sw-a", USERS + "\n" + AAA_WITH_LOCAL)
    connection = connect("sw-a", username="staff", password="CANARY-staff")
    connection.send_config_set(["no username staff"])
    assert "username staff" not in connection.send_command("show running-config")
    assert refused(connect, "sw-a", "staff", "CANARY-staff")
    assert connect("sw-a", username="tech", password="CANARY-tech").find_prompt() == "sw-a#"


def test_vty_lines_without_ssh_refuse_the_login(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    farm.control.configure("sw-a", "line vty 0 4\n transport input telnet\nline vty 5 15\n transport input none\n")
    assert refused(connect, "sw-a", USER, PASSWORD)
    farm.control.configure("sw-a", "line vty 5 15\n transport input ssh\n")
    assert connect("sw-a").find_prompt() == "sw-a#"


def offered_host_key(port: int) -> str:
    """The host key an SSH client sees on ``port`` (key exchange only, no login)."""
    with paramiko.Transport(("127.0.0.1", port)) as transport:
        transport.start_client(timeout=10)
        key = transport.get_remote_server_key()
        return f"{key.get_name()} {key.get_base64()}"


def test_each_switch_has_its_own_host_key_as_reported(farm: SwitchFarm) -> None:
    offered = {name: offered_host_key(farm.port(name)) for name in farm.ports}
    assert offered == dict(farm.host_keys)
    assert len(set(offered.values())) == len(offered)
    assert all(key.startswith("ssh-ed25519 ") for key in offered.values())
    assert farm.control.host_key("sw-a") == farm.host_keys["sw-a"]
    assert farm.known_hosts().splitlines()[0] == f"[127.0.0.1]:{farm.port('sw-a')} {farm.host_keys['sw-a']}"
    private = (farm.workdir / "host-keys" / "sw-a").stat()
    assert private.st_mode & 0o777 == 0o600


def test_a_replaced_host_key_is_offered_to_the_next_connection(connect: Callable[..., Any], farm: SwitchFarm) -> None:
    before = farm.host_keys["sw-b"]
    open_session = connect("sw-b")
    generated = farm.control.replace_host_key("sw-b")
    assert generated != before
    assert offered_host_key(farm.port("sw-b")) == generated
    given = generate_private_key()
    replaced = farm.control.replace_host_key("sw-b", given)
    assert offered_host_key(farm.port("sw-b")) == replaced != generated
    assert open_session.find_prompt() == "SW-B#"  # the session already open carries on
    farm.control.reset("sw-b")
    assert offered_host_key(farm.port("sw-b")) == before
