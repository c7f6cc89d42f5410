"""Stop requests: SIGINT, SIGTERM and SIGHUP become a flag inside the block, and only there."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from schooltech_fleet.interrupts import stop_on_signals


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
