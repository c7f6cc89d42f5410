"""Switch sessions through the execution node: a real lab-PC container is the node (its sshd forwards),
the session's emulated switches answer behind it, Netmiko speaks to them over the node's channel.

Cost: one container (the cached lab-PC image; a few seconds to start) for the module, beside the
session's switch emulator.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from host_prerequisites import required

from schooltech_fleet.network import hostkeys
from schooltech_fleet.network.credentials import Credentials
from schooltech_fleet.network.jump import JumpNode
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.session import SwitchUnreachable, open_session
from schooltech_fleet.network.targets import SwitchTarget
from schooltech_fleet.network.trust import KeyState, Outcome, trust_targets
from schooltech_fleet.sim import pcs
from schooltech_fleet.sim.image import ADMIN_USER, ensure_image
from schooltech_fleet.sim.prereqs import check_host_prerequisites
from schooltech_fleet.sim.switches import SwitchFarm

from .conftest import PASSWORD, USER

pytestmark = pytest.mark.sim

SWITCH = "sw-b"  # its startup config names it SW-B


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pcs.PcHandle]:
    """One lab-PC container as the execution node; the controller logs in to it with a key an SSH agent of this
    module's own holds (as a technician's agent would)."""
    required(check_host_prerequisites)
    sim_id = f"pytest-{os.getpid()}-jump-{secrets.token_hex(2)}"
    keys = tmp_path_factory.mktemp("node-keys")
    private, public = pcs.ensure_ssh_keypair(keys)
    socket_path = keys / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket_path)], stdout=subprocess.DEVNULL)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SSH_AUTH_SOCK", str(socket_path))
            for _ in range(50):  # the agent creates its socket once it listens
                if socket_path.exists():
                    break
                time.sleep(0.1)
            subprocess.run(["ssh-add", "-q", str(private)], check=True, capture_output=True)
            (handle,) = pcs.start_pcs([pcs.PcSpec("jump-node")], sim_id=sim_id, image=ensure_image(),
                                      authorized_key=public)  # fmt: skip
            yield handle
    finally:
        pcs.remove_all(sim_id)
        agent.terminate()
        agent.wait()


@pytest.fixture(autouse=True)
def _own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Known hosts' lock, journal and audit of this test only."""
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))


def node_key(node: pcs.PcHandle) -> str:
    key = hostkeys.offered(node.host, node.port, prefer=("ssh-ed25519",))
    return f"{key.type} {key.data}"


def through(node: pcs.PcHandle, farm: SwitchFarm, tmp_path: Path, *, key: str | None = None,
            port: int | None = None, trusted: bool = True) -> SwitchTarget:  # fmt: skip
    """A target for *SWITCH* reached through *node* (its recorded key: *key*, default the node's own), the switch's
    key recorded unless not *trusted*."""
    known = tmp_path / "switch_known_hosts"
    if trusted:
        hostkeys.record(known, "127.0.0.1", farm.port(SWITCH), hostkeys.offered("127.0.0.1", farm.port(SWITCH)))
    via = JumpNode(node.host, node.port, ADMIN_USER, key or node_key(node))
    return SwitchTarget(SWITCH, "TST", platform("cisco_ios"), "127.0.0.1", port or farm.port(SWITCH),
                        Credentials(USER, PASSWORD), None, known, via=via)  # fmt: skip


def connections_to(port: int) -> set[int]:
    """The socket inodes of this machine's established TCP connections to 127.0.0.1:*port* (its network is the
    node's: the container shares it)."""
    wanted = f"0100007F:{port:04X}"
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return {int(row[9]) for row in rows if row[2] == wanted and row[3] == "01"}


def switch_let_go(farm: SwitchFarm) -> bool:
    """Whether, within 5 s, no connection to the switch is left open."""
    for _ in range(50):
        if not connections_to(farm.port(SWITCH)):
            return True
        time.sleep(0.1)
    return not connections_to(farm.port(SWITCH))


