"""The network guard fails closed: a target outside what is allowed is refused before any contact.

Unset, a target must be inside its own school's declared networks; a list of networks
replaces that; ``any`` opts out (recorded in the journal); a recorded simulation allows
loopback only. Names used here resolve from /etc/hosts (``localhost``): no test sends a
DNS query.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from inventory.helpers import REPO, schooltech

from schooltech_fleet import journal
from schooltech_fleet.errors import UsageError
from schooltech_fleet.guard import allowed_networks, check_reachable
from schooltech_fleet.paths import simulation_record

RVS = ("10.20.16.0/21", "10.20.99.0/24")  # a school's lab and management subnets
HZP = ("10.30.16.0/24", "10.30.99.0/24")


@pytest.fixture(autouse=True)
def _private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHOOLTECH_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCHOOLTECH_ALLOWED_NETWORKS")


# --- unset: each target's own school's networks --------------------------------------------


@pytest.mark.usefixtures("unset")
def test_unset_allows_addresses_inside_their_own_schools_networks() -> None:
    assert allowed_networks() is None
    check_reachable({"RVS-C101-PC01": "10.20.16.101", "RVS-SW-A1": "10.20.99.11", "HZP-SW1": "10.30.99.11"},
                    {"RVS-C101-PC01": RVS, "RVS-SW-A1": RVS, "HZP-SW1": HZP})  # fmt: skip
    assert journal.entries() == []  # nothing to record: the guard did its work


@pytest.mark.usefixtures("unset")
def test_unset_refuses_an_address_outside_its_schools_networks_even_inside_anothers() -> None:
    with pytest.raises(UsageError) as refused:
        check_reachable({"RVS-C101-PC01": "10.20.16.101", "RVS-SW-A1": "203.0.113.9", "HZP-SW1": "10.20.99.12"},
                        {"RVS-C101-PC01": RVS, "RVS-SW-A1": RVS, "HZP-SW1": HZP})  # fmt: skip
    assert refused.value.message == ("refusing to contact RVS-SW-A1 (203.0.113.9), HZP-SW1 (10.20.99.12): outside "
                                     "the networks their school declares")  # fmt: skip
    assert "SCHOOLTECH_ALLOWED_NETWORKS" in (refused.value.hint or "") and "'any'" in (refused.value.hint or "")


@pytest.mark.usefixtures("unset")
def test_unset_looks_a_name_up_and_refuses_it_when_it_points_outside() -> None:
    with pytest.raises(UsageError, match=r"refusing to contact PC01 \(localhost: 127\.0\.0\.1\): outside"):
        check_reachable({"PC01": "localhost"}, {"PC01": RVS})
    check_reachable({"PC01": "localhost"}, {"PC01": ("127.0.0.0/8",)})


@pytest.mark.usefixtures("unset")
def test_unset_refuses_a_school_without_declared_networks() -> None:
    with pytest.raises(UsageError, match=r"refusing to contact PC01 \(10\.20\.16\.101\)"):
        check_reachable({"PC01": "10.20.16.101"}, {"PC01": ()})


# --- a list of networks -----------------------------------------------------------------------


def test_addresses_inside_the_allowed_networks_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "127.0.0.0/8, 10.20.99.0/24")
    check_reachable({"PC": "127.0.0.1", "SW": "10.20.99.12", "V6": "127.1.2.3"}, {})


def test_an_address_outside_or_a_bare_name_is_refused_naming_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "127.0.0.0/8")
    with pytest.raises(UsageError) as refused:
        check_reachable({"OK": "127.0.0.1", "PC01": "10.20.16.101", "SRV": "localhost"},
                        {"PC01": RVS, "SRV": ("127.0.0.0/8",)})  # fmt: skip
    assert refused.value.message == (
        "SCHOOLTECH_ALLOWED_NETWORKS allows only 127.0.0.0/8; refusing to contact PC01 (10.20.16.101), "
        "SRV (localhost)"
    )  # a list is for addresses: a name is not looked up, not even one inside
    assert "sim up" in (refused.value.hint or "")


def test_more_than_five_are_summarised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "127.0.0.0/8")
    with pytest.raises(UsageError, match=r"PC4 \(10\.0\.0\.4\) and 2 more$"):
        check_reachable({f"PC{n}": f"10.0.0.{n}" for n in range(7)}, {})


def test_a_malformed_setting_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "127.0.0.0/8,loopback")
    with pytest.raises(UsageError, match="'loopback' does not appear to be an IPv4 or IPv6 network"):
        allowed_networks()


def test_a_setting_without_any_network_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", " , ,")
    with pytest.raises(UsageError, match="names no network"):
        allowed_networks()


# --- any: the explicit opt-out, recorded ------------------------------------------------------


def test_any_allows_every_address_and_records_what_the_default_would_have_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "any")
    check_reachable({"RVS-C101-PC01": "10.20.16.101", "RVS-SW-A1": "203.0.113.9"},
                    {"RVS-C101-PC01": RVS, "RVS-SW-A1": RVS})  # fmt: skip

    [entry] = journal.entries()
    assert {key: entry[key] for key in ("event", "setting", "targets", "outside_declared")} == {
        "event": "guard-opt-out", "setting": "SCHOOLTECH_ALLOWED_NETWORKS=any", "targets": 2,
        "outside_declared": ["RVS-SW-A1 (203.0.113.9)"]}  # fmt: skip
    assert journal.verify().intact


def test_any_refuses_when_its_use_cannot_be_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "any")
    journal.audit_path().mkdir()  # nothing can be appended to it

    with pytest.raises(journal.JournalError, match="cannot append to the journal") as refused:
        check_reachable({"RVS-SW-A1": "10.20.99.11"}, {"RVS-SW-A1": RVS})
    assert refused.value.exit_code == 2


# --- a recorded simulation: loopback only, whatever is set -------------------------------------


@pytest.mark.parametrize("setting", ["", "any", "10.0.0.0/8"])
def test_while_a_simulation_is_recorded_only_loopback_may_be_contacted(
    monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", setting)
    simulation_record().parent.mkdir(parents=True)
    simulation_record().write_text("{}")
    with pytest.raises(UsageError, match=r"only 127\.0\.0\.0/8 may be contacted; refusing to contact PC01 \(10\.2"):
        check_reachable({"SIM": "127.0.0.1", "PC01": "10.20.16.101"}, {"SIM": RVS, "PC01": RVS})


# --- through the commands ------------------------------------------------------------------------

LAYER = """\
schooltech_sim: 1
simulation: stale-rehearsal
started: "2026-11-28T17:00:00+00:00"
connection:
  ssh_user: fleetadmin
  ssh_private_key: /nonexistent/id_ed25519
  ssh_known_hosts: /nonexistent/known_hosts
  switch_username: schooltech
  switch_password_file: /nonexistent/switch-password
