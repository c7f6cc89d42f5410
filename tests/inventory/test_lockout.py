"""The lock-out guard: a school file that would cut schooltech's own session to a switch fails the check."""

from __future__ import annotations

from pathlib import Path

import pytest

from schooltech_fleet.inventory.findings import Severity

from .helpers import DEFAULT_VLANS, EXAMPLE, REPO, drop_lines, located, only, pos, run_check, write, write_school

# TST-SW1 plugs into the router (port 28); TST-SW2 hangs off it, TST-SW3 off TST-SW2.
CHAIN = """
- name: TST-SW1
  platform: cisco_ios
  mgmt_ip: 10.9.99.11
  access_ports: 24
  ports:
    - {ports: 1-2, room: C1}
  uplinks:
    - {port: 25, to: TST-SW2}
    - {port: 28, description: to the router}
- name: TST-SW2
  platform: cisco_ios
  mgmt_ip: 10.9.99.12
  access_ports: 24
  uplinks:
    - {port: 25, to: TST-SW1}
    - {port: 26, to: TST-SW3}
- name: TST-SW3
  platform: hp_procurve
  mgmt_ip: 10.9.99.13
  access_ports: 24
  uplinks:
    - {port: 25, to: TST-SW2}
"""

ADD_MANAGEMENT = "add management to its vlans, or leave vlans out to carry every VLAN"


def check_chain(tmp_path: Path, chain: str, vlans: str = DEFAULT_VLANS) -> tuple[Path, str]:
    path, text = write_school(tmp_path, switches=chain, vlans=vlans)
    return path, text


def test_a_chain_of_switches_declared_on_both_sides_up_to_the_router_passes(tmp_path: Path) -> None:
    path, _ = check_chain(tmp_path, CHAIN)
    assert run_check(path).findings == ()


# --- the management VLAN pruned ----------------------------------------------


def test_an_uplink_leaving_out_the_management_vlan_cuts_its_switch_and_the_ones_behind_it(tmp_path: Path) -> None:
    chain = CHAIN.replace("- {port: 25, to: TST-SW1}", "- {port: 25, to: TST-SW1, vlans: [staff, students]}")
    path, text = check_chain(tmp_path, chain)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "vlans: [staff, students]", at="[staff"), "lockout")
    assert finding.message == (
        "uplink port 25 of TST-SW2 leaves out the management VLAN: it would cut schooltech's session to TST-SW2 "
        "(and the switch behind it: TST-SW3)"
    )
    assert finding.hint == ADD_MANAGEMENT


def test_the_parent_side_of_a_link_leaving_out_the_management_vlan_cuts_the_child(tmp_path: Path) -> None:
    chain = CHAIN.replace("- {port: 26, to: TST-SW3}", "- {port: 26, to: TST-SW3, vlans: [students]}")
    path, text = check_chain(tmp_path, chain)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "vlans: [students]", at="[students"), "lockout")
    assert finding.message == (
        "uplink port 26 of TST-SW2 leaves out the management VLAN: it would cut schooltech's session to TST-SW3"
    )


def test_the_router_uplink_leaving_out_the_management_vlan_cuts_every_switch(tmp_path: Path) -> None:
    chain = CHAIN.replace("description: to the router}", "description: to the router, vlans: [staff]}")
    path, text = check_chain(tmp_path, chain)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "vlans: [staff]", at="[staff"), "lockout")
    assert finding.message == (
        "uplink port 28 of TST-SW1 leaves out the management VLAN: it would cut schooltech's session to TST-SW1 "
        "(and the 2 switches behind it: TST-SW2, TST-SW3)"
    )


def test_a_pruned_second_link_that_carries_no_session_today_is_a_warning(tmp_path: Path) -> None:
    # A second router uplink on TST-SW1: the path uses the first; the second is a spare.
    chain = CHAIN.replace(
        "    - {port: 28, description: to the router}\n",
        "    - {port: 28, description: to the router}\n    - {port: 27, description: spare, vlans: [guest]}\n",
    )
    path, text = check_chain(tmp_path, chain)
    finding = only(run_check(path), "warning")
    assert located(finding) == (str(path), *pos(text, "vlans: [guest]", at="[guest"), "lockout")
    assert finding.message == (
        "uplink port 27 of TST-SW1 leaves out the management VLAN: no session runs over it today, but one would be "
        "cut if the management path failed over to it"
    )
    assert finding.hint == ADD_MANAGEMENT


def test_an_uplink_listing_the_management_vlan_passes(tmp_path: Path) -> None:
    chain = CHAIN.replace("- {port: 25, to: TST-SW1}", "- {port: 25, to: TST-SW1, vlans: [students, management]}")
    path, _ = check_chain(tmp_path, chain)
    assert run_check(path).findings == ()


