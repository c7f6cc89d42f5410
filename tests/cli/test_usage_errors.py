"""Every command answers bad input with exit 2, a message and a hint, no traceback, and contacts nothing.

These run against the demo school's own inventory without its simulation: its PCs and
switches have 10.90.x.x addresses, so the session's SCHOOLTECH_ALLOWED_NETWORKS
(127.0.0.0/8, see tests/conftest.py) must refuse every command that would reach them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inventory.helpers import REPO, schooltech

DEMO = str(REPO / "inventories" / "demo")


@pytest.fixture(autouse=True)
def _private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["patch", "-i", DEMO, "--school", "NOPE"], "no school with code 'NOPE'"),
        (["rebuild", "-i", DEMO, "--school", "DEMO", "--room", "NOPE"], "no managed PCs in room NOPE"),
        (["patch", "-i", DEMO, "--school", "DEMO", "--force-window"], "--force-window needs --reason"),
        (["patch", "-i", DEMO, "--school", "DEMO", "--max-fail", "150"], "--max-fail 150 is not a percentage"),
        (["patch", "-i", DEMO, "--school", "DEMO", "--batch", "0"], "--batch '0' is not a batch size"),
        (["patch", "-i", DEMO, "--school", "DEMO", "--batch", "120%"], "--batch '120%' is not a batch size"),
        (["license", "-i", DEMO, "--school", "DEMO", "--limit", "nomatch*"], "no managed PCs match that selection"),
        (["runs", "show", "no-such-run"], "no run 'no-such-run'"),
        (["rebuild", "-i", DEMO, "--school", "DEMO", "--retry-failed", "no-such-run"], "no run 'no-such-run'"),
        (["net", "plan", "-i", DEMO, "--switch", "NOPE"], "no switch named NOPE"),
        (["net", "drift", "-i", DEMO, "--school", "NOPE"], "no school with code 'NOPE'"),
        (["net", "render", "-i", DEMO, "--output", "/dev/null/rendered"], "cannot write /dev/null/rendered/DEMO/"),
        (["net", "push", "-i", DEMO, "--workers", "0"], "argument --workers: '0' is not a positive number"),
        (["net", "trust", "-i", DEMO], "name the switches whose host keys to record"),
        (["net", "trust", "-i", DEMO, "--school", "DEMO"], "net trust asks before recording a host key, and this is "
                                                            "not a terminal"),
        (["sim", "publish", "schooltech-demo-app", "1.1"], "no simulation is running"),
        (["sim", "plant", "stranger", "--switch", "DEMO-SW-LAB", "--port", "3", "--mac", "02:00:00:00:be:ef"],
         "no simulation is running"),
        (["sim", "plant", "move", "--pc", "DEMO-LAB1-PC01", "--switch", "DEMO-SW-LAB", "--port", "0"],
         "argument --port: '0' is not a positive number"),
        (["sim", "up", "-i", "tests/cli"], "tests/cli: no school files found"),
        (["plan", "-i", DEMO, "--school", "NOPE"], "no school with code 'NOPE'"),
        (["inventory", "show", "NOPE", "-i", DEMO], "no host named 'NOPE'"),
        (["check", "no/such/path"], "no/such/path"),
    ],
)
def test_bad_input_exits_2_with_what_is_wrong(args: list[str], message: str) -> None:
    done = schooltech(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr


@pytest.mark.parametrize(
    ("args", "first_target"),
    [
        (["patch", "-i", DEMO, "--school", "DEMO"], "DEMO-LAB1-PC01 (10.90.20.101)"),
        (["rebuild", "-i", DEMO, "--school", "DEMO", "--room", "LIB", "--check"], "DEMO-LIB-PC01 (10.90.20.141)"),
        (["net", "plan", "-i", DEMO], "DEMO-SW-CORE (10.90.99.11)"),
        (["net", "push", "-i", DEMO, "--switch", "DEMO-SW-LAB"], "DEMO-SW-LAB (10.90.99.12)"),
        (["net", "backup", "-i", DEMO], "DEMO-SW-CORE (10.90.99.11)"),
        (["net", "trust", "-i", DEMO, "--school", "DEMO", "--yes"], "DEMO-SW-CORE (10.90.99.11)"),
        (["plan", "-i", DEMO, "--school", "DEMO"], "DEMO-LAB1-PC01 (10.90.20.101)"),
    ],
)
def test_targets_outside_the_allowed_networks_are_refused_before_contact(args: list[str], first_target: str) -> None:
    done = schooltech(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"SCHOOLTECH_ALLOWED_NETWORKS allows only 127.0.0.0/8; refusing to contact {first_target}" in done.stderr
    assert "start the simulation first ('schooltech sim up')" in done.stderr


def test_net_trust_help_documents_its_exit_codes() -> None:
    done = schooltech("net", "trust", "--help")
    text = " ".join(done.stdout.split())
    assert done.returncode == 0
    assert "Exit codes: 0 recorded or nothing to do, 1 a switch failed, a changed key was not replaced" in text
    assert "2 usage error" in text and "--replace" in text and "--yes" in text
