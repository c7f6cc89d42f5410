"""Strict host keys over real SSH: an unknown or changed key is refused before the password leaves.

The switches are this run's own emulated ones; the impostor is a real SSH server with a key
of its own that keeps every password it is offered (what a session would meet if someone
else answered on a switch's address).
"""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from schooltech_fleet.network import hostkeys
from schooltech_fleet.network.hostkeys import HostKey
from schooltech_fleet.network.session import SwitchUnreachable, open_session
from schooltech_fleet.sim.switches import SwitchFarm

from .conftest import PASSWORD, USER, record_key, switch_target
from .impostor import Impostor


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def known_hosts(tmp_path: Path) -> Path:
    return tmp_path / "known_hosts"


@pytest.fixture
def impostor() -> Iterator[Impostor]:
    with Impostor() as running:
        yield running


def another_key() -> HostKey:
    return HostKey.of(paramiko.ECDSAKey.generate())


def refused(target: object) -> SwitchUnreachable:
    with pytest.raises(SwitchUnreachable) as error, open_session(target):  # type: ignore[arg-type]
        pass
    return error.value


def test_an_unknown_key_is_refused_and_the_impostor_never_gets_the_password(
    switches: SwitchFarm, impostor: Impostor, known_hosts: Path
) -> None:
    error = refused(switch_target(switches, "SW-A", known_hosts, port=impostor.port))

    assert error.message == (f"the SSH host key of SW-A (127.0.0.1:{impostor.port}) is not known; check its "
                             "fingerprint and record it with 'schooltech net trust --switch SW-A'")  # fmt: skip
    assert "nothing was sent" in (error.hint or "") and str(known_hosts) in (error.hint or "")
    assert impostor.passwords == []


def test_a_changed_key_is_refused_and_the_impostor_never_gets_the_password(
    switches: SwitchFarm, impostor: Impostor, known_hosts: Path
) -> None:
    # the switch's real key is recorded for its address; the impostor answers there
    real = hostkeys.offered("127.0.0.1", switches.port("SW-A"))
    hostkeys.record(known_hosts, "127.0.0.1", impostor.port, real)

    error = refused(switch_target(switches, "SW-A", known_hosts, port=impostor.port))

    assert error.message == (f"the SSH host key of SW-A CHANGED (recorded {real.fingerprint}, offered "
                             f"{impostor.key.fingerprint}): if the switch was replaced, run 'schooltech net trust "
                             "--switch SW-A --replace' after checking the new fingerprint; otherwise someone may be "
                             "intercepting the session")  # fmt: skip
    assert impostor.passwords == []


def test_a_client_that_takes_any_key_hands_the_impostor_the_password(impostor: Impostor) -> None:
    # what the two tests above prevent: the impostor does record what it is sent
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    with pytest.raises(paramiko.AuthenticationException):
        client.connect("127.0.0.1", impostor.port, USER, PASSWORD, look_for_keys=False, allow_agent=False)
    client.close()

    assert impostor.passwords == [PASSWORD]


def test_a_recorded_key_is_accepted_and_a_changed_one_refused_on_the_switch(
    switches: SwitchFarm, known_hosts: Path
) -> None:
    record_key(switches, "SW-A", known_hosts)
    with open_session(switch_target(switches, "SW-A", known_hosts)) as session:
        assert "hostname SW-A" in session.running_config()

    offered = hostkeys.offered("127.0.0.1", switches.port("SW-A"))
    hostkeys.record(known_hosts, "127.0.0.1", switches.port("SW-A"), another_key(), replace=True)
    logged = len(switches.control.command_log("SW-A"))
    error = refused(switch_target(switches, "SW-A", known_hosts))

    assert "the SSH host key of SW-A CHANGED" in error.message and f"offered {offered.fingerprint}" in error.message
    assert switches.control.command_log("SW-A")[logged:] == []


def test_fingerprints_and_the_known_hosts_file_are_the_ones_openssh_uses(
    switches: SwitchFarm, known_hosts: Path
) -> None:
    port = switches.port("SW-A")
    record_key(switches, "SW-A", known_hosts)
    [key] = hostkeys.recorded(known_hosts, "127.0.0.1", port)

    found = subprocess.run(["ssh-keygen", "-F", f"[127.0.0.1]:{port}", "-f", str(known_hosts)], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    listed = subprocess.run(["ssh-keygen", "-l", "-f", str(known_hosts)], capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    assert f"[127.0.0.1]:{port} {key.type} {key.data}" in found
    assert key.fingerprint in listed.split()
    assert stat.S_IMODE(known_hosts.stat().st_mode) == 0o600