# --- links declared on one side only ------------------------------------------


def test_a_switch_without_the_uplink_its_parent_declares_is_cut_at_its_own_port(tmp_path: Path) -> None:
    chain = drop_lines(CHAIN, "- {port: 25, to: TST-SW1}")
    path, text = check_chain(tmp_path, chain)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- name: TST-SW2", at="TST"), "lockout")
    assert finding.message == (
        "switch TST-SW2 declares no uplink to TST-SW1, though TST-SW1's uplink port 25 leads to it: TST-SW2's port "
        "on that link would be rendered as an unused port (shut, as unused_ports: shutdown says), cutting "
        "schooltech's session to TST-SW2 (and the switch behind it: TST-SW3)"
    )
    assert finding.hint == (
        "add the uplink to TST-SW2: - {port: N, to: TST-SW1}, N being the port of TST-SW2 that the cable from "
        "TST-SW1 port 25 plugs into"
    )


def test_a_parent_without_the_uplink_its_child_declares_cuts_the_child(tmp_path: Path) -> None:
    chain = drop_lines(CHAIN, "- {port: 26, to: TST-SW3}")
    path, text = check_chain(tmp_path, chain)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- name: TST-SW2", at="TST"), "lockout")
    assert finding.message == (
        "switch TST-SW2 declares no uplink to TST-SW3, though TST-SW3's uplink port 25 leads to it: TST-SW2's port "
        "on that link would be rendered as an unused port (shut, as unused_ports: shutdown says), cutting "
        "schooltech's session to TST-SW3"
    )


def test_unused_ports_leave_does_not_save_an_undeclared_session_port(tmp_path: Path) -> None:
    # "leave" skips the shutdown, but the port is still rendered as an access port in the default VLAN
    # (IOS: switchport mode access; ArubaOS-Switch: untagged in VLAN 1), which drops the management VLAN.
    chain = drop_lines(CHAIN, "- {port: 25, to: TST-SW1}")
    path, text = write_school(tmp_path, switches=chain, settings="switch: {unused_ports: leave}")
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "- name: TST-SW2", at="TST"), "lockout")
    assert finding.severity is Severity.ERROR
    assert "(an access port in the default VLAN; unused_ports: leave skips only the shutdown), cutting" in (
        finding.message
    )


def test_the_policy_of_the_switch_that_owns_the_port_decides_the_wording(tmp_path: Path) -> None:
    chain = drop_lines(CHAIN, "- {port: 25, to: TST-SW1}").replace(
        "  mgmt_ip: 10.9.99.12\n", "  mgmt_ip: 10.9.99.12\n  settings: {switch: {unused_ports: leave}}\n"
    )
    path, _ = check_chain(tmp_path, chain)
    assert "unused_ports: leave skips only the shutdown" in only(run_check(path)).message


def test_a_one_sided_link_beside_the_management_path_is_a_warning(tmp_path: Path) -> None:
    # TST-SW3 hangs off TST-SW1 (both sides declared); TST-SW2 also cables to it, undeclared on TST-SW3.
    chain = CHAIN[: CHAIN.rindex("    - {port: 25, to: TST-SW2}\n")] + "    - {port: 26, to: TST-SW1}\n"
    sw1 = "    - {port: 25, to: TST-SW2}\n"
    chain = chain.replace(sw1, f"{sw1}    - {{port: 26, to: TST-SW3}}\n", 1)
    path, text = check_chain(tmp_path, chain)
    finding = only(run_check(path), "warning")
    assert located(finding) == (str(path), *pos(text, "- name: TST-SW3", at="TST"), "lockout")
    assert finding.message == (
        "switch TST-SW3 declares no uplink to TST-SW2, though TST-SW2's uplink port 26 leads to it: TST-SW3's port "
        "on that link would be rendered as an unused port (shut, as unused_ports: shutdown says); no session runs "
        "over that link today, but the link would be cut"
    )


# --- no path at all -----------------------------------------------------------


def test_switches_without_an_uplink_to_the_router_are_reported_at_the_switches_section(tmp_path: Path) -> None:
    path, text = check_chain(tmp_path, drop_lines(CHAIN, "to the router"))
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "switches:"), "lockout")
    assert finding.message == (
        "no uplink leads to the router (an uplink without to:): schooltech cannot tell which port carries its "
        "session to TST-SW1, TST-SW2, TST-SW3, and a push would render that port as an unused port (shut, as "
        "unused_ports: shutdown says)"
    )
    assert finding.hint == (
        "give the switch that connects to the router an uplink without to:, such as "
        "- {port: 28, description: to the school router}"
    )