schools:
  DEMO:
    devices: {DEMO-LAB1-PC01: {host: 127.0.0.1, port: 42201}}
    switches: {DEMO-SW-CORE: {host: 127.0.0.1, port: 42222}}
"""


@pytest.mark.usefixtures("unset")
@pytest.mark.parametrize(
    ("args", "target"),
    [
        (["patch", "--school", "DEMO", "--limit", "DEMO-LAB1-PC01"], "DEMO-LAB1-PC01 (127.0.0.1)"),
        (["net", "plan", "--switch", "DEMO-SW-CORE"], "DEMO-SW-CORE (127.0.0.1)"),
        (["net", "push", "--switch", "DEMO-SW-CORE"], "DEMO-SW-CORE (127.0.0.1)"),
    ],
)
def test_unset_a_stale_simulation_layer_without_its_simulation_is_refused(
    tmp_path: Path, args: list[str], target: str
) -> None:
    # a layer left beside the school file by a rehearsal in another state directory: its
    # addresses are no school network of DEMO, and this state directory records no simulation
    inventory = tmp_path / "demo"
    shutil.copytree(REPO / "inventories" / "demo", inventory, ignore=shutil.ignore_patterns(".schooltech-sim.yml"))
    (inventory / ".schooltech-sim.yml").write_text(textwrap.dedent(LAYER))

    done = schooltech(*args, "-i", inventory)

    assert done.returncode == 2, done.stdout + done.stderr
    assert f"refusing to contact {target}: outside the networks their school declares" in " ".join(
        done.stderr.split()
    )
