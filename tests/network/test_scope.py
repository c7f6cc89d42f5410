"""The owned scope, the management guard and the two readers, offline, on a switch configured the way a school's is.

A school's switch carries users, an enable secret, AAA with TACACS+, vty lines with an
access class, SNMP communities, a banner, per-port PoE and BPDU guard settings and an
archive: none of it is schooltech's. These tests prove, without a switch, that the
remediation never touches such lines, counts them, flags every change that would cut the
management session, and that a line the planner cannot express is caught at render time
and by verification.
"""

from __future__ import annotations

import pytest

from schooltech_fleet.network.config_text import lineages
from schooltech_fleet.network.management import ManagementContext
from schooltech_fleet.network.platforms import platform
from schooltech_fleet.network.remediation import blocks_of, remediate, views
from schooltech_fleet.network.render import inexpressible
from schooltech_fleet.network.verify import verify

IOS = platform("cisco_ios")
HP = platform("hp_procurve")
UPLINK = "TenGigabitEthernet1/1/1"
CONTEXT = ManagementContext(99, "10.90.99.12", (UPLINK,))

SCHOOL_SWITCH = """\
Building configuration...

Current configuration : 4211 bytes
!
! Last configuration change at 16:02:11 UTC Mon Nov 30 2026 by admin
!
version 15.2
no service pad
service timestamps log datetime msec
service password-encryption
!
hostname DEMO-SW-LAB
!
boot-start-marker
boot-end-marker
!
enable secret 9 $9$CANARYenable$y0P6t4nQ0k
!
username admin privilege 15 secret 9 $9$CANARYadmin$ZpT1
username schooltech privilege 15 secret 9 $9$svc$Qm2
aaa new-model
aaa authentication login default group tacacs+ local
aaa authorization exec default group tacacs+ local
aaa session-id common
!
ip domain-name demo.example.sch.uk
!
archive
 log config
  logging enable
  hidekeys
 path flash:archive
 maximum 14
!
spanning-tree mode rapid-pvst
spanning-tree extend system-id
!
vlan internal allocation policy ascending
!
vlan 10
 name STAFF
!
vlan 20
 name STUDENTS
!
vlan 99
 name MANAGEMENT
!
ip ssh version 2
!
interface GigabitEthernet1/0/1
 description room LAB1
 switchport access vlan 20
 switchport mode access
 switchport voice vlan 40
 power inline never
 spanning-tree portfast
 spanning-tree bpduguard enable
!
interface GigabitEthernet1/0/2
 description unused
 switchport mode access
 shutdown
!
interface TenGigabitEthernet1/1/1
 description uplink to DEMO-SW-CORE
 switchport trunk allowed vlan 10,20,99
 switchport mode trunk
 ip dhcp snooping trust
!
interface Vlan1
 no ip address
 shutdown
!
interface Vlan99
 description management
 ip address 10.90.99.12 255.255.255.0
!
ip default-gateway 10.90.99.1
no ip http server
!
ip access-list standard VTY-ACCESS
 permit 10.90.99.0 0.0.0.255
!
logging host 10.90.99.5
snmp-server community CANARYcommunity RO VTY-ACCESS
snmp-server location Demo Academy, server room
tacacs server TAC1
 address ipv4 10.90.99.20
 key 7 0822455D0A16
!
banner motd ^C
Authorised staff only.
  Disconnect now if you are not.
^C
!
line con 0
 logging synchronous
line vty 0 4
 access-class VTY-ACCESS in
 transport input ssh
line vty 5 15
 access-class VTY-ACCESS in
 transport input ssh
!
ntp server 10.90.99.1
end
"""

INTENDED = """\
!
hostname DEMO-SW-LAB
!
vlan 10
 name STAFF
!
vlan 20
 name STUDENTS
!
vlan 99
 name MANAGEMENT
!
interface GigabitEthernet1/0/1
 description room LAB1
 switchport access vlan 20
 switchport mode access
 storm-control broadcast level 5.00
 spanning-tree portfast
!
interface GigabitEthernet1/0/2
 description unused
 switchport mode access
 shutdown
!
interface TenGigabitEthernet1/1/1
 description uplink to DEMO-SW-CORE
 switchport trunk allowed vlan 10,20,99
 switchport mode trunk
!
interface Vlan99
 description management
 ip address 10.90.99.12 255.255.255.0
!
ip default-gateway 10.90.99.1
!
logging host 10.90.99.5
snmp-server location Demo Academy, server room
!
ntp server 10.90.99.1
end
"""


