"""A live school's boot server: chosen from the inventory, behind the network guard, reached with real ssh."""

from __future__ import annotations

import socket

import pytest
from inventory.helpers import REPO, TODAY

from schooltech_fleet.errors import ImagingError, UsageError
from schooltech_fleet.imaging.live_server import LiveBootServer, SshTarget
from schooltech_fleet.imaging.servers import boot_server_for
from schooltech_fleet.inventory import load_fleet
from schooltech_fleet.inventory.fleet import Fleet


@pytest.fixture(scope="module")
def examples() -> Fleet:
    return load_fleet(REPO / "inventories", today=TODAY)


def test_a_live_school_is_imaged_through_its_boot_server_over_ssh(
    examples: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "10.90.20.0/24")
    server, on_installed = boot_server_for(examples, "DEMO")
    assert isinstance(server, LiveBootServer)
    assert (server.name, server.url) == ("DEMO-PXE1", "http://10.90.20.5:8080")
    assert server.ssh == SshTarget(host="10.90.20.5", port=22, user=None)
    assert on_installed is None  # installed PCs are real PCs: the rebuild reaches them as any other
    server.disconnect()


def test_the_network_guard_refuses_a_boot_server_outside_the_allowed_networks(
    examples: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "127.0.0.0/8")
    with pytest.raises(UsageError, match=r"refusing to contact DEMO-PXE1 \(10\.90\.20\.5\)"):
        boot_server_for(examples, "DEMO")


def test_an_unreachable_boot_server_is_an_imaging_error_with_a_hint() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = LiveBootServer("bootsrv", "http://127.0.0.1:8080", SshTarget("127.0.0.1", port=port, user="nobody"))
    with pytest.raises(ImagingError, match="cannot be reached over SSH") as refused:
        server.status()
    assert refused.value.hint is not None and "known_hosts" in refused.value.hint
    server.disconnect()
