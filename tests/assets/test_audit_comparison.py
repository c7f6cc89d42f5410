"""The audit comparison: the identity rule, each finding class, and what is never a finding."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from schooltech_fleet.assets.audit import AuditResult, FindingClass, compare, model_matches
from schooltech_fleet.assets.declared import DeclaredDevice, DeclaredPort, DeclaredSchool
from schooltech_fleet.assets.discovery import DiscoveredPc, Discovery, Disk, MacSighting

MAC = {name: f"52:54:00:00:00:{n:02x}" for n, name in enumerate(["PC1", "PC2", "LIB1", "PRN", "NOMAC"], start=1)}
STRANGER = "02:00:00:00:00:99"


def device(name: str, room: str, **changes: object) -> DeclaredDevice:
    base = DeclaredDevice(name=name, room=room, role="lab_pc", managed=True, mac=MAC.get(name),
                          serial=f"SN-{name}", model="Dell OptiPlex 7010 SFF", ram_gb=8, disk_gb=256)  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


SCHOOL = DeclaredSchool(
    school="T",
    rooms=("LAB", "LIB"),
    devices=(
        device("PC1", "LAB"),
        device("PC2", "LAB"),
        device("LIB1", "LIB"),
        device("PRN", "LAB", role="printer", managed=False, serial=None, model=None, ram_gb=None, disk_gb=None),
    ),
    ports=(
        DeclaredPort("SW-LAB", 1, "LAB", None, False),
        DeclaredPort("SW-LAB", 2, "LAB", None, False),
        DeclaredPort("SW-LAB", 3, "LAB", "PRN", False),
        DeclaredPort("SW-LAB", 24, None, None, True),  # uplink
        DeclaredPort("SW-LIB", 1, "LIB", None, False),
        DeclaredPort("SW-LIB", 8, None, None, True),  # access point
    ),
)


def pc(name: str, **changes: object) -> DiscoveredPc:
    base = DiscoveredPc(host=name, hostname=name.lower(), serial=f"SN-{name}", vendor="Dell Inc.",
                        model="OptiPlex 7010 SFF", macs=(MAC[name],), ram_mb=7850, disks=(Disk("sda", 256),),
                        os="Debian 12", bios="Dell Inc. 1.2.3 2025-01-01")  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def seen(switch: str, port: int | None, mac: str, *, uplink: bool = False) -> MacSighting:
    return MacSighting(switch, f"Gi1/0/{port}", port, 20, mac, uplink)


HEALTHY_PCS = (pc("PC1"), pc("PC2"), pc("LIB1"))
HEALTHY_SIGHTINGS = (seen("SW-LAB", 1, MAC["PC1"]), seen("SW-LAB", 2, MAC["PC2"]), seen("SW-LAB", 3, MAC["PRN"]),
                     seen("SW-LIB", 1, MAC["LIB1"]))  # fmt: skip


def audit(pcs: tuple[DiscoveredPc, ...] = HEALTHY_PCS, sightings: tuple[MacSighting, ...] = HEALTHY_SIGHTINGS,
          *, unreachable_pcs: tuple[str, ...] = (), unreachable_switches: tuple[str, ...] = (),
          school: DeclaredSchool = SCHOOL) -> AuditResult:  # fmt: skip
    discovery = Discovery("T", pcs, unreachable_pcs, sightings, unreachable_switches, "2026-12-01T00:00:00Z")
    return compare(school, discovery)


def without(mac: str) -> tuple[MacSighting, ...]:
    return tuple(s for s in HEALTHY_SIGHTINGS if s.mac != mac)


def kinds(result: AuditResult) -> list[tuple[str, str, str | None]]:
    return [(f.kind.value, f.device, f.field) for f in result.findings]


def test_a_school_as_declared_has_no_findings() -> None:
    result = audit()
    assert result.findings == ()
    assert (result.declared, result.seen) == (4, 4)
    assert result.not_checked == ()


def test_a_pc_neither_reached_nor_on_any_port_is_missing() -> None:
    result = audit((pc("PC1"), pc("LIB1")), HEALTHY_SIGHTINGS[:1] + HEALTHY_SIGHTINGS[2:], unreachable_pcs=("PC2",))
    assert kinds(result) == [("missing", "PC2", None)]
    finding = result.findings[0]
    assert finding.room == "LAB"
    assert "not reached over SSH" in finding.found and MAC["PC2"] in finding.found
    assert finding.hint


def test_a_pc_switched_off_over_ssh_but_on_a_port_is_seen_not_missing_and_its_hardware_not_checked() -> None:
    result = audit((pc("PC1"), pc("LIB1")), HEALTHY_SIGHTINGS, unreachable_pcs=("PC2",))
    assert result.findings == ()
    assert result.seen == 4
    assert [(n.name, n.room) for n in result.not_checked] == [("PC2", "LAB")]
    assert "not reached over SSH" in result.not_checked[0].reason and "serial" in result.not_checked[0].reason


def test_an_unmanaged_device_is_missing_when_its_mac_is_on_no_port() -> None:
    result = audit(sightings=without(MAC["PRN"]))
    assert kinds(result) == [("missing", "PRN", None)]
    assert "not reached" not in result.findings[0].found


def test_an_unmanaged_device_without_a_mac_is_not_checked_rather_than_missing() -> None:
    school = replace(SCHOOL, devices=(*SCHOOL.devices, device("CLOCK", "LAB", managed=False, mac=None)))
    result = audit(school=school)
    assert result.findings == ()
    assert [(n.name, n.room) for n in result.not_checked] == [("CLOCK", "LAB")]


def test_a_stranger_mac_on_an_access_port_is_unknown_with_its_port_and_room() -> None:
    result = audit(sightings=(*HEALTHY_SIGHTINGS, seen("SW-LAB", 2, STRANGER)))
    assert kinds(result) == [("unknown", STRANGER, None)]
    finding = result.findings[0]
    assert (finding.room, finding.switch, finding.port) == ("LAB", "SW-LAB", 2)
    assert "SW-LAB port 2" in finding.found


def test_a_stranger_on_a_port_no_room_is_assigned_to_is_unknown_in_a_whole_school_audit_only() -> None:
    sightings = (*HEALTHY_SIGHTINGS, seen("SW-LAB", 17, STRANGER))
    assert kinds(audit(sightings=sightings)) == [("unknown", STRANGER, None)]
    one_room = replace(SCHOOL, rooms=("LIB",), whole_school=False)
    assert audit(sightings=sightings, school=one_room).findings == ()


def test_one_mac_on_several_vlans_of_a_port_is_one_finding() -> None:
    again = replace(seen("SW-LAB", 2, STRANGER), vlan=30)
    assert len(audit(sightings=(*HEALTHY_SIGHTINGS, seen("SW-LAB", 2, STRANGER), again)).findings) == 1


@pytest.mark.parametrize("sighting", [
    seen("SW-LAB", 24, STRANGER, uplink=True),  # learned on an uplink: behind another switch
    seen("SW-LAB", 24, STRANGER),  # on a port the inventory declares as an uplink
    seen("SW-LIB", 8, STRANGER),  # a wireless client behind an access point's port
    seen("SW-LAB", None, STRANGER),  # an interface that is none of the inventory's ports
])  # fmt: skip
def test_macs_behind_uplinks_and_access_points_are_never_unknown(sighting: MacSighting) -> None:
    assert audit(sightings=(*HEALTHY_SIGHTINGS, sighting)).findings == ()


def test_a_pc_plugged_into_another_rooms_port_is_moved_naming_both_rooms_and_the_port() -> None:
    sightings = (*without(MAC["PC2"]), seen("SW-LIB", 1, MAC["PC2"]))
    result = audit(sightings=sightings)
    assert kinds(result) == [("moved", "PC2", None)]
    finding = result.findings[0]
    assert finding.room == "LAB"
    assert "room LAB" in finding.expected and "room LIB" in finding.found and "SW-LIB port 1" in finding.found
    assert (finding.switch, finding.port) == ("SW-LIB", 1)


def test_a_pc_seen_only_through_an_uplink_is_neither_moved_nor_missing() -> None:
    sightings = (*without(MAC["PC2"]), seen("SW-LIB", 8, MAC["PC2"], uplink=True))
    result = audit((pc("PC1"), pc("LIB1")), sightings, unreachable_pcs=("PC2",))
    assert result.findings == ()


def test_a_changed_serial_is_a_mismatch_of_the_same_asset_found_by_its_mac() -> None:
    result = audit((pc("PC1", serial="SN-NEWBOARD"), pc("PC2"), pc("LIB1")))
    assert kinds(result) == [("mismatch", "PC1", "serial")]
    assert result.findings[0].expected == "serial SN-PC1"
    assert result.findings[0].found == "serial SN-NEWBOARD"


def test_a_changed_mac_is_a_mismatch_of_the_same_asset_found_by_its_serial_and_name() -> None:
    new = "52:54:00:aa:bb:cc"
    result = audit((pc("PC1", macs=(new,)), pc("PC2"), pc("LIB1")),
                   (*HEALTHY_SIGHTINGS[1:], seen("SW-LAB", 1, new)))  # fmt: skip
    assert kinds(result) == [("mismatch", "PC1", "mac")]  # its new MAC on its own port is not a stranger


@pytest.mark.parametrize(("changes", "field"), [
    ({"vendor": "LENOVO", "model": "ThinkCentre M70q"}, "model"),
    ({"ram_mb": 3900}, "ram"),
    ({"disks": (Disk("nvme0n1", 512),)}, "disk"),
])  # fmt: skip
def test_model_ram_and_disk_differences_are_mismatches(changes: dict[str, object], field: str) -> None:
    result = audit((pc("PC1", **changes), pc("PC2"), pc("LIB1")))
    assert kinds(result) == [("mismatch", "PC1", field)]


def test_ram_and_disk_within_ten_percent_and_a_second_small_disk_match() -> None:
    result = audit((pc("PC1", ram_mb=7600, disks=(Disk("sda", 240), Disk("sdb", 16))), pc("PC2"), pc("LIB1")))
    assert result.findings == ()


def test_the_model_rule_is_every_declared_word_among_the_reported_words() -> None:
    assert model_matches("Dell OptiPlex 7010 SFF", "Dell Inc.", "OptiPlex 7010 SFF")
    assert model_matches("lenovo thinkcentre m70q", "LENOVO", "11DT0032UK ThinkCentre M70q Gen 2")
    assert not model_matches("Dell OptiPlex 7010 SFF", "Dell Inc.", "OptiPlex 7010 Micro")
    assert not model_matches("OptiPlex 70", "Dell Inc.", "OptiPlex 7010")  # words, not substrings


def test_a_pc_that_calls_itself_another_name_is_renamed_not_missing_and_unknown() -> None:
    result = audit((pc("PC1", hostname="oldname.school.lan"), pc("PC2"), pc("LIB1")))
    assert kinds(result) == [("renamed", "PC1", None)]
    assert "oldname.school.lan" in result.findings[0].found
    assert "serial and MAC" in result.findings[0].found


def test_a_record_renamed_since_the_discovery_is_the_same_asset_by_serial_and_mac() -> None:
    renamed = replace(SCHOOL, devices=(device("PC1-NEW", "LAB", mac=MAC["PC1"], serial="SN-PC1"), *SCHOOL.devices[1:]))
    result = audit(school=renamed)
    assert kinds(result) == [("renamed", "PC1-NEW", None)]
    assert result.seen == result.declared


def test_the_identity_rule_prefers_serial_and_mac_over_mac_over_name() -> None:
    # PC2's record carries PC1's MAC by mistake: the PC with PC1's serial and MAC is PC1; the
    # other PC reaches PC2 by name, and its MAC differs from the record.
    school = replace(SCHOOL, devices=(SCHOOL.devices[0], device("PC2", "LAB", mac=MAC["PC1"]), *SCHOOL.devices[2:]))
    result = audit(school=school)
    assert kinds(result) == [("mismatch", "PC2", "mac")]


def test_a_pc_that_answered_but_matches_nothing_is_unknown_once() -> None:
    stranger = pc("PC1", host="GHOST", hostname="ghost", serial="SN-GHOST", macs=(STRANGER,))
    result = audit((*HEALTHY_PCS, stranger), (*HEALTHY_SIGHTINGS, seen("SW-LAB", 2, STRANGER)))
    assert kinds(result) == [("unknown", "GHOST", None)]
    assert result.findings[0].room == "LAB"


def test_an_unreachable_switch_makes_its_rooms_unseen_devices_not_checked_not_missing() -> None:
    sightings = tuple(s for s in HEALTHY_SIGHTINGS if s.switch != "SW-LIB")
    result = audit((pc("PC1"), pc("PC2")), sightings, unreachable_pcs=("LIB1",), unreachable_switches=("SW-LIB",))
    assert result.findings == ()
    assert {n.name for n in result.not_checked} == {"LIB1", "SW-LIB"}


def test_a_room_audit_checks_only_that_rooms_devices_but_sees_visitors_from_other_rooms() -> None:
    lib_only = replace(SCHOOL, rooms=("LIB",), whole_school=False)
    result = audit((pc("LIB1"),), (*HEALTHY_SIGHTINGS[2:], seen("SW-LIB", 1, MAC["PC2"])), school=lib_only)
    assert kinds(result) == [("moved", "PC2", None)]
    assert result.declared == 1


def test_the_result_is_json_serialisable() -> None:
    result = audit(sightings=(*HEALTHY_SIGHTINGS, seen("SW-LAB", 2, STRANGER)))
    data = json.loads(json.dumps(result.to_json()))
    assert data["findings"][0]["kind"] == "unknown"
    assert FindingClass(data["findings"][0]["kind"]) is FindingClass.UNKNOWN
