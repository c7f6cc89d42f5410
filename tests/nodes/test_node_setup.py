"""``schooltech node setup`` without a node that lets it in: which nodes, which wheels, recording a node's key.

The key exchange is real SSH: a paramiko server on 127.0.0.1 with an ed25519 key from
``ssh-keygen`` answers as the node (and lets nobody in). The setup of a real node (the
simulated school's) is in ``tests/sim/test_execution_node.py``.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import paramiko
import pytest
from inventory.helpers import DEFAULT_VLANS, TODAY, write_school, write_simulation_layer
from network.impostor import Impostor

from schooltech_fleet import journal
from schooltech_fleet.cli import main
from schooltech_fleet.errors import UsageError
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.nodes.hostkey import OfferedKey, fingerprint
from schooltech_fleet.nodes.setup import node_setup, school_nodes, setup_school_nodes
from schooltech_fleet.nodes.wheelhouse import NodePython

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKawLEFDaHEWQYM8RXaUGgFc1CmOi5IUhA9BQs329iZv"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends: nothing listens there


def test_a_debian_12_node_takes_every_manylinux_wheel_up_to_its_c_library() -> None:
    platforms = NodePython("3.11", "2.36", "x86_64").platforms()
    assert platforms[0] == "manylinux_2_17_x86_64" and "manylinux_2_36_x86_64" in platforms
    assert "manylinux_2_37_x86_64" not in platforms and "manylinux2014_x86_64" in platforms


def test_a_school_whose_sites_name_no_node_is_a_usage_error(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, sites="- name: main\n")
    with pytest.raises(UsageError, match="no site of TST names an execution node"):
        school_nodes(load_fleet(path, TODAY), "TST")
    assert main(["node", "setup", "-i", str(path), "--school", "TST"]) == 2


def test_a_node_that_does_not_answer_is_not_ready_with_the_reason_and_exit_1(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, sites="- name: main\n")
    port = _closed_port()
    write_simulation_layer(tmp_path, f'{{host: 127.0.0.1, port: {port}, user: fleetadmin, host_key: "{HOST_KEY}"}}')

    (result,) = setup_school_nodes(load_fleet(path, TODAY), "TST")

    assert not result.ready and result.node == f"fleetadmin@127.0.0.1:{port}"
    assert result.error is not None and "could not ask the node for its Python" in result.error
    assert "Connection refused" in result.error
    assert main(["node", "setup", "-i", str(path), "--school", "TST"]) == 1


def test_a_host_keys_fingerprint_is_the_one_ssh_keygen_shows(tmp_path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "key")], check=True)
    shown = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "key.pub")], capture_output=True, text=True,
                           check=True).stdout.split()[1]  # fmt: skip
    assert fingerprint((tmp_path / "key.pub").read_text()) == shown
    assert fingerprint("ssh-ed25519 not-base64!") == "unreadable key"


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[Impostor, str]]:
    """An SSH server on 127.0.0.1 answering with an ed25519 key of its own, and that key's public line."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "node_key")], check=True)
    with Impostor(paramiko.Ed25519Key.from_private_key_file(str(tmp_path / "node_key"))) as server:
        yield server, " ".join((tmp_path / "node_key.pub").read_text().split()[:2])


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))


def _school_with_node(directory: Path, port: int) -> Path:
    """A school whose management VLAN is loopback, its site's node on 127.0.0.1:*port*, without host_key."""
    vlans = DEFAULT_VLANS.replace("10.9.99.0/24, gateway: 10.9.99.1", "127.0.0.0/24, gateway: 127.0.0.254")
    path, _ = write_school(directory, vlans=vlans, sites=(
        "- name: main   # the node sits in the server room\n"
        f"  execution_node:\n    host: 127.0.0.1\n    port: {port}\n    user: fleetadmin\n"))  # fmt: skip
    return path


def test_setup_records_the_key_a_node_offers_once_confirmed_and_changes_nothing_else(
    tmp_path: Path, node: tuple[Impostor, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, public = node
    path = _school_with_node(tmp_path, server.port)
    before = path.read_text()
    shown = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "node_key.pub")], capture_output=True, text=True,
                           check=True).stdout.split()[1]  # fmt: skip
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)

    assert main(["node", "setup", "-i", str(path), "--school", "TST", "--yes"]) == 1  # recorded; the login refused

    host = next(line for line in before.splitlines(keepends=True) if line.strip() == "host: 127.0.0.1")
    indent = host[: host.index("host")]
    assert path.read_text() == before.replace(host, f'{indent}host_key: "{public}"\n{host}')
    assert load_fleet(path, TODAY).host_vars("TST-C1-PC01")["execution_node"]["host_key"] == public
    [entry] = [e for e in journal.entries() if e["event"] == "node-key"]
    assert entry["confirmed"] and entry["school"] == "TST"
    assert entry["nodes"] == [{"node": f"fleetadmin@127.0.0.1:{server.port}", "site": "main", "file": str(path),
                               "fingerprint": shown}]  # fmt: skip
    assert server.passwords == []  # the login was tried with keys only, after the key matched


def test_a_declined_key_records_nothing_and_sets_nothing_up(tmp_path: Path, node: tuple[Impostor, str]) -> None:
    server, public = node
    path = _school_with_node(tmp_path, server.port)
    before = path.read_text()
    offered: list[str] = []

    def decline(keys: Sequence[OfferedKey]) -> bool:
        offered.extend(k.key for k in keys)
        return False

    run = node_setup(path, "TST", decline)

    assert offered == [public] and not run.confirmed and run.nodes == ()
    assert before.splitlines()[run.keys[0].line - 1].strip() == "execution_node:" and run.keys[0].site == "main"
    assert path.read_text() == before
    [entry] = [e for e in journal.entries() if e["event"] == "node-key"]
    assert entry["confirmed"] is False


def test_without_a_terminal_or_yes_the_key_is_shown_and_nothing_recorded(
    tmp_path: Path, node: tuple[Impostor, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server, public = node
    path = _school_with_node(tmp_path, server.port)
    before = path.read_text()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)

    assert main(["node", "setup", "-i", str(path), "--school", "TST"]) == 2

    out = capsys.readouterr()
    assert fingerprint(public) in out.out and "--yes" in out.out + out.err
    assert path.read_text() == before


def test_a_node_that_offers_no_key_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    path = _school_with_node(tmp_path, _closed_port())
    with pytest.raises(UsageError, match="offers no ed25519 host key"):
        node_setup(path, "TST", lambda keys: True)
