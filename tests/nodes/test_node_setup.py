"""``schooltech node setup`` without a node that answers: which nodes, which wheels, what a lost node gives.

The setup of a real node (the simulated school's) is in ``tests/sim/test_execution_node.py``.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest
from inventory.helpers import TODAY, write_school, write_simulation_layer

from schooltech_fleet.cli import main
from schooltech_fleet.errors import UsageError
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.nodes.hostkey import fingerprint
from schooltech_fleet.nodes.setup import school_nodes, setup_school_nodes
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