def test_only_owned_lines_are_compared_and_every_other_line_is_kept_and_counted() -> None:
    found = remediate(IOS, SCHOOL_SWITCH, INTENDED, CONTEXT)

    assert found.commands == ("interface GigabitEthernet1/0/1", "  storm-control broadcast level 5.00")
    assert found.management == ()
    kept = views(IOS, SCHOOL_SWITCH, INTENDED, CONTEXT).running.kept
    kept_text = [line.strip() for _, line in kept]
    for line in ("username admin privilege 15 secret 9 $9$CANARYadmin$ZpT1", "aaa new-model", "line vty 0 4",
                 "access-class VTY-ACCESS in", "enable secret 9 $9$CANARYenable$y0P6t4nQ0k", "path flash:archive",
                 "snmp-server community CANARYcommunity RO VTY-ACCESS", "key 7 0822455D0A16", "Authorised staff only.",
                 "power inline never", "spanning-tree bpduguard enable", "switchport voice vlan 40",
                 "ip dhcp snooping trust", "interface Vlan1", "spanning-tree mode rapid-pvst"):  # fmt: skip
        assert line in kept_text, line
    assert ("interface GigabitEthernet1/0/1", " power inline never") in kept  # kept where it was
    assert found.kept == len(kept) == 50
    assert found.protected == 29  # users, enable, AAA, TACACS, vty and con lines, ip ssh, archive, ACL, community


def test_nothing_outside_the_owned_scope_is_ever_negated() -> None:
    bare = "!\nhostname DEMO-SW-LAB\n!\nend\n"  # an intent that owns almost nothing

    found = remediate(IOS, SCHOOL_SWITCH, bare, CONTEXT)

    assert found.commands == (
        "no vlan 10", "no vlan 20", "no vlan 99", "no interface Vlan99", "no ip default-gateway 10.90.99.1",
        "no logging host 10.90.99.5", "no snmp-server location Demo Academy, server room", "no ntp server 10.90.99.1",
    )  # fmt: skip
    assert [why.split("'")[1] for why in found.management] == [
        "no vlan 99", "no interface Vlan99", "no ip default-gateway 10.90.99.1"]  # fmt: skip


@pytest.mark.parametrize(("edit", "cause"), [
    (("switchport trunk allowed vlan 10,20,99", "switchport trunk allowed vlan 10,20"), "prunes the management VLAN"),
    ((" switchport mode trunk\n!\ninterface Vlan99", " switchport mode trunk\n shutdown\n!\ninterface Vlan99"),
     "shuts the uplink"),
    (("ip address 10.90.99.12 255.255.255.0", "ip address 10.90.99.40 255.255.255.0"), "moves the address"),
    (("ip default-gateway 10.90.99.1", "ip default-gateway 10.90.99.254"), "changes the gateway"),
    (("vlan 99\n name MANAGEMENT\n!\n", ""), "deletes the management VLAN"),
    (("switchport mode trunk\n!\ninterface Vlan99", "switchport mode access\n!\ninterface Vlan99"),
     "turns the uplink into an access port"),
])  # fmt: skip
def test_every_change_that_would_cut_the_session_is_flagged(edit: tuple[str, str], cause: str) -> None:
    wanted = INTENDED.replace(*edit, 1)
    assert wanted != INTENDED

    found = remediate(IOS, SCHOOL_SWITCH, wanted, CONTEXT)

    assert found.changes
    assert found.management, f"{cause}: not flagged; commands {found.commands}"


def test_harmless_changes_to_a_session_port_are_not_flagged() -> None:
    wanted = INTENDED.replace("description uplink to DEMO-SW-CORE", "description to the core").replace(
        "switchport trunk allowed vlan 10,20,99", "switchport trunk allowed vlan 10,20,30,99")

    found = remediate(IOS, SCHOOL_SWITCH, wanted, CONTEXT)

    assert found.changes and found.management == ()


def test_a_switch_managed_on_vlan1_is_never_moved_off_it_silently() -> None:
    legacy = SCHOOL_SWITCH.replace("interface Vlan1\n no ip address\n shutdown\n", "interface Vlan1\n"
                                   " ip address 10.90.99.12 255.255.255.0\n").replace(
        "interface Vlan99\n description management\n ip address 10.90.99.12 255.255.255.0\n", "")  # fmt: skip

    found = remediate(IOS, legacy, INTENDED, CONTEXT)

    assert "interface Vlan1" in found.diff  # the interface that holds the session is in view ...
    assert any("no interface Vlan1" in why or "Vlan1" in why for why in found.management)  # ... and guarded
    on_vlan1 = ManagementContext(1, "10.90.99.12", (UPLINK,))
    intended_on_vlan1 = INTENDED.replace("interface Vlan99\n description management\n ip address",
                                         "interface Vlan1\n ip address")  # fmt: skip
    assert remediate(IOS, legacy, intended_on_vlan1, on_vlan1).management == ()