def own_sockets() -> set[int]:
    """The socket inodes this test process holds (a descriptor another thread closes meanwhile is skipped)."""
    found = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            link = os.readlink(fd)
            if link.startswith("socket:["):
                found.add(int(link[8:-1]))
    return found


def test_a_session_through_the_node_reads_the_running_config_over_the_nodes_connection(
    node: pcs.PcHandle, farm: SwitchFarm, tmp_path: Path
) -> None:
    with open_session(through(node, farm, tmp_path)) as session:
        config = session.running_config()
        to_switch, to_node, ours = connections_to(farm.port(SWITCH)), connections_to(node.port), own_sockets()

    assert "hostname SW-B" in config
    assert len(to_switch) == 1 and not to_switch & ours  # the switch's one session: the node's connection, not ours
    assert to_node & ours  # ours goes to the node
    assert switch_let_go(farm)  # the session closed: the node lets go of the switch


def test_sessions_at_the_same_time_share_one_login_on_the_node_and_close_it_after_the_last(
    node: pcs.PcHandle, farm: SwitchFarm, tmp_path: Path
) -> None:
    target = through(node, farm, tmp_path)
    together = threading.Barrier(4, timeout=60)
    seen: list[set[int]] = []

    def session() -> str:
        with open_session(target) as opened:
            config = opened.running_config()
            together.wait()  # all four open at once
            seen.append(connections_to(node.port) & own_sockets())
            together.wait()
        return config

    with ThreadPoolExecutor(max_workers=4) as pool:
        configs = list(pool.map(lambda _: session(), range(4)))

    assert all("hostname SW-B" in config for config in configs)
    assert len(seen) == 4 and len(seen[0]) == 1 and all(s == seen[0] for s in seen)  # one connection, shared
    assert not connections_to(node.port) & own_sockets()  # closed after the last session
    assert switch_let_go(farm)  # the switch has seen every session end (its log is the next test's)


def test_a_wrong_node_host_key_is_refused_before_any_switch_login(
    node: pcs.PcHandle, farm: SwitchFarm, tmp_path: Path
) -> None:
    other = hostkeys.offered("127.0.0.1", farm.port("sw-a"))  # a real key, not the node's
    with pytest.raises(SwitchUnreachable) as refused, open_session(
        through(node, farm, tmp_path, key=f"{other.type} {other.data}")
    ):
        pass

    assert refused.value.message.startswith(
        f"{SWITCH}: the SSH host key of the execution node {ADMIN_USER}@127.0.0.1:{node.port} CHANGED"
    )
    assert "nothing was sent to sw-b, nor the node's login" in (refused.value.hint or "")
    assert farm.control.command_log(SWITCH) == []


def test_a_switch_the_node_cannot_reach_is_refused_naming_node_and_switch(
    node: pcs.PcHandle, farm: SwitchFarm, tmp_path: Path
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]  # nothing listens there once the block ends
    with pytest.raises(SwitchUnreachable) as refused, open_session(through(node, farm, tmp_path, port=port)):
        pass

    assert refused.value.message.startswith(
        f"{SWITCH}: the execution node {ADMIN_USER}@127.0.0.1:{node.port} did not open a connection to the switch "
        f"at 127.0.0.1:{port}"
    )
    assert "AllowTcpForwarding" in (refused.value.hint or "")


def test_net_trust_reads_the_switch_key_through_the_node(node: pcs.PcHandle, farm: SwitchFarm, tmp_path: Path) -> None:
    target = through(node, farm, tmp_path, trusted=False)

    result = trust_targets([target], confirm=lambda keys: [k.switch for k in keys] == [SWITCH])

    (key,) = result.switches
    assert (key.state, key.outcome, key.error) == (KeyState.NEW, Outcome.RECORDED, None)
    assert hostkeys.recorded(target.known_hosts, "127.0.0.1", farm.port(SWITCH)) == (
        hostkeys.offered("127.0.0.1", farm.port(SWITCH), prefer=[key.offered.type] if key.offered else []),
    )
    with open_session(target) as session:  # the key recorded through the node is the key the session checks
        assert "hostname SW-B" in session.running_config()
