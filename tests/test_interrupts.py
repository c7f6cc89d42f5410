"""Stop requests: SIGINT, SIGTERM and SIGHUP become a flag inside the block, and only there; and an action
that runs however a block ends (signals, exceptions, interpreter exit)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from schooltech_fleet.interrupts import on_every_exit, stop_on_signals


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_inside_the_block_requests_a_stop_instead_of_ending_the_process(number: signal.Signals) -> None:
    before = signal.getsignal(number)
    with stop_on_signals() as stop:
        assert stop() is None
        os.kill(os.getpid(), number)
        assert stop() == f"{number.name} received"
        os.kill(os.getpid(), signal.SIGTERM)  # a second signal does not change the first reason
        assert stop() == f"{number.name} received"
    assert signal.getsignal(number) is before


def test_outside_the_main_thread_no_handler_is_installed() -> None:
    seen: list[object] = []

    def worker() -> None:
        with stop_on_signals() as stop:
            seen.append(signal.getsignal(signal.SIGTERM))
            seen.append(stop())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [signal.getsignal(signal.SIGTERM), None]


# --- on_every_exit: an action that runs however the block ends ---

CHILD = """
import os, signal, sys, threading, time
from pathlib import Path
from schooltech_fleet.interrupts import on_every_exit, stop_on_signals

secret = Path(sys.argv[1])
secret.write_text("secret")
mode = sys.argv[2]
if mode == "ignored":
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def remove():
    secret.unlink(missing_ok=True)


def wait():
    print("ready", flush=True)
    for _ in range(600):
        time.sleep(0.1)
    print("not signalled", flush=True)


if mode == "thread":  # the block never ends: the interpreter exits with a daemon thread inside it
    def inside():
        with on_every_exit(remove):
            wait()
    threading.Thread(target=inside, daemon=True).start()
    time.sleep(0.5)
    print("main thread done", flush=True)
elif mode == "stop":
    with stop_on_signals() as stop, on_every_exit(remove):
        print("ready", flush=True)
        while stop() is None:
            time.sleep(0.05)
        print(f"went on after {stop()}; secret there: {secret.exists()}", flush=True)
else:
    with on_every_exit(remove):
        wait()
"""


def _child(tmp_path: Path, mode: str) -> tuple[subprocess.Popen[str], Path]:
    secret = tmp_path / "secret"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(secret), mode], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    if mode != "thread":
        assert child.stdout.readline() == "ready\n"
        assert secret.exists()
    return child, secret


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_with_its_default_action_runs_the_action_then_ends_the_process_by_that_signal(
    tmp_path: Path, number: signal.Signals
) -> None:
    child, secret = _child(tmp_path, "default")
    child.send_signal(number)
    output, _ = child.communicate(timeout=60)
    assert child.returncode == -number
    assert not secret.exists()
    assert "not signalled" not in output


def test_ctrl_c_runs_the_action_then_raises_keyboard_interrupt(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(secret), "default"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    child.send_signal(signal.SIGINT)
    _, errors = child.communicate(timeout=60)
    assert "KeyboardInterrupt" in errors
    assert not secret.exists()


def test_under_a_stop_request_the_action_runs_at_the_signal_and_the_work_goes_on(tmp_path: Path) -> None:
    child, _ = _child(tmp_path, "stop")
    child.send_signal(signal.SIGTERM)
    output, _ = child.communicate(timeout=60)
    assert child.returncode == 0
    assert "went on after SIGTERM received; secret there: False" in output


def test_a_signal_the_process_ignores_stays_ignored_and_keeps_the_secret(tmp_path: Path) -> None:
    child, secret = _child(tmp_path, "ignored")
    child.send_signal(signal.SIGHUP)  # nohup: a closed terminal must not stop the work
    assert secret.exists()
    child.send_signal(signal.SIGTERM)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGTERM
    assert not secret.exists()


def test_interpreter_exit_runs_the_action_of_a_block_that_never_ended(tmp_path: Path) -> None:
    child, secret = _child(tmp_path, "thread")
    output, _ = child.communicate(timeout=60)
    assert "main thread done" in output and "not signalled" not in output
    assert child.returncode == 0
    assert not secret.exists()


def test_the_action_runs_when_the_block_ends_normally_or_by_an_exception_and_the_handlers_are_restored() -> None:
    ran: list[str] = []
    before = signal.getsignal(signal.SIGTERM)
    with on_every_exit(lambda: ran.append("normal")):
        assert signal.getsignal(signal.SIGTERM) is not before
    with pytest.raises(ValueError), on_every_exit(lambda: ran.append("exception")):
        raise ValueError
    assert ran == ["normal", "exception"]
    assert signal.getsignal(signal.SIGTERM) is before