def test_arubaos_changes_that_cut_the_session_are_flagged() -> None:
    running = ('hostname "SW"\nip default-gateway 10.31.99.1\ninterface 9\n   name "uplink"\n   exit\n'
               'vlan 1\n   name "DEFAULT_VLAN"\n   untagged 1-8,10\n   exit\nvlan 99\n   name "MANAGEMENT"\n'
               '   tagged 9\n   ip address 10.31.99.12 255.255.255.0\n   exit\n'
               'password manager user-name "admin" sha1 "CANARY"\n')  # fmt: skip
    context = ManagementContext(99, "10.31.99.12", ("9",))
    wanted = running.replace('password manager user-name "admin" sha1 "CANARY"\n', "")

    assert remediate(HP, running, wanted, context).commands == ()  # the password line is not schooltech's
    pruned = wanted.replace("   tagged 9\n", "")
    assert remediate(HP, running, pruned, context).management
    moved = wanted.replace("10.31.99.12 255", "10.31.99.40 255")
    assert remediate(HP, running, moved, context).management
    disabled = wanted.replace('   name "uplink"\n', '   name "uplink"\n   disable\n')
    assert remediate(HP, running, disabled, context).management
    renamed = wanted.replace('name "uplink"', 'name "to the core"')
    found = remediate(HP, running, renamed, context)
    assert found.changes and found.management == ()


def test_a_line_the_planner_cannot_express_is_a_render_error() -> None:
    with_remark = INTENDED.replace("logging host", "ip access-list extended GUEST-ISOLATION\n"
                                   " remark guests reach the internet only\n deny   ip 10.90.30.0 0.0.0.255 10.0.0.0 "
                                   "0.255.255.255\n permit ip any any\n!\nlogging host")  # fmt: skip
    outside = INTENDED.replace("logging host", "username admin privilege 15 secret 0 x\nlogging host")

    assert inexpressible(IOS, INTENDED, 99) == []
    remark = "'ip access-list extended GUEST-ISOLATION / remark guests reach the internet only'"
    assert inexpressible(IOS, with_remark, 99) == [f"{remark} is outside the owned scope",
                                                   f"{remark} is not read as written by the planner"]  # fmt: skip
    assert inexpressible(IOS, outside, 99) == ["'username admin privilege 15 secret 0 x' is outside the owned scope"]


def test_verification_sees_a_line_the_planner_drops() -> None:
    acl = ("ip access-list extended GUEST-ISOLATION\n remark guests reach the internet only\n"
           " deny   ip 10.90.30.0 0.0.0.255 10.0.0.0 0.255.255.255\n permit ip any any\n!\n")  # fmt: skip
    wanted = INTENDED.replace("logging host", acl + "logging host")
    switch_shows = SCHOOL_SWITCH.replace("logging host", acl.replace(" remark guests reach the internet only\n", "")
                                         + "logging host")  # fmt: skip
    switch_shows = switch_shows.replace(" spanning-tree portfast\n spanning-tree bpduguard",
                                        " storm-control broadcast level 5.00\n spanning-tree portfast\n"
                                        " spanning-tree bpduguard")  # fmt: skip

    found = verify(IOS, switch_shows, wanted, CONTEXT)

    assert not found.remediation.changes  # hier_config reads both without the remark: "in sync"
    assert found.missing == ("ip access-list extended GUEST-ISOLATION / remark guests reach the internet only",)
    assert not found.ok


def test_the_config_reader_keeps_banners_and_nesting_whole() -> None:
    blocks = blocks_of(IOS, SCHOOL_SWITCH)
    banner = next(b for b in blocks if b.text.startswith("banner motd"))
    archive = next(b for b in blocks if b.text == "archive")

    assert banner.continued == ["Authorised staff only.", "  Disconnect now if you are not.", "^C"]
    assert [c.text for c in archive.children] == ["log config", "path flash:archive", "maximum 14"]
    assert ("archive", "log config", "hidekeys") in set(lineages(blocks))
    assert not any(line.startswith(("Building", "Current", "!")) for b in blocks for line in b.lines())
    assert len(blocks) == 40  # top-level blocks: a section with its lines, a banner with its text
