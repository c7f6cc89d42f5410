"""The one lock helper: across processes and threads, refusing with the holder's name or waiting its turn."""

from __future__ import annotations

import getpass
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from schooltech_fleet import locks

HOLDER = """
import sys
from pathlib import Path
from schooltech_fleet import locks
with locks.hold(Path(sys.argv[1]), "patch (a test's job)", wait=True):
    print("held", flush=True)
    sys.stdin.readline()
"""

WAITER = """
import sys
from pathlib import Path
from schooltech_fleet import locks
print("trying", flush=True)
with locks.hold(Path(sys.argv[1]), "a waiting writer", wait=True):
    with open(sys.argv[2], "a") as log:
        log.write("waiter\\n")
"""


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def held_elsewhere(state: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock ``school-test`` until the test ends."""
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(locks.path("school-test"))],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert child.stdout is not None and child.stdout.readline() == "held\n"
    yield child
    if child.poll() is None:
        child.communicate("\n", timeout=30)


def test_a_busy_lock_is_refused_at_once_naming_its_holder(held_elsewhere: subprocess.Popen[str]) -> None:
    with pytest.raises(locks.Busy) as busy, locks.hold(locks.path("school-test"), "rebuild", subject="school TST"):
        pass
    holder = busy.value.holder
    assert holder is not None
    assert (holder.what, holder.user, holder.host, holder.pid) == (
        "patch (a test's job)", getpass.getuser(), socket.gethostname(), held_elsewhere.pid)  # fmt: skip
    assert busy.value.message == f"school TST is busy: {holder}"
    assert str(holder).startswith(f"patch (a test's job) by {getpass.getuser()} on {socket.gethostname()} "
                                  f"(pid {held_elsewhere.pid}) since ")  # fmt: skip


def test_a_lock_is_free_again_when_its_holder_is_killed(held_elsewhere: subprocess.Popen[str]) -> None:
    held_elsewhere.send_signal(signal.SIGKILL)
    held_elsewhere.wait(timeout=30)
    with locks.hold(locks.path("school-test"), "rebuild"):
        assert (locks.path("school-test").read_text()).startswith('{"what": "rebuild"')
    assert locks.path("school-test").read_text() == ""  # released: no holder described


def test_a_waiting_taker_queues_behind_the_holder(state: Path, tmp_path: Path) -> None:
    log = tmp_path / "order"
    lock = locks.path("backups")
    with locks.hold(lock, "a writer", wait=True):
        waiter = subprocess.Popen([sys.executable, "-c", WAITER, str(lock), str(log)], stdout=subprocess.PIPE,
                                  text=True)  # fmt: skip
        assert waiter.stdout is not None and waiter.stdout.readline() == "trying\n"
        with log.open("a") as handle:
            handle.write("holder\n")
    waiter.wait(timeout=60)
    assert log.read_text() == "holder\nwaiter\n"


def test_threads_of_one_process_exclude_each_other(state: Path) -> None:
    refused: list[locks.Busy] = []

    def second() -> None:
        try:
            with locks.hold(locks.path("switch-SW1"), "push from a thread", subject="SW1"):
                pass
        except locks.Busy as exc:
            refused.append(exc)

    with locks.hold(locks.path("switch-SW1"), "push from the main thread"):
        thread = threading.Thread(target=second)
        thread.start()
        thread.join()
    assert [exc.holder.what if exc.holder else None for exc in refused] == ["push from the main thread"]
    assert refused[0].holder is not None and refused[0].holder.pid == os.getpid()


def test_a_holder_written_by_an_older_version_is_described_plainly(state: Path) -> None:
    lock = locks.path("school-old")
    with locks.hold(lock, "the first taker"):
        lock.write_text('{"user": "alice", "job": "patch"}')  # as an older schooltech holding it left it
        with pytest.raises(locks.Busy) as busy, locks.hold(lock, "the second taker"):
            pass
    assert busy.value.message == "school-old is busy: held by another process"
    assert busy.value.holder is None
