"""``net trust`` over real SSH: new keys recorded after asking, changed ones only with replace, all audited.

The switches are this run's own emulated ones; the impostor (``impostor.py``) answers with a
key of its own, as a laptop given a switch's address would.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence
from pathlib import Path

import paramiko
import pytest

from schooltech_fleet import journal
from schooltech_fleet.network import hostkeys
from schooltech_fleet.network.hostkeys import HostKey
from schooltech_fleet.network.session import SwitchUnreachable, open_session
from schooltech_fleet.network.targets import SwitchTarget
from schooltech_fleet.network.trust import KeyState, Outcome, SwitchKey, trust_targets
from schooltech_fleet.sim.switches import SwitchFarm

from .conftest import switch_target
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


def refused(target: SwitchTarget) -> SwitchUnreachable:
    with pytest.raises(SwitchUnreachable) as error, open_session(target):
        pass
    return error.value


class Asked:
    """A confirm callback: remembers what it was shown, answers *answer*."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.shown: list[list[tuple[str, KeyState]]] = []

    def __call__(self, pending: Sequence[SwitchKey]) -> bool:
        self.shown.append([(key.switch, key.state) for key in pending])
        return self.answer


def test_trust_records_a_new_key_after_asking_and_then_sessions_work(switches: SwitchFarm, known_hosts: Path) -> None:
    targets = [switch_target(switches, name, known_hosts) for name in ("SW-A", "SW-B")]
    asked = Asked(True)

    first = trust_targets(targets, confirm=asked, invocation="schooltech net trust --school TST")

    assert asked.shown == [[("SW-A", KeyState.NEW), ("SW-B", KeyState.NEW)]]
    assert [(k.switch, k.outcome) for k in first.switches] == [("SW-A", Outcome.RECORDED), ("SW-B", Outcome.RECORDED)]
    assert first.succeeded and first.confirmed is True
    for target in targets:
        with open_session(target) as session:
            assert f"hostname {target.name}" in session.running_config()
    again = trust_targets(targets, confirm=asked)
    assert [k.outcome for k in again.switches] == [Outcome.KEPT, Outcome.KEPT] and again.confirmed is None
    assert len(asked.shown) == 1  # nothing new: nothing asked
    [entry, _] = [e for e in journal.entries() if e["event"] == "net-trust"]
    assert entry["command"] == "schooltech net trust --school TST" and entry["confirmed"] is True
    assert entry["switches"]["SW-A"]["offered"] == first.switches[0].offered.fingerprint  # type: ignore[union-attr]


def test_a_key_not_confirmed_is_not_recorded(switches: SwitchFarm, known_hosts: Path) -> None:
    target = switch_target(switches, "SW-A", known_hosts)

    result = trust_targets([target], confirm=Asked(False))

    assert [k.outcome for k in result.switches] == [Outcome.DECLINED] and not result.succeeded
    assert not known_hosts.exists()
    assert "is not known" in refused(target).message


def test_a_changed_key_is_recorded_only_with_replace(switches: SwitchFarm, known_hosts: Path) -> None:
    port = switches.port("SW-A")
    old = another_key()
    hostkeys.record(known_hosts, "127.0.0.1", port, old)
    target = switch_target(switches, "SW-A", known_hosts)
    asked = Asked(True)

    kept = trust_targets([target], confirm=asked)

    [key] = kept.switches
    assert (key.state, key.outcome, key.recorded) == (KeyState.CHANGED, Outcome.NOT_REPLACED, (old,))
    assert asked.shown == [] and not kept.succeeded
    assert "CHANGED" in refused(target).message

    replaced = trust_targets([target], replace=True, confirm=asked)

    assert asked.shown == [[("SW-A", KeyState.CHANGED)]]
    assert [k.outcome for k in replaced.switches] == [Outcome.REPLACED] and replaced.succeeded
    assert hostkeys.recorded(known_hosts, "127.0.0.1", port) == (hostkeys.offered("127.0.0.1", port),)
    with open_session(target) as session:
        assert "hostname SW-A" in session.running_config()


def test_trust_shows_the_impostors_key_as_changed_and_a_silent_address_as_failed(
    switches: SwitchFarm, impostor: Impostor, known_hosts: Path
) -> None:
    real = hostkeys.offered("127.0.0.1", switches.port("SW-A"))
    hostkeys.record(known_hosts, "127.0.0.1", impostor.port, real)
    with socket.create_server(("127.0.0.1", 0)) as closed:
        silent = closed.getsockname()[1]  # nothing listens there once it is closed

    result = trust_targets([switch_target(switches, "SW-A", known_hosts, port=impostor.port),
                            switch_target(switches, "SW-B", known_hosts, port=silent)],
                           confirm=Asked(True))  # fmt: skip

    changed, failed = result.switches
    assert (changed.state, changed.offered, changed.outcome) == (KeyState.CHANGED, impostor.key, Outcome.NOT_REPLACED)
    assert (failed.state, failed.outcome) == (KeyState.FAILED, Outcome.FAILED)
    assert f"no answer at 127.0.0.1:{silent}" in (failed.error or "")
    assert impostor.passwords == []
