"""The parts of ``schooltech diff``: variable diffs, device matching, and the wording of reports."""

from __future__ import annotations

from typing import Any

from schooltech_fleet.review.changes import compare
from schooltech_fleet.review.git import Revision
from schooltech_fleet.review.markdown import code
from schooltech_fleet.review.snapshot import DeviceState, RoomState, SchoolState, Snapshot
from schooltech_fleet.review.variables import VarChange, var_changes
from schooltech_fleet.review.wording import describe, name_ranges, show


def test_variables_are_compared_down_to_the_leaf_and_keyed_lists_item_by_item() -> None:
    old = {
        "web_filter": {"proxy_url": "http://a:3128", "no_proxy": ["localhost"]},
        "motd": "hi",
        "licences": [{"id": "cad", "seats": 20}],
        "software_packages": [],
    }
    new = {
        "web_filter": {"proxy_url": "http://b:3128", "no_proxy": ["localhost"]},
        "usb_storage": "block",
        "licences": [{"id": "cad", "seats": 24}, {"id": "daw", "seats": 5}],
        "software_packages": [{"name": "thonny"}],
    }
    assert var_changes(old, new) == (
        VarChange("web_filter.proxy_url", "changed", "http://a:3128", "http://b:3128"),
        VarChange("motd", "removed", old="hi"),
        VarChange("licences[cad].seats", "changed", 20, 24),
        VarChange("licences[daw]", "added", new={"id": "daw", "seats": 5}),
        VarChange("software_packages[thonny]", "added", new={"name": "thonny"}),
        VarChange("usb_storage", "added", new="block"),
    )
    assert var_changes(old, old) == ()


def test_lists_without_distinct_keys_are_compared_whole() -> None:
    assert var_changes({"x": [{"id": "a"}, {"id": "a", "n": 1}]}, {"x": [{"id": "a"}]}) == (
        VarChange("x", "changed", [{"id": "a"}, {"id": "a", "n": 1}], [{"id": "a"}]),
    )


def test_changes_are_described_briefly() -> None:
    assert describe(VarChange("software_sets", "changed", ["base", "music"], ["base", "science"])) == (
        "software_sets: +science -music"
    )
    assert (
        describe(VarChange("ntp_servers", "changed", ["a", "b"], ["b", "a"])) == 'ntp_servers: ["a", "b"] -> ["b", "a"]'
    )
    assert describe(VarChange("vlan_id", "changed", 20, 21), code) == "`vlan_id`: `20` -> `21`"
    assert describe(VarChange("motd", "added", new="Hello, lab")) == 'motd: unset -> "Hello, lab"'
    assert describe(VarChange("vlan", "removed", old=None)) == "vlan: null -> unset"
    assert [show(v) for v in ("10.20.16.0/21", "null", "20", True, {"a": 1})] == [
        "10.20.16.0/21",
        '"null"',
        '"20"',
        "true",
        '{"a": 1}',
    ]


def test_runs_of_numbered_names_are_shortened() -> None:
    names = [f"RVS-C101-PC{n:02}" for n in range(1, 31)] + ["RVS-C101-TCH01", "RVS-L0001", "RVS-L0002"]
    assert name_ranges(names) == "RVS-C101-PC01..PC30, RVS-C101-TCH01, RVS-L0001, RVS-L0002"
    assert name_ranges(["OAK-TAB001", "OAK-TAB002", "OAK-TAB003", "OAK-TAB005"]) == "OAK-TAB001..TAB003, OAK-TAB005"
    assert name_ranges(["PC8", "PC9", "PC10"]) == "PC8, PC9, PC10"  # not the same width: not a run


def test_a_code_span_survives_backticks() -> None:
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"


def _device(
    name: str, room: str, slot: tuple[int, int] = (0, 0), identity: tuple[str, ...] = (), **values: Any
) -> DeviceState:
    return DeviceState(name, room, True, slot, identity, {"device_role": "lab_pc", "room": room, **values})


def _school(rooms: list[tuple[str, str]], *devices: DeviceState) -> SchoolState:
    return SchoolState(
        "TST",
        tuple(RoomState(name, kind, None, i) for i, (name, kind) in enumerate(rooms)),
        {d.name: d for d in devices},
        {},
        {},
    )


def _compare(old: SchoolState, new: SchoolState) -> Any:
    return compare(Snapshot(Revision("a", "1" * 40), {"TST": old}), Snapshot(Revision("b"), {"TST": new}))


def test_a_device_renamed_by_hand_is_found_by_its_mac_and_one_moved_by_its_room() -> None:
    old = _school(
        [("C1", "ict_suite"), ("C2", "ict_suite")],
        _device("TST-PC1", "C1", identity=("mac:aa",)),
        _device("TST-PC2", "C1", (0, 1)),
    )
    new = _school(
        [("C1", "ict_suite"), ("C2", "ict_suite")],
        _device("TST-TEACHER", "C1", identity=("mac:aa",)),
        _device("TST-PC2", "C2", (0, 1)),
    )
    report = _compare(old, new)
    assert [(d.name, d.renamed_from, d.moved_from) for d in report.devices] == [
        ("TST-TEACHER", "TST-PC1", None),
        ("TST-PC2", None, "C1"),
    ]
    assert [(j.job, j.hosts, j.reasons) for j in report.jobs] == [("configure", ("TST-TEACHER",), ("host name",))]


def test_a_room_replaced_by_one_of_another_kind_is_not_a_rename() -> None:
    report = _compare(_school([("C1", "ict_suite")]), _school([("M1", "music_room")]))
    assert [(r.name, r.status) for r in report.rooms] == [("C1", "removed"), ("M1", "added")]


def test_new_hardware_in_the_place_of_the_old_is_not_a_rename() -> None:
    old = _school([("C1", "ict_suite")], _device("TST-TCH1", "C1", identity=("mac:aa",)))
    new = _school([("C1", "ict_suite")], _device("TST-TCH2", "C1", identity=("mac:bb",)))
    report = _compare(old, new)
    assert [(d.name, d.status) for d in report.devices] == [("TST-TCH2", "added"), ("TST-TCH1", "removed")]
    same_place = _compare(old, _school([("C1", "ict_suite")], _device("TST-TCH2", "C1")))
    assert [(d.name, d.renamed_from) for d in same_place.devices] == [("TST-TCH2", "TST-TCH1")]
