"""SCHOOLTECH_ALLOWED_NETWORKS: targets outside the allowed networks are refused before any contact."""

from __future__ import annotations

import pytest

from schooltech_fleet.errors import UsageError
from schooltech_fleet.guard import allowed_networks, check_reachable


def test_unset_allows_any_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCHOOLTECH_ALLOWED_NETWORKS")
    assert allowed_networks() is None
    check_reachable({"RVS-C101-PC01": "10.20.16.101", "RVS-SRV01": "srv01.rvs.example"})


def test_addresses_inside_the_allowed_networks_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "127.0.0.0/8, 10.20.99.0/24")
    check_reachable({"PC": "127.0.0.1", "SW": "10.20.99.12", "V6": "127.1.2.3"})


def test_an_address_outside_or_a_bare_name_is_refused_naming_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "127.0.0.0/8")
    with pytest.raises(UsageError) as refused:
        check_reachable({"OK": "127.0.0.1", "PC01": "10.20.16.101", "SRV": "srv01.rvs.example"})
    assert refused.value.message == (
        "SCHOOLTECH_ALLOWED_NETWORKS allows only 127.0.0.0/8; refusing to contact PC01 (10.20.16.101), "
        "SRV (srv01.rvs.example)"
    )
    assert "sim up" in (refused.value.hint or "")


def test_more_than_five_are_summarised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "127.0.0.0/8")
    with pytest.raises(UsageError, match=r"PC4 \(10\.0\.0\.4\) and 2 more$"):
        check_reachable({f"PC{n}": f"10.0.0.{n}" for n in range(7)})


def test_a_malformed_setting_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", "127.0.0.0/8,loopback")
    with pytest.raises(UsageError, match="'loopback' does not appear to be an IPv4 or IPv6 network"):
        allowed_networks()


def test_a_setting_without_any_network_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHOOLTECH_ALLOWED_NETWORKS", " , ,")
    with pytest.raises(UsageError, match="names no network"):
        allowed_networks()
