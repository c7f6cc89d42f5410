"""Per-platform value rules: what reaches a switch's config must be text its CLI takes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schooltech_fleet.network.cli_values import BIDI_CONTROLS

from .helpers import DEFAULT_VLANS, located, only, pos, run_check, write, write_school
from .mutations import CLI_HOSTILE, SOURCES

IOS = "Cisco IOS (Catalyst)"
ARUBA = "HPE Aruba ArubaOS-Switch (ProCurve)"

# TST-SW1 (IOS) plugs into the router; TST-SW2 (ArubaOS-Switch) hangs off it.
SWITCHES = """
- name: TST-SW1
  platform: cisco_ios
  mgmt_ip: 10.9.99.11
  access_ports: 24
  ports:
    - {ports: 1-2, room: C1, description: IOS_PORT}
  uplinks:
    - {port: 25, to: TST-SW2}
    - {port: 28, description: to the router}
- name: TST-SW2
  platform: hp_procurve
  mgmt_ip: 10.9.99.12
  access_ports: 24
  ports:
    - {ports: 1-2, room: C1, description: ARUBA_PORT}
  uplinks:
    - {port: 25, to: TST-SW1}
"""


def switches(ios: str = "lab", aruba: str = "lab") -> str:
    return SWITCHES.replace("IOS_PORT", ios).replace("ARUBA_PORT", aruba)


def quoted(text: str) -> str:
    """*text* as a YAML double-quoted scalar (JSON escapes are YAML escapes)."""
    return json.dumps(text)


def test_descriptions_within_each_platforms_limits_pass(tmp_path: Path) -> None:
    path, _ = write_school(tmp_path, switches=switches(ios="x" * 240, aruba="y" * 64))
    assert run_check(path).findings == ()


def test_an_ios_description_over_240_characters_is_reported_at_the_description(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, switches=switches(ios="x" * 241))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "x" * 241), "cli-value")
    assert finding.message == (
        f"switch TST-SW1 ({IOS}): port description '{'x' * 40}...' is 241 characters long; the switch takes at most "
        "240 (description)"
    )
    assert finding.hint == "shorten it to 240 characters or fewer"


def test_an_aruba_port_name_over_64_characters_is_reported(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, switches=switches(aruba="y" * 65))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "y" * 65), "cli-value")
    assert finding.message.endswith("is 65 characters long; the switch takes at most 64 (name \"...\")")
    assert finding.message.startswith(f"switch TST-SW2 ({ARUBA}): port description")


def test_a_question_mark_is_refused_on_every_platform(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, switches=switches(ios='"Lab 1?"', aruba='"Lab 2?"'))
    findings = run_check(path).findings
    assert [located(f) for f in findings] == [
        (str(path), *pos(text, '"Lab 1?"'), "cli-value"),
        (str(path), *pos(text, '"Lab 2?"'), "cli-value"),
    ]
    assert findings[0].message == (
        f"switch TST-SW1 ({IOS}): port description 'Lab 1?' contains '?', which the switch CLI takes as a request "
        "for help, not as text"
    )
    assert findings[0].hint == "remove the '?'"


def test_a_double_quote_is_refused_where_the_platform_quotes_names_only(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, switches=switches(ios=quoted('the "quiet" lab'), aruba=quoted('"quiet" lab')))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, quoted('"quiet" lab')), "cli-value")
    assert finding.message == (
        f"switch TST-SW2 ({ARUBA}): port description '\"quiet\" lab' contains '\"', which would end the quoted "
        "value early (name \"...\")"
    )
    assert finding.hint == "remove the double quote, or write ' instead"


@pytest.mark.parametrize("char", sorted(BIDI_CONTROLS))
def test_every_unicode_bidi_control_is_refused(tmp_path: Path, char: str) -> None:
    path, text = write_school(tmp_path, switches=switches(ios=quoted(f"lab{char}1")))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, quoted(f"lab{char}1")), "cli-value")
    assert f"contains the Unicode bidirectional control U+{ord(char):04X}, which makes the text read differently" in (
        finding.message
    )


def test_a_c1_control_character_the_schema_lets_through_is_refused(tmp_path: Path) -> None:
    # U+009B is the one-byte CSI: a terminal escape sequence in a description
    path, text = write_school(tmp_path, switches=switches(aruba=quoted("lab\x9b2J")))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, quoted("lab\x9b2J")), "cli-value")
    assert "contains the control character U+009B, which a switch session would act on" in finding.message


def test_text_that_is_not_ascii_is_refused(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, switches=switches(ios="Salle_d'été"))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "Salle_d'été"), "cli-value")
    assert finding.message.endswith("contains 'é', which is not ASCII; the switch takes printable ASCII only")
    assert finding.hint == "write it in plain ASCII (e for é)"


def test_a_room_name_that_becomes_a_too_long_port_name_is_reported_at_the_room_reference(tmp_path: Path) -> None:
    room = "R" + "0" * 60  # "room R000..." is 66 characters: fine on IOS, too long for ArubaOS-Switch
    rooms = f"- {{name: {room}, kind: ict_suite}}"
    chain = switches().replace("room: C1, description: lab", f"room: {room}")
    path, text = write_school(tmp_path, rooms=rooms, switches=chain)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, f"room: {room}", at=room, nth=2), "cli-value")
    assert finding.message.startswith(f"switch TST-SW2 ({ARUBA}): port description 'room R000")
    assert finding.message.endswith("is 66 characters long; the switch takes at most 64 (name \"...\")")


def test_a_default_uplink_description_too_long_is_reported_at_the_uplinks_to(tmp_path: Path) -> None:
    long_name = "TST-" + "S" * 59  # 63 characters: a valid host name, but "uplink to ..." is 73
    chain = switches().replace("TST-SW1", long_name)
    path, text = write_school(tmp_path, switches=chain)
    finding = only(run_check(path))  # 63 characters is a valid IOS host name, so only the port name is refused
    assert located(finding) == (str(path), *pos(text, f"to: {long_name}", at=long_name), "cli-value")
    assert finding.message == (
        f"switch TST-SW2 ({ARUBA}): port description 'uplink to {long_name[:30]}...' is 73 characters long; the "
        'switch takes at most 64 (name "...")'
    )


def test_a_vlan_name_over_32_characters_is_reported_once_per_platform_at_the_vlan(tmp_path: Path) -> None:
    name = "v" * 33
    vlans = DEFAULT_VLANS + f"{name}: {{id: 50, subnet: 10.9.50.0/24, gateway: 10.9.50.1}}\n"
    path, text = write_school(tmp_path, vlans=vlans, switches=switches())
    findings = run_check(path).findings
    assert {located(f) for f in findings} == {(str(path), *pos(text, f"{name}:"), "cli-value")}
    assert sorted(f.message for f in findings) == [
        f"switch TST-SW1 ({IOS}): VLAN name '{name.upper()[:40]}' is 33 characters long; the switch takes at most 32 "
        "(name)",
        f"switch TST-SW2 ({ARUBA}): VLAN name '{name.upper()[:40]}' is 33 characters long; the switch takes at most "
        '32 (name "...")',
    ]


def test_a_school_snmp_location_is_reported_once_for_all_switches_of_a_platform(tmp_path: Path) -> None:
    third = "- {name: TST-SW3, platform: cisco_ios, mgmt_ip: 10.9.99.13, uplinks: [{port: 49, to: TST-SW1}]}\n"
    sw1 = "    - {port: 25, to: TST-SW2}\n"
    chain = switches().replace(sw1, f"{sw1}    - {{port: 26, to: TST-SW3}}\n")
    chain += third
    settings = 'snmp: {location: "Server room?"}'
    path, text = write_school(tmp_path, switches=chain, settings=settings)
    findings = run_check(path).findings
    assert {located(f) for f in findings} == {(str(path), *pos(text, '"Server room?"'), "cli-value")}
    assert sorted(f.message.split(": ")[0] for f in findings) == [
        f"switch TST-SW2 ({ARUBA})",
        f"switches TST-SW1, TST-SW3 ({IOS})",
    ]


def test_a_switch_snmp_contact_is_reported_at_the_switch_layer(tmp_path: Path) -> None:
    own = '  settings: {snmp: {contact: "IT \\"office\\""}}\n'
    chain = switches().replace("  mgmt_ip: 10.9.99.12\n", f"  mgmt_ip: 10.9.99.12\n{own}")
    path, text = write_school(tmp_path, switches=chain, settings="snmp: {contact: it@school.example}")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, '"IT \\"office\\""'), "cli-value")
    assert finding.message.startswith(f"switch TST-SW2 ({ARUBA}): SNMP contact 'IT \"office\"' contains '\"'")


def test_an_aruba_host_name_over_32_characters_is_reported_at_the_name(tmp_path: Path) -> None:
    long_name = "TST-SW2-" + "A" * 25  # 33 characters
    path, text = write_school(tmp_path, switches=switches().replace("TST-SW2", long_name))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, f"name: {long_name}", at=long_name), "cli-value")
    assert finding.message == (
        f"switch {long_name} ({ARUBA}): host name '{long_name}' is 33 characters long; the switch takes at most 32 "
        '(hostname "...")'
    )


def test_an_ios_host_name_must_start_with_a_letter(tmp_path: Path) -> None:
    path, text = write_school(tmp_path, switches=switches().replace("TST-SW1", "1-SW1"))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "name: 1-SW1", at="1-SW1"), "cli-value")
    assert finding.message == (
        f"switch 1-SW1 ({IOS}): host name '1-SW1' does not start with a letter, as a hostname must"
    )
    assert finding.hint == "rename it to start with a letter"


def test_a_switch_of_an_unknown_platform_gets_only_the_platform_finding(tmp_path: Path) -> None:
    chain = switches(aruba='"Lab?"').replace("platform: hp_procurve", "platform: junos")
    path, _ = write_school(tmp_path, switches=chain)
    assert [f.code for f in run_check(path).findings] == ["platform"]


@pytest.mark.parametrize("hostile", CLI_HOSTILE)
def test_every_hostile_value_of_the_mutation_corpus_is_refused_as_an_aruba_port_name(
    tmp_path: Path, hostile: str
) -> None:
    text = SOURCES["small"].replace('description: "lab printer"', f"description: {hostile}")
    path = write(tmp_path, text)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, f"description: {hostile}", at=hostile), "cli-value")
    assert finding.message.startswith(f"switch TST-SW2 ({ARUBA}): port description ")


@pytest.mark.parametrize("description", ["spare key 7 0822455D0A16", "old hash $1$L3gs$OZHfWYN0sjQC0rZx6WXMM."])
def test_a_description_that_looks_like_a_switch_secret_is_refused(tmp_path: Path, description: str) -> None:
    path, text = write_school(tmp_path, switches=switches(ios=quoted(description)))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, quoted(description)), "cli-value")
    assert "looks like a secret a switch holds" in finding.message and "would never verify" in finding.message