def test_a_switch_no_chain_of_uplinks_reaches_is_reported_at_its_name(tmp_path: Path) -> None:
    chain = CHAIN + "- {name: TST-SW4, platform: cisco_ios, mgmt_ip: 10.9.99.14, access_ports: 8, uplink_ports: 2}\n"
    path, text = check_chain(tmp_path, chain)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "name: TST-SW4", at="TST-SW4"), "lockout")
    assert finding.message == (
        "no chain of uplinks from the router reaches switch TST-SW4: schooltech cannot tell which of its ports "
        "carries the session, and a push would render that port as an unused port (shut, as unused_ports: shutdown "
        "says)"
    )
    assert finding.hint == (
        "declare the link between TST-SW4 and the switch it plugs into, on both switches "
        "(uplinks: - {port: N, to: OTHER})"
    )


def test_a_pruned_uplink_of_a_switch_no_chain_reaches_is_an_error(tmp_path: Path) -> None:
    chain = drop_lines(CHAIN, "to the router").replace(
        "- {port: 25, to: TST-SW1}", "- {port: 25, to: TST-SW1, vlans: [students]}"
    )
    path, text = check_chain(tmp_path, chain)
    found = {(f.line, f.severity, f.message.split(":")[0]) for f in run_check(path).findings}
    assert found == {
        (pos(text, "switches:")[0], Severity.ERROR, "no uplink leads to the router (an uplink without to"),
        (pos(text, "vlans: [students]")[0], Severity.ERROR, "uplink port 25 of TST-SW2 leaves out the management VLAN"),
    }


# --- the management VLAN itself -------------------------------------------------


@pytest.mark.parametrize(
    ("management", "message", "hint"),
    [
        (
            "management: {subnet: 10.9.99.0/24}",
            "VLAN 'management' has no gateway: a push would remove the switches' default gateway, and schooltech's "
            "session, which reaches them through the router, would be cut",
            "add gateway: to vlans.management (the router's address in 10.9.99.0/24)",
        ),
        (
            "management: {description: switches}",
            "VLAN 'management' has no subnet: the switches would be rendered without a management address, and a "
            "push would remove the address schooltech connects to",
            "add subnet: to vlans.management (the subnet of the switches' mgmt_ip)",
        ),
    ],
)
def test_a_management_vlan_without_subnet_or_gateway_locks_schooltech_out(
    tmp_path: Path, management: str, message: str, hint: str
) -> None:
    vlans = DEFAULT_VLANS.replace("management: {subnet: 10.9.99.0/24, gateway: 10.9.99.1}", management)
    path, text = check_chain(tmp_path, CHAIN, vlans=vlans)
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "management: {", at="{"), "lockout")
    assert (finding.message, finding.hint) == (message, hint)


def test_a_management_vlan_without_subnet_matters_only_when_the_school_has_switches(tmp_path: Path) -> None:
    vlans = DEFAULT_VLANS.replace("management: {subnet: 10.9.99.0/24, gateway: 10.9.99.1}", "management: {}")
    path, _ = write_school(tmp_path, vlans=vlans)
    assert run_check(path).findings == ()


def test_a_management_vlan_with_id_1_works_but_is_warned_about(tmp_path: Path) -> None:
    vlans = DEFAULT_VLANS.replace("management: {", "management: {id: 1, ")
    path, text = check_chain(tmp_path, CHAIN, vlans=vlans)
    result = run_check(path)
    finding = only(result, "warning")
    assert located(finding) == (str(path), *pos(text, "id: 1,", at="1,"), "lockout")
    assert finding.severity is Severity.WARNING and result.errors == []
    assert finding.message.startswith("VLAN 'management' has id 1, the switches' default VLAN: every port not given")
    assert finding.hint.startswith("give the management VLAN an id of its own (the profiles use 99)")


def test_the_example_schools_declare_their_management_paths() -> None:
    result = run_check(REPO / "inventories")
    assert [f for f in result.findings if f.code == "lockout"] == []
    assert result.switches == 11


def test_removing_an_example_core_router_uplink_is_caught(tmp_path: Path) -> None:
    text = drop_lines(EXAMPLE.read_text(encoding="utf-8"), "description: to the school router")
    path = write(tmp_path, text, "rvs.school.yml")
    (tmp_path / "files").mkdir()
    certificate = EXAMPLE.parent / "files" / "rvs-filter-ca.pem"
    (tmp_path / "files" / certificate.name).write_bytes(certificate.read_bytes())
    finding = only(run_check(path))
    assert located(finding) == (str(path), *pos(text, "switches:"), "lockout")
