"""Without a network: the guard holds both the switch and the node a session goes through; a node without
a recorded host key is refused before anything connects to it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from inventory.helpers import TODAY, write_school

from schooltech_fleet.errors import UsageError
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.network.credentials import Credentials
from schooltech_fleet.network.jump import JumpNode
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.session import SwitchUnreachable, open_session
from schooltech_fleet.network.targets import SwitchTarget, switch_targets

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKawLEFDaHEWQYM8RXaUGgFc1CmOi5IUhA9BQs329iZv node"
SITES = f'- name: main\n  execution_node: {{host: 10.9.99.5, user: schooltech, host_key: "{HOST_KEY}", ' \
        "switches_via_node: true}\n"  # fmt: skip
SWITCH = """
- name: TST-SW1
  platform: cisco_ios
  mgmt_ip: 10.9.99.11
  access_ports: 24
  uplinks:
    - {port: 25, description: to the router}
"""


@pytest.fixture
def school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))  # no simulation recorded
    monkeypatch.setenv("SCHOOLTECH_SWITCH_USERNAME", "admin")
    monkeypatch.setenv("SCHOOLTECH_SWITCH_PASSWORD", "not-sent")
    return write_school(tmp_path, sites=SITES, switches=SWITCH)[0]


def test_a_switch_reached_through_the_node_carries_the_node(school: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "10.9.99.5/32,10.9.99.11/32")
    (target,) = switch_targets(load_fleet(school, TODAY))
    assert (target.host, target.port) == ("10.9.99.11", 22)
    assert target.via == JumpNode("10.9.99.5", 22, "schooltech", HOST_KEY)


def test_the_guard_refuses_a_switch_outside_even_when_its_node_is_allowed(
    school: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "10.9.99.5/32")
    with pytest.raises(UsageError, match=r"refusing to contact TST-SW1 \(10.9.99.11\)$"):
        switch_targets(load_fleet(school, TODAY))


def test_the_guard_refuses_a_node_outside_even_when_its_switch_is_allowed(
    school: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "10.9.99.11/32")
    with pytest.raises(UsageError, match=r"refusing to contact execution node schooltech@10.9.99.5:22 \(10.9.99.5\)$"):
        switch_targets(load_fleet(school, TODAY))


def test_by_default_the_guard_allows_a_node_and_switch_inside_the_schools_networks(
    school: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCHOOLTECH_ALLOWED_NETWORKS")
    (target,) = switch_targets(load_fleet(school, TODAY))
    assert target.via is not None and target.via.host == "10.9.99.5"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A port on 127.0.0.1 that accepts nothing by itself: a connection to it waits in its backlog."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        yield server


def test_a_node_without_a_host_key_is_refused_before_anything_connects(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    node = JumpNode("127.0.0.1", port, "schooltech", None)
    target = SwitchTarget("TST-SW1", "TST", platform("cisco_ios"), "127.0.0.1", port, Credentials("admin", "x"),
                          None, Path("/nonexistent/known_hosts"), via=node)  # fmt: skip

    with pytest.raises(SwitchUnreachable) as refused, open_session(target):
        pass

    assert refused.value.message.startswith(
        f"TST-SW1: its sessions go through the execution node schooltech@127.0.0.1:{port}, which has no host_key"
    )
    assert f"ssh-keyscan -p {port} 127.0.0.1" in (refused.value.hint or "")
    with pytest.raises(BlockingIOError):  # nothing connected: not the node login, not the switch's
        listener.accept()
