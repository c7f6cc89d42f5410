"""Cisco IOS (Catalyst access switches): live-tested against the simulated school."""

from __future__ import annotations

from .. import CliText, CommitConfirm, MacTableRules, Platform
from .management import RULES
from .secrets import SECRETS

PLATFORM = Platform(
    name="cisco_ios",
    title="Cisco IOS (Catalyst)",
    netmiko_device_type="cisco_ios",
    hier_config_platform="CISCO_IOS",
    access_port="GigabitEthernet1/0/{n}",
    uplink_port="TenGigabitEthernet1/1/{n}",
    # IOS marks errors with a leading "%" (% Invalid input, % Incomplete command, % Ambiguous
    # command, %Default VLAN 1 may not be deleted, % ... overlaps with ...), plus "Command
    # rejected: ..." and "Bad mask". Some "%" lines only inform: PortFast's warning, and the
    # note that an access VLAN was created.
    error_pattern=(
        r"(^|\n)\s*%(?!\s*Warning)(?!\s*Portfast has been configured)(?!\s*Access VLAN does not exist)"
        r"|Command rejected|Bad mask"
    ),
    management=RULES,
    configure="configure terminal",
    sessions=16,
    volatile=(
        r"^Building configuration",
        r"^Current configuration",
        r"^! (Last|NVRAM) config",
        r"^ntp clock-period",
        r"^! Time:",
    ),
    independent_sections=True,  # its post-load callbacks (ACL remarks/sequences, VLAN ranges) stay in a section
    planner_sections=(r"^ip access-list ", r"^ipv6 access-list ", r"^vlan "),
    secrets=SECRETS,
    # Configuration Replace and Configuration Rollback (IOS 12.2(33)SE and later on Catalyst):
    # "configure terminal revert timer" needs an archive path; the archive files live in flash.
    commit_confirm=CommitConfirm(
        confirm="configure confirm",
        longest=120,
        none_pending=r"No Rollback Confirmed Change",
        enter="configure terminal revert timer {minutes}",
        revert_now="configure revert now",
        pending="show archive config rollback timer",
        archive=("archive", " path flash:schooltech-rollback", " maximum 14"),
        archive_present=r"(?m)^archive\n(?: .*\n)*? path \S",
    ),
    # Interface descriptions take up to 240 characters, VLAN names 1-32 (VTP's limit); a host
    # name must start with a letter, end with a letter or digit, and be 63 characters or fewer.
    # sysLocation and sysContact are SNMP DisplayStrings of at most 255 characters.
    port_description=CliText("description", 240),
    vlan_name=CliText("name", 32),
    hostname=CliText("hostname", 63, letter_first=True),
    snmp_location=CliText("snmp-server location", 255),
    snmp_contact=CliText("snmp-server contact", 255),
    # Catalyst 2960/3560/9300 (IOS 12.2-15.2 and IOS-XE): "Vlan  Mac Address  Type  Ports" (ntc-templates'
    # TYPE4); "All ... STATIC CPU" are the control protocols, "STATIC VlN" the switch's own SVI MAC (IOS-XE).
    # A sticky port-security address is STATIC on its port: a device like any other.
    mac_table=MacTableRules(
        command="show mac address-table",
        template_platform="cisco_ios",
        fields=("destination_address", "vlan_id", "destination_port"),
        own_ports=r"^(CPU|Vl\d+|Vlan\d+|Switch|Router|Stby-Switch|Drop)$",
        aggregate=r"^Po(rt-channel)?\d+$",
        abbreviations=(("Gi", "GigabitEthernet"), ("Te", "TenGigabitEthernet"), ("Fa", "FastEthernet"),
                       ("Tw", "TwoGigabitEthernet"), ("Fi", "FiveGigabitEthernet"), ("Twe", "TwentyFiveGigE"),
                       ("Fo", "FortyGigabitEthernet"), ("Hu", "HundredGigE"), ("Po", "Port-channel")),
    ),
)
