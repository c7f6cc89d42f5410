"""HPE Aruba ArubaOS-Switch (ProCurve): golden-file tested; no emulator exists for it."""

from __future__ import annotations

from .. import CliText, CommitConfirm, MacTableRules, Platform
from .management import RULES
from .secrets import SECRETS

PLATFORM = Platform(
    name="hp_procurve",
    title="HPE Aruba ArubaOS-Switch (ProCurve)",
    netmiko_device_type="hp_procurve",
    hier_config_platform="HP_PROCURVE",
    access_port="{n}",
    uplink_port="{number}",
    error_pattern=r"Invalid input|Incomplete input|Ambiguous input|Module not present|Value .* out of range",
    management=RULES,
    configure="configure terminal",
    sessions=8,
    volatile=(r"^; .* Configuration Editor; Created on release", r"^; Ver #", r"^Running configuration:"),
    comment_prefix=";",
    # hier_config moves VLAN membership (vlan N / untagged PORTS) into the interface sections
    independent_sections=False,
    secrets=SECRETS,
    planner_rewrites=(r"^(no )?(un)?tagged ", r"^exit$"),
    # No revert timer on ArubaOS-Switch (16.x): the nearest equivalent is a scheduled reload
    # into the saved startup config ("reload after [[dd:]hh:]mm", cancelled by "no reload";
    # the Management and Configuration Guide, 16.09, "Reload"). Unverified on a real switch.
    commit_confirm=CommitConfirm(
        confirm="no reload",
        longest=59,
        none_pending=r"(?!x)x",
        arm="reload after {minutes}",
        reboots=True,
    ),
    # Names are written in double quotes (name "...", hostname "..."), so a '"' would end one
    # early. Friendly port names take up to 64 characters, VLAN names and the host name 32.
    port_description=CliText('name "..."', 64, quoted=True),
    vlan_name=CliText('name "..."', 32, quoted=True),
    hostname=CliText('hostname "..."', 32, quoted=True),
    snmp_location=CliText('snmp-server location "..."', 255, quoted=True),
    snmp_contact=CliText('snmp-server contact "..."', 255, quoted=True),
    # "show mac-address": the Port Address Table (MAC as 001635-b4e4c0, port as its number, VLAN on
    # 16.x); a trunk group is "Trk1". No CPU entries are listed. Parsed from recorded samples only.
    mac_table=MacTableRules(
        command="show mac-address",
        template_platform="hp_procurve",
        fields=("mac_address", "vlan_id", "port"),
        own_ports=r"^(CPU|Self)$",
        aggregate=r"^Trk\d+$",
    ),
)
